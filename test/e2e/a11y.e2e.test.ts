import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import gcoord from 'gcoord'
import type { BrowserContext, Page } from 'playwright-core'
import { ARTIFACTS, appRoutes, axeProblems, browserAvailable, h5Suite, open, phonePage, settle, signIn, tap, visibleText, type AxeProblem } from './browser'
import { multipart } from '../api/reports-helpers'
import { DEMO_ACCOUNTS } from '../helpers/app'

/**
 * axe-core over every page of the H5 build, for every role, with real data behind the lists, details and forms.
 * The routes come from src/app.config.ts, so a page added there is checked without touching this file; a page that
 * needs an id gets one from QUERIES below (a new page of that kind shows up here as a page stuck on its error state).
 * A page is looked at once it has settled (see settle() in browser.ts: its PageShell root on screen and still, no
 * loading state, no API call under way). No axe rule is disabled: Taro's H5 DOM needed fixes (src/utils/h5-a11y.ts),
 * not exceptions.
 */

const run = browserAvailable() ? describe : describe.skip
const COMMUNITY = '329901001001' // 幸福里社区
/** A point inside 幸福里社区 (GCJ-02); the browser reports positions in WGS-84. */
const INSIDE = { lng: 118.71, lat: 32.005 }

type Role = 'anonymous' | 'resident' | 'worker' | 'office'
const ROLES: Role[] = ['anonymous', 'resident', 'worker', 'office']
type Staff = 'worker' | 'office'

/** What the test app holds before the browser opens a page: one of each thing a page can show. */
interface Data {
  /** a report the worker dispatched (timeline of several steps), and one only accepted (all handling actions) */
  dispatched: number
  accepted: number
  /** per signed-in role: a submitted attempt (result page) and one in progress (answer page) */
  attempts: Partial<Record<Role, { submitted: number; open: number }>>
  campaign: { id: number; title: string }
  /** per staff role: a session in its lobby with a participant, and one on its first question */
  live: Record<Staff, { lobby: { id: number; code: string }; question: { id: number; code: string } }>
  /** a volunteer activity the worker published, the resident (an approved volunteer) signed up to its first shift */
  volunteers: { activity: number; shift: number; certificate: string }
  /** the standard survey, published by the worker for 幸福里, with one response */
  survey: number
}

/**
 * The query strings a route is opened with (default: none). Pages that show one thing get a real id of the role
 * (another role's id shows what that role would see); pages with a form and a detail state get both.
 */
const QUERIES: Record<string, (d: Data, role: Role) => string[]> = {
  'packages/reports/pages/detail/index': (d) => [`id=${d.dispatched}`],
  'packages/reports/pages/handle/index': (d) => [`id=${d.accepted}`, `id=${d.dispatched}`],
  'packages/quizzes/pages/answer/index': (d, role) => [`id=${(d.attempts[role] ?? d.attempts.resident!).open}`],
  'packages/quizzes/pages/result/index': (d, role) => [`id=${(d.attempts[role] ?? d.attempts.resident!).submitted}`],
  'packages/quizzes/pages/stats/index': (d) => [`id=${d.campaign.id}&title=${encodeURIComponent(d.campaign.title)}`],
  'packages/quizzes/pages/live-host/index': (d, role) => {
    const s = d.live[role === 'office' ? 'office' : 'worker']
    return ['', `id=${s.lobby.id}`, `id=${s.question.id}`]
  },
  'packages/volunteers/pages/activity/index': (d) => [`id=${d.volunteers.activity}`],
  // the edit mode of an activity someone signed up to: its locked fields and their reasons
  'packages/volunteers/pages/create/index': (d) => ['', `id=${d.volunteers.activity}`],
  'packages/volunteers/pages/shift/index': (d) => [`id=${d.volunteers.shift}`],
  'packages/volunteers/pages/certificate/index': (d) => [`no=${d.volunteers.certificate}`],
  'packages/volunteers/pages/verify/index': (d) => [`no=${d.volunteers.certificate}`],
  'packages/surveys/pages/answer/index': (d, role) => (role === 'worker' || role === 'office' ? [`id=${d.survey}`, `id=${d.survey}&preview=1`] : [`id=${d.survey}`]),
  'packages/surveys/pages/edit/index': (d) => ['', 'template=chuangwen_standard', `id=${d.survey}`],
  'packages/surveys/pages/manage/index': (d) => [`id=${d.survey}`],
  'packages/surveys/pages/results/index': (d) => [`id=${d.survey}`],
  // the survey is still open: the page says why its results cannot be seen yet (the charts are in surveys.e2e)
  'packages/surveys/pages/outcome/index': (d) => [`id=${d.survey}`],
  'packages/quizzes/pages/live-join/index': (d, role) => (role === 'resident' ? ['', `code=${d.live.worker.question.code}`] : ['']),
}

/**
 * Popups and form states worth a check of their own, opened by a user's taps after the page has settled: each
 * returns a name for the state it left the page in.
 */
const INTERACTIONS: Record<string, (page: Page, ctx: { photo: string }) => AsyncGenerator<string>> = {
  'packages/reports/pages/new/index': async function* (page, { photo }) {
    await tap(visibleText(page, '乱扔垃圾', true))
    await visibleText(page, '一般').waitFor()
    const chooser = page.waitForEvent('filechooser', { timeout: 15_000 })
    await tap(visibleText(page, '拍照/相册', true))
    await (await chooser).setFiles(photo)
    await visibleText(page, '已上传', true).waitFor({ timeout: 20_000 })
    await tap(page.locator('.nut-button').filter({ visible: true }).filter({ hasText: /^\s*当前位置\s*$/ }).first())
    await visibleText(page, '经纬度').waitFor({ timeout: 20_000 })
    yield 'category, photo and place chosen'
    await tap(page.locator('.rp-new__submit .nut-button').filter({ visible: true }).first())
    await visibleText(page, '附近已有相同问题').waitFor({ timeout: 20_000 })
    yield 'dialog: 附近已有相同问题'
  },
  'packages/reports/pages/handle/index': async function* (page) {
    // each action the report offers opens its own form (assignees, merge candidates, photos, a required note)
    const actions = page.locator('.rp-handle__action').filter({ visible: true })
    for (const label of (await actions.allInnerTexts()).map((t) => t.trim())) {
      const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) // 受理 is not 不予受理
      await tap(actions.filter({ hasText: exact }).first())
      await page.locator('.rp-handle__form-title').filter({ visible: true }).filter({ hasText: exact }).first().waitFor()
      yield `form: ${label}`
    }
  },
  'packages/quizzes/pages/live-host/index': async function* (page) {
    // the host's 结束 asks first, in Taro's own modal
    const end = page.locator('.nut-button:not(.nut-button-disabled)').filter({ visible: true }).filter({ hasText: /^\s*结束\s*$/ }).first()
    if (!(await end.count())) return
    await tap(end)
    await page.locator('.taro-modal__content').filter({ visible: true }).first().waitFor()
    yield 'modal: 结束答题'
    await tap(page.locator('.taro-model__cancel').filter({ visible: true }).first())
    await page.locator('.taro-modal__content').filter({ visible: true }).first().waitFor({ state: 'hidden' })
  },
  'packages/quizzes/pages/answer/index': async function* (page) {
    const option = page.locator('.qz-q__opt').filter({ visible: true }).first()
    if (!(await option.count())) return
    await tap(option)
    yield 'an option chosen'
  },
}

run('H5 in chromium: axe-core finds no serious or critical problem on any page, for any role', () => {
  let dataDir: string
  let photo: string
  let data: Data
  const h5 = h5Suite(async () => {
    process.env.OUTBOX_INTERVAL_MS = '0'
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-e2e-a11y-'))
    photo = path.join(dataDir, 'scene.jpg')
    fs.writeFileSync(photo, await sharp({ create: { width: 640, height: 480, channels: 3, background: '#44aa66' } }).jpeg().toBuffer())
    return { config: { dataDir } }
  })
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }))

  const routes = appRoutes()
  let context: BrowserContext | undefined
  afterEach(async () => {
    await context?.close()
    context = undefined
  })

  beforeAll(async () => {
    data = await seed()
  }, 120_000)

  /** Everything through the API, as the people themselves would do it. */
  async function seed(): Promise<Data> {
    const t = h5.t
    const ok = async (what: string, res: Promise<{ statusCode: number; body: string; json: () => any }>) => {
      const r = await res
      if (r.statusCode >= 300) throw new Error(`${what}: ${r.statusCode} ${r.body}`)
      return r.json()
    }
    const token = {
      resident: await t.login(DEMO_ACCOUNTS.resident.phone),
      worker: await t.login(DEMO_ACCOUNTS.worker.phone),
      office: await t.login(DEMO_ACCOUNTS.office.phone),
    }
    const players = ['resident', 'worker', 'office'] as const
    for (const role of players) await ok(`community of ${role}`, t.as(token[role], { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } }))
    const workerId = (await ok('me', t.as(token.worker, { method: 'GET', url: '/api/v1/me' }))).id as number

    // 随手拍: a few reports in different states, so that lists, timelines and actions have something to show
    const report = async (categoryCode: string, description: string) => {
      const photoBody = multipart(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366aa' } }).jpeg().toBuffer(), 'p.jpg', 'image/jpeg')
      const up = await ok('photo', t.as(token.resident, { method: 'POST', url: '/api/v1/reports/photos', ...photoBody }))
      const body = { categoryCode, lng: INSIDE.lng, lat: INSIDE.lat, address: '幸福里 3 号楼旁', description, anonymous: false, photoIds: [up.id] }
      return (await ok('report', t.as(token.resident, { method: 'POST', url: '/api/v1/reports', payload: body }))).id as number
    }
    const transition = (id: number, body: Record<string, unknown>) =>
      ok(`report ${id} ${String(body.action)}`, t.as(token.worker, { method: 'POST', url: `/api/v1/reports/${id}/transitions`, payload: body }))
    const dispatched = await report('littering', '垃圾堆在路边，已经好几天了')
    await transition(dispatched, { action: 'accept' })
    await transition(dispatched, { action: 'dispatch', assigneeId: workerId, note: '请尽快清运' })
    const accepted = await report('littering', '绿化带里有很多塑料袋')
    await transition(accepted, { action: 'accept' })
    await report('illegal_parking', '消防通道被私家车占用')

    // 答题: a campaign; each role takes it once (a result with wrong answers) and starts it again (an open attempt)
    const title = '文明知识答题（无障碍检查）'
    const hour = 3600_000
    const campaign = await ok(
      'campaign',
      t.as(token.worker, {
        method: 'POST',
        url: '/api/v1/quiz/admin/campaigns',
        payload: { title, regionCode: COMMUNITY, startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(), questionCount: 5, timeLimitSeconds: 600, passScore: 60, maxAttempts: 5 },
      }),
    )
    const attempts: Data['attempts'] = {}
    for (const role of players) {
      const first = await ok('attempt', t.as(token[role], { method: 'POST', url: `/api/v1/quiz/campaigns/${campaign.id}/attempts` }))
      const answers = first.questions.map((q: { id: number }) => ({ questionId: q.id, choice: [0] }))
      await ok('submit', t.as(token[role], { method: 'POST', url: `/api/v1/quiz/attempts/${first.id}/submit`, payload: { answers } }))
      const second = await ok('attempt', t.as(token[role], { method: 'POST', url: `/api/v1/quiz/campaigns/${campaign.id}/attempts` }))
      attempts[role] = { submitted: first.id, open: second.id }
    }

    // 现场答题: per host, one session waiting in its lobby and one on its first question, the resident in both
    const live = {} as Data['live']
    for (const host of ['worker', 'office'] as const) {
      const session = async (name: string) => {
        const s = await ok('live', t.as(token[host], { method: 'POST', url: '/api/v1/live/sessions', payload: { title: name, count: 3, questionSeconds: 300 } }))
        await ok('join', t.as(token.resident, { method: 'POST', url: `/api/v1/live/${s.code}/join` }))
        return { id: s.id as number, code: s.code as string }
      }
      const lobby = await session('幸福里社区文明知识抢答')
      const question = await session('周末文明知识抢答')
      await ok('advance', t.as(token[host], { method: 'POST', url: `/api/v1/live/sessions/${question.id}/advance` }))
      live[host] = { lobby, question }
    }
    // 志愿服务: the resident applies and is approved, signs up; another resident's application waits for the worker
    const applyAs = (tok: string) => ok('apply', t.as(tok, {
      method: 'POST', url: '/api/v1/volunteers/apply', payload: { realName: '李志愿', skills: ['急救'], availability: '周末', communityCode: COMMUNITY, pledgeAgreed: true },
    }))
    const volunteer = await applyAs(token.resident)
    await ok('approve', t.as(token.worker, { method: 'POST', url: `/api/v1/volunteers/applications/${volunteer.userId}/decision`, payload: { decision: 'approve' } }))
    const applicant = await t.login('13900000777')
    await ok('community', t.as(applicant, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } }))
    await applyAs(applicant)
    const at = (h: number) => new Date(Date.now() + h * hour).toISOString()
    const shift = (h: number) => ({ startsAt: at(h), endsAt: at(h + 2), capacity: 10, signupDeadline: at(h - 1), cancelDeadline: at(h - 2) })
    const activity = await ok('activity', t.as(token.worker, {
      method: 'POST', url: '/api/v1/volunteers/activities',
      payload: { type: 'traffic', title: '幸福路口文明交通劝导', description: '早高峰劝导行人和电动车遵守信号灯', lng: INSIDE.lng, lat: INSIDE.lat, radiusM: 200,
        address: '幸福路与和平路交叉口', regionCode: COMMUNITY, requirements: '穿志愿者马甲', shifts: [shift(48), shift(72)] },
    }))
    await ok('signup', t.as(token.resident, { method: 'POST', url: `/api/v1/volunteers/shifts/${activity.shifts[0].id}/signup` }))
    await ok('hours', t.as(token.worker, { method: 'POST', url: '/api/v1/volunteers/hours', payload: { userId: volunteer.userId, kind: 'honorary', minutes: 150, reason: '活动组织' } }))
    const certificate = await ok('certificate', t.as(token.resident, { method: 'POST', url: '/api/v1/volunteers/me/certificates' }))
    const volunteers = { activity: activity.id as number, shift: activity.shifts[0].id as number, certificate: certificate.number as string }
    // 问卷: the standard survey for 幸福里, published, answered once by the office account (the resident's stays open)
    const survey = await ok('survey', t.as(token.worker, {
      method: 'POST',
      url: '/api/v1/surveys/admin',
      payload: { template: 'chuangwen_standard', title: '创文满意度调查（无障碍检查）', regionCode: COMMUNITY, audience: 'residents', anonymous: true, startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString() },
    }))
    await ok('publish', t.as(token.worker, { method: 'POST', url: `/api/v1/surveys/admin/${survey.id}/publish` }))
    await ok('response', t.as(token.office, {
      method: 'POST',
      url: `/api/v1/surveys/${survey.id}/responses`,
      payload: { answers: { age: { choice: 'a45_59' }, residence: { choice: 'gt3y' }, aware: { choice: 'yes' }, support: { choice: 'yes' }, overall: { value: 4 }, areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 4, volunteering: 5 } }, suggestion: { text: '希望多设座椅' } } },
    }))
    return { dispatched, accepted, attempts, campaign: { id: campaign.id, title }, live, volunteers, survey: survey.id }
  }

  it('covers the pages of app.config.ts (main package and subpackages)', () => {
    expect(routes).toContain('pages/login/index')
    expect(routes).toContain('packages/reports/pages/new/index')
    expect(routes.length).toBeGreaterThanOrEqual(20)
  })

  for (const role of ROLES) {
    it(`${role}: every page the role reaches`, async () => {
      const page = await phonePage(h5.browser)
      context = page.context()
      const [lng, lat] = gcoord.transform([INSIDE.lng, INSIDE.lat], gcoord.GCJ02, gcoord.WGS84)
      await context.grantPermissions(['geolocation'])
      await context.setGeolocation({ longitude: lng, latitude: lat })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      if (role !== 'anonymous') await signIn(page, h5.base, DEMO_ACCOUNTS[role].phone, h5.t)

      const problems: AxeProblem[] = []
      const seen = new Set<string>()
      const checked: string[] = []
      const check = async (where: string, state: string) => {
        problems.push(...(await axeProblems(page, { role, page: where, state })))
        checked.push(`${where}${state ? ` [${state}]` : ''}`)
      }
      for (const route of routes) {
        for (const query of QUERIES[route]?.(data, role) ?? ['']) {
          const asked = `/${route}${query ? `?${query}` : ''}`
          await open(page, h5.base, asked)
          const shown = await settle(page)
          const landed = shown === decodeURIComponent(asked)
          // a page that sends this role elsewhere (anonymous → sign-in) is checked once, where it lands
          const key = landed ? shown : shown.split('?')[0]
          if (seen.has(key)) continue
          seen.add(key)
          await check(shown, landed ? '' : `opened as ${asked}`)
          const interact = landed ? INTERACTIONS[route] : undefined
          if (interact) {
            for await (const state of interact(page, { photo })) {
              await settle(page)
              await check(shown, state)
            }
          }
        }
      }
      fs.mkdirSync(ARTIFACTS, { recursive: true })
      fs.writeFileSync(path.join(ARTIFACTS, `a11y-${role}.json`), JSON.stringify({ checked, problems }, null, 2))
      expect(checked.length).toBeGreaterThan(role === 'anonymous' ? 0 : routes.length - 2)
      expect(problems.map((p) => p.text)).toEqual([])
      expect(errors).toEqual([])
    }, 600_000)
  }
})

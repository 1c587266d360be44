import type { AppContext } from '../context'
import type { Caller } from '../lib/caller'
import { loadSharp } from '../lib/lazy-packages'
import type { RegionRow } from '../modules/regions/directory'
import { grantRole, updateMe } from '../modules/accounts/service'
import { submitReport, transition, rate } from '../modules/reports/service'
import { uploadPhoto } from '../modules/reports/photos'
import { createCampaign, startCampaignAttempt, startPractice, submitAttempt } from '../modules/quizzes/service'
import { closeSurvey, createSurvey, publishSurvey, submitResponse } from '../modules/surveys/service'
import { apply, createActivity, decide, markAttendance, signUp } from '../modules/volunteers/service'
import { issueCertificate } from '../modules/volunteers/certificates'
import * as rq from '../modules/rates/queries'
import { bulletinJob } from '../modules/rates/bulletin'
import { ACTION_RULES } from '../../types/report-lifecycle'
import type { ReportState, TransitionAction } from '../../types/reports'
import type { AttemptStarted } from '../../types/quizzes'
import type { Answers } from '../../types/surveys'
import { DEMO_ACCOUNTS } from './demo'
import { rng, type Rng } from './prng'

/*
 * The demo city's past (issue 12): residents, 随手拍 in every state, quiz attempts, two rounds of the standard survey,
 * volunteer service, then the rates and the daily bulletins — all made through the modules' services, as people would
 * make them, so that every page of a fresh demo shows what the product does. Services stamp now(); afterwards the
 * timestamps are moved into the last two months (raw UPDATEs of times only), and the rates rebuilt from them.
 *
 * Resumable: a run stopped halfway is finished by the next start. Each item is made once — a report by its
 * Idempotency-Key, a survey answer by the one-response rule, attempts by counting those already there, the rest by
 * looking for what exists — and the times are fixed from the anchor instant saved at the first run.
 */

const MARK_KEY = 'demo_history'
const SEED = 20261129
const DAY = 86_400_000
const HOUR = 3_600_000
const SHANGHAI = 8 * HOUR

export const DEMO_SURVEY_TITLES = ['创文测评问卷（上月）', '创文测评问卷（本月）'] as const
const DEMO_CAMPAIGN_TITLE = '文明城市知识竞答'

export interface HistorySummary {
  residents: number
  workers: number
  reports: number
  photos: number
  attempts: number
  responses: number
  volunteers: number
  creditedShifts: number
  bulletins: number
}

interface Person {
  id: number
  phone: string
  nickname: string
  community: string
}

interface Mark {
  anchor: string
  done: boolean
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰文斌宇浩凯鹏欣怡梓涵子轩晨阳雨婷佳琪思远嘉怡俊杰婉清志强淑珍国庆海燕红梅晓东春生秋菊'
const ROADS = ['人民路', '解放路', '建设路', '中山路', '文化路', '和平路', '学府路', '滨湖路', '青年路', '光华路', '长江路', '新华路']
const PLACES = ['公交站旁', '小区东门口', '菜市场门口', '学校门口', '十字路口', '超市门前', '公园入口', '地铁口', '医院门口', '广场北侧']

const REPORT_TEXTS: Record<string, string[]> = {
  spitting: ['有人在公交站台随地吐痰，站台地面很脏', '早高峰时段多人在路边吐痰'],
  littering: ['绿化带里扔了很多饮料瓶和外卖盒', '垃圾桶旁边堆满了垃圾袋，没有清运', '路边有人随手扔烟头'],
  illegal_parking: ['机动车长期占用人行道停放，行人只能走机动车道', '电动车乱停，堵住了小区消防通道', '共享单车堆在路口，影响通行'],
  blind_lane: ['盲道被电动车和杂物占用', '盲道上停了好几辆共享单车'],
  street_vending: ['流动摊贩占道经营，晚上油烟很大', '水果摊摆到了人行道中间'],
  dog_walking: ['遛狗不牵绳，狗追着小孩跑', '狗粪便没有清理，草坪上到处都是'],
  red_light: ['行人经常闯红灯，路口很危险', '电动车闯红灯，差点撞到行人'],
  illegal_ads: ['电线杆和墙上贴满了小广告', '楼道里被喷涂了办证电话'],
  no_helmet: ['骑电动车不戴头盔的人很多', '外卖骑手不戴头盔还逆行'],
  illegal_building: ['一楼住户私自搭建彩钢棚', '楼顶有人在搭建违章建筑'],
  thrown_from_car: ['有车辆从车窗往外扔垃圾', '出租车司机往窗外扔烟头'],
  damaged_facility: ['路灯坏了好几天，晚上很黑', '人行道地砖松动，雨天踩下去溅一身水', '公园长椅坏了，有钉子露出来'],
}
const RECTIFY_NOTES = ['已安排人员现场整改完毕', '已联系责任单位清理', '已劝导并现场处理', '已完成维修']
const REJECT_NOTES = ['经核实不属于本社区管辖范围，已告知上报人向有关部门反映', '照片与描述不符，现场未发现问题']
const NOT_FIXED_NOTES = ['涉及产权纠纷，已移交相关部门，暂无法整改到位', '需列入明年市政计划，暂不能整改']
const RATING_COMMENTS: Record<number, string[]> = {
  5: ['处理很及时，点赞', '效率很高，谢谢社区', ''],
  4: ['处理得不错', ''],
  3: ['处理了，但是慢了一点', ''],
  2: ['过了好久才处理', '没有完全解决'],
  1: ['问题还在，没有真正解决'],
}
const SUGGESTIONS = ['希望多增加一些垃圾分类的宣传', '小区周边停车太难，建议规划停车位', '建议在路口增加志愿者劝导', '希望公园多装一些路灯', '']

const iso = (ms: number) => new Date(ms).toISOString()
const pad = (n: number, w: number) => String(n).padStart(w, '0')

/** Midnight (Asia/Shanghai) of the first day of the month `shift` months from the one holding `ms`, as an instant. */
function monthStartMs(ms: number, shift = 0): number {
  const local = new Date(ms + SHANGHAI)
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + shift, 1) - SHANGHAI
}

/** A point strictly inside a rectangular (demo city) region. */
function pointIn(r: RegionRow, rand: Rng): { lng: number; lat: number } {
  const ring = (r.boundary as { coordinates: number[][][] }).coordinates[0]
  const xs = ring.map((p) => p[0])
  const ys = ring.map((p) => p[1])
  const [w, e, s, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]
  const lng = w + (e - w) * (0.1 + 0.8 * rand())
  const lat = s + (n - s) * (0.1 + 0.8 * rand())
  return { lng: Math.round(lng * 1e6) / 1e6, lat: Math.round(lat * 1e6) / 1e6 }
}

/** A small, plain picture (a few coloured shapes): real JPEG bytes through the real upload path, cheap to process. */
async function demoPicture(rand: Rng): Promise<Buffer> {
  const hue = rand.int(0, 359)
  const shapes = Array.from({ length: 4 }, () => {
    const [x, y, r] = [rand.int(10, 230), rand.int(10, 170), rand.int(12, 45)]
    return `<circle cx="${x}" cy="${y}" r="${r}" fill="hsl(${(hue + rand.int(40, 200)) % 360},55%,55%)"/>`
  }).join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="180"><rect width="240" height="180" fill="hsl(${hue},35%,78%)"/>` +
    `<rect y="120" width="240" height="60" fill="hsl(${hue},15%,55%)"/>${shapes}</svg>`
  return (await loadSharp())(Buffer.from(svg)).jpeg({ quality: 70 }).toBuffer()
}

function callerOf(p: Person, extra: Partial<Caller> = {}): Caller {
  return {
    userId: p.id, communityCode: p.community, nickname: p.nickname, phone: p.phone, openid: null,
    workerRegions: [], office: false, volunteer: false, tokenHash: `demo-history:${p.id}`, ...extra,
  }
}

/** A service refusal that means "already done" on a resumed run: skipped. Anything else is a real failure. */
async function unlessDone<T>(codes: string[], run: () => Promise<T>): Promise<T | null> {
  try {
    return await run()
  } catch (err) {
    if (codes.includes((err as { code?: string }).code ?? '')) return null
    throw err
  }
}

/** Moves timestamps: `rows` as one jsonb parameter, so a phase is one statement whatever its size. */
async function retime(ctx: AppContext, sql: string, rows: object[]): Promise<void> {
  if (rows.length) await ctx.db.query(sql, [JSON.stringify(rows)])
}

/**
 * Makes the demo city's history unless it is there (returns null then). `say` gets a line per phase.
 * Called by `npm start` in demo mode and by the demo-seed test; other tests use seedDemo alone.
 */
export async function seedDemoHistory(ctx: AppContext, say: (line: string) => void = () => {}): Promise<HistorySummary | null> {
  const prior = await ctx.db.one<{ value: Mark }>(`SELECT value FROM instance_settings WHERE key = $1`, [MARK_KEY])
  if (prior?.value.done) return null
  const anchor = prior ? Date.parse(prior.value.anchor) : Date.now()
  if (!prior) {
    await ctx.db.query(`INSERT INTO instance_settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING`,
      [MARK_KEY, JSON.stringify({ anchor: iso(anchor), done: false } satisfies Mark)])
  } else {
    say('演示历史：上次生成被中断，继续生成…')
  }
  const started = Date.now()
  const cpu = process.cpuUsage()
  // CPU of this process as well as the wall clock: on a busy machine the wall clock says more about the neighbours
  const step = (name: string) => {
    const used = process.cpuUsage(cpu)
    say(`演示历史：${name}（${((Date.now() - started) / 1000).toFixed(1)} 秒，CPU ${((used.user + used.system) / 1e6).toFixed(1)} 秒）`)
  }
  const dir = await ctx.regions.get()
  const city = dir.children(null)[0]
  const communities = dir.descendants(city.code).filter((r) => r.level === 'community')
  const gridsOf = (c: string) => dir.children(c).filter((r) => r.level === 'grid')
  const streetOf = (c: string) => dir.chain(c).find((r) => r.level === 'street')!
  const first = communities[0]
  const rand = rng(SEED)
  const latest = anchor - 10 * 60_000 // nothing of the past happens in the last ten minutes before the anchor
  const thisMonth = monthStartMs(anchor)
  const lastMonth = monthStartMs(anchor, -1)

  // ------------------------------------------------------------------ people
  const demoRows = await ctx.db.query<Person>(
    `SELECT id::int AS id, phone, nickname, community_code AS community FROM users WHERE phone = ANY($1::text[])`,
    [Object.values(DEMO_ACCOUNTS).map((a) => a.phone)])
  const demo = (kind: keyof typeof DEMO_ACCOUNTS) => demoRows.find((r) => r.phone === DEMO_ACCOUNTS[kind].phone)!
  const office = callerOf(demo('office'), { office: true })
  const demoWorker = callerOf(demo('worker'), { workerRegions: [first.code] })
  let demoResident = callerOf(demo('resident'))
  if (!demoResident.communityCode) {
    await updateMe(ctx, demoResident, { communityCode: first.code })
    demoResident = { ...demoResident, communityCode: first.code }
  }

  const people = rand.fork(1)
  const name = () => people.pick([...SURNAMES]) + people.pick([...GIVEN]) + (people.chance(0.6) ? people.pick([...GIVEN]) : '')
  const planned: Array<{ phone: string; nickname: string; community: string }> = []
  const workerPhones = new Map<string, string>()
  communities.forEach((c, ci) => {
    const n = people.int(34, 52)
    for (let k = 0; k < n; k++) planned.push({ phone: `139${pad(ci + 1, 2)}${pad(k + 1, 6)}`, nickname: name(), community: c.code })
    if (ci > 0) {
      const phone = `137${pad(ci + 1, 2)}${pad(0, 6)}`
      workerPhones.set(c.code, phone)
      planned.push({ phone, nickname: `网格员${name()}`, community: c.code })
    }
  })
  // Accounts are what an SMS sign-in creates (a phone, a nickname, the community picked in 我的); a thousand sign-ins
  // would only add sessions nobody uses. One statement, and a rerun adds nobody twice.
  await ctx.db.query(
    `INSERT INTO users (phone, nickname, community_code, created_at, updated_at)
     SELECT p, n, c, $4::timestamptz - (i % 120) * interval '1 day', $4::timestamptz - (i % 120) * interval '1 day'
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(p, n, c, i)
     ON CONFLICT (phone) DO NOTHING`,
    [planned.map((p) => p.phone), planned.map((p) => p.nickname), planned.map((p) => p.community), iso(anchor)])
  const rows = await ctx.db.query<Person>(
    `SELECT id::int AS id, phone, nickname, community_code AS community FROM users WHERE phone = ANY($1::text[]) ORDER BY phone`,
    [planned.map((p) => p.phone)])
  const byPhone = new Map(rows.map((r) => [r.phone, r]))
  const workers = new Map<string, Caller>([[first.code, demoWorker]])
  for (const [code, phone] of workerPhones) {
    await unlessDone(['ROLE_ALREADY_GRANTED'], () => grantRole(ctx, office, phone, 'worker', code))
    workers.set(code, callerOf(byPhone.get(phone)!, { workerRegions: [code] }))
  }
  const residentsOf = new Map<string, Person[]>(communities.map((c) => [c.code, []]))
  for (const p of planned) if (!workerPhones.has(p.community) || workerPhones.get(p.community) !== p.phone) residentsOf.get(p.community)!.push(byPhone.get(p.phone)!)
  const residents = [...residentsOf.values()].flat()
  // how each community leans: aware, supportive and satisfied residents, and quiz knowledge — fixed by the seed
  const lean = new Map(communities.map((c) => [c.code, {
    aware: 0.72 + 0.26 * people(), support: 0.7 + 0.28 * people(), satisfied: 0.55 + 0.4 * people(), know: 0.6 + 0.35 * people(),
    takeup: 0.78 + 0.17 * people(),
  }]))
  step(`居民 ${residents.length} 人、网格员 ${workers.size} 人`)

  // ------------------------------------------------------------------ 随手拍
  const categories = Object.keys(REPORT_TEXTS)
  const rr = rand.fork(2)
  interface PlannedReport {
    key: string
    reporter: Caller
    community: string
    category: string
    final: ReportState
    times: number[]
    rating: number | null
    photo: boolean
  }
  const plans: PlannedReport[] = []
  const finalFor = (ageDays: number): ReportState => {
    if (ageDays < 1) return rr.pick(['submitted', 'submitted', 'accepted'] as const)
    if (ageDays < 4) return rr.pick(['submitted', 'accepted', 'dispatched', 'dispatched', 'rectified', 'closed'] as const)
    const x = rr()
    return x < 0.08 ? 'submitted' : x < 0.14 ? 'accepted' : x < 0.24 ? 'dispatched' : x < 0.3 ? 'rectified' : x < 0.78 ? 'closed'
      : x < 0.84 ? 'closed_not_fixed' : x < 0.95 ? 'rejected' : 'merged'
  }
  const pathTo: Record<ReportState, TransitionAction[]> = {
    submitted: [], accepted: ['accept'], dispatched: ['accept', 'dispatch'], rectified: ['accept', 'dispatch', 'rectify'],
    closed: ['accept', 'dispatch', 'rectify', 'close'], closed_not_fixed: ['accept', 'dispatch', 'rectify', 'close_not_fixed'],
    rejected: ['reject'], merged: ['accept', 'merge'],
  }
  const addPlan = (reporter: Caller, community: string, final: ReportState, ageDays: number, photo: boolean) => {
    const t0 = Math.min(latest - 4 * HOUR, anchor - ageDays * DAY - rr.int(0, 10) * HOUR)
    const times = [t0]
    for (let i = 0; i < pathTo[final].length; i++) times.push(times[times.length - 1] + rr.int(1, i === 2 ? 30 : 10) * HOUR)
    const closed = final === 'closed' || final === 'closed_not_fixed'
    const rating = closed && rr.chance(0.75)
      ? (final === 'closed_not_fixed' ? rr.pick([1, 2, 2, 3]) : lean.get(community)!.satisfied > 0.75 ? rr.pick([5, 5, 4, 4, 3]) : rr.pick([5, 4, 4, 3, 2, 1]))
      : null
    if (rating !== null) times.push(times[times.length - 1] + rr.int(2, 30) * HOUR)
    // squeezed into the past when a young report's steps would reach the present
    const span = times[times.length - 1] - t0
    const room = latest - t0
    const scaled = span > room ? times.map((t) => t0 + ((t - t0) * room) / span) : times
    plans.push({ key: `demo-history-report-${plans.length + 1}`, reporter, community, category: rr.pick(categories), final, times: scaled.map(Math.round), rating, photo })
  }
  // the demo resident's own: one to rate, one being handled, one closed and rated, one just sent
  addPlan(demoResident, first.code, 'closed', 20, true)
  addPlan(demoResident, first.code, 'closed', 9, true)
  addPlan(demoResident, first.code, 'dispatched', 3, true)
  addPlan(demoResident, first.code, 'submitted', 0.2, true)
  plans[1].rating = null
  plans[1].times = plans[1].times.slice(0, 5)
  // the demo worker's queue: the first community's open work, and its past
  for (let i = 0; i < 16; i++) {
    const age = rr() * 40
    addPlan(callerOf(rr.pick(residentsOf.get(first.code)!)), first.code, i < 7 ? rr.pick(['submitted', 'accepted', 'dispatched', 'rectified'] as const) : finalFor(age), i < 7 ? rr() * 6 : age, true)
  }
  for (let i = 0; i < 96; i++) {
    const c = rr.pick(communities.slice(1))
    const age = rr() * 45
    addPlan(callerOf(rr.pick(residentsOf.get(c.code)!)), c.code, finalFor(age), age, i % 3 === 0)
  }
  // a merge needs an open report of that community to take the duplicate: otherwise the duplicate is simply accepted
  for (const p of plans) {
    if (p.final === 'merged' && !plans.some((o) => o !== p && o.community === p.community && ['submitted', 'accepted', 'dispatched'].includes(o.final))) {
      p.final = 'accepted'
      p.times = p.times.slice(0, 2)
    }
  }
  const pics = rand.fork(3)
  let photos = 0
  const photo = async (owner: Caller) => {
    photos++
    return (await uploadPhoto(ctx, owner, await demoPicture(pics))).id
  }
  const reportIds: number[] = []
  for (const p of plans) {
    const grid = rr.pick(gridsOf(p.community))
    const at = pointIn(grid, rr)
    const [road, place] = [rr.pick(ROADS), rr.pick(PLACES)]
    const body = {
      categoryCode: p.category, photoIds: p.photo ? [await photo(p.reporter)] : [], lng: at.lng, lat: at.lat,
      address: `${streetOf(p.community).name}${dir.get(p.community)!.name}${road}${place}`,
      description: rr.pick(REPORT_TEXTS[p.category]), anonymous: rr.chance(0.1),
    }
    const r = await submitReport(ctx, p.reporter, body, p.key)
    reportIds.push(r.body.id)
  }
  // a duplicate goes into the first report of its community left open
  const keptOf = (community: string) => reportIds[plans.findIndex((o) => o.community === community && ['submitted', 'accepted', 'dispatched'].includes(o.final))]
  for (const [i, p] of plans.entries()) {
    const id = reportIds[i]
    const worker = workers.get(p.community)!
    let state = (await ctx.db.one<{ state: ReportState }>('SELECT state FROM reports WHERE id = $1', [id]))!.state
    for (const action of pathTo[p.final]) {
      if (!(ACTION_RULES[action].from as readonly string[]).includes(state)) continue
      const body: Parameters<typeof transition>[3] = { action }
      if (action === 'dispatch') body.department = (await ctx.db.one<{ d: string }>('SELECT department AS d FROM reports WHERE id = $1', [id]))!.d
      if (action === 'rectify') { body.photoIds = [await photo(worker)]; body.note = rr.pick(RECTIFY_NOTES) }
      if (action === 'reject') body.note = rr.pick(REJECT_NOTES)
      if (action === 'close_not_fixed') body.note = rr.pick(NOT_FIXED_NOTES)
      if (action === 'merge') body.targetReportId = keptOf(p.community)
      state = (await transition(ctx, worker, id, body)).state as ReportState
    }
    if (p.rating !== null) {
      const comment = rr.pick(RATING_COMMENTS[p.rating]) || undefined
      await unlessDone(['ALREADY_RATED'], () => rate(ctx, p.reporter, id, p.rating!, comment))
    }
  }
  // the 台账 in time order: submit, then each action in turn, the rating last
  await retime(ctx, `
    WITH v AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, times timestamptz[])),
    ev AS (SELECT e.id, e.report_id, row_number() OVER (PARTITION BY e.report_id ORDER BY e.id) AS n
             FROM report_events e JOIN v ON v.id = e.report_id WHERE e.action <> 'merge' OR e.from_state IS NOT NULL)
    UPDATE report_events e SET created_at = v.times[least(ev.n, cardinality(v.times))]
      FROM ev JOIN v ON v.id = ev.report_id WHERE e.id = ev.id`,
  plans.map((p, i) => ({ id: reportIds[i], times: p.times.map(iso) })))
  // the kept report's note of a merge happened when the duplicate was merged
  await ctx.db.query(`
    UPDATE report_events e SET created_at = m.created_at FROM report_events m
     WHERE e.action = 'merge' AND e.from_state IS NULL AND m.report_id = (e.detail->>'from')::bigint AND m.action = 'merge' AND m.from_state IS NOT NULL`)
  await retime(ctx, `
    UPDATE reports r SET created_at = v.created, due_at = v.created + (r.due_at - r.created_at),
           closed_at = (SELECT max(e.created_at) FROM report_events e WHERE e.report_id = r.id AND e.action IN ('close', 'close_not_fixed')),
           rated_at = (SELECT max(e.created_at) FROM report_events e WHERE e.report_id = r.id AND e.action = 'rate'),
           updated_at = (SELECT max(e.created_at) FROM report_events e WHERE e.report_id = r.id)
      FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, created timestamptz) WHERE r.id = v.id`,
  plans.map((p, i) => ({ id: reportIds[i], created: iso(p.times[0]) })))
  await ctx.db.query(`
    UPDATE report_photos ph SET created_at = r.created_at FROM reports r WHERE ph.report_id = r.id AND r.id = ANY($1::bigint[])`, [reportIds])
  step(`随手拍 ${plans.length} 条（照片 ${photos} 张）`)

  // ------------------------------------------------------------------ quizzes
  const qz = rand.fork(4)
  let campaign = await ctx.db.one<{ id: number }>('SELECT id::int AS id FROM quiz_campaigns WHERE title = $1', [DEMO_CAMPAIGN_TITLE])
  if (!campaign) {
    campaign = await createCampaign(ctx, office, {
      title: DEMO_CAMPAIGN_TITLE, description: '全市居民参加，每人最多 3 次，答对 60% 即为通过，通过计入知晓率。',
      regionCode: city.code, startsAt: iso(lastMonth), endsAt: iso(anchor + 45 * DAY), questionCount: 10,
      timeLimitSeconds: 600, passScore: 60, maxAttempts: 3, countsForAwareness: true,
    })
  }
  const bank = new Map((await ctx.db.query<{ id: number; options: string[]; answer: number[] }>(
    'SELECT id::int AS id, options, answer FROM quiz_questions')).map((r) => [r.id, r]))
  const answerSheet = (a: AttemptStarted, know: number) => ({
    answers: a.questions.map((question) => {
      const truth = bank.get(question.id)!
      const right = truth.answer.map((i) => question.options.indexOf(truth.options[i])).sort()
      if (qz.chance(know)) return { questionId: question.id, choice: right }
      const wrong = question.options.map((_, i) => i).filter((i) => !right.includes(i))
      return { questionId: question.id, choice: [qz.pick(wrong.length ? wrong : [0])] }
    }),
  })
  const done = new Map((await ctx.db.query<{ userId: number; kind: string; n: number }>(
    `SELECT user_id::int AS "userId", kind, count(*)::int AS n FROM quiz_attempts WHERE submitted_at IS NOT NULL GROUP BY 1, 2`))
    .map((r) => [`${r.userId}|${r.kind}`, r.n]))
  // timed by (person, kind, n-th): a resumed run times the attempts the stopped one made
  const attemptTimes: Array<{ user: number; kind: string; n: number; at: string }> = []
  const takeQuiz = async (who: Caller, kind: 'campaign' | 'practice', nth: number, at: number, know: number) => {
    attemptTimes.push({ user: who.userId, kind, n: nth, at: iso(at) })
    if ((done.get(`${who.userId}|${kind}`) ?? 0) >= nth) return
    const started = kind === 'campaign' ? await startCampaignAttempt(ctx, who, campaign!.id) : await startPractice(ctx, who)
    await submitAttempt(ctx, { userId: who.userId, tokenHash: who.tokenHash }, started.body.id, answerSheet(started.body, know))
  }
  const quizWindow = (p: number) => lastMonth + (latest - lastMonth) * p
  for (const p of residents) {
    const l = lean.get(p.community)!
    if (!qz.chance(0.42)) continue
    const who = callerOf(p)
    const know = Math.min(0.97, l.know + (qz() - 0.5) * 0.2)
    const tries = qz.chance(0.25) ? 2 : 1
    let t = quizWindow(qz())
    for (let k = 1; k <= tries; k++) {
      await takeQuiz(who, 'campaign', k, t, know + (k - 1) * 0.1)
      t = Math.min(latest, t + qz.int(1, 72) * HOUR)
    }
    if (qz.chance(0.3)) await takeQuiz(who, 'practice', 1, quizWindow(qz()), know)
  }
  await takeQuiz(demoResident, 'campaign', 1, anchor - 12 * DAY, 0.5)
  await takeQuiz(demoResident, 'campaign', 2, anchor - 11 * DAY, 0.9)
  await takeQuiz(demoResident, 'practice', 1, anchor - 2 * DAY, 0.8)
  await retime(ctx, `
    UPDATE quiz_attempts a SET started_at = v.at - interval '4 minutes', submitted_at = v.at,
           expires_at = v.at - interval '4 minutes' + (a.expires_at - a.started_at),
           points_day = CASE WHEN a.points_day IS NULL THEN NULL ELSE (v.at AT TIME ZONE 'Asia/Shanghai')::date END
      FROM (SELECT v.at, a.id FROM jsonb_to_recordset($1::jsonb) AS v("user" bigint, kind text, n int, at timestamptz)
              JOIN LATERAL (SELECT id FROM quiz_attempts x WHERE x.user_id = v."user" AND x.kind = v.kind AND x.submitted_at IS NOT NULL
                             ORDER BY x.id OFFSET v.n - 1 LIMIT 1) a ON true) v
     WHERE a.id = v.id`, attemptTimes)
  await ctx.db.query(`UPDATE quiz_campaigns SET created_at = starts_at - interval '1 day' WHERE id = $1`, [campaign.id])
  step(`答题 ${attemptTimes.length} 次`)

  // ------------------------------------------------------------------ the standard survey, last month's round and this month's
  const sv = rand.fork(5)
  const answersFor = (community: string): Answers => {
    const l = lean.get(community)!
    const satisfied = sv.chance(l.satisfied)
    const overall = satisfied ? sv.pick([5, 4, 4]) : sv.pick([3, 3, 2, 1])
    const around = (v: number) => Math.max(1, Math.min(5, v + sv.pick([-1, 0, 0, 1])))
    const a: Answers = {
      age: { choice: sv.pick(['a18_29', 'a30_44', 'a30_44', 'a45_59', 'a45_59', 'a60plus', sv.chance(0.1) ? 'under18' : 'a60plus']) },
      residence: { choice: sv.chance(0.06) ? 'lt6m' : sv.pick(['m6_3y', 'gt3y', 'gt3y']) },
      aware: { choice: sv.chance(l.aware) ? 'yes' : 'no' },
      support: { choice: sv.chance(l.support) ? 'yes' : sv.pick(['neutral', 'neutral', 'no']) },
      overall: { value: overall },
      areas: { rows: Object.fromEntries(['sanitation', 'traffic', 'facilities', 'community', 'windows', 'volunteering'].map((k) => [k, around(overall)])) },
    }
    if (overall <= 2) a.reasons = { choices: [sv.pick(['sanitation', 'traffic', 'facilities']), sv.pick(['services', 'formality'])] }
    const advice = sv.pick(SUGGESTIONS)
    if (advice && sv.chance(0.3)) a.suggestion = { text: advice }
    return a
  }
  let responses = 0
  const responseTimes: Array<{ survey: number; user: number; at: string }> = []
  for (const [round, title] of DEMO_SURVEY_TITLES.entries()) {
    const [from, to] = round === 0 ? [lastMonth, thisMonth] : [thisMonth, latest]
    let survey = await ctx.db.one<{ id: number; status: string }>('SELECT id::int AS id, status FROM surveys WHERE title = $1', [title])
    if (!survey) {
      const s = await createSurvey(ctx, office, {
        title, description: '了解市民对创建全国文明城市工作的知晓、支持和满意程度，约需 3 分钟。', regionCode: city.code,
        audience: 'residents', anonymous: false, resultsPublic: true, template: 'chuangwen_standard',
        startsAt: iso(from), endsAt: iso(round === 0 ? anchor + HOUR : monthStartMs(anchor, 1) - 1000),
      })
      survey = { id: s.id, status: s.status }
    }
    if (survey.status === 'draft') survey.status = (await publishSurvey(ctx, office, survey.id)).status
    const answering = residents.filter((p) => sv.chance(lean.get(p.community)!.takeup))
    if (round === 0) answering.push({ ...demo('resident'), community: first.code })
    for (const p of answering) {
      const who = p.id === demoResident.userId ? demoResident : callerOf(p)
      const answers = answersFor(p.community)
      responseTimes.push({ survey: survey.id, user: p.id, at: iso(from + (to - from) * sv()) })
      if (survey.status !== 'published') continue
      const ok = await unlessDone(['SURVEY_ALREADY_ANSWERED'], () => submitResponse(ctx, who, survey!.id, { answers }, undefined))
      if (ok) responses++
    }
    if (round === 0 && survey.status === 'published') await closeSurvey(ctx, office, survey.id)
    await ctx.db.query(`UPDATE surveys SET created_at = $2::timestamptz - interval '2 days', published_at = $2::timestamptz, announced_at = $2::timestamptz,
                               updated_at = $2::timestamptz,
                               ends_at = CASE WHEN status = 'closed' THEN $3::timestamptz ELSE ends_at END,
                               closed_at = CASE WHEN status = 'closed' THEN $3::timestamptz ELSE closed_at END
                         WHERE id = $1`, [survey.id, iso(from), iso(thisMonth - 1000)])
  }
  await retime(ctx, `
    WITH v AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(survey bigint, "user" bigint, at timestamptz)),
    r AS (UPDATE survey_responses r SET submitted_at = v.at, submitted_on = (v.at AT TIME ZONE 'Asia/Shanghai')::date
            FROM v WHERE r.survey_id = v.survey AND r.user_id = v."user" RETURNING r.id, r.submitted_on)
    UPDATE survey_texts a SET submitted_on = r.submitted_on FROM r WHERE a.response_id = r.id`, responseTimes)
  step(`问卷 2 轮，答卷 ${responses} 份`)

  // ------------------------------------------------------------------ volunteers
  const vo = rand.fork(6)
  const hosting = [first, ...communities.slice(1).filter((_, i) => i % 3 === 0)]
  const volunteersOf = new Map<string, Caller[]>()
  const applyAndApprove = async (p: Person, who: Caller, community: string) => {
    await unlessDone(['ALREADY_APPLIED', 'ALREADY_VOLUNTEER'], () => apply(ctx, who, {
      realName: p.nickname.replace(/^网格员/, ''), skills: vo.pick([['交通劝导'], ['垃圾分类', '宣传'], ['清洁'], ['助老服务', '心理疏导']]),
      availability: vo.pick(['周末全天', '工作日晚上', '周六上午', '随时']), communityCode: community, pledgeAgreed: true,
    }))
    await unlessDone(['VOLUNTEER_STATE'], () =>
      decide(ctx, workers.get(community)!, p.id, { decision: 'approve' }))
    const v: Caller = { ...who, volunteer: true }
    volunteersOf.get(community)!.push(v)
    return v
  }
  for (const c of hosting) {
    volunteersOf.set(c.code, [])
    for (const p of residentsOf.get(c.code)!.filter(() => vo.chance(0.3))) await applyAndApprove(p, callerOf(p), c.code)
  }
  const residentVolunteer = await applyAndApprove({ ...demo('resident'), community: first.code }, demoResident, first.code)
  // a few waiting for the worker's decision
  for (const p of residentsOf.get(first.code)!.slice(-3)) {
    await unlessDone(['ALREADY_APPLIED', 'ALREADY_VOLUNTEER'], () => apply(ctx, callerOf(p), {
      realName: p.nickname, skills: ['宣传'], availability: '周末', communityCode: first.code, pledgeAgreed: true,
    }))
  }
  const ACTIVITIES = [
    { type: 'traffic' as const, title: '文明交通劝导', description: '在路口劝导行人和非机动车遵守信号灯，提醒电动车骑行者佩戴头盔。', requirements: '穿志愿者马甲，提前 10 分钟到岗' },
    { type: 'waste' as const, title: '垃圾分类督导', description: '在小区垃圾投放点指导居民分类投放，记录破袋情况。', requirements: '自备手套' },
    { type: 'cleaning' as const, title: '社区清洁日', description: '清理小区公共区域的卫生死角和小广告。', requirements: '工具由社区提供' },
    { type: 'elderly' as const, title: '敬老助老服务', description: '走访独居老人，帮助打扫卫生、代购生活用品。', requirements: '有耐心，会说本地话优先' },
  ]
  let creditedShifts = 0
  const shiftTimes: Array<{ id: number; starts: string; ends: string }> = []
  for (const [hi, c] of hosting.entries()) {
    const worker = workers.get(c.code)!
    const spec = ACTIVITIES[hi % ACTIVITIES.length]
    const title = `${dir.get(c.code)!.name}${spec.title}`
    const exists = await ctx.db.one<{ id: number }>('SELECT id::int AS id FROM volunteer_activities WHERE title = $1', [title])
    const at = pointIn(c, vo)
    // three past shifts and two to come; the past ones are moved back after sign-up (a shift can only be made for the future)
    const soon = Math.ceil((Date.now() + HOUR) / HOUR) * HOUR
    const future = [3, 10].map((d) => anchor + d * DAY - ((anchor + SHANGHAI) % DAY) + 9 * HOUR)
    const shifts = [0, 1, 2].map((k) => ({ startsAt: iso(soon + k * 3 * HOUR), endsAt: iso(soon + k * 3 * HOUR + 2 * HOUR), capacity: 8, signupDeadline: iso(soon - 60_000), cancelDeadline: iso(soon - 60_000) }))
      .concat(future.map((s) => ({ startsAt: iso(s), endsAt: iso(s + 2 * HOUR), capacity: 10, signupDeadline: iso(s - HOUR), cancelDeadline: iso(s - 2 * HOUR) })))
    const address = `${dir.get(c.code)!.name}${vo.pick(ROADS)}${vo.pick(PLACES)}`
    const ids = exists
      ? (await ctx.db.query<{ id: number }>('SELECT id::int AS id FROM volunteer_shifts WHERE activity_id = $1 ORDER BY id', [exists.id])).map((r) => r.id)
      : (await createActivity(ctx, worker, { ...spec, title, lng: at.lng, lat: at.lat, radiusM: 300, address, regionCode: c.code, shifts })).shifts.map((s) => s.id)
    const pool = volunteersOf.get(c.code)!
    for (const [k, shiftId] of ids.entries()) {
      const team = pool.filter((v) => v === residentVolunteer ? k !== 2 : vo.chance(k < 3 ? 0.6 : 0.35)).slice(0, 8)
      for (const v of team) await unlessDone(['ALREADY_SIGNED_UP', 'SIGNUP_CLOSED'], () => signUp(ctx, v, shiftId))
    }
    for (const k of [0, 1, 2]) {
      const s = anchor - (30 - k * 10 - hi) * DAY - ((anchor + SHANGHAI) % DAY) + (9 + k) * HOUR
      shiftTimes.push({ id: ids[k], starts: iso(s), ends: iso(s + 2 * HOUR) })
    }
  }
  await retime(ctx, `
    UPDATE volunteer_shifts sh SET starts_at = v.starts, ends_at = v.ends, signup_deadline = v.starts - interval '1 day', cancel_deadline = v.starts - interval '1 day'
      FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, starts timestamptz, ends timestamptz) WHERE sh.id = v.id`, shiftTimes)
  for (const s of shiftTimes) {
    const roster = await ctx.db.query<{ userId: number }>(
      `SELECT user_id::int AS "userId" FROM volunteer_signups WHERE shift_id = $1 AND status = 'confirmed' ORDER BY id`, [s.id])
    const region = (await ctx.db.one<{ code: string }>(
      'SELECT a.region_code AS code FROM volunteer_shifts sh JOIN volunteer_activities a ON a.id = sh.activity_id WHERE sh.id = $1', [s.id]))!.code
    for (const { userId } of roster) {
      const absent = userId !== residentVolunteer.userId && vo.chance(0.08)
      const late = vo.int(0, 15) * 60_000
      const r = await unlessDone(['ALREADY_CREDITED'], () => markAttendance(ctx, workers.get(region)!, s.id, userId, absent
        ? { attendance: 'no_show', reason: '未到岗，电话未接通' }
        : { attendance: 'attended', checkedInAt: iso(Date.parse(s.starts) + late), checkedOutAt: s.ends, reason: '现场签到表登记' }))
      if (r?.creditedMinutes) creditedShifts++
    }
  }
  await ctx.db.query(`
    UPDATE volunteer_signups su SET created_at = sh.starts_at - interval '3 days', updated_at = coalesce(su.checked_out_at, sh.starts_at - interval '3 days')
      FROM volunteer_shifts sh WHERE su.shift_id = sh.id AND sh.starts_at < $1::timestamptz`, [iso(anchor)])
  await ctx.db.query(`
    UPDATE volunteer_hours h SET created_at = sh.ends_at + interval '1 hour'
      FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id WHERE h.signup_id = su.id AND sh.starts_at < $1::timestamptz`, [iso(anchor)])
  await ctx.db.query(`
    UPDATE volunteers SET applied_at = $1::timestamptz - (user_id % 20) * interval '1 day', pledge_agreed_at = $1::timestamptz - (user_id % 20) * interval '1 day',
           decided_at = CASE WHEN decided_at IS NULL THEN NULL ELSE $1::timestamptz - (user_id % 20) * interval '1 day' + interval '1 day' END
     WHERE status <> 'pending'`, [iso(anchor - 40 * DAY)])
  await ctx.db.query(`UPDATE volunteer_activities SET created_at = $1::timestamptz, updated_at = $1::timestamptz`, [iso(anchor - 40 * DAY)])
  await unlessDone(['NO_HOURS'], () => issueCertificate(ctx, residentVolunteer, residentVolunteer.userId))
  const volunteers = [...volunteersOf.values()].reduce((n, l) => n + l.length, 0)
  step(`志愿者 ${volunteers} 人，记时长的班次 ${creditedShifts} 人次`)

  // ------------------------------------------------------------------ rates and bulletins
  // The outbox holds every answer above, unapplied (the job that drains it starts with the app). Applying them one by
  // one is the slow way to what a rebuild computes from the raw rows; so: a rebuild, and the events it covered gone.
  await ctx.db.transaction(async (tx) => {
    await rq.applierLock(tx)
    const covered = await rq.claimOutbox(tx, 1_000_000)
    await rq.rebuildAll(tx)
    await rq.deleteOutbox(tx, covered.map((r) => r.id))
  })
  const minute = ctx.config.bulletin.minuteOfDay
  const todayStart = anchor - ((anchor + SHANGHAI) % DAY)
  let bulletins = 0
  for (let d = 7; d >= 0; d--) bulletins += (await bulletinJob(ctx, new Date(todayStart - d * DAY + minute * 60_000))).length
  await ctx.db.query(`UPDATE rate_bulletins SET generated_at = least(now(), (day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' + $1 * interval '1 minute') WHERE generated_at > $2::timestamptz`,
    [minute, iso(anchor - HOUR)])
  await ctx.db.query(`UPDATE instance_settings SET value = $2::jsonb, set_at = now() WHERE key = $1`, [MARK_KEY, JSON.stringify({ anchor: iso(anchor), done: true } satisfies Mark)])
  step(`比率重算完毕，每日通报 ${bulletins} 期`)
  return { residents: residents.length, workers: workers.size, reports: plans.length, photos, attempts: attemptTimes.length, responses, volunteers, creditedShifts, bulletins }
}

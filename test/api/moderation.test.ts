import '../helpers/long-timeout'
import { DEMO_ACCOUNTS } from '../helpers/app'
import { COMMUNITY, INSIDE, reportsApp, submit } from './reports-helpers'

let t: Awaited<ReturnType<typeof reportsApp>>
let author: string
let worker: string
let office: string
let otherWorker: string
const residents: string[] = []

beforeAll(async () => {
  t = await reportsApp()
  author = await t.login(DEMO_ACCOUNTS.resident.phone)
  await t.as(author, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })
  author = await t.login(DEMO_ACCOUNTS.resident.phone)
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  for (let i = 0; i < 6; i++) residents.push(await t.login(`1390000030${i}`))
  const dir = await t.ctx.regions.get()
  const otherCommunity = dir.descendants(dir.children(null)[0].code).filter((r) => r.level === 'community').find((r) => r.code !== COMMUNITY)!
  await t.login('13900000310')
  const g = await t.as(office, { method: 'POST', url: '/api/v1/admin/roles', payload: { phone: '13900000310', role: 'worker', regionCode: otherCommunity.code } })
  expect(g.statusCode).toBe(201)
  otherWorker = await t.login('13900000310')
}, 90_000)
afterAll(() => t.close())

const count = async (sql: string, params: unknown[] = []) => (await t.ctx.db.one<{ n: number }>(sql, params))!.n
const flag = (token: string, id: number, payload: Record<string, unknown> = { reason: 'abuse' }) =>
  t.as(token, { method: 'POST', url: `/api/v1/reports/${id}/flags`, payload })
const review = (token: string, id: number, action: string) =>
  t.as(token, { method: 'POST', url: `/api/v1/moderation/reports/${id}/review`, payload: { action } })
const queue = (token: string) => t.as(token, { method: 'GET', url: '/api/v1/moderation/queue' })
const publicIds = async (token: string) =>
  (await t.as(token, { method: 'GET', url: `/api/v1/reports?communityCode=${COMMUNITY}&limit=50` })).json().items.map((r: { id: number }) => r.id)

async function newReport(description = '垃圾堆在路边') {
  const res = await submit(t, author, { description })
  expect(res.statusCode).toBe(201)
  return res.json().id as number
}

describe('举报', () => {
  it('a resident flags once; a second flag of the same report is refused and changes nothing', async () => {
    const id = await newReport()
    const first = await flag(residents[0], id, { reason: 'privacy', note: '照片里有人脸' })
    expect(first.statusCode).toBe(201)
    const again = await flag(residents[0], id, { reason: 'abuse' })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('FLAG_ALREADY')
    expect(await count(`SELECT count(*)::int AS n FROM content_flags WHERE item_id = $1`, [id])).toBe(1)
    const d = (await t.as(residents[0], { method: 'GET', url: `/api/v1/reports/${id}` })).json()
    expect(d).toMatchObject({ flaggedByMe: true, canFlag: false, moderation: 'visible' })
  })

  it('refuses flagging one\'s own report, an unknown report, a bad reason, "other" without a note, and anonymous callers', async () => {
    const id = await newReport()
    expect((await flag(author, id)).json().code).toBe('FLAG_OWN_ITEM')
    expect((await flag(residents[1], 99999999)).statusCode).toBe(404)
    expect((await flag(residents[1], id, { reason: 'boring' })).statusCode).toBe(400)
    expect((await flag(residents[1], id, { reason: 'other' })).json().code).toBe('FLAG_NOTE_REQUIRED')
    expect((await flag(residents[1], id, { reason: 'ads', note: 'x'.repeat(201) })).statusCode).toBe(400)
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/reports/${id}/flags`, payload: { reason: 'ads' } })).statusCode).toBe(401)
    expect(await count(`SELECT count(*)::int AS n FROM content_flags WHERE item_id = $1`, [id])).toBe(0)
  })

  it('concurrent flags crossing the threshold hide the report exactly once; residents lose it, staff and the author keep it', async () => {
    const id = await newReport('楼下有人乱扔垃圾')
    expect(await publicIds(residents[5])).toContain(id)
    const res = await Promise.all(residents.slice(0, 5).map((tok) => flag(tok, id, { reason: 'false_info' })))
    // the third hides it: later flags find nothing residents can see
    expect(res.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 404, 404])
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'moderation.auto_hide' AND target = $1`, [`report:${id}`])).toBe(1)
    expect(await count(`SELECT count(*)::int AS n FROM reports WHERE id = $1 AND moderation = 'auto_hidden'`, [id])).toBe(1)

    // every place residents read reports
    expect(await publicIds(residents[5])).not.toContain(id)
    expect((await t.as(residents[5], { method: 'GET', url: `/api/v1/reports/${id}` })).statusCode).toBe(404)
    const near = await t.as(residents[5], { method: 'GET', url: `/api/v1/reports/nearby?categoryCode=littering&lng=${INSIDE.lng}&lat=${INSIDE.lat}` })
    expect(near.json().items.map((r: { id: number }) => r.id)).not.toContain(id)
    const home = await t.as(author, { method: 'GET', url: '/api/v1/home' })
    expect(JSON.stringify(home.json())).not.toContain(`"${id}"`)
    expect((await t.as(residents[5], { method: 'POST', url: `/api/v1/reports/${id}/metoo` })).statusCode).toBe(404)
    expect((await flag(residents[5], id)).statusCode).toBe(404)

    const own = await t.as(author, { method: 'GET', url: `/api/v1/reports/${id}` })
    expect(own.statusCode).toBe(200)
    expect(own.json().moderation).toBe('auto_hidden')
    const staff = await t.as(worker, { method: 'GET', url: `/api/v1/reports/${id}` })
    expect(staff.statusCode).toBe(200)
    const work = await t.as(worker, { method: 'GET', url: '/api/v1/reports/work?limit=50' })
    expect(work.json().items.map((r: { id: number }) => r.id)).toContain(id)
  })

  it('the author is never told who flagged: not in the detail, not in their lists', async () => {
    const id = await newReport()
    await flag(residents[2], id, { reason: 'abuse', note: '举报人的话' })
    const flaggerId = (await t.as(residents[2], { method: 'GET', url: '/api/v1/me' })).json().id
    const flaggerName = (await t.as(residents[2], { method: 'GET', url: '/api/v1/me' })).json().nickname
    for (const url of [`/api/v1/reports/${id}`, '/api/v1/reports/mine']) {
      const body = (await t.as(author, { method: 'GET', url })).body
      expect(body).not.toContain(flaggerName)
      expect(body).not.toContain('举报人的话')
      expect(body).not.toMatch(new RegExp(`"(flagger|flaggerId|userId)":${flaggerId}\\b`))
    }
    // reviewers see reasons and notes, never who
    const q = (await queue(worker)).json().items.find((x: { reportId: number }) => x.reportId === id)
    expect(q.reasons).toEqual([{ reason: 'abuse', label: '辱骂、人身攻击', count: 1 }])
    expect(JSON.stringify(q)).not.toContain(flaggerName)
  })
})

describe('内容审核', () => {
  it('refuses residents, workers of another community; the office sees all', async () => {
    const id = await newReport()
    await flag(residents[3], id)
    expect((await queue(residents[3])).json().code).toBe('FORBIDDEN_ROLE')
    expect((await review(residents[3], id, 'hide')).json().code).toBe('FORBIDDEN_ROLE')
    expect((await review(otherWorker, id, 'hide')).json().code).toBe('FORBIDDEN_REGION')
    expect((await queue(otherWorker)).json().items.map((x: { reportId: number }) => x.reportId)).not.toContain(id)
    expect((await queue(office)).json().items.map((x: { reportId: number }) => x.reportId)).toContain(id)
    expect(await count(`SELECT count(*)::int AS n FROM content_flags WHERE item_id = $1 AND reviewed_at IS NOT NULL`, [id])).toBe(0)
  })

  it('hidden items come first; restore brings one back and empties its queue entry; a second review finds nothing', async () => {
    const id = await newReport()
    await Promise.all(residents.slice(0, 3).map((tok) => flag(tok, id)))
    const items = (await queue(worker)).json().items as Array<{ reportId: number; moderation: string }>
    const firstVisible = items.findIndex((x) => x.moderation !== 'auto_hidden')
    expect(firstVisible).toBeGreaterThan(items.findIndex((x) => x.reportId === id))
    expect(items.find((x) => x.reportId === id)!.moderation).toBe('auto_hidden')
    const ok = await review(worker, id, 'restore')
    expect(ok.json()).toEqual({ reportId: id, moderation: 'visible', reviewedFlags: 3 })
    expect(await publicIds(residents[5])).toContain(id)
    expect((await queue(worker)).json().items.map((x: { reportId: number }) => x.reportId)).not.toContain(id)
    const again = await review(worker, id, 'hide')
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('NOTHING_TO_REVIEW')
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'moderation.review' AND target = $1`, [`report:${id}`])).toBe(1)
  })

  it('hide keeps it from residents for good; remove_content shows the report without its text and photos', async () => {
    const hidden = await newReport()
    await flag(residents[4], hidden)
    expect((await review(office, hidden, 'hide')).json().moderation).toBe('hidden')
    expect(await publicIds(residents[5])).not.toContain(hidden)
    // Open311 reads are public reads too: a hidden report does not exist there
    expect((await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${hidden}.json` })).statusCode).toBe(404)
    const o311 = (await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json' })).json() as Array<{ service_request_id: string }>
    expect(o311.map((r) => r.service_request_id)).not.toContain(String(hidden))

    const stripped = await newReport('含有侮辱性的文字')
    await flag(residents[4], stripped)
    expect((await review(worker, stripped, 'remove_content')).json().moderation).toBe('content_removed')
    const pub = await t.as(residents[5], { method: 'GET', url: `/api/v1/reports/${stripped}` })
    expect(pub.statusCode).toBe(200)
    expect(pub.json().description).not.toContain('侮辱')
    expect(pub.json().photos).toEqual([])
    const listed = (await t.as(residents[5], { method: 'GET', url: `/api/v1/reports?communityCode=${COMMUNITY}&limit=50` })).json().items.find((r: { id: number }) => r.id === stripped)
    expect(listed.description).not.toContain('侮辱')
    expect(listed.thumbUrl).toBeNull()
    const o311Removed = (await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${stripped}.json` })).json() as Array<{ description: string; media_url?: string | null }>
    expect(o311Removed[0].description ?? '').not.toContain('侮辱')
    expect(o311Removed[0].media_url ?? null).toBeNull()
    const staff = await t.as(worker, { method: 'GET', url: `/api/v1/reports/${stripped}` })
    expect(staff.json().description).toBe('含有侮辱性的文字')
    expect(staff.json().photos).toHaveLength(1)
  })
})

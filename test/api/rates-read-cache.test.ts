import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { drainOutbox, todayShanghai } from '../../server/modules/rates/service'
import * as service from '../../server/modules/rates/service'

// Dashboard answers are remembered (server/modules/rates/read-cache.ts); these tests try to make a remembered answer
// show something that is no longer so. The counting job stays off: the tests apply the outbox when they choose.
process.env.RATES_INTERVAL_MS = '0'

const HAPPY = '329901001001' // 幸福里社区
const STREET = '329901001'
const CITY = '3299'

let t: TestApp
let worker: string
let office: string

beforeAll(async () => {
  t = await createTestApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
}, 180_000)
afterAll(() => t.close())

const newResident = async (community: string | null) => (await t.resident(community)).token

async function survey(): Promise<number> {
  const hour = 3600_000
  const r = await t.as(worker, {
    method: 'POST', url: '/api/v1/surveys/admin',
    payload: {
      template: 'chuangwen_standard', title: '创文问卷（缓存）', regionCode: HAPPY, audience: 'residents', anonymous: false,
      startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(),
    },
  })
  expect(r.statusCode).toBe(201)
  const id = r.json().id as number
  expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).statusCode).toBe(200)
  return id
}

const answers = (aware: string) => ({
  age: { choice: 'a30_44' }, residence: { choice: 'gt3y' }, aware: { choice: aware }, support: { choice: 'yes' }, overall: { value: 4 },
  areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } },
})

async function dash(region: string, period = 'day') {
  const r = await t.as(office, { method: 'GET', url: `/api/v1/rates/dashboard?region=${region}&period=${period}&date=${todayShanghai()}` })
  expect(r.statusCode).toBe(200)
  expect(r.headers['content-type']).toMatch(/^application\/json/)
  const body = r.json()
  const fig = (f: string) => body.region.figures.find((x: { figure: string }) => x.figure === f)
  return { cache: r.headers['x-rates-cache'], body, fig }
}

describe('a remembered dashboard answer', () => {
  it('is served again while nothing changed, and is the answer the service computes', async () => {
    const first = await dash(STREET, 'week')
    const again = await dash(STREET, 'week')
    expect(again.cache).toBe('hit')
    expect(again.body).toEqual(first.body)
    const caller = { userId: 0, communityCode: null, nickname: '', phone: null, openid: null, workerRegions: [], office: true, volunteer: false, tokenHash: '' }
    expect(again.body).toEqual(JSON.parse(JSON.stringify(await service.dashboard(t.ctx, caller, { region: STREET, period: 'week', date: todayShanghai() }))))
  })

  it('shows a counted event at the next read, at every level, and the backlog before it is counted', async () => {
    const id = await survey()
    const before = await Promise.all([HAPPY, STREET, CITY].map((r) => dash(r)))
    const token = await newResident(HAPPY)
    const registered = await dash(HAPPY)
    expect(registered.cache).toBe('miss') // one more resident: 参与率's denominator
    expect((await t.as(token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers: answers('yes') } })).statusCode).toBe(201)
    // queued, not counted: the remembered answer stands, with the backlog as it is now
    const queued = await dash(HAPPY)
    expect(queued.cache).toBe('hit')
    expect(queued.fig('awareness').denominator).toBe(before[0].fig('awareness').denominator)
    expect(queued.body.pendingEvents).toBe(registered.body.pendingEvents + 1)
    expect(await drainOutbox(t.ctx.db)).toBeGreaterThan(0)
    for (const [i, region] of [HAPPY, STREET, CITY].entries()) {
      const after = await dash(region)
      expect(after.cache).toBe('miss')
      expect(after.body.pendingEvents).toBe(0)
      expect(after.fig('awareness').denominator).toBe(before[i].fig('awareness').denominator + 1)
      expect(after.fig('awareness').numerator).toBe(before[i].fig('awareness').numerator + 1)
    }
    // a changed mind (no new person: the count moves within the same denominator)
    expect((await t.as(token, { method: 'POST', url: `/api/v1/surveys/${await survey()}/responses`, payload: { answers: answers('no') } })).statusCode).toBe(201)
    await dash(HAPPY)
    await drainOutbox(t.ctx.db)
    const changed = await dash(HAPPY)
    expect(changed.fig('awareness').denominator).toBe(before[0].fig('awareness').denominator + 1)
    expect(changed.fig('awareness').numerator).toBe(before[0].fig('awareness').numerator)
  })

  it('shows a target at the read right after it is set', async () => {
    await dash(STREET, 'month')
    expect((await dash(STREET, 'month')).cache).toBe('hit')
    for (const target of [0.77, 0.66]) {
      const put = await t.as(office, { method: 'PUT', url: '/api/v1/rates/targets', payload: { regionCode: STREET, figure: 'support', target } })
      expect(put.statusCode).toBe(200)
      const after = await dash(STREET, 'month')
      expect(after.cache).toBe('miss')
      expect(after.fig('support').target).toBe(target)
      // and where a community inherits it
      expect(after.body.children.every((c: { figures: Array<{ figure: string; target: number }> }) =>
        c.figures.find((f) => f.figure === 'support')!.target === target)).toBe(true)
    }
  })

  it('shows a registration (参与率 denominator) at the next read, with no event counted', async () => {
    const before = await dash(HAPPY, 'month')
    expect((await dash(HAPPY, 'month')).cache).toBe('hit')
    const registered = Number((await t.ctx.db.one<{ n: number }>(
      `SELECT residents AS n FROM rate_headcount WHERE community_code = $1`, [HAPPY]))!.n)
    await newResident(HAPPY)
    const after = await dash(HAPPY, 'month')
    expect(after.cache).toBe('miss')
    expect(after.fig('participation').denominator).toBe(Math.max(registered + 1, after.fig('participation').numerator))
    expect(after.fig('participation').denominator).toBe(before.fig('participation').denominator + 1)
  })

  it('shows a rebuild at the next read', async () => {
    await dash(CITY)
    expect((await dash(CITY)).cache).toBe('hit')
    await service.rebuild(t.ctx.db)
    expect((await dash(CITY)).cache).toBe('miss')
  })
})

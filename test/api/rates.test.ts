import fs from 'node:fs'
import path from 'node:path'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { bumpReadVersion, READ_SQL } from '../../server/modules/rates/queries'
import { drainOutbox, todayShanghai } from '../../server/modules/rates/service'
import { startPeriodic } from '../../server/lib/periodic'

// the counting job stays off: the tests apply the outbox themselves, when they choose
process.env.RATES_INTERVAL_MS = '0'

const HAPPY = '329901001001' // 幸福里社区 (the demo worker's community)
const PEACE = '329901001002' // 和平社区, same street
const STREET = '329901001'
const CITY = '3299'

let t: TestApp
let worker: string
let office: string
let resident: string

beforeAll(async () => {
  t = await createTestApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
}, 180_000)
afterAll(() => t.close())

const newResident = async (community: string | null) => (await t.resident(community)).token

const get = (token: string, url: string) => t.as(token, { method: 'GET', url })
const dash = (token: string, region: string, period = 'day', extra = '') => get(token, `/api/v1/rates/dashboard?region=${region}&period=${period}${extra}`)
const figure = (body: { figures: Array<{ figure: string }> }, f: string) => body.figures.find((x) => x.figure === f) as Record<string, unknown>

async function survey(): Promise<number> {
  const hour = 3600_000
  const r = await t.as(worker, {
    method: 'POST', url: '/api/v1/surveys/admin',
    payload: {
      template: 'chuangwen_standard', title: '创文问卷', regionCode: HAPPY, audience: 'residents', anonymous: false,
      startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(),
    },
  })
  expect(r.statusCode).toBe(201)
  const id = r.json().id as number
  expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).statusCode).toBe(200)
  return id
}

function answers(over: Record<string, unknown> = {}) {
  return {
    age: { choice: 'a30_44' }, residence: { choice: 'gt3y' }, aware: { choice: 'yes' }, support: { choice: 'yes' }, overall: { value: 4 },
    // 5 of the 7 satisfaction items in the top two: satisfied (more than half)
    areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } },
    ...over,
  }
}

const submit = (token: string, id: number, body: unknown) =>
  t.as(token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers: body } as object })

describe('who sees which figures', () => {
  it('a resident sees none', async () => {
    const r = await dash(resident, HAPPY)
    expect(r.statusCode).toBe(403)
    expect(r.json().code).toBe('RATES_STAFF_ONLY')
    expect((await get(resident, `/api/v1/rates/trend?region=${HAPPY}`)).statusCode).toBe(403)
    expect((await get(resident, `/api/v1/rates/sources?region=${HAPPY}&period=day&figure=awareness`)).statusCode).toBe(403)
  })

  it('a community worker sees their community only — not the next one, the street or the city', async () => {
    expect((await dash(worker, HAPPY)).statusCode).toBe(200)
    for (const region of [PEACE, STREET, CITY]) {
      const r = await dash(worker, region)
      expect(r.statusCode).toBe(403)
      expect(r.json().code).toBe('REGION_NOT_COVERED')
      expect((await get(worker, `/api/v1/rates/trend?region=${region}`)).statusCode).toBe(403)
      expect((await get(worker, `/api/v1/rates/sources?region=${region}&period=day&figure=support`)).statusCode).toBe(403)
    }
  })

  it('the office sees every region', async () => {
    for (const region of [HAPPY, PEACE, STREET, CITY]) expect((await dash(office, region)).statusCode).toBe(200)
  })

  it('refuses what is not a region, a period or a figure', async () => {
    expect((await dash(office, 'nowhere')).json().code).toBe('REGION_NOT_FOUND')
    expect((await dash(office, HAPPY, 'year')).statusCode).toBe(400)
    expect((await dash(office, HAPPY, 'day', '&date=2026-02-30')).json().code).toBe('INVALID_DATE')
    expect((await dash(office, HAPPY, 'custom', '&date=2026-11-10&to=2026-11-01')).json().code).toBe('PERIOD_RANGE_INVALID')
    expect((await dash(office, HAPPY, 'day', '&to=2026-11-01')).json().code).toBe('PERIOD_TO_UNEXPECTED')
    expect((await get(office, `/api/v1/rates/sources?region=${HAPPY}&period=day&figure=happiness`)).statusCode).toBe(400)
    expect((await get(office, `/api/v1/rates/trend?region=${HAPPY}&days=365`)).statusCode).toBe(400)
  })

  it('only the office sets targets, within (0, 1]', async () => {
    const put = (token: string, payload: object) => t.as(token, { method: 'PUT', url: '/api/v1/rates/targets', payload })
    const w = await put(worker, { regionCode: HAPPY, figure: 'awareness', target: 0.5 })
    expect(w.statusCode).toBe(403)
    expect((await put(resident, { regionCode: HAPPY, figure: 'awareness', target: 0.5 })).statusCode).toBe(403)
    expect((await put(office, { regionCode: HAPPY, figure: 'awareness', target: 1.5 })).statusCode).toBe(400)
    expect((await put(office, { regionCode: HAPPY, figure: 'awareness', target: 0 })).statusCode).toBe(400)
    expect((await put(office, { regionCode: 'nowhere', figure: 'awareness', target: 0.5 })).statusCode).toBe(404)
    expect(await t.ctx.db.one('SELECT count(*)::int AS n FROM rate_targets')).toEqual({ n: 0 })
  })
})

describe('figures from real submissions', () => {
  let a: number
  let b: number
  let registered: number

  beforeAll(async () => {
    a = await survey()
    b = await survey()
    const changed = await newResident(HAPPY)
    // knew in the first survey, not in the second, on the same day: counted once, by the second
    expect((await submit(changed, a, answers())).statusCode).toBe(201)
    expect((await submit(changed, b, answers({ aware: { choice: 'no' } }))).statusCode).toBe(201)
    // under 18: not eligible, so in no figure but participation
    const young = await newResident(HAPPY)
    expect((await submit(young, a, answers({ age: { choice: 'under18' } }))).statusCode).toBe(201)
    await drainOutbox(t.ctx.db)
    registered = (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE community_code = $1', [HAPPY]))!.n
  }, 120_000)

  it('counts each resident once, by their latest answer, eligible respondents only', async () => {
    const r = await dash(worker, HAPPY)
    expect(r.statusCode).toBe(200)
    const body = r.json()
    expect(figure(body.region, 'awareness')).toMatchObject({ numerator: 0, denominator: 1, rate: 0, n: 1, insufficient: true, target: 0.9 })
    expect(figure(body.region, 'awareness').interval).toEqual({ lower: 0, upper: 0.7935 })
    expect(figure(body.region, 'support')).toMatchObject({ numerator: 1, denominator: 1, rate: 1 })
    expect(figure(body.region, 'satisfaction')).toMatchObject({ numerator: 1, denominator: 1, rate: 1 })
    expect(figure(body.region, 'participation')).toMatchObject({ numerator: 2, denominator: registered })
    expect(body.pendingEvents).toBe(0)
    // the week and a custom range holding today say the same
    for (const [period, extra] of [['week', ''], ['month', ''], ['custom', `&date=${todayShanghai()}&to=${todayShanghai()}`]]) {
      expect(figure((await dash(worker, HAPPY, period, extra)).json().region, 'awareness')).toMatchObject({ numerator: 0, denominator: 1 })
    }
  })

  it('above the community: weighted headline, pooled figure beside it, 样本不足 never ranked', async () => {
    const body = (await dash(office, STREET)).json()
    expect(figure(body.region, 'support')).toMatchObject({ rate: 1, pooledRate: 1, numerator: 1, denominator: 1, insufficient: true })
    expect(figure(body.region, 'support').effectiveN).toBe(1)
    expect(body.children.map((c: { regionCode: string }) => c.regionCode)).toContain(HAPPY)
    const support = body.rankings.find((r: { figure: string; scope: string }) => r.figure === 'support' && r.scope === 'children')
    expect(support.top).toEqual([])
    expect(support.excludedInsufficient).toBe(body.children.length)
    const city = (await dash(office, CITY)).json()
    expect(city.rankings.some((r: { scope: string }) => r.scope === 'communities')).toBe(true)
  })

  it('names the sources behind a figure', async () => {
    const aware = (await get(worker, `/api/v1/rates/sources?region=${HAPPY}&period=day&figure=awareness`)).json()
    expect(aware).toMatchObject({ counted: 1, surveys: [{ id: b, respondents: 1 }], campaigns: [], ratings: 0 })
    const took = (await get(worker, `/api/v1/rates/sources?region=${HAPPY}&period=week&figure=participation`)).json()
    expect(took.surveys).toEqual([{ id: a, title: '创文问卷', respondents: 1 }, { id: b, title: '创文问卷', respondents: 1 }])
  })

  it('draws the daily trend', async () => {
    const trend = (await get(worker, `/api/v1/rates/trend?region=${HAPPY}&days=30`)).json()
    expect(trend.days).toHaveLength(30)
    expect(trend.days[29]).toBe(todayShanghai())
    const aware = trend.series.find((s: { figure: string }) => s.figure === 'awareness')
    expect(aware.points[29]).toEqual({ rate: 0, n: 1, insufficient: true })
    expect(aware.points[0]).toEqual({ rate: null, n: 0, insufficient: true })
  })

  it('targets: the office sets one, the region and those below take it, the gap follows', async () => {
    const put = (payload: object) => t.as(office, { method: 'PUT', url: '/api/v1/rates/targets', payload })
    expect((await put({ regionCode: STREET, figure: 'support', target: 0.8 })).statusCode).toBe(200)
    expect((await put({ regionCode: HAPPY, figure: 'support', target: 0.95 })).json()).toEqual({ regionCode: HAPPY, figure: 'support', target: 0.95 })
    const street = (await dash(office, STREET)).json()
    expect(figure(street.region, 'support')).toMatchObject({ target: 0.8, gapToTarget: 0.2 })
    const peace = street.children.find((c: { regionCode: string }) => c.regionCode === PEACE)
    expect(figure(peace, 'support')).toMatchObject({ target: 0.8, gapToTarget: null })
    expect(figure((await dash(worker, HAPPY)).json().region, 'support')).toMatchObject({ target: 0.95, gapToTarget: 0.05 })
  })

  it('compares with the previous period', async () => {
    const yesterday = new Date(Date.parse(`${todayShanghai()}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
    // written here as the counting job would, with the version cached dashboards compare (bumpReadVersion)
    await t.ctx.db.query(`INSERT INTO rate_counts (figure, kind, start, community_code, num, den) VALUES ('awareness', 'd', $1, $2, 3, 4)`, [yesterday, HAPPY])
    await bumpReadVersion(t.ctx.db, 'counts')
    const f = figure((await dash(worker, HAPPY)).json().region, 'awareness')
    expect(f).toMatchObject({ previousRate: 0.75, change: -0.75 })
    await t.ctx.db.query(`DELETE FROM rate_counts WHERE kind = 'd' AND start = $1`, [yesterday])
    await bumpReadVersion(t.ctx.db, 'counts')
  })

  it('a dashboard read never reads the raw answers: delete them and the figures stay', async () => {
    const before = (await dash(office, STREET)).json()
    const sourcesBefore = (await get(office, `/api/v1/rates/sources?region=${HAPPY}&period=week&figure=participation`)).json()
    await t.ctx.db.query('DELETE FROM survey_responses WHERE survey_id = ANY($1::bigint[])', [[a, b]])
    expect(await t.ctx.db.one('SELECT count(*)::int AS n FROM survey_answers WHERE survey_id = ANY($1::bigint[])', [[a, b]])).toEqual({ n: 0 })
    expect((await dash(office, STREET)).json()).toEqual(before)
    expect((await get(office, `/api/v1/rates/sources?region=${HAPPY}&period=week&figure=participation`)).json()).toEqual(sourcesBefore)
  })
})

describe('the read side of the SQL', () => {
  it('names only the derived tables (and region targets), never a raw table', () => {
    const raw = /\b(survey_answers|survey_texts|survey_responses|survey_participations|quiz_attempts|reports|rate_contribs|rate_outbox)\b/
    // the outbox's backlog (pendingEvents, a count of queued events) is read with the cache stamp; nothing else of it
    const backlog = 'SELECT count(*)::int FROM rate_outbox'
    expect(READ_SQL.countsStamp).toContain(backlog)
    for (const [name, sql] of Object.entries(READ_SQL)) expect({ name, raw: raw.test(sql.replace(backlog, '')) }).toEqual({ name, raw: false })
    // and the read functions of the service use nothing else that could
    const service = fs.readFileSync(path.join(__dirname, '../../server/modules/rates/service.ts'), 'utf8')
    const reads = service.slice(service.indexOf('// ------------------------------------------------------------------ figures'))
    expect(reads.length).toBeGreaterThan(1000)
    const used = [...new Set([...reads.matchAll(/\bq\.(\w+)\(/g)].map((m) => m[1]))].sort()
    expect(used).toEqual(['daySeries', 'periodCounts', 'rangeCounts', 'registered', 'setTarget', 'sourceTitles', 'sources', 'targets'])
    const cache = fs.readFileSync(path.join(__dirname, '../../server/modules/rates/read-cache.ts'), 'utf8')
    expect([...new Set([...cache.matchAll(/\bq\.(\w+)\(/g)].map((m) => m[1]))].sort()).toEqual(['countsStamp', 'targetsStamp'])
  })
})

describe('quiz campaigns marked for awareness', () => {
  it('staff mark a campaign on creation; unmarked by default', async () => {
    const hour = 3600_000
    const body = (over: object) => ({
      title: '文明知识竞赛', regionCode: HAPPY, startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + hour).toISOString(),
      questionCount: 5, timeLimitSeconds: 300, passScore: 60, maxAttempts: 3, ...over,
    })
    const marked = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: body({ countsForAwareness: true }) })
    expect(marked.statusCode).toBe(201)
    expect(marked.json().countsForAwareness).toBe(true)
    const plain = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: body({}) })
    expect(plain.json().countsForAwareness).toBe(false)
    const rows = await t.ctx.db.query('SELECT id::int AS id, counts_for_awareness AS c FROM quiz_campaigns WHERE id = ANY($1::bigint[]) ORDER BY id', [[marked.json().id, plain.json().id]])
    expect(rows).toEqual([{ id: marked.json().id, c: true }, { id: plain.json().id, c: false }])
    expect((await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: body({ countsForAwareness: 'yes' }) })).statusCode).toBe(400)
  })
})

describe('the counting job', () => {
  it('applies what the source events leave in the outbox, and stops when asked', async () => {
    const community = await newResident(PEACE)
    const me = (await get(community, '/api/v1/me')).json().id as number
    await t.ctx.db.query(
      `INSERT INTO reports (category_code, reporter_id, lng, lat, community_code, department, due_at) VALUES ('littering', $1, 120.1, 30.2, $2, '城市管理局', now() + interval '1 day')`,
      [me, PEACE])
    expect(await t.ctx.db.one('SELECT count(*)::int AS n FROM rate_outbox')).toEqual({ n: 1 })
    const errors: unknown[] = []
    const job = startPeriodic(20, () => drainOutbox(t.ctx.db), (err) => errors.push(err))
    try {
      for (let i = 0; i < 500 && (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM rate_outbox'))!.n > 0; i++) {
        await new Promise((r) => setTimeout(r, 20))
      }
    } finally {
      await job.stop()
    }
    expect(errors).toEqual([])
    expect(figure((await dash(office, PEACE)).json().region, 'participation')).toMatchObject({ numerator: 1 })
  })
})

import ExcelJS from 'exceljs'
import type { FastifyInstance } from 'fastify'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { adminUrl } from '../helpers/db-global-setup'
import { buildApp } from '../../server/app'
import type { AppContext } from '../../server/context'
import { openPostgres } from '../../server/db/postgres'
import type { Db } from '../../server/db/types'
import { bulletinJob, daysToGenerate, dueDay } from '../../server/modules/rates/bulletin'
import { enqueueMessages } from '../../server/modules/rates/bulletin-queries'
import { drainOutbox, todayShanghai } from '../../server/modules/rates/service'

// this file runs the counting job and the bulletin job itself, when it chooses
process.env.RATES_INTERVAL_MS = '0'
process.env.OUTBOX_INTERVAL_MS = '0'
process.env.BULLETIN_INTERVAL_MS = '0'

const CITY = '3299'
const STREET = '329901001' // 湖滨街道: C1–C4
const OTHER_STREET = '329901002'
const C1 = '329901001001' // 幸福里社区 (the demo worker's)
const C2 = '329901001002'
const C3 = '329901001003'
const C5 = '329901002001'

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
/** An instant given as a day and a time in Asia/Shanghai. */
const at = (day: string, hour: number, minute = 0) => new Date(Date.parse(`${day}T00:00:00Z`) - 8 * 3_600_000 + (hour * 60 + minute) * 60_000)
const D = addDays(todayShanghai(), -1)

let t: TestApp
let office: string
let worker: string
let resident: string
let otherWorker: string
let fickleWorker: string
let staff: number
let campaign: number

const get = (token: string, url: string) => t.as(token, { method: 'GET', url })
const put = (token: string, payload: unknown) => t.as(token, { method: 'PUT', url: '/api/v1/rates/bulletin-subscription', payload: payload as object })
const dash = async (region: string, day: string) => {
  const r = await get(office, `/api/v1/rates/dashboard?region=${region}&period=day&date=${day}`)
  expect(r.statusCode).toBe(200)
  return r.json()
}
const count = async (sql: string, params: unknown[] = []) => (await t.ctx.db.one<{ n: number }>(sql, params))!.n

/** `n` new residents of `community`, each submitting a campaign counted for awareness at `when`, the first `passed` passing. */
async function quizTakers(community: string, n: number, passed: number, when: Date) {
  await t.ctx.db.query(
    `WITH u AS (INSERT INTO users (nickname, community_code) SELECT 'b' || g, $1 FROM generate_series(1, $2) g RETURNING id),
          numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM u)
     INSERT INTO quiz_attempts (kind, campaign_id, user_id, community_code, attempt_no, question_ids, total, started_at, expires_at, submitted_at, score, correct_count, passed)
     SELECT 'campaign', $3, id, $1, 1, '{}', 5, $4, $4::timestamptz + interval '10 minutes', $4, 80, 4, k <= $5 FROM numbered`,
    [community, n, campaign, when, passed])
}

async function resident_(community: string): Promise<number> {
  return (await t.ctx.db.one<{ id: number }>(`INSERT INTO users (nickname, community_code) VALUES ('r', $1) RETURNING id::int AS id`, [community]))!.id
}

async function report(reporter: number, community: string, created: Date, due: Date, closed?: { at: Date; rating?: number }) {
  const r = await t.ctx.db.one<{ id: number }>(
    `INSERT INTO reports (category_code, reporter_id, lng, lat, community_code, department, due_at, created_at)
     VALUES ('littering', $1, 118.75, 32.05, $2, '城市管理局', $3, $4) RETURNING id::int AS id`, [reporter, community, due, created])
  if (closed) {
    await t.ctx.db.query(`UPDATE reports SET state = 'closed', closed_at = $2, rating = $3::int, rated_at = CASE WHEN $3::int IS NULL THEN NULL ELSE $2::timestamptz END WHERE id = $1`,
      [r!.id, closed.at, closed.rating ?? null])
  }
  return r!.id
}

async function newWorker(phone: string, region: string): Promise<string> {
  await t.login(phone)
  const g = await t.as(office, { method: 'POST', url: '/api/v1/admin/roles', payload: { phone, role: 'worker', regionCode: region } })
  expect(g.statusCode).toBe(201)
  return t.login(phone)
}

beforeAll(async () => {
  // the app's own bulletin loop is off here; one test turns it on in two apps
  t = await createTestApp()
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  otherWorker = await newWorker('13700020001', OTHER_STREET)
  fickleWorker = await newWorker('13700020002', C2)
  staff = (await t.ctx.db.one<{ id: number }>(`SELECT id::int AS id FROM users WHERE phone = $1`, [DEMO_ACCOUNTS.office.phone]))!.id
  campaign = (await t.ctx.db.one<{ id: number }>(
    `INSERT INTO quiz_campaigns (region_code, title, starts_at, ends_at, question_count, time_limit_seconds, pass_score, max_attempts, created_by, counts_for_awareness)
     VALUES ($1, '通报测试', now() - interval '30 days', now() + interval '30 days', 5, 600, 60, 3, $2, true) RETURNING id::int AS id`, [CITY, staff]))!.id

  // yesterday (D): enough quiz takers in four communities to rank them; the day before, fewer passes in C1
  await quizTakers(C1, 40, 30, at(D, 10))
  await quizTakers(C2, 35, 14, at(D, 11))
  await quizTakers(C3, 32, 30, at(D, 15))
  await quizTakers(C5, 30, 21, at(D, 9))
  await quizTakers(C1, 30, 15, at(addDays(D, -1), 10))
  // 随手拍 in C1: one due yesterday and still open; one overdue since before; one resident rates two closed reports, 5 and 2
  const rater = await resident_(C1)
  await report(rater, C1, at(D, 9), at(D, 12))
  await report(rater, C1, at(addDays(D, -3), 9), at(addDays(D, -2), 9))
  await report(rater, C1, at(D, 8), at(D, 20), { at: at(D, 10), rating: 5 })
  await report(rater, C1, at(D, 8, 30), at(D, 20), { at: at(D, 11), rating: 2 })
  // a credited volunteer shift that started yesterday, by a resident of C1 who did nothing else
  const volunteer = await resident_(C1)
  const activity = (await t.ctx.db.one<{ id: number }>(
    `INSERT INTO volunteer_activities (type, title, description, lng, lat, radius_m, address, region_code, created_by)
     VALUES ('cleaning', '社区清洁', '', 118.75, 32.05, 200, '幸福里广场', $1, $2) RETURNING id::int AS id`, [C1, staff]))!.id
  const shift = (await t.ctx.db.one<{ id: number }>(
    `INSERT INTO volunteer_shifts (activity_id, starts_at, ends_at, capacity, confirmed, signup_deadline, cancel_deadline)
     VALUES ($1, $2, $2::timestamptz + interval '2 hours', 5, 1, $2, $2) RETURNING id::int AS id`, [activity, at(D, 14)]))!.id
  const signup = (await t.ctx.db.one<{ id: number }>(
    `INSERT INTO volunteer_signups (shift_id, user_id, status, checked_in_at, checked_out_at, attendance)
     VALUES ($1, $2, 'confirmed', $3, $3::timestamptz + interval '2 hours', 'attended') RETURNING id::int AS id`, [shift, volunteer, at(D, 14)]))!.id
  await t.ctx.db.query(`INSERT INTO volunteer_hours (user_id, signup_id, kind, minutes, reason) VALUES ($1, $2, 'credited', 120, '扫码签到签退')`, [volunteer, signup])
  // two survey responses yesterday in C1, one anonymous
  const survey = (await t.ctx.db.one<{ id: number }>(
    `INSERT INTO surveys (title, region_code, audience, anonymous, starts_at, ends_at, status, created_by)
     VALUES ('通报测试', $1, 'signed_in', false, now() - interval '30 days', now() + interval '1 day', 'published', $2) RETURNING id::int AS id`, [CITY, staff]))!.id
  await t.ctx.db.query(
    `INSERT INTO survey_responses (survey_id, user_id, community_code, submitted_on, submitted_at) VALUES ($1, $2, $3, $4::date, $5), ($1, NULL, $3, $4::date, NULL)`,
    [survey, rater, C1, D, at(D, 16)])
  await drainOutbox(t.ctx.db)
}, 180_000)
afterAll(() => t.close())

const figure = (region: { figures: Array<{ figure: string }> }, f: string) => region.figures.find((x) => x.figure === f) as Record<string, unknown>

describe('the counting rules the bulletin relies on', () => {
  it('处置满意度 counts each rated report once: one resident, two reports rated 5 and 2, is 1 of 2', async () => {
    const c1 = (await dash(C1, D)).region
    expect(figure(c1, 'handling')).toMatchObject({ numerator: 1, denominator: 2, rate: 0.5 })
    const src = (await get(office, `/api/v1/rates/sources?region=${C1}&period=day&date=${D}&figure=handling`)).json()
    expect(src.ratings).toBe(2)
  })

  it('a credited volunteer shift is participation on the day it started', async () => {
    const src = (await get(office, `/api/v1/rates/sources?region=${C1}&period=day&date=${D}&figure=participation`)).json()
    expect(src.volunteerService).toBe(1)
    // the rater took part twice (reports, survey): counted once
    expect(figure((await dash(C1, D)).region, 'participation')).toMatchObject({ numerator: 40 + 1 + 1 })
  })
})

describe('generated once, whatever the number of API processes', () => {
  let second: Db | null = null
  const apps: FastifyInstance[] = []

  afterAll(async () => {
    for (const a of apps) await a.close()
    await second?.close()
  })

  it('only opted-in workers are subscribed: the consent endpoint', async () => {
    const before = (await get(worker, '/api/v1/rates/bulletin-subscription')).json()
    expect(before).toMatchObject({ subscribed: false, agreedAt: null, templateId: 'demo-rates-bulletin', time: '08:00' })
    const on = await put(worker, { subscribed: true })
    expect(on.statusCode).toBe(200)
    expect(on.json()).toMatchObject({ subscribed: true })
    expect(typeof on.json().agreedAt).toBe('string')
    // again: nothing changes, no second audit entry
    expect((await put(worker, { subscribed: true })).statusCode).toBe(200)
    expect((await put(fickleWorker, { subscribed: true })).json().subscribed).toBe(true)
    expect((await put(fickleWorker, { subscribed: false })).json()).toMatchObject({ subscribed: false, agreedAt: null })
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'rates.bulletin.%'`)).toBe(3)
  })

  it('two apps with the job running on one database: one bulletin, one message per subscriber', async () => {
    // a second process: on PostgreSQL its own connection pool to the same database; PGlite is one process's database
    if (t.ctx.db.kind === 'postgres') {
      const name = (await t.ctx.db.one<{ name: string }>('SELECT current_database() AS name'))!.name
      second = openPostgres(adminUrl(process.env.DATABASE_URL!, name), 4)
    }
    // the bulletin time at midnight: yesterday's is due whenever this runs
    const cfg = { ...t.ctx.config, bulletin: { ...t.ctx.config.bulletin, time: '00:00', minuteOfDay: 0 }, jobs: { ...t.ctx.config.jobs, bulletinMs: 15 } }
    const ctxA: AppContext = { ...t.ctx, config: cfg }
    const ctxB: AppContext = { ...t.ctx, config: cfg, db: second ?? t.ctx.db }
    for (const ctx of [ctxA, ctxB]) {
      const app = await buildApp(ctx)
      await app.ready()
      apps.push(app)
    }
    for (let i = 0; i < 1500 && (await count('SELECT count(*)::int AS n FROM rate_bulletins')) === 0; i++) await new Promise((r) => setTimeout(r, 20))
    // and a few more runs of both loops, which find the day done
    await Promise.all([bulletinJob(ctxA), bulletinJob(ctxB), bulletinJob(ctxA), bulletinJob(ctxB)])
    for (const a of apps.splice(0)) await a.close()
    expect(await t.ctx.db.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM rate_bulletins`)).toEqual([{ day: D }])
    const messages = await t.ctx.db.query<{ userId: number; ref: string; page: string }>(
      `SELECT user_id::int AS "userId", ref, payload->>'page' AS page FROM notification_outbox WHERE kind = 'rates.bulletin'`)
    const workerId = (await get(worker, '/api/v1/me')).json().id
    expect(messages).toEqual([{ userId: workerId, ref: `bulletin:${D}`, page: `packages/rates/pages/bulletin/index?day=${D}` }])
    // the unique index stands even if a second generator got past the lock and the day's row
    expect(await enqueueMessages(t.ctx.db, D, {})).toBe(0)
  })

  it('concurrent catch-up runs in two processes: every missed day made once, by one of them', async () => {
    const cfg = t.ctx.config
    const ctxB: AppContext = { ...t.ctx, db: second ?? t.ctx.db }
    const now = at(addDays(D, 5), 9) // back after four missed days
    const made = (await Promise.all([bulletinJob(t.ctx, now), bulletinJob(ctxB, now), bulletinJob(t.ctx, now)])).flat().sort()
    expect(made).toEqual([1, 2, 3, 4].map((n) => addDays(D, n)))
    expect(cfg.bulletin.catchUpDays).toBe(7)
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE kind = 'rates.bulletin'`)).toBe(5)
    expect(await count(`SELECT count(DISTINCT ref)::int AS n FROM notification_outbox WHERE kind = 'rates.bulletin'`)).toBe(5)
  })
})

describe('after a downtime', () => {
  it('makes up the last 7 days at most, and nothing before the day’s time', async () => {
    // down from D+5 to D+20 at 07:59: yesterday's (D+19) is not due yet, so up to D+18, of which the last 7
    expect(await bulletinJob(t.ctx, at(addDays(D, 20), 7, 59))).toEqual([12, 13, 14, 15, 16, 17, 18].map((n) => addDays(D, n)))
    expect(await bulletinJob(t.ctx, at(addDays(D, 20), 7, 59))).toEqual([])
    expect(await bulletinJob(t.ctx, at(addDays(D, 20), 8, 0))).toEqual([addDays(D, 19)])
  })

  it('the rules of when (unit)', () => {
    expect(dueDay(new Date('2026-11-29T00:00:00Z'), 480)).toBe('2026-11-28') // 08:00 in Shanghai
    expect(dueDay(new Date('2026-11-28T23:59:00Z'), 480)).toBe('2026-11-27') // 07:59
    expect(dueDay(new Date('2026-11-28T16:00:00Z'), 0)).toBe('2026-11-28') // midnight
    expect(daysToGenerate(null, '2026-11-28', 7)).toEqual(['2026-11-28'])
    expect(daysToGenerate('2026-11-28', '2026-11-28', 7)).toEqual([])
    expect(daysToGenerate('2026-11-26', '2026-11-28', 7)).toEqual(['2026-11-27', '2026-11-28'])
    expect(daysToGenerate('2026-10-01', '2026-11-28', 3)).toEqual(['2026-11-26', '2026-11-27', '2026-11-28'])
  })
})

describe('what a bulletin says', () => {
  it('the figures, changes and rankings of the dashboard for that day', async () => {
    const b = (await get(office, `/api/v1/rates/bulletins/${D}`)).json()
    expect(b.day).toBe(D)
    const c = b.content
    const city = await dash(CITY, D)
    expect(c.city.figures).toEqual(city.region.figures)
    expect(c.streets.map((s: { regionCode: string }) => s.regionCode)).toEqual(['329901001', '329901002', '329901003', '329902001', '329902002', '329902003'])
    for (const s of c.streets) expect(s.figures).toEqual((await dash(s.regionCode, D)).region.figures)
    // the city's districts and every community city-wide, ranked as the dashboard ranks them
    for (const [level, scope] of [['district', 'children'], ['community', 'communities']]) {
      for (const r of city.rankings.filter((x: { scope: string }) => x.scope === scope)) {
        const mine = c.rankings.find((x: { level: string; figure: string }) => x.level === level && x.figure === r.figure)
        expect({ top: mine.top, bottom: mine.bottom, excluded: mine.excludedInsufficient }).toEqual({ top: r.top, bottom: r.bottom, excluded: r.excludedInsufficient })
      }
    }
    // by hand: awareness in C1 30 of 40 (75%), C2 14/35 (40%), C3 30/32 (93.75%), C5 21/30 (70%); the rest 样本不足
    const aware = c.rankings.find((x: { level: string; figure: string }) => x.level === 'community' && x.figure === 'awareness')
    expect(aware.top.map((e: { regionCode: string; rate: number }) => [e.regionCode, e.rate])).toEqual([[C3, 0.9375], [C1, 0.75], [C5, 0.7]])
    expect(aware.bottom.map((e: { regionCode: string }) => e.regionCode)).toEqual([C2, C5, C1])
    expect(aware.excludedInsufficient).toBe(24 - 4)
    const streets = c.rankings.find((x: { level: string; figure: string }) => x.level === 'street' && x.figure === 'awareness')
    expect(streets.top.map((e: { regionCode: string }) => e.regionCode).sort()).toEqual([STREET, OTHER_STREET])
    expect(streets.excludedInsufficient).toBe(4)
    // the day before: C1 15 of 30 → 30 of 40 is +25 points
    const street = c.streets.find((s: { regionCode: string }) => s.regionCode === STREET)
    expect(figure(street, 'awareness')).toMatchObject({ numerator: 74, denominator: 107, n: 107 })
    const c1 = await dash(C1, D)
    expect(figure(c1.region, 'awareness')).toMatchObject({ rate: 0.75, previousRate: 0.5, change: 0.25 })
  })

  it('overdue 随手拍, quiz, survey and volunteer participation per street', async () => {
    const c = (await get(office, `/api/v1/rates/bulletins/${D}`)).json().content
    const street = c.streets.find((s: { regionCode: string }) => s.regionCode === STREET)
    expect(street.activity).toEqual({
      reportsNew: 3, reportsClosed: 2, reportsNewlyOverdue: 1, reportsOverdueOpen: 2,
      quizResidents: 40 + 35 + 32, quizAttempts: 107, surveyResponses: 2, volunteers: 1,
    })
    expect(c.streets.find((s: { regionCode: string }) => s.regionCode === OTHER_STREET).activity).toMatchObject({ quizResidents: 30, reportsOverdueOpen: 0 })
    expect(c.city.activity.quizResidents).toBe(137)
    expect(c.pendingEvents).toBe(0)
  })

  it('is frozen: what arrives later moves the dashboard, not the bulletin', async () => {
    const before = (await get(office, `/api/v1/rates/bulletins/${D}`)).json()
    await quizTakers(C2, 5, 5, at(D, 23))
    await drainOutbox(t.ctx.db)
    expect(figure((await dash(C2, D)).region, 'awareness')).toMatchObject({ numerator: 19, denominator: 40 })
    expect((await get(office, `/api/v1/rates/bulletins/${D}`)).json()).toEqual(before)
  })

  it('downloads as Excel that reads back to the same figures', async () => {
    const b = (await get(office, `/api/v1/rates/bulletins/${D}`)).json().content
    const r = await get(worker, `/api/v1/rates/bulletins/${D}/export.xlsx`)
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toContain('spreadsheetml')
    expect(r.headers['content-disposition']).toContain(encodeURIComponent(`创文每日通报-${D}.xlsx`))
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(r.rawPayload as never)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['各项比率', '排名', '随手拍与参与', '说明'])
    const rows = (name: string) => {
      const out: unknown[][] = []
      wb.getWorksheet(name)!.eachRow((row) => out.push((row.values as unknown[]).slice(1)))
      return out
    }
    const figures = rows('各项比率')
    expect(figures).toHaveLength(1 + 7 * 5)
    const cityAware = figure(b.city, 'awareness')
    expect(figures[1]).toEqual(['示范市', '市', '', '知晓率', cityAware.rate, (cityAware.interval as { lower: number }).lower,
      (cityAware.interval as { upper: number }).upper, cityAware.numerator, cityAware.denominator, cityAware.pooledRate, cityAware.effectiveN,
      '否', 0.9, cityAware.gapToTarget, cityAware.previousRate, cityAware.change])
    const activity = rows('随手拍与参与')
    expect(activity[0]).toEqual(['街道', '所属', '随手拍新增', '办结', '当日超期', '超期未办结', '答题人数', '答题人次', '问卷答卷', '志愿服务人数'])
    expect(activity[1]).toEqual(['湖滨街道', '东湖区', 3, 2, 1, 2, 107, 107, 2, 1])
    const ranks = rows('排名')
    const best = b.rankings.find((x: { level: string; figure: string }) => x.level === 'community' && x.figure === 'awareness').top[0]
    expect(ranks).toContainEqual(['社区', '知晓率', '前三', 1, '阳光社区', 0.9375, best.lower, best.upper, 32])
  })
})

describe('who reads and who subscribes', () => {
  it('a resident reads no bulletin and cannot subscribe; signed-out is 401', async () => {
    for (const url of ['/api/v1/rates/bulletins', `/api/v1/rates/bulletins/${D}`, `/api/v1/rates/bulletins/${D}/export.xlsx`]) {
      const r = await get(resident, url)
      expect({ url, status: r.statusCode, code: r.json().code }).toEqual({ url, status: 403, code: 'RATES_STAFF_ONLY' })
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401)
    }
    expect((await get(resident, '/api/v1/rates/bulletin-subscription')).json().code).toBe('BULLETIN_SUBSCRIBE_WORKERS_ONLY')
    expect((await put(resident, { subscribed: true })).statusCode).toBe(403)
    expect((await put(office, { subscribed: true })).statusCode).toBe(403)
    expect(await count('SELECT count(*)::int AS n FROM rate_bulletin_subscriptions WHERE active')).toBe(1)
  })

  it('a worker of one community reads the whole bulletin, other streets included', async () => {
    const b = (await get(worker, `/api/v1/rates/bulletins/${D}`)).json()
    expect(b.content.streets.some((s: { regionCode: string }) => s.regionCode === OTHER_STREET)).toBe(true)
    expect((await get(otherWorker, `/api/v1/rates/bulletins/${D}`)).json()).toEqual(b)
  })

  it('lists newest first, a page at a time, with a cursor nobody can forge', async () => {
    const days: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const r = await get(worker, `/api/v1/rates/bulletins?limit=5${cursor ? `&cursor=${cursor}` : ''}`)
      expect(r.statusCode).toBe(200)
      const body = r.json()
      expect(body.items.length).toBeLessThanOrEqual(5)
      days.push(...body.items.map((i: { day: string }) => i.day))
      cursor = body.nextCursor
      pages++
    } while (cursor)
    const all = [0, 1, 2, 3, 4, 12, 13, 14, 15, 16, 17, 18, 19].map((n) => addDays(D, n)).reverse()
    expect(days).toEqual(all)
    expect(pages).toBe(3)
    const first = (await get(office, '/api/v1/rates/bulletins?limit=1')).json().items[0]
    expect(first).toMatchObject({ day: addDays(D, 19), cityName: '示范市' })
    expect(first.headline.map((h: { figure: string }) => h.figure)).toEqual(['awareness', 'support', 'satisfaction', 'handling', 'participation'])
    const forged = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 1])).toString('base64url')
    expect((await get(office, `/api/v1/rates/bulletins?cursor=${forged}`)).json().code).toBe('CURSOR_INVALID')
  })

  it('an erased worker’s consent goes with the account', async () => {
    const phone = '13700020003'
    const token = await newWorker(phone, C3)
    expect((await put(token, { subscribed: true })).statusCode).toBe(200)
    const id = (await get(token, '/api/v1/me')).json().id
    const exported = (await get(token, '/api/v1/me/export')).json()
    expect(exported.sections.rates.bulletinSubscription).toMatchObject({ active: true })
    const { bulletinPersonalData } = await import('../../server/modules/rates/bulletin')
    await t.ctx.db.transaction((tx) => bulletinPersonalData.erase(tx, { userId: id, phone }) as Promise<void>)
    expect(await count('SELECT count(*)::int AS n FROM rate_bulletin_subscriptions WHERE user_id = $1', [id])).toBe(0)
  })
})

describe('malformed input', () => {
  it('is refused with a clear code and changes nothing', async () => {
    const cases: Array<[string, number, string]> = [
      ['/api/v1/rates/bulletins/2026-02-30', 400, 'INVALID_DATE'],
      ['/api/v1/rates/bulletins/yesterday', 400, 'VALIDATION_FAILED'],
      ['/api/v1/rates/bulletins/2026-02-30/export.xlsx', 400, 'INVALID_DATE'],
      [`/api/v1/rates/bulletins/${addDays(D, 40)}`, 404, 'BULLETIN_NOT_FOUND'],
      [`/api/v1/rates/bulletins/${addDays(D, 40)}/export.xlsx`, 404, 'BULLETIN_NOT_FOUND'],
      ['/api/v1/rates/bulletins?limit=0', 400, 'VALIDATION_FAILED'],
      ['/api/v1/rates/bulletins?limit=100000', 400, 'VALIDATION_FAILED'],
      ['/api/v1/rates/bulletins?cursor=%00', 400, 'INVALID_TEXT'],
      ['/api/v1/rates/bulletins?cursor=abc', 400, 'CURSOR_INVALID'],
    ]
    for (const [url, status, code] of cases) {
      const r = await get(office, url)
      expect({ url, status: r.statusCode, code: r.json().code }).toEqual({ url, status, code })
    }
    for (const body of [{ subscribed: 'yes' }, {}, { subscribed: true, extra: 1 }, [true]]) {
      const r = await put(otherWorker, body)
      expect({ body, status: r.statusCode }).toEqual({ body, status: 400 })
    }
    const id = (await get(otherWorker, '/api/v1/me')).json().id
    expect(await count('SELECT count(*)::int AS n FROM rate_bulletin_subscriptions WHERE user_id = $1', [id])).toBe(0)
  })
})

// Two processes cannot be simulated on PGlite (one process owns its database), hence PostgreSQL only.
;(process.env.DATABASE_URL ? describe : describe.skip)('a run that finds another process generating', () => {
  it('waits for it and makes the days still missing, rather than leaving them to nobody', async () => {
    const name = (await t.ctx.db.one<{ name: string }>('SELECT current_database() AS name'))!.name
    const other = openPostgres(adminUrl(process.env.DATABASE_URL!, name), 2)
    try {
      const now = at(addDays(D, 60), 9) // back after a long downtime: the last catch-up days are due
      const due = daysToGenerate(addDays(D, 19), dueDay(now, t.ctx.config.bulletin.minuteOfDay), t.ctx.config.bulletin.catchUpDays)
      expect(due.length).toBe(7)
      let job: Promise<string[]> | null = null
      // the other process holds the generator lock (busy with some day) while this one runs its catch-up
      await other.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext('civiclink-rates-bulletin'))`)
        job = bulletinJob(t.ctx, now)
        const waiting = `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
        for (let i = 0; i < 6000 && (await count(waiting)) === 0; i++) await new Promise((r) => setTimeout(r, 10))
        expect(await count(waiting)).toBe(1)
      })
      expect(await job!).toEqual(due)
    } finally {
      await other.close()
    }
  })
})

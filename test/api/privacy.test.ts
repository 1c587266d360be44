import '../helpers/long-timeout'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app'
import { createRuntime, type Runtime } from '../../server/bootstrap'
import { redisBus } from '../../server/lib/redis-bus'
import { DEMO_ACCOUNTS } from '../helpers/app'
import { NOT_PERSONAL, PERSONAL_COLUMNS, PERSONAL_NAME_PATTERN } from '../../server/modules/accounts/personal-data'
import { COMMUNITY, reportsApp, submit, upload } from './reports-helpers'

let t: Awaited<ReturnType<typeof reportsApp>>
let worker: string
let office: string
let neighbour: string

const PERSON = { phone: '13912345678', nickname: '张三丰5678', openid: 'o-13912345678-secret', unionid: 'u-13912345678-secret' }
const wxIds = (phone: string) => [`o-${phone}-secret`, `u-${phone}-secret`]
const nickname = (phone: string) => `张三丰${phone.slice(-4)}`

beforeAll(async () => {
  t = await reportsApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  neighbour = await t.login('13900000401')
}, 90_000)
afterAll(() => t.close())

const count = async (sql: string, params: unknown[] = []) => (await t.ctx.db.one<{ n: number }>(sql, params))!.n

/** A resident with something in every module: profile, WeChat ids, a report (photo, +1, rating), a draft photo, a quiz
 *  attempt, a flag, a live-quiz place, a pending message. */
async function person(phone = PERSON.phone) {
  let token = await t.login(phone)
  await t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: { nickname: nickname(phone), communityCode: COMMUNITY } })
  const me = (await t.as(token, { method: 'GET', url: '/api/v1/me' })).json()
  await t.ctx.db.query('UPDATE users SET openid = $2, unionid = $3 WHERE id = $1', [me.id, ...wxIds(phone)])
  await t.ctx.callers.forget({ userId: me.id })
  token = await t.login(phone)
  const report = (await submit(t, token, { description: '小区门口乱扔垃圾' })).json()
  await upload(t, token) // a draft no report takes
  const other = (await submit(t, neighbour, { description: '邻居的上报' })).json()
  expect((await t.as(token, { method: 'POST', url: `/api/v1/reports/${other.id}/metoo` })).statusCode).toBe(200)
  expect((await t.as(token, { method: 'POST', url: `/api/v1/reports/${other.id}/flags`, payload: { reason: 'other', note: `我是${nickname(phone)}` } })).statusCode).toBe(201)
  const live = await t.as(worker, { method: 'POST', url: '/api/v1/live/sessions', payload: { title: '社区现场答题', count: 2 } })
  expect(live.statusCode).toBe(201)
  expect((await t.as(token, { method: 'POST', url: `/api/v1/live/${live.json().code}/join` })).statusCode).toBe(200)
  await t.as(worker, { method: 'POST', url: `/api/v1/live/sessions/${live.json().id}/finish` })
  const practice = await t.as(token, { method: 'POST', url: '/api/v1/quiz/practice' })
  expect(practice.statusCode).toBe(201)
  expect((await t.as(token, { method: 'POST', url: `/api/v1/quiz/attempts/${practice.json().id}/submit`, payload: { answers: [] } })).statusCode).toBe(200)
  await t.ctx.db.query(
    `INSERT INTO notification_outbox (user_id, kind, ref, payload) VALUES ($1, 'report_state', 'report:' || $2::text, $3)`,
    [me.id, report.id, JSON.stringify({ to: nickname(phone) })],
  )
  return { token, id: me.id as number, reportId: report.id as number, otherReportId: other.id as number }
}

async function erasureCode(token: string, phone: string): Promise<string> {
  const sent = await t.as(token, { method: 'POST', url: '/api/v1/me/erasure/code' })
  if (sent.statusCode === 429) {
    // the resend window: a fresh code at once instead of waiting a minute
    await t.ctx.db.query(`UPDATE sms_codes SET created_at = created_at - interval '2 minutes' WHERE phone = $1`, [phone])
    return erasureCode(token, phone)
  }
  expect(sent.statusCode).toBe(200)
  return sent.json().demoCode
}

async function erase(token: string, phone = PERSON.phone) {
  const code = await erasureCode(token, phone)
  return t.as(token, { method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销账号', code } })
}

describe('the registry of personal columns', () => {
  it('names every column that looks personal, or says why it is not', async () => {
    const cols = await t.ctx.db.query<{ table: string; column: string }>(
      `SELECT c.table_name AS table, c.column_name AS column FROM information_schema.columns c
         JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
        WHERE c.table_schema = current_schema() AND c.column_name ~ $1 ORDER BY 1, 2`,
      [PERSONAL_NAME_PATTERN],
    )
    expect(cols.length).toBeGreaterThan(3)
    const known = new Set([...PERSONAL_COLUMNS, ...NOT_PERSONAL].map((c) => `${c.table}.${c.column}`))
    expect(cols.map((c) => `${c.table}.${c.column}`).filter((c) => !known.has(c))).toEqual([])
    // and the registry names no column that does not exist
    const all = new Set((await t.ctx.db.query<{ k: string }>(
      `SELECT table_name || '.' || column_name AS k FROM information_schema.columns WHERE table_schema = current_schema()`,
    )).map((r) => r.k))
    expect([...known].filter((k) => !all.has(k))).toEqual([])
  })
})

describe('注销账号', () => {
  it('refuses without the typed confirmation or the code, and with a wrong code (counted); nothing changes', async () => {
    const p = await person('13912340001')
    const bad = await t.as(p.token, { method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销' } })
    expect(bad.json().code).toBe('ERASURE_NOT_CONFIRMED')
    expect((await t.as(p.token, { method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销账号' } })).json().code).toBe('SMS_CODE_REQUIRED')
    const code = await erasureCode(p.token, '13912340001')
    const wrong = code === '000000' ? '111111' : '000000'
    const res = await t.as(p.token, { method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销账号', code: wrong } })
    expect(res.json().code).toBe('SMS_CODE_INVALID')
    expect(await count(`SELECT failed_attempts AS n FROM sms_codes WHERE phone = '13912340001' ORDER BY id DESC LIMIT 1`)).toBe(1)
    expect((await t.as(p.token, { method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销账号', code: 'abc' } })).statusCode).toBe(400)
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销账号' } })).statusCode).toBe(401)
    expect((await t.as(p.token, { method: 'GET', url: '/api/v1/me' })).json().nickname).toBe(nickname('13912340001'))
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE id = $1 AND erased_at IS NULL`, [p.id])).toBe(1)
  })

  it('leaves nothing of the person in any registered column, keeps the city\'s record, refuses old tokens at once', async () => {
    const p = await person()
    const attemptsBefore = await count('SELECT count(*)::int AS n FROM quiz_attempts WHERE user_id = $1 AND submitted_at IS NOT NULL', [p.id])
    expect(attemptsBefore).toBe(1)
    const coBefore = await count('SELECT co_reporters AS n FROM reports WHERE id = $1', [p.otherReportId])
    // every test request comes from 127.0.0.1: the person's codes get an address of their own
    const ip = '203.0.113.77'
    await t.ctx.db.query('UPDATE sms_codes SET requester_ip = $2 WHERE phone = $1', [PERSON.phone, ip])
    // a request just before: the process remembers this caller
    expect((await t.as(p.token, { method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200)

    const res = await erase(p.token)
    expect(res.statusCode).toBe(204)

    // old tokens refused at once, in this process (the cache was told)
    expect((await t.as(p.token, { method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401)
    expect((await t.as(p.token, { method: 'GET', url: '/api/v1/reports/mine' })).statusCode).toBe(401)

    // every registered column: nothing of the person in the person's rows, nor anywhere as a value
    for (const c of PERSONAL_COLUMNS) {
      if (c.treatment !== 'kept' && c.rows) {
        const left = await count(
          `SELECT count(*)::int AS n FROM ${c.table} WHERE (${c.rows}) AND ${c.column} IS NOT NULL AND $1::bigint = $1 AND $2::text = $2
              ${c.treatment === 'anonymised' ? `AND ${c.column}::text <> '已注销用户'` : ''}`,
          [p.id, PERSON.phone],
        )
        expect(`${c.table}.${c.column}: ${left}`).toBe(`${c.table}.${c.column}: 0`)
      }
      for (const v of [PERSON.phone, PERSON.nickname, PERSON.openid, PERSON.unionid, ip]) {
        const n = await count(`SELECT count(*)::int AS n FROM ${c.table} WHERE ${c.column}::text LIKE '%' || $1 || '%'`, [v])
        expect(`${c.table}.${c.column} ~ ${v}: ${n}`).toBe(`${c.table}.${c.column} ~ ${v}: 0`)
      }
    }
    // and nowhere else: the audit log and the 台账 name nobody
    for (const v of [PERSON.phone, PERSON.nickname, PERSON.openid]) {
      expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE detail::text LIKE '%' || $1 || '%'`, [v])).toBe(0)
      expect(await count(`SELECT count(*)::int AS n FROM report_events WHERE coalesce(note, '') || detail::text LIKE '%' || $1 || '%'`, [v])).toBe(0)
    }
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'account.erase' AND target = $1`, [`user:${p.id}`])).toBe(1)

    // kept: the report (with its photo), the +1, the attempts
    const seen = await t.as(worker, { method: 'GET', url: `/api/v1/reports/${p.reportId}` })
    expect(seen.statusCode).toBe(200)
    expect(seen.json().reporter.name).toBe('已注销用户')
    expect(seen.json().reporter.phoneMasked).toBeNull()
    expect(seen.json().photos).toHaveLength(1)
    expect(seen.json().description).toBe('小区门口乱扔垃圾')
    const work = (await t.as(worker, { method: 'GET', url: '/api/v1/reports/work?limit=50' })).json().items.find((r: { id: number }) => r.id === p.reportId)
    expect(work.reporterName).toBe('已注销用户')
    expect(await count('SELECT co_reporters AS n FROM reports WHERE id = $1', [p.otherReportId])).toBe(coBefore)
    expect(await count('SELECT count(*)::int AS n FROM quiz_attempts WHERE user_id = $1 AND submitted_at IS NOT NULL', [p.id])).toBe(attemptsBefore)

    // a worker's change to the report sends the erased person nothing
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/reports/${p.reportId}/transitions`, payload: { action: 'accept' } })).statusCode).toBe(200)
    expect(await count('SELECT count(*)::int AS n FROM notification_outbox WHERE user_id = $1', [p.id])).toBe(0)

    // the same phone signs up again as somebody new
    const again = await t.login(PERSON.phone)
    const me = (await t.as(again, { method: 'GET', url: '/api/v1/me' })).json()
    expect(me.id).not.toBe(p.id)
    expect(me.nickname).not.toBe(PERSON.nickname)
    expect((await t.as(again, { method: 'GET', url: '/api/v1/reports/mine' })).json().items).toEqual([])
  })

  it('the last office user cannot erase the account; an account without a phone confirms by the typed phrase', async () => {
    const res = await erase(office, DEMO_ACCOUNTS.office.phone)
    expect(res.statusCode).toBe(409)
    expect(res.json().code).toBe('LAST_OFFICE_USER')
    expect((await t.as(office, { method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200)

    const tok = await t.login('13912340002')
    const id = (await t.as(tok, { method: 'GET', url: '/api/v1/me' })).json().id
    await t.ctx.db.query(`UPDATE users SET phone = NULL, openid = 'o-only-wechat' WHERE id = $1`, [id])
    await t.ctx.callers.forget({ userId: id })
    expect((await t.as(tok, { method: 'POST', url: '/api/v1/me/erasure/code' })).json().code).toBe('NO_PHONE')
    expect((await t.as(tok, { method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销账号' } })).statusCode).toBe(204)
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE openid = 'o-only-wechat'`)).toBe(0)
  })
})

describe('导出个人数据', () => {
  it('holds the person\'s data from every module, and nobody else\'s', async () => {
    const p = await person('13912340003')
    const res = await t.as(p.token, { method: 'GET', url: '/api/v1/me/export' })
    expect(res.statusCode).toBe(200)
    const x = res.json()
    expect(x.userId).toBe(p.id)
    expect(Object.keys(x.sections).sort()).toEqual(['account', 'moderation', 'quizzes', 'rates', 'reports', 'surveys', 'volunteers'])
    expect(x.sections.account.profile).toMatchObject({ phone: '13912340003', nickname: nickname('13912340003'), wechatBound: true })
    expect(x.sections.account.roles).toEqual([])
    expect(x.sections.reports.reports.map((r: { id: number }) => r.id)).toEqual([p.reportId])
    expect(x.sections.reports.reports[0].events[0]).toMatchObject({ action: 'submit', byMe: true })
    expect(x.sections.reports.meTooOnOthers.map((r: { reportId: number }) => r.reportId)).toEqual([p.otherReportId])
    expect(x.sections.reports.photos.length).toBe(2)
    expect(x.sections.moderation.flagsMade).toHaveLength(1)
    expect(x.sections.quizzes.attempts).toHaveLength(1)
    expect(x.sections.quizzes.attempts[0]).toMatchObject({ kind: 'practice', total: 5 })
    expect(x.sections.rates).toEqual({ bulletinSubscription: null })
    // nobody else: not the neighbour's report text, phone or name
    const body = res.body
    expect(body).not.toContain('邻居的上报')
    expect(body).not.toContain('13900000401')
    expect(body).not.toContain(DEMO_ACCOUNTS.worker.nickname)
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'account.export' AND target = $1`, [`user:${p.id}`])).toBe(1)
  })

  it('is the caller\'s own only: no id to ask for someone else\'s, and no export without signing in', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/export' })).statusCode).toBe(401)
    expect((await t.as(neighbour, { method: 'GET', url: '/api/v1/me/export?userId=1' })).statusCode).toBe(400)
    const mine = (await t.as(neighbour, { method: 'GET', url: '/api/v1/me/export' })).json()
    expect(mine.sections.account.profile.phone).toBe('13900000401')
    expect(JSON.stringify(mine)).not.toContain('张三丰')
  })
})

// Two API processes on one database, Redis in between: an erasure in one is refused by the other at once, not when
// the other's remembered caller (CALLER_CACHE_SECONDS, 10 s) runs out.
const twoProcesses = process.env.REDIS_URL ? describe : describe.skip
twoProcesses('注销 across two API processes (Redis)', () => {
  const procs: Array<{ app: FastifyInstance; rt: Runtime }> = []
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const rt = await createRuntime(t.ctx.config, t.ctx.db, { bus: redisBus(process.env.REDIS_URL!), sms: t.ctx.sms, wechat: t.ctx.wechat })
      procs.push({ rt, app: await buildApp(rt.ctx) })
    }
  })
  afterAll(async () => {
    for (const p of procs) {
      await p.app.close()
      await p.rt.close()
    }
  })

  it('the other process stops accepting the token well within its cache lifetime', async () => {
    const [a, b] = procs
    const token = await t.login('13912340009')
    const me = (tok: string, app: FastifyInstance) => app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${tok}` } })
    expect((await me(token, b.app)).statusCode).toBe(200) // B remembers the caller now
    const code = await erasureCode(token, '13912340009')
    const res = await a.app.inject({ method: 'POST', url: '/api/v1/me/erasure', headers: { authorization: `Bearer ${token}` }, payload: { confirm: '注销账号', code } })
    expect(res.statusCode).toBe(204)
    const until = Date.now() + 3000
    let status = 200
    while (Date.now() < until && (status = (await me(token, b.app)).statusCode) === 200) await new Promise((r) => setTimeout(r, 20))
    expect(status).toBe(401)
  })
})

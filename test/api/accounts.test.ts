import type { FastifyInstance, InjectOptions } from 'fastify'
import { buildApp } from '../../server/app'
import { createRuntime, type Runtime } from '../../server/bootstrap'
import { redisBus } from '../../server/lib/redis-bus'
import { httpSms } from '../../server/platform/sms'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const send = (phone: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone } })
const verify = (phone: string, code: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/sms/verify', payload: { phone, code } })
const count = async (sql: string, params: unknown[] = []) => (await t.ctx.db.one<{ n: number }>(sql, params))!.n

describe('sign-in with phone and code', () => {
  it('signs a new resident in with the demo code and returns their profile', async () => {
    const sent = await send('13900000011')
    expect(sent.statusCode).toBe(200)
    expect(sent.json()).toMatchObject({ sent: true, expiresInSeconds: 300 })
    expect(sent.json().demoCode).toMatch(/^\d{6}$/)
    const res = await verify('13900000011', sent.json().demoCode)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.isNew).toBe(true)
    expect(body.user.phoneMasked).toBe('139****0011')
    expect(JSON.stringify(body)).not.toContain('13900000011')
    const me = await t.as(body.token, { method: 'GET', url: '/api/v1/me' })
    expect(me.statusCode).toBe(200)
    expect(me.json().roles).toEqual([{ role: 'resident', regionCode: null, regionName: null }])
  })

  it('a code works once only', async () => {
    const code = (await send('13900000012')).json().demoCode
    expect((await verify('13900000012', code)).statusCode).toBe(200)
    const again = await verify('13900000012', code)
    expect(again.statusCode).toBe(400)
    expect(again.json().code).toBe('SMS_CODE_EXPIRED')
  })

  it('two concurrent verifications of one code: exactly one signs in', async () => {
    const code = (await send('13900000013')).json().demoCode
    const results = await Promise.all([verify('13900000013', code), verify('13900000013', code), verify('13900000013', code)])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400, 400])
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE phone = '13900000013'`)).toBe(1)
  })

  it('an expired code is refused', async () => {
    const code = (await send('13900000014')).json().demoCode
    await t.ctx.db.query(`UPDATE sms_codes SET expires_at = now() - interval '1 second' WHERE phone = '13900000014'`)
    const res = await verify('13900000014', code)
    expect(res.json().code).toBe('SMS_CODE_EXPIRED')
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE phone = '13900000014'`)).toBe(0)
  })

  it('wrong guesses are counted and the code dies after five', async () => {
    const code = (await send('13900000015')).json().demoCode
    const wrong = code === '000000' ? '111111' : '000000'
    for (let i = 0; i < 5; i++) {
      const r = await verify('13900000015', wrong)
      expect(r.json().code).toBe('SMS_CODE_INVALID')
    }
    expect((await verify('13900000015', code)).json().code).toBe('SMS_CODE_EXPIRED')
  })

  it('a second code within a minute is refused, and ten a day is the limit', async () => {
    expect((await send('13900000016')).statusCode).toBe(200)
    const again = await send('13900000016')
    expect(again.statusCode).toBe(429)
    expect(again.json().code).toBe('SMS_TOO_FREQUENT')
    await t.ctx.db.query(
      `INSERT INTO sms_codes (phone, code_hash, created_at, expires_at) SELECT '13900000017', 'x', now() - interval '2 hours', now() FROM generate_series(1, 10)`,
    )
    expect((await send('13900000017')).json().code).toBe('SMS_DAILY_LIMIT')
  })

  it('concurrent sends for one phone make one code', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => send('13900000018')))
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1)
    expect(await count(`SELECT count(*)::int AS n FROM sms_codes WHERE phone = '13900000018'`)).toBe(1)
  })

  it('outside demo mode the code is never returned', async () => {
    const sent: string[] = []
    const other = await createTestApp({ seed: false, config: { demo: false }, overrides: { sms: { demo: false, sendCode: async (_p, c) => void sent.push(c) } } })
    try {
      const r = await other.app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone: '13900000019' } })
      expect(r.statusCode).toBe(200)
      expect(r.json().demoCode).toBeUndefined()
      expect(sent).toHaveLength(1)
      const ok = await other.app.inject({ method: 'POST', url: '/api/v1/auth/sms/verify', payload: { phone: '13900000019', code: sent[0] } })
      expect(ok.statusCode).toBe(200)
    } finally {
      await other.close()
    }
  })

  it('a failing SMS gateway leaves no usable code', async () => {
    const other = await createTestApp({
      seed: false,
      config: { demo: false },
      // nothing listens on port 9: the real gateway adapter cannot connect
      overrides: { sms: httpSms('http://127.0.0.1:9/sms') },
    })
    try {
      const r = await other.app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone: '13900000020' } })
      expect(r.statusCode).toBe(502)
      expect(r.json().code).toBe('SMS_SEND_FAILED')
      expect((await other.ctx.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM sms_codes`))!.n).toBe(0)
    } finally {
      await other.close()
    }
  })

  it('rejects malformed bodies with a clear error', async () => {
    for (const [payload, code] of [
      [{ phone: '12345' }, 'VALIDATION_FAILED'],
      [{ phone: 13800000001 }, 'VALIDATION_FAILED'],
      [{ phone: '13800000001', extra: true }, 'VALIDATION_FAILED'],
      [{}, 'VALIDATION_FAILED'],
    ] as const) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload })
      expect(r.statusCode).toBe(400)
      expect(r.json().code).toBe(code)
      expect(r.json().message).toMatch(/[\u4e00-\u9fa5]/)
    }
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', headers: { 'content-type': 'application/json' }, payload: '{"phone":' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('MALFORMED_JSON')
    const big = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone: '1'.repeat(400_000) } })
    expect(big.statusCode).toBe(413)
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE')
    const text = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', headers: { 'content-type': 'text/plain' }, payload: 'hi' })
    expect(text.statusCode).toBe(415)
    expect(await count(`SELECT count(*)::int AS n FROM sms_codes WHERE phone = '13800000001'`)).toBe(0)
  })
})

describe('tokens', () => {
  it('refuses a missing, malformed, unknown, expired or signed-out token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me' })).json().code).toBe('UNAUTHENTICATED')
    expect((await t.as('not a token', { method: 'GET', url: '/api/v1/me' })).json().code).toBe('INVALID_TOKEN')
    const unknown = await t.as('x'.repeat(43), { method: 'GET', url: '/api/v1/me' })
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json().code).toBe('INVALID_TOKEN')

    const token = await t.login('13900000021')
    await t.ctx.db.query(`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM users WHERE phone = '13900000021')`)
    await t.ctx.callers.forget({ all: true }) // the session changed behind the server's back
    expect((await t.as(token, { method: 'GET', url: '/api/v1/me' })).json().code).toBe('SESSION_EXPIRED')

    const token2 = await t.login('13900000021')
    expect((await t.as(token2, { method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204)
    expect((await t.as(token2, { method: 'GET', url: '/api/v1/me' })).json().code).toBe('INVALID_TOKEN')
  })
})

describe('WeChat sign-in through the adapter against the local fake', () => {
  it('the same WeChat user gets the same account; WeChat error codes become ours', async () => {
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: 'alice:1' } })
    expect(first.statusCode).toBe(200)
    expect(first.json().isNew).toBe(true)
    expect(first.json().user.hasWechat).toBe(true)
    const second = await t.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: 'alice:2' } })
    expect(second.json().isNew).toBe(false)
    expect(second.json().user.id).toBe(first.json().user.id)

    const cases: Array<[string, number, string]> = [
      ['invalid-1', 400, 'WECHAT_CODE_INVALID'],
      ['used-1', 400, 'WECHAT_CODE_INVALID'],
      ['limit-1', 429, 'WECHAT_RATE_LIMITED'],
      ['risky-1', 403, 'WECHAT_RISKY_USER'],
      ['busy-1', 502, 'WECHAT_UNAVAILABLE'],
    ]
    for (const [code, status, errCode] of cases) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code } })
      expect([r.statusCode, r.json().code]).toEqual([status, errCode])
    }
  })
})

describe('profile', () => {
  it('sets the community (community level only), nickname and elder mode', async () => {
    const token = await t.login('13900000031')
    const patch = (payload: unknown) => t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: payload as object })
    expect((await patch({ communityCode: '329901' })).json().code).toBe('NOT_A_COMMUNITY')
    expect((await patch({ communityCode: 'nope' })).json().code).toBe('REGION_NOT_FOUND')
    expect((await patch({})).statusCode).toBe(400)
    expect((await patch({ elderMode: 'yes' })).statusCode).toBe(400)
    const ok = await patch({ communityCode: '329901001001', elderMode: true, nickname: '老王' })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ nickname: '老王', elderMode: true, community: { code: '329901001001', name: '幸福里社区' } })
    expect(ok.json().community.path.map((p: { name: string }) => p.name)).toEqual(['示范市', '东湖区', '湖滨街道', '幸福里社区'])
  })
})

describe('roles', () => {
  it('office grants and revokes worker roles; each change is audited; others may not', async () => {
    const office = await t.login(DEMO_ACCOUNTS.office.phone)
    const resident = await t.login(DEMO_ACCOUNTS.resident.phone)
    const worker = await t.login(DEMO_ACCOUNTS.worker.phone)
    await t.login('13900000041')
    const grant = (token: string, payload: object) => t.as(token, { method: 'POST', url: '/api/v1/admin/roles', payload })

    expect((await grant(resident, { phone: '13900000041', role: 'worker', regionCode: '329901001' })).json().code).toBe('FORBIDDEN_ROLE')
    expect((await grant(worker, { phone: '13900000041', role: 'worker', regionCode: '329901001' })).json().code).toBe('FORBIDDEN_ROLE')
    expect((await grant(office, { phone: '13900000041', role: 'worker' })).json().code).toBe('REGION_REQUIRED')
    expect((await grant(office, { phone: '13900000041', role: 'worker', regionCode: '3299' })).json().code).toBe('REGION_TOO_WIDE')
    expect((await grant(office, { phone: '13900000049', role: 'worker', regionCode: '329901001' })).json().code).toBe('USER_NOT_FOUND')

    const ok = await grant(office, { phone: '13900000041', role: 'worker', regionCode: '329901001' })
    expect(ok.statusCode).toBe(201)
    expect(ok.json()).toMatchObject({ role: 'worker', regionCode: '329901001', regionName: '湖滨街道' })
    expect((await grant(office, { phone: '13900000041', role: 'worker', regionCode: '329901001' })).json().code).toBe('ROLE_ALREADY_GRANTED')

    const newWorker = await t.login('13900000041')
    const me = (await t.as(newWorker, { method: 'GET', url: '/api/v1/me' })).json()
    expect(me.roles.map((r: { role: string }) => r.role)).toEqual(['resident', 'worker'])
    const work = () => t.as(newWorker, { method: 'GET', url: '/api/v1/reports/work' })
    expect((await work()).statusCode).toBe(200)

    const list = await t.as(office, { method: 'GET', url: '/api/v1/admin/roles?regionCode=329901001' })
    expect(list.json().items.map((g: { id: number }) => g.id)).toContain(ok.json().id)

    expect((await t.as(worker, { method: 'DELETE', url: `/api/v1/admin/roles/${ok.json().id}` })).statusCode).toBe(403)
    expect((await t.as(office, { method: 'DELETE', url: `/api/v1/admin/roles/${ok.json().id}` })).statusCode).toBe(204)
    expect((await t.as(office, { method: 'DELETE', url: `/api/v1/admin/roles/${ok.json().id}` })).json().code).toBe('GRANT_NOT_FOUND')
    const after = (await t.as(newWorker, { method: 'GET', url: '/api/v1/me' })).json()
    expect(after.roles.map((r: { role: string }) => r.role)).toEqual(['resident'])
    // the remembered caller is forgotten with the grant: the very next request is refused
    expect((await work()).statusCode).toBe(403)

    const audits = await t.ctx.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE target = $1 ORDER BY id`, [`user:${me.id}`])
    expect(audits.map((a) => a.action)).toEqual(['role.grant', 'role.revoke'])
  })

  it('the last office user cannot be revoked', async () => {
    const office = await t.login(DEMO_ACCOUNTS.office.phone)
    const list = (await t.as(office, { method: 'GET', url: '/api/v1/admin/roles' })).json().items
    const own = list.find((g: { role: string }) => g.role === 'office')
    const r = await t.as(office, { method: 'DELETE', url: `/api/v1/admin/roles/${own.id}` })
    expect(r.json().code).toBe('LAST_OFFICE_USER')
  })
})

// Two API processes on one database, Redis in between: what one process changes, the other stops remembering.
const twoProcesses = process.env.REDIS_URL ? describe : describe.skip
twoProcesses('signed-in callers across two API processes (Redis)', () => {
  type Proc = { app: FastifyInstance; rt: Runtime }
  let a: Proc
  let b: Proc
  const start = async (): Promise<Proc> => {
    const rt = await createRuntime(t.ctx.config, t.ctx.db, { bus: redisBus(process.env.REDIS_URL!), sms: t.ctx.sms, wechat: t.ctx.wechat })
    return { rt, app: await buildApp(rt.ctx) }
  }
  beforeAll(async () => {
    a = await start()
    b = await start()
  })
  afterAll(async () => {
    for (const p of [a, b]) {
      await p.app.close()
      await p.rt.close()
    }
  })
  const on = (p: Proc, token: string, opts: InjectOptions) => p.app.inject({ ...opts, headers: { authorization: `Bearer ${token}` } })
  const settle = () => new Promise((r) => setTimeout(r, 300))

  it('sign-out in one process is refused by the other at once', async () => {
    const token = await t.login('13900000061')
    expect((await on(b, token, { method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200) // now remembered by B
    expect((await on(a, token, { method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204)
    await settle()
    expect((await on(b, token, { method: 'GET', url: '/api/v1/me' })).json().code).toBe('INVALID_TOKEN')
  })

  it('a revoked worker role stops working in the other process', async () => {
    const office = await t.login(DEMO_ACCOUNTS.office.phone)
    await t.login('13900000062')
    const g = await on(a, office, { method: 'POST', url: '/api/v1/admin/roles', payload: { phone: '13900000062', role: 'worker', regionCode: '329901001' } })
    expect(g.statusCode).toBe(201)
    const token = await t.login('13900000062')
    expect((await on(b, token, { method: 'GET', url: '/api/v1/reports/work' })).statusCode).toBe(200)
    expect((await on(a, office, { method: 'DELETE', url: `/api/v1/admin/roles/${g.json().id}` })).statusCode).toBe(204)
    await settle()
    expect((await on(b, token, { method: 'GET', url: '/api/v1/reports/work' })).statusCode).toBe(403)
  })
})

describe('rate limits', () => {
  it('sign-in endpoints refuse an address that guesses too often, in our error shape', async () => {
    const limited = await createTestApp({ seed: false, config: { authRateLimitPerMinute: 3 } })
    try {
      const codes: number[] = []
      for (let i = 0; i < 5; i++) {
        const r = await limited.app.inject({ method: 'POST', url: '/api/v1/auth/sms/verify', payload: { phone: '13900000051', code: '123456' } })
        codes.push(r.statusCode)
        if (r.statusCode === 429) expect(r.json()).toMatchObject({ code: 'RATE_LIMITED' })
      }
      expect(codes).toEqual([400, 400, 400, 429, 429])
    } finally {
      await limited.close()
    }
  })
})

import { Writable } from 'node:stream'
import { buildApp } from '../../server/app'
import { createRuntime } from '../../server/bootstrap'
import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../../server/config'
import { DatabaseModeError, DEMO_ACCOUNTS, claimDatabaseMode, retireDemo, seedDemo } from '../../server/seed/demo'
import { grantOfficeFromConsole } from '../../server/modules/accounts/service'
import { createTestApp, type TestApp } from '../helpers/app'
import { createTestDb } from '../helpers/db'
import type { Db } from '../../server/db/types'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ seed: false, config: { authRateLimitPerMinute: 3 } })
})
afterAll(() => t.close())

const count = async (t: { ctx: TestApp['ctx'] }, sql: string, params: unknown[] = []) => (await t.ctx.db.one<{ n: number }>(sql, params))!.n

describe('demo accounts live only in a demo database', () => {
  const demoUsers = `SELECT count(*)::int AS n FROM users WHERE phone = ANY($1::text[])`
  const phones = Object.values(DEMO_ACCOUNTS).map((a) => a.phone)
  // one database for the block, made new before each test: no marker, no users
  let db: Db
  let drop: () => Promise<void>
  beforeAll(async () => {
    ({ db, drop } = await createTestDb())
  })
  afterAll(() => drop())
  beforeEach(async () => {
    await db.exec('DELETE FROM instance_settings; DELETE FROM users')
  })

  it('a database first started without demo mode refuses demo mode and the demo seed, and gets no demo account', async () => {
    await claimDatabaseMode(db, false)
    await expect(claimDatabaseMode(db, true)).rejects.toThrow(DatabaseModeError)
    await expect(claimDatabaseMode(db, true)).rejects.toThrow(/DEMO=1/)
    const runtime = await createRuntime({ ...loadConfig({}), demo: true }, db)
    try {
      await expect(seedDemo(runtime.ctx)).rejects.toThrow(DatabaseModeError)
    } finally {
      await runtime.close()
    }
    expect((await db.one<{ n: number }>(demoUsers, [phones]))!.n).toBe(0)
    expect((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM regions'))!.n).toBe(0)
    await claimDatabaseMode(db, false) // its own mode still starts
  })

  it('a demo database refuses to start without demo mode, with what to do', async () => {
    await claimDatabaseMode(db, true)
    await expect(claimDatabaseMode(db, false)).rejects.toThrow(/演示库.*DATABASE_URL.*DATA_DIR/)
    await claimDatabaseMode(db, true)
  })

  it('a database from before the marker is judged by what it holds', async () => {
    // created by an earlier npm start in demo mode: the demo accounts are there
    await db.query(`INSERT INTO users (phone, nickname) VALUES ($1, '演示创文办'), ('13912345678', '居民5678')`, [DEMO_ACCOUNTS.office.phone])
    await expect(claimDatabaseMode(db, false)).rejects.toThrow(DatabaseModeError)
    await db.exec('DELETE FROM instance_settings; DELETE FROM users')
    // real residents and no demo account: a real database, whatever mode its next start asks for
    await db.query(`INSERT INTO users (phone, nickname) VALUES ('13912345678', '居民5678')`)
    await expect(claimDatabaseMode(db, true)).rejects.toThrow(DatabaseModeError)
    await claimDatabaseMode(db, false)
  })

  it('two processes starting at once in different modes: one mode wins, the other start is refused', async () => {
    const outcomes = await Promise.allSettled([claimDatabaseMode(db, true), claimDatabaseMode(db, false), claimDatabaseMode(db, true), claimDatabaseMode(db, false)])
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2)
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DatabaseModeError)
    expect((await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM instance_settings WHERE key = 'demo'`))!.n).toBe(1)
  })
})

describe('npm run demo:retire: a demo database that real people came to use becomes real', () => {
  it('the demo accounts lose roles, sessions and numbers; the number signs in as a plain resident; real users keep theirs', async () => {
    const d = await createTestApp()
    try {
      const office = await d.login(DEMO_ACCOUNTS.office.phone)
      const real = await d.login('13912340001')
      const r = await retireDemo(d.ctx.db)
      expect(r).toEqual({ accounts: 3, grants: 2, sessions: 1 })
      await claimDatabaseMode(d.ctx.db, false)
      await expect(claimDatabaseMode(d.ctx.db, true)).rejects.toThrow(DatabaseModeError)
      await expect(retireDemo(d.ctx.db)).rejects.toThrow(/已经是正式库/)
      expect(await count(d, `SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id
                             WHERE u.nickname LIKE '%已停用的演示账号' AND s.revoked_at IS NULL`)).toBe(0)
      expect(await count(d, `SELECT count(*)::int AS n FROM role_grants WHERE revoked_at IS NULL`)).toBe(0)
      // whoever holds the number now is a new resident, not the 创文办
      const again = await d.login(DEMO_ACCOUNTS.office.phone)
      expect(again).not.toBe(office)
      const me = await d.as(again, { method: 'GET', url: '/api/v1/me' })
      expect(me.json().roles.map((x: { role: string }) => x.role)).toEqual(['resident'])
      expect(me.json().nickname).not.toContain('演示')
      expect((await d.as(real, { method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200)
    } finally {
      await d.close()
    }
  })
})

describe('npm run office:grant: the first 创文办 user of a real database', () => {
  it('is granted from the console to someone who signed in once, audited without an actor, once', async () => {
    const phone = '13912340099'
    await expect(grantOfficeFromConsole(t.ctx, phone)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' })
    const token = await t.login(phone)
    expect((await t.as(token, { method: 'GET', url: '/api/v1/admin/roles' })).statusCode).toBe(403) // remembered as a resident
    const g = await grantOfficeFromConsole(t.ctx, phone)
    expect(g).toMatchObject({ role: 'office', regionCode: null, grantedBy: null })
    expect((await t.as(token, { method: 'GET', url: '/api/v1/admin/roles' })).statusCode).toBe(200)
    await expect(grantOfficeFromConsole(t.ctx, phone)).rejects.toMatchObject({ code: 'ROLE_ALREADY_GRANTED' })
    expect(await count(t, `SELECT count(*)::int AS n FROM audit_log WHERE action = 'role.grant' AND actor_id IS NULL AND target = $1`, [`user:${g.userId}`])).toBe(1)
  })
})

describe('X-Forwarded-For is believed only from configured proxies', () => {
  // the same database, with the configuration a start with TRUST_PROXY (and a limit of 2) would have
  const appWith = async (trustProxy: Config['trustProxy']) => {
    const app = await buildApp({ ...t.ctx, config: { ...t.ctx.config, authRateLimitPerMinute: 2, trustProxy } })
    await app.ready()
    return app
  }
  const send = (app: FastifyInstance, phone: string, remoteAddress: string, xff?: string) => app.inject({
    method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone }, remoteAddress, headers: xff ? { 'x-forwarded-for': xff } : {},
  })
  const storedIp = async (phone: string) =>
    (await t.ctx.db.one<{ ip: string }>('SELECT requester_ip AS ip FROM sms_codes WHERE phone = $1', [phone]))!.ip

  it('by default a spoofed header neither escapes the per-address sign-in limit nor is stored', async () => {
    const codes: number[] = []
    for (let i = 0; i < 5; i++) codes.push((await send(t.app, `1390000070${i}`, '198.51.100.9', `203.0.113.${i + 1}`)).statusCode)
    expect(codes).toEqual([200, 200, 200, 429, 429])
    expect(await storedIp('13900000700')).toBe('198.51.100.9')
    expect(await count(t, `SELECT count(*)::int AS n FROM sms_codes WHERE requester_ip LIKE '203.0.113.%'`)).toBe(0)
  })

  const cases: Array<[string, Config['trustProxy'], number]> = [['its address', ['10.0.0.2'], 1], ['a CIDR', ['10.0.0.0/8'], 2], ['one hop', 1, 3]]
  for (const [label, trustProxy, n] of cases) {
    it(`TRUST_PROXY set to ${label}: the client address from the proxy is counted and stored`, async () => {
      const app = await appWith(trustProxy)
      try {
        // two clients behind the proxy: each has its own budget
        const a = [0, 1, 2].map((i) => `1390${n}00071${i}`)
        const b = [0, 1, 2].map((i) => `1390${n}00072${i}`)
        const codesA: number[] = []
        const codesB: number[] = []
        for (let i = 0; i < 3; i++) {
          codesA.push((await send(app, a[i], '10.0.0.2', '203.0.113.7')).statusCode)
          codesB.push((await send(app, b[i], '10.0.0.2', '203.0.113.8')).statusCode)
        }
        expect(codesA).toEqual([200, 200, 429])
        expect(codesB).toEqual([200, 200, 429])
        expect(await storedIp(a[0])).toBe('203.0.113.7')
        expect(await storedIp(b[0])).toBe('203.0.113.8')
        // a client that sends its own header through the proxy is still seen as the address the proxy appended
        expect((await send(app, `1390${n}000730`, '10.0.0.2', '192.0.2.1, 203.0.113.9')).statusCode).toBe(200)
        expect(await storedIp(`1390${n}000730`)).toBe('203.0.113.9')
      } finally {
        await app.close()
      }
    })
  }

  it('TRUST_PROXY names a proxy: another peer\'s header is ignored', async () => {
    const app = await appWith(['10.0.0.2'])
    try {
      expect((await send(app, '13900000740', '198.51.100.9', '203.0.113.7')).statusCode).toBe(200)
      expect(await storedIp('13900000740')).toBe('198.51.100.9')
    } finally {
      await app.close()
    }
  })
})

describe('CORS', () => {
  const origin = 'http://localhost:10086'

  it('a preflight from an allowed origin allows every method the API uses', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await t.app.inject({
        method: 'OPTIONS', url: '/api/v1/me',
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
      })
      expect(r.statusCode).toBe(204)
      expect(r.headers['access-control-allow-origin']).toBe(origin)
      expect(String(r.headers['access-control-allow-methods']).split(/,\s*/)).toContain(method)
      expect(String(r.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization')
    }
  })

  it('a PATCH from an allowed origin carries the header; another origin gets none', async () => {
    const token = await t.login('13900000750')
    const ok = await t.as(token, { method: 'PATCH', url: '/api/v1/me', headers: { origin }, payload: { nickname: '跨域' } })
    expect(ok.statusCode).toBe(200)
    expect(ok.headers['access-control-allow-origin']).toBe(origin)
    const pre = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/me', headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' } })
    expect(pre.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('request log', () => {
  it('shows no credential sent in a query string, on any route', async () => {
    const lines: string[] = []
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done() } })
    const app = await buildApp(t.ctx, { logger: { level: 'info', stream } })
    try {
      await app.ready()
      const live = await app.inject({ method: 'GET', url: '/api/v1/live/AB12CD/ws?token=TOKENVALUE1234' })
      expect(live.statusCode).toBeLessThan(500)
      await app.inject({ method: 'GET', url: '/open311/v2/requests.json?api_key=APIKEYVALUE&status=open' })
      await app.inject({ method: 'GET', url: '/api/v1/nowhere?access_token=ACCESSVALUE&signature=SIGVALUE' })
      const log = lines.join('')
      expect(log).toContain('/api/v1/live/AB12CD/ws?token=[REDACTED]')
      expect(log).toContain('/open311/v2/requests.json?api_key=[REDACTED]&status=open')
      for (const secret of ['TOKENVALUE1234', 'APIKEYVALUE', 'ACCESSVALUE', 'SIGVALUE']) expect(log).not.toContain(secret)
    } finally {
      await app.close()
    }
  })
})

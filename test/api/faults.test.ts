import crypto from 'node:crypto'
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app'
import { createRuntime, type Runtime } from '../../server/bootstrap'
import { loadConfig, type Config } from '../../server/config'
import { AppError } from '../../server/errors'
import { openPostgres } from '../../server/db/postgres'
import type { Db } from '../../server/db/types'
import { demoSms } from '../../server/platform/sms'
import { createTestApp, type TestApp } from '../helpers/app'
import { adminUrl } from '../helpers/db-global-setup'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy'

/**
 * PostgreSQL and Redis taken away and given back under a running app, through a TCP forwarder in front of each (the
 * engines themselves keep running for the other tests): requests fail fast with 503 + Retry-After and a code, never
 * hang and never 500; /ready says so; everything works again once the engine is back, with no restart.
 */

const NO_JOBS: Config['jobs'] = { outboxMs: 0, photoSweepMs: 0, quizSweepMs: 0, ratesMs: 0, volunteerReminderMs: 0, bulletinMs: 0, surveyOpeningMs: 0, surveyCountsMs: 0 }
const phone = () => `139${String(crypto.randomInt(0, 1e8)).padStart(8, '0')}`

async function until(what: string, check: () => Promise<boolean>, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`gave up waiting for: ${what}`)
}

const dbUrl = process.env.DATABASE_URL
;(dbUrl ? describe : describe.skip)('PostgreSQL out of reach', () => {
  let proxy: TcpProxy
  let db: Db
  let runtime: Runtime
  let app: FastifyInstance
  let name: string
  const sendCode = () => app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone: phone() } })

  beforeAll(async () => {
    name = `civiclink_t_${crypto.randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: dbUrl })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${process.env.CIVICLINK_TEST_TEMPLATE_DB}`)
    await admin.end()
    const target = new URL(dbUrl!)
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432))
    const via = new URL(adminUrl(dbUrl!, name))
    via.hostname = '127.0.0.1'
    via.port = String(proxy.port)
    db = openPostgres(via.toString(), 4, { connectMs: 500, statementMs: 1500 })
    const config: Config = { ...loadConfig({}), demo: true, rateLimitPerMinute: 100_000, authRateLimitPerMinute: 100_000, jobs: NO_JOBS }
    runtime = await createRuntime(config, db, { sms: demoSms() })
    app = await buildApp(runtime.ctx)
    await app.ready()
  })

  afterAll(async () => {
    await app?.close()
    await runtime?.close()
    await db?.close()
    await proxy?.close()
    const admin = new pg.Client({ connectionString: dbUrl })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  })

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while the server is down or silent, and recovers by itself', async () => {
    expect((await sendCode()).statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/api/v1/ready' })).statusCode).toBe(200)

    proxy.cut()
    const refused = await sendCode()
    expect(refused.statusCode).toBe(503)
    expect(refused.headers['retry-after']).toBe('5')
    expect(refused.json()).toEqual({ code: 'DATABASE_UNAVAILABLE', message: '数据库暂时无法连接，请稍后再试' })
    const ready = await app.inject({ method: 'GET', url: '/api/v1/ready' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE', ready: false, database: { kind: 'postgres', ready: false }, redis: { ready: true } })
    // liveness stays up: restarting API processes would not bring the database back
    const health = await app.inject({ method: 'GET', url: '/api/v1/health' })
    expect(health.statusCode).toBe(200)
    expect(health.json().database.ready).toBe(false)

    // a server that accepts and never answers (a partition): bounded by the connect timeout, not hanging
    proxy.blackhole()
    const silent = await sendCode()
    expect(silent.statusCode).toBe(503)
    expect(silent.json().code).toBe('DATABASE_UNAVAILABLE')

    proxy.restore()
    await until('requests succeed again', async () => (await sendCode()).statusCode === 200)
    expect((await app.inject({ method: 'GET', url: '/api/v1/ready' })).statusCode).toBe(200)
  })

  it('a connection cut inside a transaction gives 503 and the pool serves the next request on a new connection', async () => {
    const inTx = db.transaction(async (tx) => {
      await tx.query('SELECT 1')
      proxy.cut()
      await tx.query('SELECT 2')
    })
    await expect(inTx).rejects.toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' })
    proxy.restore()
    await until('the pool reconnects', async () => (await db.one('SELECT 1 AS ok').catch(() => undefined)) !== undefined)
  })

  it('a statement running past DATABASE_STATEMENT_TIMEOUT_MS is cancelled: 503 DATABASE_BUSY', async () => {
    const err = await db.query('SELECT pg_sleep(5)').catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ status: 503, code: 'DATABASE_BUSY' })
    expect(await db.one('SELECT 1 AS ok')).toEqual({ ok: 1 })
  })
})

const redisUrl = process.env.REDIS_URL
;(redisUrl ? describe : describe.skip)('Redis out of reach', () => {
  let proxy: TcpProxy
  let t: TestApp

  beforeAll(async () => {
    const target = new URL(redisUrl!)
    proxy = await startTcpProxy(target.hostname, Number(target.port || 6379))
    const via = new URL(redisUrl!)
    via.hostname = '127.0.0.1'
    via.port = String(proxy.port)
    t = await createTestApp({ config: { redisUrl: via.toString(), jobs: NO_JOBS }, seed: false })
  })

  afterAll(async () => {
    await t?.close()
    await proxy?.close()
  })

  it('readiness turns 503, publishing fails fast with REDIS_UNAVAILABLE, other requests go on; all recovers', async () => {
    const channel = `faults:${crypto.randomUUID()}`
    const got: unknown[] = []
    await t.ctx.bus.subscribe(channel, (m) => got.push(m))
    let resubscribed = 0
    t.ctx.bus.onResubscribed(() => resubscribed++)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/ready' })).json()).toMatchObject({ ready: true, redis: { kind: 'redis', ready: true } })

    proxy.cut()
    await until('readiness reports Redis', async () => (await t.app.inject({ method: 'GET', url: '/api/v1/ready' })).statusCode === 503)
    const ready = (await t.app.inject({ method: 'GET', url: '/api/v1/ready' })).json()
    expect(ready).toMatchObject({ code: 'REDIS_UNAVAILABLE', redis: { ready: false }, database: { ready: true } })
    await expect(t.ctx.bus.publish(channel, { n: 1 })).rejects.toMatchObject({ status: 503, code: 'REDIS_UNAVAILABLE' })
    // the rate limiter's count lives in Redis: without it requests pass uncounted rather than fail
    const send = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone: phone() } })
    expect(send.statusCode).toBe(200)

    proxy.restore()
    await until('readiness is back', async () => (await t.app.inject({ method: 'GET', url: '/api/v1/ready' })).statusCode === 200)
    await until('the subscriber is back', async () => resubscribed > 0)
    await until('messages flow again', async () => {
      await t.ctx.bus.publish(channel, { n: 2 }).catch(() => undefined)
      return got.length > 0
    })
    expect(got[0]).toEqual({ n: 2 })
  })
})

import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../server/app'
import { createRuntime } from '../../server/bootstrap'
import { JOB_INTERVAL_VARS, loadConfig, type Config } from '../../server/config'
import type { AppContext } from '../../server/context'
import { demoSms } from '../../server/platform/sms'
import { DEMO_ACCOUNTS, seedDemo } from '../../server/seed/demo'
import { createTestDb } from './db'

export interface TestApp {
  app: FastifyInstance
  ctx: AppContext
  /** Signs a phone in through the real SMS flow (demo adapter) and returns its bearer token. */
  login: (phone: string) => Promise<string>
  /** inject with a bearer token. */
  as: (token: string, opts: InjectOptions) => Promise<LightMyRequestResponse>
  /** A new resident (a phone of its own, signed in), living in `community` unless null. */
  resident: (community: string | null) => Promise<{ token: string; id: number; phone: string }>
  close: () => Promise<void>
}

export interface TestAppOptions {
  config?: Partial<Config>
  overrides?: Partial<AppContext>
  /** Seed the demo city and demo accounts (default true). */
  seed?: boolean
  /** Serve dist/h5 at / (browser tests). */
  serveH5?: boolean
}

export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const { db, drop } = await createTestDb()
  // job intervals as the test file set them in process.env (0 = the test drives the job itself)
  const jobEnv = Object.fromEntries(JOB_INTERVAL_VARS.map((k) => [k, process.env[k]]))
  const config: Config = { ...loadConfig(jobEnv), demo: true, rateLimitPerMinute: 100_000, authRateLimitPerMinute: 100_000, ...opts.config }
  const runtime = await createRuntime(config, db, { sms: demoSms(), ...opts.overrides })
  if (opts.seed !== false) await seedDemo(runtime.ctx)
  const app = await buildApp(runtime.ctx, { serveH5: opts.serveH5 })
  await app.ready()
  const login = async (phone: string) => {
    const sent = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone } })
    if (sent.statusCode === 429 && sent.json().code === 'SMS_TOO_FREQUENT') {
      // the resend window: take the code straight from a fresh row instead of waiting a minute
      await db.query(`UPDATE sms_codes SET created_at = created_at - interval '2 minutes' WHERE phone = $1`, [phone])
      return login(phone)
    }
    if (sent.statusCode !== 200) throw new Error(`sending a code failed: ${sent.body}`)
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/verify', payload: { phone, code: sent.json().demoCode } })
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`)
    return res.json().token as string
  }
  const as = (token: string, o: InjectOptions) => app.inject({ ...o, headers: { ...(o.headers ?? {}), authorization: `Bearer ${token}` } })
  let residents = 0
  const resident = async (community: string | null) => {
    const phone = `1376${String(++residents).padStart(7, '0')}`
    const token = await login(phone)
    if (community) {
      const moved = await as(token, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: community } })
      if (moved.statusCode !== 200) throw new Error(`moving to ${community} failed: ${moved.body}`)
    }
    return { token, id: (await as(token, { method: 'GET', url: '/api/v1/me' })).json().id as number, phone }
  }
  return {
    app,
    ctx: runtime.ctx,
    login,
    as,
    resident,
    close: async () => {
      await app.close()
      await runtime.close()
      await drop()
    },
  }
}

export { DEMO_ACCOUNTS }

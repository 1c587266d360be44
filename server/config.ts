import path from 'node:path'

/** Everything the server reads from the environment, parsed once. README lists each variable. */
export interface Config {
  port: number
  host: string
  /** postgres://… selects a PostgreSQL server; unset means the embedded PGlite database. */
  databaseUrl?: string
  /** Connections per API process to the PostgreSQL server. */
  databasePoolSize: number
  dataDir: string
  redisUrl?: string
  demo: boolean
  /** H5 build served at / when present. */
  h5Dir: string
  corsOrigins: string[]
  logLevel: string
  sessionDays: number
  /** How long a process remembers a signed-in caller (0: look the session up on every request). */
  callerCacheSeconds: number
  wechat: { baseUrl: string; appId: string; secret: string }
  sms: { gatewayUrl?: string; gatewayToken?: string }
  rateLimitPerMinute: number
  /** Per address, on the sign-in endpoints (guessing is what they invite). */
  authRateLimitPerMinute: number
  bodyLimitBytes: number
  /** Daily practice (每日练习) attempts a person may start per Asia/Shanghai day. */
  quizPracticePerDay: number
}

function bool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt
  return ['1', 'true', 'yes', 'on'].includes(v.toLowerCase())
}

function int(v: string | undefined, dflt: number): number {
  const n = v ? Number.parseInt(v, 10) : NaN
  return Number.isFinite(n) ? n : dflt
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const root = path.resolve(__dirname, '..')
  const dataDir = path.resolve(env.DATA_DIR || path.join(root, 'data'))
  return {
    port: int(env.PORT, 3000),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: int(env.DATABASE_POOL_SIZE, 20),
    dataDir,
    redisUrl: env.REDIS_URL || undefined,
    demo: bool(env.DEMO, false),
    h5Dir: path.resolve(env.H5_DIR || path.join(root, 'dist', 'h5')),
    corsOrigins: (env.CORS_ORIGINS || 'http://localhost:10086,http://127.0.0.1:10086')
      .split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: env.LOG_LEVEL || 'info',
    sessionDays: int(env.SESSION_DAYS, 30),
    callerCacheSeconds: int(env.CALLER_CACHE_SECONDS, 10),
    wechat: {
      baseUrl: env.WECHAT_API_BASE || 'https://api.weixin.qq.com',
      appId: env.WECHAT_APPID || '',
      secret: env.WECHAT_SECRET || '',
    },
    sms: { gatewayUrl: env.SMS_GATEWAY_URL || undefined, gatewayToken: env.SMS_GATEWAY_TOKEN || undefined },
    rateLimitPerMinute: int(env.RATE_LIMIT_PER_MINUTE, 600),
    authRateLimitPerMinute: int(env.AUTH_RATE_LIMIT_PER_MINUTE, 20),
    bodyLimitBytes: int(env.BODY_LIMIT_BYTES, 256 * 1024),
    quizPracticePerDay: Math.max(1, int(env.QUIZ_PRACTICE_PER_DAY, 10)),
  }
}

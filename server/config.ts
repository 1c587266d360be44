import crypto from 'node:crypto'
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
  /** Origin of the absolute URLs the server hands out (Open311 media_url, discovery): never taken from request headers. */
  publicBaseUrl: string
  /** Photos are served through links signed with this secret (HMAC), valid for ttlSeconds. */
  photoLinks: { secret: string; ttlSeconds: number }
  /** What an Open311 read without an API key with read access gets: coordinates rounded to this many decimals, photos or not. */
  open311Public: { coordDecimals: number; photos: boolean }
}

function bool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt
  return ['1', 'true', 'yes', 'on'].includes(v.toLowerCase())
}

function int(v: string | undefined, dflt: number): number {
  const n = v ? Number.parseInt(v, 10) : NaN
  return Number.isFinite(n) ? n : dflt
}

function baseUrl(v: string | undefined, host: string, port: number): string {
  const local = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`
  let url: URL
  try {
    url = new URL(v || local)
  } catch {
    throw new Error(`PUBLIC_BASE_URL 不是合法的地址：${v}`)
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash) throw new Error(`PUBLIC_BASE_URL 须为 http(s)://主机[:端口][/路径]：${v}`)
  return url.href.replace(/\/+$/, '')
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const root = path.resolve(__dirname, '..')
  const dataDir = path.resolve(env.DATA_DIR || path.join(root, 'data'))
  const port = int(env.PORT, 3000)
  const host = env.HOST || '0.0.0.0'
  return {
    port,
    host,
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
    publicBaseUrl: baseUrl(env.PUBLIC_BASE_URL, host, port),
    // unset: a secret of this process (links stop working at restart; several processes need the same one)
    photoLinks: { secret: env.PHOTO_URL_SECRET || crypto.randomBytes(32).toString('hex'), ttlSeconds: Math.max(60, int(env.PHOTO_URL_TTL_SECONDS, 900)) },
    open311Public: { coordDecimals: Math.min(6, Math.max(0, int(env.OPEN311_PUBLIC_COORD_DECIMALS, 3))), photos: bool(env.OPEN311_PUBLIC_PHOTOS, false) },
  }
}

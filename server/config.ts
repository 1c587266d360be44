import net from 'node:net'
import crypto from 'node:crypto'
import path from 'node:path'
import { ROOT } from './paths'

/** Everything the server reads from the environment, parsed once. README lists each variable. */
export interface Config {
  port: number
  host: string
  /** postgres://… selects a PostgreSQL server; unset means the embedded PGlite database. */
  databaseUrl?: string
  /** Connections per API process to the PostgreSQL server. */
  databasePoolSize: number
  /** A PostgreSQL replica for dashboards and exports (ctx.readDb); unset: those reads go to databaseUrl. */
  databaseReadUrl?: string
  /** How long a request waits for a connection, and the longest statement, before it fails with 503 (never hangs). */
  databaseTimeouts: { connectMs: number; queueMs: number; statementMs: number }
  /** SIGTERM: how long in-flight requests and job runs may take before the process exits anyway. */
  shutdownGraceMs: number
  /** Where photos live: files under dataDir (one machine), or an S3-compatible bucket shared by every process. */
  storage: StorageConfig
  /** Bearer token of GET /metrics (Prometheus); unset: /metrics does not exist. */
  metricsToken?: string
  dataDir: string
  redisUrl?: string
  /** Codes shown on the page, demo accounts: never beside a real SMS gateway or WeChat appid (demoMode). */
  demo: boolean
  /** In demo mode, also the two months of history (off for benchmarks that bring their own data). */
  demoHistory: boolean
  /** H5 build served at / when present. */
  h5Dir: string
  corsOrigins: string[]
  /** Whose X-Forwarded-For to believe: nobody (false), the nearest N hops, or these addresses/CIDRs. */
  trustProxy: false | number | string[]
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
  /** Distinct residents whose 举报 hide a report from residents until a reviewer decides. */
  flagHideThreshold: number
  /** Origin of the absolute URLs the server hands out (Open311 media_url, discovery): never taken from request headers. */
  publicBaseUrl: string
  /** Photos are served through links signed with this secret (HMAC), valid for ttlSeconds. */
  photoLinks: { secret: string; ttlSeconds: number }
  /** What an Open311 read without an API key with read access gets: coordinates rounded to this many decimals, photos or not. */
  open311Public: { coordDecimals: number; photos: boolean }
  /** Daily practice (每日练习) attempts a person may start per Asia/Shanghai day. */
  quizPracticePerDay: number
  /** Volunteer duty: the check-in code's secret and step, the share of a shift that earns hours, the no-show block. */
  volunteers: {
    codeSecret: string; codeStepSeconds: number; creditRatio: number; noShowLimit: number; noShowWindowDays: number; noShowBlockDays: number
    /** The shift reminder goes out this many hours before the start. */
    reminderLeadHours: number
    /** Public certificate checks per address per minute (the numbers are random; this bounds trying them). */
    certificateChecksPerMinute: number
  }
  /**
   * 一天一通报: generated for yesterday once the day's `time` (Asia/Shanghai, minutes after midnight) has passed; after
   * downtime, missed days back to `catchUpDays` are generated. How often it is checked: jobs.bulletinMs.
   */
  bulletin: { time: string; minuteOfDay: number; catchUpDays: number; templateId: string }
  /** How often each background job runs, in ms (0 turns a job off in this process); see server/jobs.ts. */
  jobs: JobIntervals
}

export interface JobIntervals {
  /** the subscribe-message sender (OUTBOX_INTERVAL_MS) */
  outboxMs: number
  /** removing photos uploaded but never attached within 24 h (PHOTO_SWEEP_INTERVAL_MS) */
  photoSweepMs: number
  /** closing quiz attempts past their time (QUIZ_SWEEP_INTERVAL_MS) */
  quizSweepMs: number
  /** counting new answers into the rates (RATES_INTERVAL_MS) */
  ratesMs: number
  /** the day-before shift reminders (VOLUNTEER_REMINDER_INTERVAL_MS) */
  volunteerReminderMs: number
  /** checking whether the daily bulletin is due (BULLETIN_INTERVAL_MS) */
  bulletinMs: number
  /** subscribe messages for surveys whose window has started (SURVEY_OPENING_INTERVAL_MS) */
  surveyOpeningMs: number
  /** adding new survey responses to the counts the results read (SURVEY_COUNTS_INTERVAL_MS; reads are exact meanwhile) */
  surveyCountsMs: number
}

/** The environment variables that set job intervals (tests pass these through to their own configs). */
export const JOB_INTERVAL_VARS = [
  'OUTBOX_INTERVAL_MS', 'PHOTO_SWEEP_INTERVAL_MS', 'QUIZ_SWEEP_INTERVAL_MS', 'RATES_INTERVAL_MS', 'VOLUNTEER_REMINDER_INTERVAL_MS', 'BULLETIN_INTERVAL_MS',
  'SURVEY_OPENING_INTERVAL_MS', 'SURVEY_COUNTS_INTERVAL_MS',
] as const

function jobIntervals(env: NodeJS.ProcessEnv): JobIntervals {
  const ms = (v: string | undefined, dflt: number) => Math.max(0, int(v, dflt))
  return {
    outboxMs: ms(env.OUTBOX_INTERVAL_MS, 5000),
    photoSweepMs: ms(env.PHOTO_SWEEP_INTERVAL_MS, 3_600_000),
    quizSweepMs: ms(env.QUIZ_SWEEP_INTERVAL_MS, 60_000),
    ratesMs: ms(env.RATES_INTERVAL_MS, 3000),
    volunteerReminderMs: ms(env.VOLUNTEER_REMINDER_INTERVAL_MS, 300_000),
    bulletinMs: ms(env.BULLETIN_INTERVAL_MS, 60_000),
    surveyOpeningMs: ms(env.SURVEY_OPENING_INTERVAL_MS, 60_000),
    surveyCountsMs: ms(env.SURVEY_COUNTS_INTERVAL_MS, 1000),
  }
}

export type StorageConfig =
  | { kind: 'local' }
  | { kind: 's3'; bucket: string; endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean; prefix: string; presign: boolean }

/**
 * STORAGE_URL=s3://bucket[/prefix]?endpoint=https://…&region=…&forcePathStyle=1 (credentials from S3_ACCESS_KEY_ID /
 * S3_SECRET_ACCESS_KEY, never in a URL that ends up in logs), or the S3_* variables one by one; neither: local files.
 */
function storageConfig(env: NodeJS.ProcessEnv): StorageConfig {
  const raw = (env.STORAGE_URL ?? '').trim()
  if ((raw === '' || raw === 'local') && !env.S3_BUCKET) return { kind: 'local' }
  if (!raw && env.S3_BUCKET && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(env.S3_BUCKET)) throw new ConfigError(`S3_BUCKET 不是合法的桶名：${env.S3_BUCKET}`)
  let bucket = env.S3_BUCKET ?? ''
  let prefix = ''
  let params = new URLSearchParams()
  if (raw && raw !== 'local') {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw new ConfigError(`STORAGE_URL 不是合法的地址：${raw}（应为 s3://桶名?endpoint=https://…）`)
    }
    if (url.protocol !== 's3:' || !url.hostname) throw new ConfigError(`STORAGE_URL 须为 s3://桶名[/前缀]?endpoint=…&region=…：${raw}`)
    if (url.username || url.password) throw new ConfigError('STORAGE_URL 里不要写密钥：用 S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY')
    bucket = url.hostname
    prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '')
    params = url.searchParams
  }
  const endpoint = params.get('endpoint') || env.S3_ENDPOINT || undefined
  if (endpoint && !/^https?:\/\//.test(endpoint)) throw new ConfigError(`S3 endpoint 须为 http(s):// 地址：${endpoint}`)
  const pathStyle = params.get('forcePathStyle') ?? env.S3_FORCE_PATH_STYLE
  return {
    kind: 's3',
    bucket,
    prefix: prefix ? `${prefix}/` : '',
    endpoint,
    region: params.get('region') || env.S3_REGION || 'us-east-1',
    accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
    // MinIO and s3rver address buckets by path; COS, OSS and AWS by host name
    forcePathStyle: bool(pathStyle, Boolean(endpoint)),
    // photo links redirect to a presigned GET (bytes straight from the store) instead of streaming through the app
    presign: bool(params.get('presign') ?? env.S3_PRESIGN, false),
  }
}

/** A configuration the server must not start with; the message names the variables. */
export class ConfigError extends Error {}

function bool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt
  return ['1', 'true', 'yes', 'on'].includes(v.toLowerCase())
}

function int(v: string | undefined, dflt: number): number {
  const n = v ? Number.parseInt(v, 10) : NaN
  return Number.isFinite(n) ? n : dflt
}

/**
 * DEMO unset: on only where npm start asks for it (CIVICLINK_DEMO_DEFAULT) and no real gateway or appid is
 * configured, so that configuring one turns demo off. DEMO=1 beside one is refused rather than guessed at.
 */
function demoMode(env: NodeJS.ProcessEnv): boolean {
  const real = ['SMS_GATEWAY_URL', 'WECHAT_APPID'].filter((k) => env[k])
  if (env.DEMO === undefined || env.DEMO === '') return bool(env.CIVICLINK_DEMO_DEFAULT, false) && real.length === 0
  const demo = bool(env.DEMO, false)
  if (demo && real.length > 0) {
    throw new ConfigError(`DEMO=1（演示模式：验证码直接显示在页面上，任何人都能登录演示账号）不能与 ${real.join('、')} 同时设置。` +
      `生产环境请去掉 DEMO；演示请去掉 ${real.join('、')}。`)
  }
  return demo
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal']

/** TRUST_PROXY: unset/false = none; a hop count; or comma-separated addresses, CIDRs or proxy-addr's names. */
function trustProxy(v: string | undefined): Config['trustProxy'] {
  const s = (v ?? '').trim()
  if (s === '' || ['0', 'false', 'no', 'off'].includes(s.toLowerCase())) return false
  if (/^\d+$/.test(s)) return Number(s)
  const list = s.split(',').map((x) => x.trim()).filter(Boolean)
  const bad = list.filter((x) => {
    const [addr, bits, ...rest] = x.split('/')
    if (PROXY_NAMES.includes(x)) return false
    const family = net.isIP(addr)
    if (!family || rest.length > 0) return true
    return bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128))
  })
  if (bad.length > 0 || list.length === 0) {
    throw new ConfigError(`TRUST_PROXY 无法识别：${bad.join('、') || s}。应为代理的跳数（如 1）或逗号分隔的地址/网段（如 10.0.0.1,172.16.0.0/12）；` +
      '不信任任何代理时不设置')
  }
  return list
}

/** BULLETIN_TIME: HH:MM, Asia/Shanghai. */
function bulletinTime(v: string | undefined): { time: string; minuteOfDay: number } {
  const s = (v ?? '').trim() || '08:00'
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s)
  if (!m) throw new ConfigError(`BULLETIN_TIME 应为北京时间的 时:分（如 08:00）：${v}`)
  return { time: `${m[1].padStart(2, '0')}:${m[2]}`, minuteOfDay: Number(m[1]) * 60 + Number(m[2]) }
}

function baseUrl(v: string | undefined, host: string, port: number): string {
  const local = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`
  let url: URL
  try {
    url = new URL(v || local)
  } catch {
    throw new ConfigError(`PUBLIC_BASE_URL 不是合法的地址：${v}`)
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash) throw new ConfigError(`PUBLIC_BASE_URL 须为 http(s)://主机[:端口][/路径]：${v}`)
  return url.href.replace(/\/+$/, '')
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const root = ROOT
  const dataDir = path.resolve(env.DATA_DIR || path.join(root, 'data'))
  const port = int(env.PORT, 3000)
  const host = env.HOST || '0.0.0.0'
  if (env.DATABASE_READ_URL && !env.DATABASE_URL) throw new ConfigError('DATABASE_READ_URL（只读副本）需要同时设置 DATABASE_URL（主库）')
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: int(env.DATABASE_POOL_SIZE, 20),
    databaseReadUrl: env.DATABASE_READ_URL || undefined,
    databaseTimeouts: {
      connectMs: Math.max(100, int(env.DATABASE_CONNECT_TIMEOUT_MS, 3000)),
      queueMs: Math.max(100, int(env.DATABASE_QUEUE_TIMEOUT_MS, 15_000)),
      statementMs: Math.max(0, int(env.DATABASE_STATEMENT_TIMEOUT_MS, 30_000)),
    },
    shutdownGraceMs: Math.max(0, int(env.SHUTDOWN_GRACE_MS, 10_000)),
    storage: storageConfig(env),
    metricsToken: env.METRICS_TOKEN || undefined,
    dataDir,
    redisUrl: env.REDIS_URL || undefined,
    demo: demoMode(env),
    demoHistory: bool(env.DEMO_HISTORY, true),
    h5Dir: path.resolve(env.H5_DIR || path.join(root, 'dist', 'h5')),
    corsOrigins: (env.CORS_ORIGINS || 'http://localhost:10086,http://127.0.0.1:10086')
      .split(',').map((s) => s.trim()).filter(Boolean),
    trustProxy: trustProxy(env.TRUST_PROXY),
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
    flagHideThreshold: Math.max(1, int(env.FLAG_HIDE_THRESHOLD, 3)),
    publicBaseUrl: baseUrl(env.PUBLIC_BASE_URL, host, port),
    // unset: a secret of this process (links stop working at restart; several processes need the same one)
    photoLinks: { secret: env.PHOTO_URL_SECRET || crypto.randomBytes(32).toString('hex'), ttlSeconds: Math.max(60, int(env.PHOTO_URL_TTL_SECONDS, 900)) },
    // unset: a secret of this process (codes shown by one process are refused by another; several need the same one)
    volunteers: {
      codeSecret: env.VOLUNTEER_CODE_SECRET || crypto.randomBytes(32).toString('hex'),
      codeStepSeconds: 30,
      creditRatio: Math.min(1, Math.max(0.01, Number(env.VOLUNTEER_CREDIT_RATIO) || 0.6)),
      noShowLimit: Math.max(1, int(env.VOLUNTEER_NOSHOW_LIMIT, 3)),
      noShowWindowDays: Math.max(1, int(env.VOLUNTEER_NOSHOW_WINDOW_DAYS, 90)),
      noShowBlockDays: Math.max(0, int(env.VOLUNTEER_NOSHOW_BLOCK_DAYS, 30)),
      reminderLeadHours: Math.min(72, Math.max(1, int(env.VOLUNTEER_REMINDER_LEAD_HOURS, 24))),
      certificateChecksPerMinute: Math.max(1, int(env.VOLUNTEER_CERTIFICATE_CHECKS_PER_MINUTE, 20)),
    },
    open311Public: { coordDecimals: Math.min(6, Math.max(0, int(env.OPEN311_PUBLIC_COORD_DECIMALS, 3))), photos: bool(env.OPEN311_PUBLIC_PHOTOS, false) },
    quizPracticePerDay: Math.max(1, int(env.QUIZ_PRACTICE_PER_DAY, 10)),
    bulletin: {
      ...bulletinTime(env.BULLETIN_TIME),
      catchUpDays: Math.min(31, Math.max(1, int(env.BULLETIN_CATCHUP_DAYS, 7))),
      templateId: env.BULLETIN_SUBSCRIBE_TEMPLATE_ID || 'demo-rates-bulletin',
    },
    jobs: jobIntervals(env),
  }
}

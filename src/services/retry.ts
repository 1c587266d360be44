/**
 * When may a failed request be sent again, and after how long? Pure functions, no Taro: unit-tested in
 * test/unit/retry.test.ts.
 *
 * Only requests that are safe to repeat are retried: GET/PUT/DELETE (idempotent by HTTP's definition),
 * or any request carrying an Idempotency-Key (the server answers a repeat with the first result).
 * And only when repeating can help: the network failed, a gateway said 502/503/504, or the server asked
 * us to slow down (429).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export const RETRY_BASE_MS = 300
export const RETRY_FACTOR = 3
export const MAX_RETRIES = 3
/** Never wait longer than this between two attempts, even when the server asks for more. */
export const RETRY_MAX_DELAY_MS = 10_000

const RETRYABLE_STATUS = new Set([429, 502, 503, 504])

export function isIdempotent(method: string, idempotencyKey?: string | null): boolean {
  const m = method.toUpperCase()
  return m === 'GET' || m === 'PUT' || m === 'DELETE' || m === 'HEAD' || m === 'OPTIONS' || !!idempotencyKey
}

export interface AttemptOutcome {
  method: string
  idempotencyKey?: string | null
  /** HTTP status, or undefined when no response arrived (network failure, timeout). */
  status?: number
  /** How many retries were already made (0 after the first attempt). */
  retriesSoFar: number
  maxRetries?: number
}

export function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || RETRYABLE_STATUS.has(status)
}

export function shouldRetry(o: AttemptOutcome): boolean {
  const max = o.maxRetries ?? MAX_RETRIES
  if (o.retriesSoFar >= max) return false
  if (!isIdempotent(o.method, o.idempotencyKey)) return false
  return isRetryableStatus(o.status)
}

/**
 * Delay before retry number `retry` (0-based): 300 ms, 900 ms, 2.7 s … each jittered to 80–120 %
 * so that many phones coming back after an outage do not all knock at once. A Retry-After (seconds)
 * from the server is honoured when it is longer, capped at RETRY_MAX_DELAY_MS.
 */
export function backoffDelay(retry: number, random: () => number = Math.random, retryAfterSeconds?: number): number {
  const base = RETRY_BASE_MS * RETRY_FACTOR ** Math.max(0, retry)
  const jittered = base * (0.8 + 0.4 * clamp01(random()))
  const asked = retryAfterSeconds && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : 0
  return Math.round(Math.min(RETRY_MAX_DELAY_MS, Math.max(jittered, asked)))
}

/** Parses a Retry-After header given in seconds; HTTP dates and junk give undefined. */
export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const n = Number(value)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0.5
}

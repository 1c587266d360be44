import { backoffDelay, isIdempotent, parseRetryAfter, shouldRetry, RETRY_MAX_DELAY_MS } from '../../src/services/retry'

describe('isIdempotent', () => {
  it.each(['GET', 'get', 'PUT', 'DELETE'])('%s is idempotent', (m) => expect(isIdempotent(m)).toBe(true))
  it.each(['POST', 'PATCH'])('%s is not, without a key', (m) => expect(isIdempotent(m)).toBe(false))
  it('POST with an Idempotency-Key is', () => expect(isIdempotent('POST', 'k-1')).toBe(true))
  it('an empty key does not count', () => expect(isIdempotent('POST', '')).toBe(false))
})

describe('shouldRetry', () => {
  it('retries GET on network failure and on 502/503/504/429', () => {
    for (const status of [undefined, 502, 503, 504, 429]) expect(shouldRetry({ method: 'GET', status, retriesSoFar: 0 })).toBe(true)
  })
  it('does not retry client errors or 500', () => {
    for (const status of [400, 401, 403, 404, 409, 422, 500]) expect(shouldRetry({ method: 'GET', status, retriesSoFar: 0 })).toBe(false)
  })
  it('never retries a plain POST or PATCH, even on network failure', () => {
    expect(shouldRetry({ method: 'POST', retriesSoFar: 0 })).toBe(false)
    expect(shouldRetry({ method: 'PATCH', status: 503, retriesSoFar: 0 })).toBe(false)
  })
  it('retries a POST that carries an Idempotency-Key', () => {
    expect(shouldRetry({ method: 'POST', idempotencyKey: 'abc', status: 503, retriesSoFar: 1 })).toBe(true)
  })
  it('stops after the maximum number of retries', () => {
    expect(shouldRetry({ method: 'GET', retriesSoFar: 2 })).toBe(true)
    expect(shouldRetry({ method: 'GET', retriesSoFar: 3 })).toBe(false)
    expect(shouldRetry({ method: 'GET', retriesSoFar: 0, maxRetries: 0 })).toBe(false)
  })
})

describe('backoffDelay', () => {
  it('grows 300 → 900 → 2700 ms at the middle of the jitter', () => {
    const mid = () => 0.5
    expect([0, 1, 2].map((r) => backoffDelay(r, mid))).toEqual([300, 900, 2700])
  })
  it('jitters within 80–120 %', () => {
    expect(backoffDelay(1, () => 0)).toBe(720)
    expect(backoffDelay(1, () => 1)).toBe(1080)
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(2)
      expect(d).toBeGreaterThanOrEqual(2160)
      expect(d).toBeLessThanOrEqual(3240)
    }
  })
  it('honours a longer Retry-After, capped', () => {
    expect(backoffDelay(0, () => 0.5, 2)).toBe(2000)
    expect(backoffDelay(0, () => 0.5, 0.1)).toBe(300)
    expect(backoffDelay(0, () => 0.5, 3600)).toBe(RETRY_MAX_DELAY_MS)
    expect(backoffDelay(9, () => 1)).toBe(RETRY_MAX_DELAY_MS)
  })
  it('survives a broken random source', () => {
    expect(backoffDelay(0, () => NaN)).toBe(300)
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds', () => {
    expect(parseRetryAfter('5')).toBe(5)
    expect(parseRetryAfter(3)).toBe(3)
  })
  it('ignores dates and junk', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
    expect(parseRetryAfter('-1')).toBeUndefined()
  })
})

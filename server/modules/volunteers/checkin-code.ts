import crypto from 'node:crypto'

/**
 * The worker's rotating check-in code: a token that names the shift and a time step, signed with the server's
 * secret (HMAC-SHA256), and a 6-digit code derived from the same pair for typing where no camera is at hand
 * (RFC 4226's dynamic truncation). Nothing is stored: any process with the secret checks either. A code is good
 * for its own step and the one before, so that one shown just before a step ends still works when typed.
 */
export interface CodeConfig {
  codeSecret: string
  codeStepSeconds: number
}

export const stepAt = (c: CodeConfig, nowMs: number) => Math.floor(nowMs / 1000 / c.codeStepSeconds)

const mac = (c: CodeConfig, purpose: string, shiftId: number, step: number) =>
  crypto.createHmac('sha256', c.codeSecret).update(`volunteer-${purpose}:${shiftId}:${step}`).digest()

export function tokenFor(c: CodeConfig, shiftId: number, step: number): string {
  return `${shiftId}.${step}.${mac(c, 'token', shiftId, step).subarray(0, 16).toString('base64url')}`
}

export function codeFor(c: CodeConfig, shiftId: number, step: number): string {
  const h = mac(c, 'code', shiftId, step)
  const off = h[h.length - 1] & 0x0f
  const n = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3]
  return String(n % 1_000_000).padStart(6, '0')
}

export type CodeCheck = 'ok' | 'invalid' | 'other_shift' | 'expired'

const equal = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b))

export function checkToken(c: CodeConfig, shiftId: number, token: string, nowMs: number): CodeCheck {
  const m = /^(\d{1,16})\.(\d{1,16})\.([A-Za-z0-9_-]{22})$/.exec(token)
  if (!m) return 'invalid'
  const [tShift, tStep] = [Number(m[1]), Number(m[2])]
  if (!equal(tokenFor(c, tShift, tStep), token)) return 'invalid'
  if (tShift !== shiftId) return 'other_shift'
  const now = stepAt(c, nowMs)
  return tStep === now || tStep === now - 1 ? 'ok' : 'expired'
}

export function checkCode(c: CodeConfig, shiftId: number, code: string, nowMs: number): CodeCheck {
  const now = stepAt(c, nowMs)
  return equal(codeFor(c, shiftId, now), code) || equal(codeFor(c, shiftId, now - 1), code) ? 'ok' : 'invalid'
}

/** Great-circle distance in metres. GCJ-02 shifts WGS-84 by a smoothly varying offset, so two GCJ-02 points a few
 *  hundred metres apart are as far apart as their WGS-84 originals to well under a metre. */
export function distanceM(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)))
}

/**
 * Dates a client may send, checked as real ones before anything reaches the database or a stream: PostgreSQL has
 * no year 0 and JavaScript rolls 2026-02-31 over to March, so a pattern alone lets both through.
 * The range (1970 to the end of 9999) holds every date this service means, and every one both sides can store.
 */
const MIN_MS = Date.UTC(1970, 0, 1)
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** YYYY-MM-DD naming a day that exists, 1970–9999. */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (y < 1970) return false
  const t = new Date(Date.UTC(y, mo - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d
}

const INSTANT = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/

/** An RFC 3339 date-time (with Z or an offset) whose date and time exist and whose instant lies in 1970–9999; else null. */
export function parseInstant(s: string): Date | null {
  const m = INSTANT.exec(s)
  if (!m || !isCalendarDate(m[1])) return null
  if (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59) return null
  if (m[5] !== undefined && (Number(m[5]) > 23 || Number(m[6]) > 59)) return null
  const t = Date.parse(s.replace(' ', 'T'))
  return Number.isFinite(t) && t >= MIN_MS && t <= MAX_MS ? new Date(t) : null
}

export const isInstant = (s: string): boolean => parseInstant(s) !== null

import { badRequest } from '../errors'
import { parseInstant } from './dates'

/**
 * Keyset cursors, one codec for every list: the position is a tuple of instants and row ids, sent as base64url
 * JSON. A cursor is taken back only if it is exactly what encode() would have produced — anything crafted
 * (a date out of range, an id beyond bigint, a non-number, other padding) is 400 CURSOR_INVALID, never a query.
 */
type Kind = 'instant' | 'id'
type Value<K extends Kind> = K extends 'instant' ? Date : number
type Values<K extends readonly Kind[]> = { [I in keyof K]: K[I] extends Kind ? Value<K[I]> : never }

const invalid = () => badRequest('CURSOR_INVALID', '分页游标无效，请从第一页重新加载')

export function cursorCodec<const K extends readonly Kind[]>(...kinds: K) {
  const encode = (values: Values<K>): string =>
    Buffer.from(JSON.stringify((values as readonly unknown[]).map((v, i) => (kinds[i] === 'instant' ? new Date(v as Date).toISOString() : v)))).toString('base64url')

  const decode = (cursor: string | undefined): Values<K> | null => {
    if (cursor === undefined || cursor === '') return null
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw invalid()
    let raw: unknown
    try {
      raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    } catch {
      throw invalid()
    }
    if (!Array.isArray(raw) || raw.length !== kinds.length) throw invalid()
    const out = raw.map((v, i) => {
      if (kinds[i] === 'id') {
        if (!Number.isSafeInteger(v) || (v as number) < 1) throw invalid()
        return v as number
      }
      const at = typeof v === 'string' ? parseInstant(v) : null
      if (!at) throw invalid()
      return at
    }) as unknown as Values<K>
    if (encode(out) !== cursor) throw invalid()
    return out
  }
  return { encode, decode }
}

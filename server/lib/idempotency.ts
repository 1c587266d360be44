import type { Db, Queryable } from '../db/types'
import { badRequest, conflict } from '../errors'

export interface StoredResponse<T> {
  status: number
  body: T
  replayed: boolean
}

const KEY_RE = /^[A-Za-z0-9_.:-]{8,100}$/

export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined
  if (!KEY_RE.test(key)) throw badRequest('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key 格式不正确（8–100 位字母、数字或 _.:-）')
  return key
}

/**
 * Runs a write once per (user, Idempotency-Key). The key row is inserted in the same transaction as the
 * write: a concurrent retry blocks on that row until the first commits, then replays the stored response;
 * if the first rolled back, the retry does the write itself.
 */
export async function once<T>(
  db: Db,
  userId: number,
  key: string | undefined,
  route: string,
  work: (tx: Queryable) => Promise<{ status: number; body: T }>,
): Promise<StoredResponse<T>> {
  if (!key) {
    const r = await db.transaction(work)
    return { ...r, replayed: false }
  }
  return db.transaction(async (tx) => {
    const claimed = await tx.one(
      `INSERT INTO idempotency_keys (user_id, key, route) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`,
      [userId, key, route],
    )
    if (!claimed) {
      const prior = await tx.one<{ route: string; status: number | null; response: T }>(
        'SELECT route, status_code AS status, response FROM idempotency_keys WHERE user_id = $1 AND key = $2',
        [userId, key],
      )
      if (!prior || prior.route !== route) throw conflict('IDEMPOTENCY_KEY_REUSED', '该 Idempotency-Key 已用于另一个请求')
      if (prior.status === null) throw conflict('IDEMPOTENCY_IN_PROGRESS', '相同的请求正在处理中，请稍后重试')
      return { status: prior.status, body: prior.response, replayed: true }
    }
    const r = await work(tx)
    await tx.query('UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE user_id = $1 AND key = $2', [
      userId,
      key,
      r.status,
      JSON.stringify(r.body),
    ])
    return { ...r, replayed: false }
  })
}

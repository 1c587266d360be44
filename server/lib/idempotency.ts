import { badRequest } from '../errors'

/** What a write acknowledged: its status and body, and whether this answer is the replay of an earlier one. */
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

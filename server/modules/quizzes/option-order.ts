import crypto from 'node:crypto'
import type { AppContext } from '../../context'
import { optionKeyRow, type QuestionRow } from './queries'

/**
 * The order in which an attempt (or a live session) shows a question's options. The bank's order gives answers
 * away (the right option is often B, often the longest…), so every attempt gets its own: a permutation drawn
 * from HMAC(key, scope:question) — the key is the server's (migration 0010), the scope names the attempt or the
 * live session. Nothing is stored per attempt and nothing is read to grade: the same inputs give the same order
 * on every API process, for the result page and the 错题本 long after.
 *
 * Answers travel in shown positions (what the person tapped); the database keeps bank indexes, so that the
 * 错题本 and the figures do not depend on anyone's order.
 */

/** An attempt of a campaign or a practice has its own order; a live attempt has its session's. */
export function orderScope(a: { id: number; kind: string; liveSessionId?: number | null }): string {
  return a.kind === 'live' && a.liveSessionId ? liveScope(a.liveSessionId) : `attempt:${a.id}`
}

export const liveScope = (sessionId: number) => `live:${sessionId}`

/**
 * order[i] is the bank index of the option shown at position i. True/false questions keep 正确、错误: the
 * words carry the meaning, and their order tells nothing.
 */
export function optionOrder(key: string, scope: string, q: { id: number; kind: string; options: string[] }): number[] {
  const order = q.options.map((_, i) => i)
  if (q.kind === 'judge' || order.length < 2) return order
  const bytes = crypto.createHmac('sha256', key).update(`${scope}:${q.id}`).digest()
  // Fisher–Yates on 32-bit draws (at most 6 options: 5 draws of the 8 a digest holds)
  for (let i = order.length - 1, k = 0; i > 0; i--, k += 4) {
    const j = bytes.readUInt32BE(k) % (i + 1)
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  return order
}

/** The question as shown in that order: options reordered, the answer in shown positions. */
export function shownQuestion(r: QuestionRow, order: number[]): QuestionRow {
  return { ...r, options: order.map((i) => r.options[i]), answer: toShown(order, r.answer) }
}

/** Shown positions (what was tapped) → bank indexes. Positions must have been checked against the option count. */
export function toBank(order: number[], shown: number[]): number[] {
  return shown.map((p) => order[p]).sort((a, b) => a - b)
}

/** Bank indexes → shown positions. */
export function toShown(order: number[], bank: number[]): number[] {
  return bank.map((i) => order.indexOf(i)).filter((p) => p >= 0).sort((a, b) => a - b)
}

const keys = new WeakMap<AppContext, Promise<string>>()

/**
 * The server's key, read once per process. Asked for before a transaction opens: on PGlite a read through ctx.db
 * waits for an open transaction to end.
 */
export function optionKey(ctx: AppContext): Promise<string> {
  let k = keys.get(ctx)
  if (!k) {
    k = optionKeyRow(ctx.db).then((r) => {
      if (!r) throw new Error('quiz_option_key is empty (migration 0010)')
      return r.key
    })
    k.catch(() => keys.delete(ctx))
    keys.set(ctx, k)
  }
  return k
}

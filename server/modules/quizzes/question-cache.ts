import type { AppContext } from '../../context'
import { questionPool, QUESTIONS_CHANGED as CHANGED } from './draw-pool'
import * as q from './queries'

/**
 * Questions by id, kept per API process: every submission grades against the questions its attempt drew, and
 * those rows are read far more often than they change. A change to a question (edit, retire) is announced with
 * questionsChanged(), which every process hears on the bus; entries also age out after a few minutes.
 */
class QuestionCache {
  private readonly rows = new Map<number, { row: q.QuestionRow; until: number }>()

  constructor(private readonly ctx: AppContext, private readonly ttlMs = 300_000, private readonly max = 20_000) {
    void ctx.bus.subscribe(CHANGED, (m) => this.drop((m as { ids: number[] }).ids))
  }

  async get(ids: number[]): Promise<Map<number, q.QuestionRow>> {
    const now = Date.now()
    const out = new Map<number, q.QuestionRow>()
    const missing: number[] = []
    for (const id of ids) {
      const e = this.rows.get(id)
      if (e && e.until > now) out.set(id, e.row)
      else missing.push(id)
    }
    if (missing.length) {
      for (const row of await q.questionsByIds(this.ctx.db, missing)) {
        if (this.rows.size >= this.max) this.rows.delete(this.rows.keys().next().value as number)
        this.rows.set(row.id, { row, until: now + this.ttlMs })
        out.set(row.id, row)
      }
    }
    return out
  }

  drop(ids: number[]): void {
    for (const id of ids) this.rows.delete(id)
  }
}

const caches = new WeakMap<AppContext, QuestionCache>()

export function questionCache(ctx: AppContext): QuestionCache {
  let c = caches.get(ctx)
  if (!c) {
    c = new QuestionCache(ctx)
    caches.set(ctx, c)
  }
  return c
}

/**
 * After questions were changed, retired, restored or added (no ids needed for those): forgotten here at once and in
 * the other API processes when the bus delivers; the draw pool (draw-pool.ts) is read again.
 */
export async function questionsChanged(ctx: AppContext, ids: number[]): Promise<void> {
  questionCache(ctx).drop(ids)
  questionPool(ctx).stale()
  await ctx.bus.publish(CHANGED, { ids }).catch(() => undefined)
}

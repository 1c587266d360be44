import type { AppContext } from '../../context'
import * as q from './queries'

/** Bus channel: questions were added or changed (question-cache.ts questionsChanged). */
export const QUESTIONS_CHANGED = 'quiz-questions:changed'

export interface Candidate { id: number; tags: string[]; difficulty: number; regionCode: string | null }
export interface DrawSpec { chain: string[]; count: number; tagMix: Array<{ tag: string; count: number }>; difficulties: number[] }

/** k of `from`, each k-subset equally likely (a partial Fisher–Yates; `from` is reordered). */
function sample<T>(from: T[], k: number, random: () => number): T[] {
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (from.length - i))
    ;[from[i], from[j]] = [from[j], from[i]]
  }
  return from.slice(0, k)
}

/**
 * The questions of one attempt, as the bank's ORDER BY random() draw took them: per tag of the mix its count from
 * the eligible questions carrying the tag (not yet drawn), then the rest from all eligible ones, in random order.
 * Eligible: active (the pool holds only those), of one of the difficulties, city-wide or of a region in `chain`.
 * Null when the pool holds too few.
 */
export function drawFrom(pool: readonly Candidate[], spec: DrawSpec, random: () => number = Math.random): number[] | null {
  const eligible = pool.filter((c) => spec.difficulties.includes(c.difficulty) && (c.regionCode === null || spec.chain.includes(c.regionCode)))
  const taken = new Set<number>()
  for (const m of spec.tagMix) {
    const withTag = eligible.filter((c) => !taken.has(c.id) && c.tags.includes(m.tag))
    if (withTag.length < m.count) return null
    for (const c of sample(withTag, m.count, random)) taken.add(c.id)
  }
  const rest = spec.count - taken.size
  if (rest > 0) {
    const others = eligible.filter((c) => !taken.has(c.id))
    if (others.length < rest) return null
    for (const c of sample(others, rest, random)) taken.add(c.id)
  }
  const ids = [...taken]
  return sample(ids, ids.length, random)
}

/**
 * The active questions (what a draw needs of them: id, tags, difficulty, region), kept per API process so that
 * starting an attempt draws in memory instead of sorting the bank by random() in the database. It is a hint: the
 * statement that records the attempt checks the drawn questions against the bank (still active, of the
 * difficulties and regions), and a draw it refuses, or one the pool is too small for, reloads the pool first.
 * Any change to the bank (questionsChanged, on the bus for the other processes) marks it stale; it also ages out.
 */
class QuestionPool {
  private rows: Promise<Candidate[]> | null = null
  private loadedAt = 0

  constructor(private readonly ctx: AppContext, private readonly ttlMs = 60_000) {
    void ctx.bus.subscribe(QUESTIONS_CHANGED, () => this.stale())
  }

  async draw(spec: DrawSpec, fresh = false): Promise<number[] | null> {
    if (fresh || !this.rows || Date.now() - this.loadedAt > this.ttlMs) this.load()
    const ids = drawFrom(await this.rows!, spec)
    // too few: perhaps questions were added since the pool was read
    if (ids === null && !fresh) return this.draw(spec, true)
    return ids
  }

  stale(): void {
    this.rows = null
  }

  private load(): void {
    this.loadedAt = Date.now()
    const rows = q.drawPool(this.ctx.db)
    // a failed read is not kept
    rows.catch(() => { if (this.rows === rows) this.rows = null })
    this.rows = rows
  }
}

const pools = new WeakMap<AppContext, QuestionPool>()

export function questionPool(ctx: AppContext): QuestionPool {
  let p = pools.get(ctx)
  if (!p) {
    p = new QuestionPool(ctx)
    pools.set(ctx, p)
  }
  return p
}

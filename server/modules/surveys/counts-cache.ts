import type { AppContext } from '../../context'
import * as q from './queries'

type CountRow = Awaited<ReturnType<typeof q.countSummary>>[number]

/** A survey's counts summed over shards and, for the results, over communities; `total` its responses in them. */
export interface CountSummary {
  total: number
  /** per `${questionId}|${rowKey}|${value}`, over all communities */
  byValue: Map<string, { n: number; numSum: number; others: number }>
  /** per `${questionId}|${rowKey}`: per community (null: none) and value */
  byCommunity: Map<string, Array<{ grp: string | null; value: string; n: number }>>
}

export type PairSummary = NonNullable<Awaited<ReturnType<typeof q.pairCounts>>>

function summarize(rows: CountRow[]): CountSummary {
  const out: CountSummary = { total: 0, byValue: new Map(), byCommunity: new Map() }
  for (const r of rows) {
    if (r.questionId === 0) {
      out.total += r.n
      continue
    }
    const k = `${r.questionId}|${r.rowKey}|${r.value}`
    const v = out.byValue.get(k)
    if (v) {
      v.n += r.n
      v.numSum += r.numSum
      v.others += r.others
    } else out.byValue.set(k, { n: r.n, numSum: r.numSum, others: r.others })
    const g = `${r.questionId}|${r.rowKey}`
    const list = out.byCommunity.get(g) ?? []
    list.push({ grp: r.community === '' ? null : r.community, value: r.value, n: r.n })
    out.byCommunity.set(g, list)
  }
  return out
}

/**
 * The counts the results and cross-tabs read (issue 11: a survey with 100,000 responses summed thousands of count
 * rows, 8 shards × communities, on every read), kept per API process and checked on every read against the survey's
 * response total, one indexed sum over its per-community response counts. That check is exact, in this process and
 * in any other: what a summary holds — the kept counts plus the responses not counted yet, counted as they are read
 * (migration 0036) — only grows, and only by a batch that records at least one response, in the transaction that
 * adds that response to the total; the counting job moves responses from the one part to the other without changing
 * the sum. So a total unchanged since the summary was read means no figure changed, and any commit that adds to a
 * figure changes it. A summary and its total are read in one statement, so they describe the same commits. No
 * message is needed on the submission path, and none can be missed.
 */
class SurveyCounts {
  private readonly summaries = new Map<number, CountSummary>()
  private readonly pairs = new Map<string, PairSummary>()

  constructor(private readonly ctx: AppContext, private readonly max = 200) {}

  async summary(surveyId: number): Promise<CountSummary> {
    const kept = this.summaries.get(surveyId)
    if (kept && kept.total === (await q.responseCount(this.ctx.db, surveyId))) return kept
    const fresh = summarize(await q.countSummary(this.ctx.db, surveyId))
    this.keep(this.summaries, surveyId, fresh)
    return fresh
  }

  /** A tracked pair's counts; undefined when the pair is not counted yet (nothing kept then). */
  async pair(surveyId: number, p: q.Pair): Promise<PairSummary | undefined> {
    const key = `${surveyId}|${p.questionId}|${p.rowKey}|${p.byQuestionId}|${p.byRowKey}`
    const kept = this.pairs.get(key)
    if (kept && kept.total === (await q.responseCount(this.ctx.db, surveyId))) return kept
    const fresh = await q.pairCounts(this.ctx.db, surveyId, p)
    if (fresh) this.keep(this.pairs, key, fresh)
    return fresh
  }

  private keep<K, V>(map: Map<K, V>, key: K, value: V): void {
    map.delete(key)
    if (map.size >= this.max) map.delete(map.keys().next().value as K)
    map.set(key, value)
  }
}

const caches = new WeakMap<AppContext, SurveyCounts>()

export function surveyCounts(ctx: AppContext): SurveyCounts {
  let c = caches.get(ctx)
  if (!c) {
    c = new SurveyCounts(ctx)
    caches.set(ctx, c)
  }
  return c
}

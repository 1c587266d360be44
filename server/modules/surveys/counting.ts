import type { AppContext } from '../../context'
import * as q from './queries'

/**
 * Responses folded in per transaction: a backlog (after a restart, say) goes in steps that hold few locks briefly. On
 * PGlite, whose one connection serves every request, a step also keeps the requests waiting behind it: smaller steps
 * let them in between.
 */
const perRun = (ctx: AppContext) => (ctx.db.kind === 'pglite' ? 200 : 2000)

/**
 * One run of the counting job (server/jobs.ts): the responses noted by their submissions (survey_uncounted, migration
 * 0036) added to the counts, a step at a time, until none is left. Reads are exact before and after; what this saves
 * is the submission's work: ~66 count rows updated once a second instead of once per batch. How many it folded in.
 */
export async function foldSurveyCounts(ctx: AppContext): Promise<number> {
  const step = perRun(ctx)
  let total = 0
  for (;;) {
    const n = await q.foldCounts(ctx.db, step)
    total += n
    if (n < step) return total
  }
}

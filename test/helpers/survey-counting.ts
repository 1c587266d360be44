import type { AppContext } from '../../server/context'
import { foldSurveyCounts } from '../../server/modules/surveys/counting'

/**
 * Every noted response of the survey folded into survey_counts. The app's own counting job may be folding some at the
 * same moment (its notes are skipped here while it holds them), so this folds and looks again until none is left.
 */
export async function foldAllCounts(ctx: AppContext, surveyId: number): Promise<void> {
  for (;;) {
    await foldSurveyCounts(ctx)
    const left = await ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey_uncounted WHERE survey_id = $1', [surveyId])
    if (left!.n === 0) return
    await new Promise((resolve) => setImmediate(resolve))
  }
}

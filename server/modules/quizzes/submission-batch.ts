import type { AppContext } from '../../context'
import { StatementBatcher } from '../../lib/statement-batch'
import type { GradingRules } from './grading'
import * as q from './queries'

/**
 * Quiz submissions that arrive together are recorded by one statement (server/lib/statement-batch.ts): one round
 * trip and one commit for all of them, each answered only after that commit, a failed batch sent again one by one.
 */
const batchers = new WeakMap<AppContext, StatementBatcher<q.Submission, q.RecordOutcome>>()

export function submissionBatcher(ctx: AppContext, rules: GradingRules) {
  let b = batchers.get(ctx)
  if (!b) {
    b = new StatementBatcher((items) => q.recordSubmissions(ctx.db, items, rules), ctx.db.kind === 'pglite' ? 1 : 4)
    batchers.set(ctx, b)
  }
  return { record: (s: q.Submission) => b!.write(s) }
}

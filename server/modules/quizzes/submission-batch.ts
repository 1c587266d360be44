import type { AppContext } from '../../context'
import * as q from './queries'
import { StatementBatcher } from './statement-batch'

/** Submissions that arrive together are recorded by one statement (statement-batch.ts). */
class SubmissionBatcher {
  private readonly batcher: StatementBatcher<q.Submission, q.RecordOutcome>

  constructor(ctx: AppContext, rules: q.SubmissionRules, slots: number) {
    this.batcher = new StatementBatcher((items) => q.recordSubmissions(ctx.db, items, rules), slots)
  }

  record(s: q.Submission): Promise<q.RecordOutcome> {
    return this.batcher.load(s)
  }
}

const batchers = new WeakMap<AppContext, SubmissionBatcher>()

export function submissionBatcher(ctx: AppContext, rules: q.SubmissionRules): SubmissionBatcher {
  let b = batchers.get(ctx)
  if (!b) {
    b = new SubmissionBatcher(ctx, rules, ctx.db.kind === 'pglite' ? 1 : 4)
    batchers.set(ctx, b)
  }
  return b
}

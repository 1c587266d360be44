import DataLoader from 'dataloader'
import type { AppContext } from '../../context'
import * as q from './queries'

/**
 * Submissions go to the database together when they come together. While a few statements are in flight (one on
 * PGlite, which runs one at a time anyway), the submissions that arrive wait and then leave as one statement: one
 * round trip and one commit for all of them. A quiet server sends each one at once. Every submission is answered
 * only after the statement that recorded it has committed.
 */
class SubmissionBatcher {
  private active = 0
  private readonly waiting: Array<() => void> = []
  private readonly loader: DataLoader<q.Submission, q.RecordOutcome>

  constructor(private readonly ctx: AppContext, private readonly rules: q.SubmissionRules, private readonly slots: number) {
    this.loader = new DataLoader((items) => this.send(items), {
      cache: false,
      maxBatchSize: 64,
      batchScheduleFn: (dispatch) => this.schedule(dispatch),
    })
  }

  record(s: q.Submission): Promise<q.RecordOutcome> {
    return this.loader.load(s)
  }

  private schedule(dispatch: () => void): void {
    if (this.active < this.slots) {
      this.active++
      // the submissions that arrived in the same turn of the event loop go with it
      setImmediate(dispatch)
    } else {
      this.waiting.push(dispatch)
    }
  }

  private async send(items: readonly q.Submission[]): Promise<Array<q.RecordOutcome | Error>> {
    try {
      return await q.recordSubmissions(this.ctx.db, items, this.rules)
    } catch {
      // nothing of the statement was committed: each on its own, so that a failure stays with its own submission
      return Promise.all(items.map((s) => q.recordSubmissions(this.ctx.db, [s], this.rules).then((r) => r[0], (err: Error) => err)))
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
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

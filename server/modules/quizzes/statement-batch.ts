import DataLoader from 'dataloader'

/**
 * Writes go to the database together when they come together. While a few statements are in flight (one on
 * PGlite, which runs one at a time anyway), the writes that arrive wait and then leave as one statement: one round
 * trip and one commit for all of them. A quiet server sends each one at once. Every write is answered only after
 * the statement that made it has committed. Used by submissions (submission-batch.ts) and starts (start-batch.ts).
 */
export class StatementBatcher<I, O> {
  private active = 0
  private readonly waiting: Array<() => void> = []
  private readonly loader: DataLoader<I, O>

  /** `write` answers each item, in order: its outcome, or the Error it is refused with. */
  constructor(private readonly write: (items: readonly I[]) => Promise<Array<O | Error>>, private readonly slots: number, maxBatchSize = 64) {
    this.loader = new DataLoader((items) => this.send(items), {
      cache: false,
      maxBatchSize,
      batchScheduleFn: (dispatch) => this.schedule(dispatch),
    })
  }

  load(item: I): Promise<O> {
    return this.loader.load(item)
  }

  private schedule(dispatch: () => void): void {
    if (this.active < this.slots) {
      this.active++
      // the writes that arrived in the same turn of the event loop go with it
      setImmediate(dispatch)
    } else {
      this.waiting.push(dispatch)
    }
  }

  private async send(items: readonly I[]): Promise<Array<O | Error>> {
    try {
      return await this.write(items)
    } catch {
      // nothing of the statement was committed: each on its own, so that a failure stays with its own write
      return Promise.all(items.map((s) => this.write([s]).then((r) => r[0], (err: Error) => err)))
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}

import DataLoader from 'dataloader'

/**
 * Writes go to the database together when they come together. While `slots` statements are in flight (one on
 * PGlite, which runs one at a time anyway), the writes that arrive wait and then leave as one statement: one round
 * trip and one commit for all of them. A quiet server sends each one at once. Every write is answered only after
 * the statement that recorded it has committed.
 *
 * `send` gets the items in arrival order and answers one result per item, in the same order — an Error for an item
 * refused on its own. If it throws, nothing of that statement was committed: the items go again one by one, so that a
 * failure stays with its own write. Used by report and quiz submissions, quiz starts and live answers, and for the
 * session lookups of sign-ins that are not remembered (reads, batched the same way).
 */
export class StatementBatcher<Item, Result> {
  private active = 0
  private readonly waiting: Array<() => void> = []
  private readonly loader: DataLoader<Item, Result>

  constructor(
    private readonly send: (items: readonly Item[]) => Promise<Array<Result | Error>>,
    private readonly slots: number,
    maxBatchSize = 64,
  ) {
    this.loader = new DataLoader((items) => this.dispatch(items), {
      cache: false,
      maxBatchSize,
      batchScheduleFn: (dispatch) => this.schedule(dispatch),
    })
  }

  write(item: Item): Promise<Result> {
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

  private async dispatch(items: readonly Item[]): Promise<Array<Result | Error>> {
    try {
      return await this.send(items)
    } catch (err) {
      if (items.length === 1) return [err as Error]
      return Promise.all(items.map((item) => this.send([item]).then((r) => r[0], (e: Error) => e)))
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}

import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * Marks the async work of a PGlite transaction. PGlite has one connection and its transaction holds it: a query on
 * the top-level db (or a second transaction) awaited from inside waits for the transaction, which waits for it —
 * the whole database hangs, every request after it too. Such a call fails at once instead (NESTED_DB_CALL).
 */
export const insideTransaction = new AsyncLocalStorage<true>()

export class NestedDbCallError extends Error {
  readonly code = 'NESTED_DB_CALL'
  constructor() {
    super('A top-level database call was made inside a PGlite transaction (it would wait for the transaction forever): use the transaction\'s queryable, or detach background work with detachFromTransaction().')
  }
}

/**
 * Runs fn outside the transaction context it was started in: for work that is not awaited by the transaction
 * (a background refresh noticed during a request), which may then wait for the transaction to end.
 */
export function detachFromTransaction<T>(fn: () => T): T {
  return insideTransaction.exit(fn)
}

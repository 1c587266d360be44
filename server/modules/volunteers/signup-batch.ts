import type { AppContext } from '../../context'
import { StatementBatcher } from '../../lib/statement-batch'
import * as q from './queries'

/**
 * Sign-ups that arrive together go to the database as one statement, its own transaction (server/lib/statement-batch.ts):
 * each is answered after that commit; a failed statement is sent again one sign-up at a time. When everyone wants the
 * same shift, its row lock is held once per batch rather than once per sign-up.
 */
const batchers = new WeakMap<AppContext, StatementBatcher<q.SignUpItem, q.SignUpRow>>()

export function signUpBatcher(ctx: AppContext): StatementBatcher<q.SignUpItem, q.SignUpRow> {
  let b = batchers.get(ctx)
  if (!b) {
    const c = ctx.config.volunteers
    b = new StatementBatcher((items) => q.signUpMany(ctx.db, items, c.noShowLimit, c.noShowWindowDays, c.noShowBlockDays), ctx.db.kind === 'pglite' ? 1 : 4)
    batchers.set(ctx, b)
  }
  return b
}

import type { AppContext } from '../../context'
import * as q from './queries'
import { StatementBatcher } from '../../lib/statement-batch'

/**
 * Campaign starts that arrive together (a campaign's launch: every resident at once) are recorded by one statement
 * (statement-batch.ts). A statement holds one start per person and campaign (each counts the attempts before it):
 * a second one in the same batch goes in a statement after it, and then finds the first to resume.
 */
async function record(db: AppContext['db'], items: readonly q.CampaignStart[]): Promise<q.StartOutcome[]> {
  const seen = new Set<string>()
  const first: number[] = []
  const later: number[] = []
  items.forEach((s, i) => {
    const who = `${s.campaignId}:${s.userId}`
    ;(seen.has(who) ? later : first).push(i)
    seen.add(who)
  })
  const out: q.StartOutcome[] = new Array(items.length)
  const done = await q.startCampaignAttempts(db, first.map((i) => items[i]))
  first.forEach((i, k) => { out[i] = done[k] })
  if (later.length) {
    const rest = await record(db, later.map((i) => items[i]))
    later.forEach((i, k) => { out[i] = rest[k] })
  }
  return out
}

const batchers = new WeakMap<AppContext, StatementBatcher<q.CampaignStart, q.StartOutcome>>()

export function startBatcher(ctx: AppContext): StatementBatcher<q.CampaignStart, q.StartOutcome> {
  let b = batchers.get(ctx)
  if (!b) {
    b = new StatementBatcher((items) => record(ctx.db, items), ctx.db.kind === 'pglite' ? 1 : 4)
    batchers.set(ctx, b)
  }
  return b
}

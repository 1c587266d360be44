import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import type { Dashboard } from '../../../types/rates'
import * as q from './queries'

/**
 * Dashboard answers remembered per API process, exact by construction: an answer is kept with the stamp of what it
 * was computed from — the counts' version and the targets' version (bumped in the transaction that changes them:
 * the counting job, a rebuild, a target set), a digest of the registered residents of its communities (参与率's
 * denominator) and the regions' version — and served only while one small statement (READ_SQL.countsStamp) still
 * reads the same stamp. Any process's change shows in the next read of every process, with no message between them.
 *
 * The stamp is read before the answer is computed: a change committed in between makes the answer newer than its
 * stamp, and the next read computes again; never older.
 *
 * What changes on every event, the outbox backlog (pendingEvents), is not part of the answer: read with the stamp,
 * put into the kept JSON at each read.
 */

export type DashboardBody = Omit<Dashboard, 'pendingEvents'>

export interface CachedDashboard {
  stamp: string
  body: DashboardBody
  /** The body serialized by the route once (its response schema), split where pendingEvents goes. */
  json?: [string, string]
}

/** Bounded: a city has a few thousand regions, four periods and a few dates are read. */
const MAX_ENTRIES = 2000

class DashboardCache {
  private readonly entries = new Map<string, CachedDashboard>()

  get(key: string, stamp: string): CachedDashboard | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    if (e.stamp !== stamp) {
      this.entries.delete(key)
      return undefined
    }
    // most recently used last (Map keeps insertion order)
    this.entries.delete(key)
    this.entries.set(key, e)
    return e
  }

  set(key: string, entry: CachedDashboard): void {
    this.entries.delete(key)
    this.entries.set(key, entry)
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
  }
}

const caches = new WeakMap<AppContext, DashboardCache>()

export function dashboardCache(ctx: AppContext): DashboardCache {
  let c = caches.get(ctx)
  if (!c) {
    c = new DashboardCache()
    caches.set(ctx, c)
  }
  return c
}

/**
 * The stamp of the counts, targets and registered residents `communities` are shown with, and the backlog. The counts
 * and residents are read where the dashboard reads them (ctx.readDb), the targets' version where the targets are (ctx.db).
 */
export async function readStamp(readDb: Queryable, db: Queryable, communities: string[], regionsVersion: number): Promise<{ stamp: string; pending: number }> {
  const [counts, targets] = await Promise.all([q.countsStamp(readDb, communities), readDb === db ? undefined : q.targetsStamp(db)])
  return { stamp: `${regionsVersion}|${counts.counts}|${targets ?? counts.targets}|${counts.headcount}`, pending: counts.pending }
}

const PLACEHOLDER = -1
const MARK = `"pendingEvents":${PLACEHOLDER}`

/** The answer's JSON with this read's backlog; `serialize` is the route's (reply.serialize), run once per answer. */
export function dashboardJson(entry: CachedDashboard, pendingEvents: number, serialize: (d: Dashboard) => string): string {
  if (!entry.json) {
    const s = serialize({ ...entry.body, pendingEvents: PLACEHOLDER })
    const at = s.indexOf(MARK)
    // the mark is where the schema puts the property; nothing else in the answer is written as it
    if (at < 0 || s.indexOf(MARK, at + 1) >= 0) return serialize({ ...entry.body, pendingEvents })
    entry.json = [s.slice(0, at + MARK.length - String(PLACEHOLDER).length), s.slice(at + MARK.length)]
  }
  return `${entry.json[0]}${pendingEvents}${entry.json[1]}`
}

import type { AppContext } from '../../context'
import type { Db, Queryable } from '../../db/types'
import { badRequest, notFound } from '../../errors'
import { isCalendarDate } from '../../lib/dates'
import type { Caller } from '../../lib/caller'
import type { RegionDirectory, RegionRow } from '../regions/directory'
import {
  FIGURE_NAMES, MIN_SAMPLE, RATE_FIGURES,
  type Dashboard, type DashboardQuery, type Period, type RateFigure, type Sources,
  type SourcesQuery, type TargetBody, type Trend, type TrendQuery,
} from '../../../types/rates'
import { assertCanRead, assertCanSetTargets } from './policy'
import * as q from './queries'
import { type CachedDashboard, type DashboardBody, dashboardCache, readStamp } from './read-cache'
import { communityRankings, FIGURE_INDEX, figuresOf, Grid, headline, type Layout, layoutOf, members, rank } from './figures'
import { round4 } from './wilson'

const MAX_CUSTOM_DAYS = 366

// ------------------------------------------------------------------ keeping the counts

/**
 * Applies sources: their contributions are replaced, every (figure, bucket, person) they touch is derived again from
 * the contributions, and the counts move by the difference. Applying a source twice changes nothing, so a replayed
 * or duplicated outbox row is harmless. The caller's transaction holds the applier lock.
 */
export async function applySources(tx: Queryable, sources: string[]): Promise<void> {
  const touched = await q.replaceContribs(tx, [...new Set(sources)])
  if (touched.length === 0) return
  const { old, fresh } = await q.marksToRecompute(tx, touched)
  const deltas = new Map<string, q.CountDelta>()
  const add = (m: q.Mark, sign: number) => {
    if (m.communityCode === null) return
    const key = `${m.figure}|${m.kind}|${m.start}|${m.communityCode}`
    const d = deltas.get(key) ?? { figure: m.figure, kind: m.kind, start: m.start, communityCode: m.communityCode, num: 0, den: 0 }
    d.den += sign
    if (m.favourable) d.num += sign
    deltas.set(key, d)
  }
  old.forEach((m) => add(m, -1))
  fresh.forEach((m) => add(m, +1))
  await q.writeMarks(tx, fresh)
  await q.adjustCounts(tx, [...deltas.values()].filter((d) => d.num !== 0 || d.den !== 0))
  // the marks changed even when no count did (a custom range reads them): cached dashboards are computed again
  await q.bumpReadVersion(tx, 'counts')
}

/**
 * The outbox consumer: batches of events, each batch in one transaction that applies them and deletes them — an
 * event is applied exactly once (a crash rolls both back). One applier at a time across processes (an advisory
 * lock; a second process finds it taken and leaves the work to the first). Returns how many events it applied.
 */
export async function drainOutbox(db: Db, batch = 500): Promise<number> {
  let applied = 0
  for (;;) {
    const n = await db.transaction(async (tx) => {
      if (!(await q.tryApplierLock(tx))) return 0
      const rows = await q.claimOutbox(tx, batch)
      if (rows.length === 0) return 0
      await applySources(tx, rows.map((r) => r.source))
      await q.deleteOutbox(tx, rows.map((r) => r.id))
      return rows.length
    })
    applied += n
    if (n < batch) return applied
  }
}

/** Recomputes every contribution, mark and count, and the registered residents, from the raw rows (`npm run rates:rebuild`). */
export async function rebuild(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await q.applierLock(tx)
    await q.rebuildAll(tx)
  })
  await db.transaction((tx) => q.recountHeadcount(tx))
}


// ------------------------------------------------------------------ periods

const DAY_MS = 86_400_000
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const msOf = (day: string) => Date.parse(`${day}T00:00:00Z`)
const addDays = (day: string, n: number) => toDay(msOf(day) + n * DAY_MS)
/** Today's date in Asia/Shanghai (UTC+8, no daylight saving). */
export const todayShanghai = () => toDay(Date.now() + 8 * 3600_000)

function checkDay(day: string, what: string): string {
  if (!isCalendarDate(day)) throw badRequest('INVALID_DATE', `${what}不是有效日期：${day}`)
  return day
}

function monthStart(day: string, shift = 0): string {
  const d = new Date(msOf(day))
  return toDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + shift, 1))
}

/** The period asked for and the one before it; `bucket` names the counts that hold it ('c' for a custom range). */
export function resolvePeriod(kind: DashboardQuery['period'], date?: string, to?: string): Period & { bucket: string } {
  const day = checkDay(date ?? todayShanghai(), '日期')
  if (kind !== 'custom' && to !== undefined) throw badRequest('PERIOD_TO_UNEXPECTED', '只有自定义区间需要结束日期')
  switch (kind) {
    case 'day':
      return { kind, bucket: 'd', from: day, to: day, previousFrom: addDays(day, -1), previousTo: addDays(day, -1) }
    case 'week': {
      const monday = addDays(day, -((new Date(msOf(day)).getUTCDay() + 6) % 7))
      return { kind, bucket: 'w', from: monday, to: addDays(monday, 6), previousFrom: addDays(monday, -7), previousTo: addDays(monday, -1) }
    }
    case 'month': {
      const first = monthStart(day)
      return { kind, bucket: 'm', from: first, to: addDays(monthStart(day, 1), -1), previousFrom: monthStart(day, -1), previousTo: addDays(first, -1) }
    }
    case 'custom': {
      if (date === undefined || to === undefined) throw badRequest('PERIOD_RANGE_REQUIRED', '自定义区间需要开始日期和结束日期')
      const end = checkDay(to, '结束日期')
      const days = (msOf(end) - msOf(day)) / DAY_MS + 1
      if (days < 1) throw badRequest('PERIOD_RANGE_INVALID', '结束日期不能早于开始日期')
      if (days > MAX_CUSTOM_DAYS) throw badRequest('PERIOD_RANGE_TOO_LONG', `自定义区间最长 ${MAX_CUSTOM_DAYS} 天`)
      return { kind, bucket: 'c', from: day, to: end, previousFrom: addDays(day, -days), previousTo: addDays(day, -1) }
    }
  }
}

// ------------------------------------------------------------------ figures

/** Residents registered now, per community of the layout. */
async function residentsOf(db: Queryable, layout: Layout): Promise<Int32Array> {
  const residents = new Int32Array(layout.communities.length)
  for (const r of await q.registered(db, layout.communities)) {
    const c = layout.index.get(r.communityCode)
    if (c !== undefined) residents[c] = r.n
  }
  return residents
}

/** A custom range's counts into period `p` of the grid. */
async function rangeInto(db: Queryable, grid: Grid, p: number, from: string, to: string, layout: Layout): Promise<void> {
  for (const r of await q.rangeCounts(db, from, to, layout.communities)) {
    const c = layout.index.get(r.communityCode)
    if (c !== undefined) grid.set(p, FIGURE_INDEX[r.figure], c, r.num, r.den)
  }
}

/** A period's counts (grid period 0) and the one before (1), and the targets: the statements run side by side, not one after another. */
async function periodGrid(db: Queryable, targetsDb: Queryable, layout: Layout, targetRegions: string[], period: Period & { bucket: string }) {
  const targets = targetMap(targetsDb, targetRegions)
  targets.catch(() => undefined) // awaited below; a failure surfaces there
  const grid = new Grid(layout.communities.length, 2)
  if (period.bucket === 'c') {
    const [residents] = await Promise.all([
      residentsOf(db, layout),
      rangeInto(db, grid, 0, period.from, period.to, layout),
      rangeInto(db, grid, 1, period.previousFrom, period.previousTo, layout),
    ])
    grid.withResidents(residents)
  } else {
    // one statement for both periods and the residents (a day, week or month is one row per community and figure)
    const { counts, registered } = await q.periodCounts(db, period.bucket, period.from, period.previousFrom, layout.communities)
    for (let k = 0; k < counts.length; k += 5) grid.set(counts[k + 2] === 1 ? 0 : 1, counts[k + 1], counts[k], counts[k + 3], counts[k + 4])
    const residents = new Int32Array(layout.communities.length)
    for (let k = 0; k < registered.length; k += 2) residents[registered[k]] = registered[k + 1]
    grid.withResidents(residents)
  }
  return { grid, targets: await targets }
}

async function targetMap(db: Queryable, regions: string[]): Promise<Map<string, number>> {
  return new Map((await q.targets(db, regions)).map((t) => [`${t.regionCode}|${t.figure}`, t.target]))
}

/**
 * Figures of some regions under `root` for one period, read exactly as the dashboard reads them: the daily bulletin
 * (bulletin.ts) freezes these, so that a bulletin and the dashboard of that day say the same.
 */
export async function periodFigures(db: Queryable, dir: RegionDirectory, root: RegionRow, regions: RegionRow[], kind: DashboardQuery['period'], date: string) {
  const period = resolvePeriod(kind, date)
  const layout = layoutOf(dir, root)
  const targetRegions = [...new Set([...dir.chain(root.code), ...regions.flatMap((r) => dir.chain(r.code))].map((r) => r.code))]
  const { grid, targets } = await periodGrid(db, db, layout, targetRegions, period)
  const { bucket: _bucket, ...shown } = period
  return { period: shown as Period, figures: regions.map((r) => figuresOf(dir, layout, grid, r, targets)) }
}

/**
 * The dashboard's answer (without the backlog) as remembered, when nothing it shows has changed since (read-cache.ts),
 * else computed; and the backlog now. `cached` says which (the benchmark prints both).
 */
export async function dashboardRead(ctx: AppContext, caller: Caller, query: DashboardQuery): Promise<{ entry: CachedDashboard; pendingEvents: number; cached: boolean }> {
  const dir = await ctx.regions.get()
  const region = assertCanRead(caller, dir, query.region)
  const period = resolvePeriod(query.period, query.date, query.to)
  const layout = layoutOf(dir, region)
  const { stamp, pending } = await readStamp(ctx.readDb, ctx.db, layout.communities, dir.version)
  const key = `${region.code}|${period.kind}|${period.from}|${period.to}`
  const cache = dashboardCache(ctx)
  const hit = cache.get(key, stamp)
  if (hit) return { entry: hit, pendingEvents: pending, cached: true }
  const entry: CachedDashboard = { stamp, body: await computeDashboard(ctx.readDb, ctx.db, dir, layout, period) }
  cache.set(key, entry)
  return { entry, pendingEvents: pending, cached: false }
}

export async function dashboard(ctx: AppContext, caller: Caller, query: DashboardQuery): Promise<Dashboard> {
  const { entry, pendingEvents } = await dashboardRead(ctx, caller, query)
  return { ...entry.body, pendingEvents }
}

/** `readDb` for the counts, `db` for the targets (a target just set shows at once). */
async function computeDashboard(readDb: Queryable, db: Queryable, dir: RegionDirectory, layout: Layout, period: Period & { bucket: string }): Promise<DashboardBody> {
  const { region } = layout
  const children = region.level === 'community' ? [] : dir.children(region.code).filter((c) => c.level !== 'grid')
  // the targets shown: the region's and its children's, each else its nearest ancestor's
  const targetRegions = [...dir.chain(region.code), ...children].map((r) => r.code)
  const { grid, targets } = await periodGrid(readDb, db, layout, targetRegions, period)
  const childFigures = children.map((c) => figuresOf(dir, layout, grid, c, targets))
  const rankings = RATE_FIGURES.map((f) => rank(childFigures, f, 'children'))
  if (region.level === 'city' || region.level === 'district') rankings.push(...communityRankings(dir, layout, grid))
  const { bucket: _bucket, ...shown } = period
  return {
    region: figuresOf(dir, layout, grid, region, targets),
    period: shown,
    children: childFigures,
    rankings: children.length > 0 ? rankings : [],
  }
}

export async function trend(ctx: AppContext, caller: Caller, query: TrendQuery): Promise<Trend> {
  const dir = await ctx.regions.get()
  const region = assertCanRead(caller, dir, query.region)
  const to = checkDay(query.to ?? todayShanghai(), '结束日期')
  const length = query.days ?? 30
  const from = addDays(to, -(length - 1))
  const layout = layoutOf(dir, region)
  const rows = await q.daySeries(ctx.readDb, from, to, layout.communities)
  const residents = await residentsOf(ctx.readDb, layout)
  const days = Array.from({ length }, (_, i) => addDays(from, i))
  const dayIndex = new Map(days.map((d, i) => [d, i]))
  const grid = new Grid(layout.communities.length, length)
  for (const r of rows) {
    const p = dayIndex.get(r.day)
    const c = layout.index.get(r.communityCode)
    if (p !== undefined && c !== undefined) grid.set(p, FIGURE_INDEX[r.figure], c, r.num, r.den)
  }
  grid.withResidents(residents)
  const all = members(dir, layout, region)
  return {
    regionCode: region.code,
    days,
    series: RATE_FIGURES.map((figure, f) => ({
      figure,
      name: FIGURE_NAMES[figure],
      points: days.map((_, p) => {
        const h = headline(grid, p, f, all, layout.weight, region.level)
        return { rate: h.rate === null ? null : round4(h.rate), n: h.den, insufficient: h.den < MIN_SAMPLE }
      }),
    })),
  }
}

export async function sources(ctx: AppContext, caller: Caller, query: SourcesQuery): Promise<Sources> {
  const dir = await ctx.regions.get()
  const region = assertCanRead(caller, dir, query.region)
  const period = resolvePeriod(query.period, query.date, query.to)
  const rows = await q.sources(ctx.db, query.figure, period.bucket, period.from, period.to, layoutOf(dir, region).communities)
  const idsOf = (prefix: string) => rows.filter((r) => r.origin.startsWith(prefix)).map((r) => Number(r.origin.slice(prefix.length)))
  const titles = await q.sourceTitles(ctx.db, idsOf('survey:'), idsOf('campaign:'))
  const title = (list: Array<{ id: number; title: string }>, id: number) => list.find((x) => x.id === id)?.title ?? `#${id}`
  const n = (origin: string) => rows.find((r) => r.origin === origin)?.n ?? 0
  const { bucket: _bucket, ...shown } = period
  return {
    figure: query.figure,
    regionCode: region.code,
    period: shown,
    counted: rows.reduce((a, r) => a + r.n, 0),
    surveys: idsOf('survey:').map((id) => ({ id, title: title(titles.surveys, id), respondents: n(`survey:${id}`) })),
    campaigns: idsOf('campaign:').map((id) => ({ id, title: title(titles.campaigns, id), residents: n(`campaign:${id}`) })),
    ratings: n('rating'),
    reports: n('report'),
    otherQuizzes: rows.filter((r) => r.origin.startsWith('quiz:')).reduce((a, r) => a + r.n, 0),
    volunteerService: rows.filter((r) => r.origin.startsWith('volunteer:')).reduce((a, r) => a + r.n, 0),
  }
}

export async function setTarget(ctx: AppContext, caller: Caller, body: TargetBody): Promise<{ regionCode: string; figure: RateFigure; target: number }> {
  assertCanSetTargets(caller)
  const dir = await ctx.regions.get()
  const region = dir.get(body.regionCode)
  if (!region) throw notFound('REGION_NOT_FOUND', `区域 ${body.regionCode} 不存在`)
  if (region.level === 'grid') throw badRequest('REGION_LEVEL_NOT_ALLOWED', '目标值按社区及以上区域设置')
  const target = round4(body.target)
  await q.setTarget(ctx.db, region.code, body.figure, target, caller.userId)
  return { regionCode: region.code, figure: body.figure, target }
}

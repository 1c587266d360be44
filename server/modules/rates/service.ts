import type { AppContext } from '../../context'
import type { Db, Queryable } from '../../db/types'
import { badRequest, notFound } from '../../errors'
import { isCalendarDate } from '../../lib/dates'
import type { Caller } from '../../lib/caller'
import type { RegionDirectory, RegionRow } from '../regions/directory'
import {
  FIGURE_NAMES, MIN_SAMPLE, RATE_FIGURES,
  type Dashboard, type DashboardQuery, type Figure, type Period, type RateFigure, type Ranking, type RegionFigures, type Sources,
  type SourcesQuery, type TargetBody, type Trend, type TrendQuery,
} from '../../../types/rates'
import { assertCanRead, assertCanSetTargets } from './policy'
import * as q from './queries'
import { type CachedDashboard, type DashboardBody, dashboardCache, readStamp } from './read-cache'
import { postStratified, round4, type Stratum, wilsonCount } from './wilson'

export const DEFAULT_TARGET = 0.9
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

type Cell = { num: number; den: number }
/** community → figure → count */
type Table = Map<string, Map<RateFigure, Cell>>

const communitiesOf = (dir: RegionDirectory, region: RegionRow): string[] =>
  region.level === 'community' ? [region.code] : dir.descendants(region.code).filter((r) => r.level === 'community').map((r) => r.code)

/** Residents registered now, per community: read once per request. */
async function registeredOf(db: Queryable, communities: string[]): Promise<Map<string, number>> {
  return new Map((await q.registered(db, communities)).map((r) => [r.communityCode, r.n]))
}

/** Participation: participants over the residents registered now; one who moved away after taking part stays
 *  counted where they took part, so the denominator is never below the participants. */
function withParticipation(table: Table, communities: string[], residents: Map<string, number>): Table {
  for (const c of communities) {
    const p = table.get(c)!.get('participation')?.num ?? 0
    table.get(c)!.set('participation', { num: p, den: Math.max(residents.get(c) ?? 0, p) })
  }
  return table
}

const emptyTable = (communities: string[]): Table => new Map(communities.map((c) => [c, new Map()]))

async function rangeTable(db: Queryable, from: string, to: string, communities: string[], registered: Promise<Map<string, number>>): Promise<Table> {
  const rows = await q.rangeCounts(db, from, to, communities)
  const table = emptyTable(communities)
  for (const r of rows) table.get(r.communityCode)?.set(r.figure, { num: r.num, den: r.den })
  return withParticipation(table, communities, await registered)
}

/** A period's counts and the one before, and the targets: the statements run side by side, not one after another. */
async function periodTables(db: Queryable, targetsDb: Queryable, dir: RegionDirectory, region: RegionRow, period: Period & { bucket: string }) {
  const communities = communitiesOf(dir, region)
  const targets = targetMap(targetsDb, dir, region)
  targets.catch(() => undefined) // awaited below; a failure surfaces there
  let now: Table
  let before: Table
  if (period.bucket === 'c') {
    const registered = registeredOf(db, communities)
    registered.catch(() => undefined) // awaited by both tables; a failure surfaces there
    ;[now, before] = await Promise.all([
      rangeTable(db, period.from, period.to, communities, registered),
      rangeTable(db, period.previousFrom, period.previousTo, communities, registered),
    ])
  } else {
    // one statement for both periods and the residents (a day, week or month is one row per community and figure)
    const read = await q.periodCounts(db, period.bucket, period.from, period.previousFrom, communities)
    now = emptyTable(communities)
    before = emptyTable(communities)
    for (const [isNow, figure, c, num, den] of read.counts) (isNow ? now : before).get(c)?.set(figure, { num, den })
    const residents = new Map(read.registered)
    withParticipation(now, communities, residents)
    withParticipation(before, communities, residents)
  }
  return { communities, now, before, targets: await targets }
}

interface Headline { rate: number | null; lower: number | null; upper: number | null; num: number; den: number; nEff: number | null }

const EMPTY: Cell = { num: 0, den: 0 }

/** `communities`: the region's own communities (communitiesOf), looked up once per region, not once per figure. */
function headline(dir: RegionDirectory, region: RegionRow, communities: string[], table: Table, figure: RateFigure): Headline {
  let num = 0
  let den = 0
  // one stratum object per community, built in the same pass (a city's headline is 500 of them per figure and period)
  const strata: Stratum[] = []
  for (const c of communities) {
    const cell = table.get(c)?.get(figure) ?? EMPTY
    num += cell.num
    den += cell.den
    strata.push({ weight: dir.get(c)?.population ?? 0, num: cell.num, den: cell.den })
  }
  if (region.level === 'community') {
    const w = wilsonCount(num, den)
    return { rate: den > 0 ? num / den : null, lower: w?.lower ?? null, upper: w?.upper ?? null, num, den, nEff: null }
  }
  const ps = postStratified(strata)
  return { rate: ps?.rate ?? null, lower: ps?.interval.lower ?? null, upper: ps?.interval.upper ?? null, num, den, nEff: ps?.nEff ?? null }
}

/** Each figure's target for the region: its own, else its nearest ancestor's, else the default. */
function targetsOf(dir: RegionDirectory, region: RegionRow, targets: Map<string, number>): (figure: RateFigure) => number {
  const chain = dir.chain(region.code).reverse()
  return (figure) => {
    for (const r of chain) {
      const t = targets.get(`${r.code}|${figure}`)
      if (t !== undefined) return t
    }
    return DEFAULT_TARGET
  }
}

const r4 = (x: number | null) => (x === null ? null : round4(x))

function figuresOf(dir: RegionDirectory, region: RegionRow, now: Table, before: Table, targets: Map<string, number>): RegionFigures {
  const communities = communitiesOf(dir, region)
  const targetOf = targetsOf(dir, region, targets)
  return {
    regionCode: region.code,
    name: region.name,
    level: region.level,
    population: region.population,
    figures: RATE_FIGURES.map((figure): Figure => {
      const h = headline(dir, region, communities, now, figure)
      const prev = headline(dir, region, communities, before, figure)
      const target = targetOf(figure)
      return {
        figure,
        name: FIGURE_NAMES[figure],
        rate: r4(h.rate),
        interval: h.lower === null ? null : { lower: round4(h.lower), upper: round4(h.upper!) },
        intervalMethod: region.level === 'community' ? 'Wilson 95%（无连续性校正）' : '按常住人口事后分层加权；Wilson 95%，样本量取 Kish 有效样本量',
        numerator: h.num,
        denominator: h.den,
        pooledRate: h.den > 0 ? round4(h.num / h.den) : null,
        n: h.den,
        effectiveN: h.nEff === null ? null : Math.round(h.nEff * 100) / 100,
        insufficient: h.den < MIN_SAMPLE,
        target,
        gapToTarget: h.rate === null ? null : round4(h.rate - target),
        previousRate: r4(prev.rate),
        change: h.rate === null || prev.rate === null ? null : round4(h.rate - prev.rate),
      }
    }),
  }
}

type RankedFigure = Pick<Figure, 'figure' | 'rate' | 'interval' | 'insufficient' | 'n'>
type Rankable = { regionCode: string; name: string; figures: RankedFigure[] }

/**
 * What ranking the communities needs of each: this period's rate and Wilson interval, rounded as figuresOf rounds them
 * — not the whole figure (previous period, targets), which a city-wide ranking would compute for every community.
 */
function communityRanks(dir: RegionDirectory, communities: string[], now: Table): Rankable[] {
  return communities.map((code) => ({
    regionCode: code,
    name: dir.get(code)!.name,
    figures: RATE_FIGURES.map((figure): RankedFigure => {
      const { num, den } = now.get(code)?.get(figure) ?? EMPTY
      const w = wilsonCount(num, den)
      return {
        figure,
        rate: den > 0 ? round4(num / den) : null,
        interval: w === null ? null : { lower: round4(w.lower), upper: round4(w.upper) },
        insufficient: den < MIN_SAMPLE,
        n: den,
      }
    }),
  }))
}

/**
 * Top 3 and bottom 3 by rate, figures of fewer than MIN_SAMPLE people left out. Equal rates: the higher lower bound
 * of the interval ranks first (the figure we are surer of), then the region code.
 */
export function rank(entries: Rankable[], figure: RateFigure, scope: Ranking['scope']): Ranking {
  const ok = entries.map((e) => ({ e, f: e.figures.find((x) => x.figure === figure)! })).filter(({ f }) => f.rate !== null && !f.insufficient)
  const list = ok.map(({ e, f }) => ({ regionCode: e.regionCode, name: e.name, rate: f.rate!, lower: f.interval!.lower, upper: f.interval!.upper, n: f.n }))
  const best = [...list].sort((a, b) => b.rate - a.rate || b.lower - a.lower || a.regionCode.localeCompare(b.regionCode))
  const worst = [...list].sort((a, b) => a.rate - b.rate || a.lower - b.lower || a.regionCode.localeCompare(b.regionCode))
  return {
    figure,
    scope,
    top: best.slice(0, 3),
    bottom: worst.slice(0, 3),
    excludedInsufficient: entries.length - ok.length,
    rule: `样本不足 ${MIN_SAMPLE} 人的不参与排名；比率相同时，置信区间下限高者在前，再按区域代码`,
  }
}

async function targetMap(db: Queryable, dir: RegionDirectory, region: RegionRow): Promise<Map<string, number>> {
  const codes = [...new Set([...dir.chain(region.code), ...dir.descendants(region.code)].map((r) => r.code))]
  return new Map((await q.targets(db, codes)).map((t) => [`${t.regionCode}|${t.figure}`, t.target]))
}

/**
 * Figures of some regions under `root` for one period, read exactly as the dashboard reads them: the daily bulletin
 * (bulletin.ts) freezes these, so that a bulletin and the dashboard of that day say the same.
 */
export async function periodFigures(db: Queryable, dir: RegionDirectory, root: RegionRow, regions: RegionRow[], kind: DashboardQuery['period'], date: string) {
  const period = resolvePeriod(kind, date)
  const { now, before, targets } = await periodTables(db, db, dir, root, period)
  const { bucket: _bucket, ...shown } = period
  return { period: shown as Period, figures: regions.map((r) => figuresOf(dir, r, now, before, targets)) }
}

/**
 * The dashboard's answer (without the backlog) as remembered, when nothing it shows has changed since (read-cache.ts),
 * else computed; and the backlog now. `cached` says which (the benchmark prints both).
 */
export async function dashboardRead(ctx: AppContext, caller: Caller, query: DashboardQuery): Promise<{ entry: CachedDashboard; pendingEvents: number; cached: boolean }> {
  const dir = await ctx.regions.get()
  const region = assertCanRead(caller, dir, query.region)
  const period = resolvePeriod(query.period, query.date, query.to)
  const { stamp, pending } = await readStamp(ctx.readDb, ctx.db, communitiesOf(dir, region), dir.version)
  const key = `${region.code}|${period.kind}|${period.from}|${period.to}`
  const cache = dashboardCache(ctx)
  const hit = cache.get(key, stamp)
  if (hit) return { entry: hit, pendingEvents: pending, cached: true }
  const entry: CachedDashboard = { stamp, body: await computeDashboard(ctx.readDb, ctx.db, dir, region, period) }
  cache.set(key, entry)
  return { entry, pendingEvents: pending, cached: false }
}

export async function dashboard(ctx: AppContext, caller: Caller, query: DashboardQuery): Promise<Dashboard> {
  const { entry, pendingEvents } = await dashboardRead(ctx, caller, query)
  return { ...entry.body, pendingEvents }
}

/** `readDb` for the counts, `db` for the targets (a target just set shows at once). */
async function computeDashboard(readDb: Queryable, db: Queryable, dir: RegionDirectory, region: RegionRow, period: Period & { bucket: string }): Promise<DashboardBody> {
  const { communities, now, before, targets } = await periodTables(readDb, db, dir, region, period)
  const children = region.level === 'community' ? [] : dir.children(region.code).filter((c) => c.level !== 'grid')
  const childFigures = children.map((c) => figuresOf(dir, c, now, before, targets))
  const rankings = RATE_FIGURES.map((f) => rank(childFigures, f, 'children'))
  if (region.level === 'city' || region.level === 'district') {
    const all = communityRanks(dir, communities, now)
    rankings.push(...RATE_FIGURES.map((f) => rank(all, f, 'communities')))
  }
  const { bucket: _bucket, ...shown } = period
  return {
    region: figuresOf(dir, region, now, before, targets),
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
  const communities = communitiesOf(dir, region)
  const rows = await q.daySeries(ctx.readDb, from, to, communities)
  const registered = await registeredOf(ctx.readDb, communities)
  const days = Array.from({ length }, (_, i) => addDays(from, i))
  const byDay = new Map<string, Table>(days.map((d) => [d, new Map(communities.map((c) => [c, new Map()]))]))
  for (const r of rows) byDay.get(r.day)?.get(r.communityCode)?.set(r.figure, { num: r.num, den: r.den })
  for (const table of byDay.values()) {
    for (const c of communities) {
      const p = table.get(c)!.get('participation')?.num ?? 0
      table.get(c)!.set('participation', { num: p, den: Math.max(registered.get(c) ?? 0, p) })
    }
  }
  return {
    regionCode: region.code,
    days,
    series: RATE_FIGURES.map((figure) => ({
      figure,
      name: FIGURE_NAMES[figure],
      points: days.map((d) => {
        const h = headline(dir, region, communities, byDay.get(d)!, figure)
        return { rate: r4(h.rate), n: h.den, insufficient: h.den < MIN_SAMPLE }
      }),
    })),
  }
}

export async function sources(ctx: AppContext, caller: Caller, query: SourcesQuery): Promise<Sources> {
  const dir = await ctx.regions.get()
  const region = assertCanRead(caller, dir, query.region)
  const period = resolvePeriod(query.period, query.date, query.to)
  const rows = await q.sources(ctx.db, query.figure, period.bucket, period.from, period.to, communitiesOf(dir, region))
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

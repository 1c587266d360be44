import type { RegionDirectory, RegionRow } from '../regions/directory'
import {
  FIGURE_NAMES, MIN_SAMPLE, RATE_FIGURES,
  type Figure, type RateFigure, type Ranking, type RegionFigures,
} from '../../../types/rates'
import { PostStratification, round4, wilsonCount } from './wilson'

/*
 * The arithmetic of the dashboard, over counts laid out flat. A city's answer after the counts changed is 500
 * communities × 5 figures × 2 periods: each count is read from the database once into typed arrays, and every figure
 * of the city, its districts and its communities is a pass over them (no per-community maps or stratum objects).
 */

const DEFAULT_TARGET = 0.9
const FIGURES = RATE_FIGURES.length
const PARTICIPATION = RATE_FIGURES.indexOf('participation')
/** A figure's place in RATE_FIGURES, the grid's figure index. */
export const FIGURE_INDEX = Object.fromEntries(RATE_FIGURES.map((f, i) => [f, i])) as Record<RateFigure, number>

/** A region's communities in directory order and what the figures need of them, kept per directory (it is replaced when the regions change). */
export interface Layout {
  region: RegionRow
  communities: string[]
  index: Map<string, number>
  /** residents (regions.population) per community: the post-stratification weights */
  weight: Float64Array
}

const layouts = new WeakMap<RegionDirectory, Map<string, Layout>>()
const memberLists = new WeakMap<Layout, Map<string, Int32Array>>()

export function layoutOf(dir: RegionDirectory, region: RegionRow): Layout {
  let byCode = layouts.get(dir)
  if (!byCode) layouts.set(dir, (byCode = new Map()))
  let l = byCode.get(region.code)
  if (!l) {
    const communities = region.level === 'community'
      ? [region.code]
      : dir.descendants(region.code).filter((r) => r.level === 'community').map((r) => r.code)
    l = {
      region,
      communities,
      index: new Map(communities.map((c, i) => [c, i])),
      weight: Float64Array.from(communities, (c) => dir.get(c)?.population ?? 0),
    }
    byCode.set(region.code, l)
  }
  return l
}

/** The places in `layout` of the communities of `sub` (the layout's region or one below it), in directory order. */
export function members(dir: RegionDirectory, layout: Layout, sub: RegionRow): Int32Array {
  let lists = memberLists.get(layout)
  if (!lists) memberLists.set(layout, (lists = new Map()))
  let m = lists.get(sub.code)
  if (!m) {
    m = Int32Array.from(layoutOf(dir, sub).communities, (c) => layout.index.get(c) ?? -1).filter((i) => i >= 0)
    lists.set(sub.code, m)
  }
  return m
}

/** Counts of `periods` periods × the figures × a layout's communities: cell (period, figure, community). */
export class Grid {
  readonly num: Int32Array
  readonly den: Int32Array
  constructor(readonly size: number, readonly periods: number) {
    this.num = new Int32Array(periods * FIGURES * size)
    this.den = new Int32Array(periods * FIGURES * size)
  }

  at(period: number, figure: number, community: number): number {
    return (period * FIGURES + figure) * this.size + community
  }

  set(period: number, figure: number, community: number, num: number, den: number): void {
    const at = this.at(period, figure, community)
    this.num[at] = num
    this.den[at] = den
  }

  /**
   * Participation: participants over the residents registered now; one who moved away after taking part stays
   * counted where they took part, so the denominator is never below the participants.
   */
  withResidents(residents: Int32Array): this {
    for (let p = 0; p < this.periods; p++) {
      const base = this.at(p, PARTICIPATION, 0)
      for (let c = 0; c < this.size; c++) this.den[base + c] = Math.max(residents[c], this.num[base + c])
    }
    return this
  }
}

interface Headline { rate: number | null; lower: number | null; upper: number | null; num: number; den: number; nEff: number | null }

/**
 * A region's headline in one period and figure: the pooled count, and above a community the post-stratified
 * proportion (wilson.ts), summed over the communities in directory order.
 */
export function headline(grid: Grid, period: number, figure: number, of: Int32Array, weight: Float64Array, level: RegionRow['level']): Headline {
  const base = grid.at(period, figure, 0)
  const { num: nums, den: dens } = grid
  const ps = new PostStratification()
  let num = 0
  let den = 0
  for (let k = 0; k < of.length; k++) {
    const c = of[k]
    const n = nums[base + c]
    const d = dens[base + c]
    num += n
    den += d
    ps.add(weight[c], n, d)
  }
  if (level === 'community') {
    const w = wilsonCount(num, den)
    return { rate: den > 0 ? num / den : null, lower: w?.lower ?? null, upper: w?.upper ?? null, num, den, nEff: null }
  }
  const r = ps.result()
  return { rate: r?.rate ?? null, lower: r?.interval.lower ?? null, upper: r?.interval.upper ?? null, num, den, nEff: r?.nEff ?? null }
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
const INTERVAL_METHOD = {
  community: 'Wilson 95%（无连续性校正）',
  above: '按常住人口事后分层加权；Wilson 95%，样本量取 Kish 有效样本量',
}

/** `sub`'s figures (the layout's region or one below it) from period 0 of `grid`, compared with period 1. */
export function figuresOf(dir: RegionDirectory, layout: Layout, grid: Grid, sub: RegionRow, targets: Map<string, number>): RegionFigures {
  const of = members(dir, layout, sub)
  const targetOf = targetsOf(dir, sub, targets)
  return {
    regionCode: sub.code,
    name: sub.name,
    level: sub.level,
    population: sub.population,
    figures: RATE_FIGURES.map((figure, f): Figure => {
      const h = headline(grid, 0, f, of, layout.weight, sub.level)
      const prev = headline(grid, 1, f, of, layout.weight, sub.level)
      const target = targetOf(figure)
      return {
        figure,
        name: FIGURE_NAMES[figure],
        rate: r4(h.rate),
        interval: h.lower === null ? null : { lower: round4(h.lower), upper: round4(h.upper!) },
        intervalMethod: sub.level === 'community' ? INTERVAL_METHOD.community : INTERVAL_METHOD.above,
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

type Entry = Ranking['top'][number]
const RULE = `样本不足 ${MIN_SAMPLE} 人的不参与排名；比率相同时，置信区间下限高者在前，再按区域代码`

/**
 * The first `k` of `items` in the order of `before` (negative: a goes first; a total order, as codes differ), as a
 * stable sort would give them, without sorting all of them.
 */
function firstOf<T>(items: T[], k: number, before: (a: T, b: T) => number): T[] {
  const out: T[] = []
  for (const e of items) {
    if (out.length === k && before(e, out[k - 1]) >= 0) continue
    let i = Math.min(out.length, k - 1)
    while (i > 0 && before(e, out[i - 1]) < 0) i--
    out.splice(i, 0, e)
    if (out.length > k) out.pop()
  }
  return out
}

interface Ranked { code: string; rate: number; lower: number }
// equal rates: the higher lower bound first (the figure we are surer of), then the region code
const best = (a: Ranked, b: Ranked) => b.rate - a.rate || b.lower - a.lower || a.code.localeCompare(b.code)
const worst = (a: Ranked, b: Ranked) => a.rate - b.rate || a.lower - b.lower || a.code.localeCompare(b.code)

/** Top 3 and bottom 3 of the rankable; `excluded` were left out for fewer than MIN_SAMPLE respondents. */
function ranking<T extends Ranked>(figure: RateFigure, scope: Ranking['scope'], items: T[], excluded: number, entry: (x: T) => Entry): Ranking {
  return {
    figure, scope, top: firstOf(items, 3, best).map(entry), bottom: firstOf(items, 3, worst).map(entry), excludedInsufficient: excluded, rule: RULE,
  }
}

type RankedFigure = Pick<Figure, 'figure' | 'rate' | 'interval' | 'insufficient' | 'n'>
type Rankable = { regionCode: string; name: string; figures: RankedFigure[] }

/** Regions' figures ranked (the dashboard's children, the bulletin's levels): their headlines as shown, rounded. */
export function rank(entries: Rankable[], figure: RateFigure, scope: Ranking['scope']): Ranking {
  const items: Array<Entry & Ranked> = []
  for (const e of entries) {
    const f = e.figures.find((x) => x.figure === figure)!
    if (f.rate === null || f.insufficient) continue
    items.push({ regionCode: e.regionCode, code: e.regionCode, name: e.name, rate: f.rate, lower: f.interval!.lower, upper: f.interval!.upper, n: f.n })
  }
  return ranking(figure, scope, items, entries.length - items.length, ({ regionCode, name, rate, lower, upper, n }) => ({ regionCode, name, rate, lower, upper, n }))
}

/**
 * Every community of the layout ranked on this period's count and Wilson interval, rounded as figuresOf rounds them —
 * not each community's whole figure (previous period, targets), which nothing shows; the entries shown are made for
 * the six shown.
 */
export function communityRankings(dir: RegionDirectory, layout: Layout, grid: Grid): Ranking[] {
  return RATE_FIGURES.map((figure, f) => {
    const base = grid.at(0, f, 0)
    const items: Array<Ranked & { c: number; upper: number }> = []
    for (let c = 0; c < layout.communities.length; c++) {
      const num = grid.num[base + c]
      const den = grid.den[base + c]
      if (den < MIN_SAMPLE) continue
      const w = wilsonCount(num, den)!
      items.push({ code: layout.communities[c], c, rate: round4(num / den), lower: round4(w.lower), upper: round4(w.upper) })
    }
    return ranking(figure, 'communities', items, layout.communities.length - items.length, (x) => ({
      regionCode: x.code, name: dir.get(x.code)!.name, rate: x.rate, lower: x.lower, upper: x.upper, n: grid.den[base + x.c],
    }))
  })
}

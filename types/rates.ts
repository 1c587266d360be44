import { Type, type Static } from '@sinclair/typebox'
import { RegionLevel } from './common'

export const RATE_FIGURES = ['awareness', 'support', 'satisfaction', 'handling', 'participation'] as const
export const RateFigure = Type.Union(RATE_FIGURES.map((f) => Type.Literal(f)))
export type RateFigure = (typeof RATE_FIGURES)[number]

export const FIGURE_NAMES: Record<RateFigure, string> = {
  awareness: '知晓率', support: '支持率', satisfaction: '满意率', handling: '处置满意度', participation: '参与率',
}

/** Below this many respondents a figure is marked 样本不足 and never ranked. */
export const MIN_SAMPLE = 30

export const PeriodKind = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('custom')])
export type PeriodKind = Static<typeof PeriodKind>

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (Asia/Shanghai)' })

export const DashboardQuery = Type.Object({
  region: Type.String({ minLength: 1, maxLength: 40 }),
  period: PeriodKind,
  /** day/week/month: any day inside the period (default: today); custom: the first day */
  date: Type.Optional(Day),
  /** custom only: the last day, inclusive */
  to: Type.Optional(Day),
}, { additionalProperties: false })
export type DashboardQuery = Static<typeof DashboardQuery>

const Interval = Type.Object({ lower: Type.Number(), upper: Type.Number() })

export const Figure = Type.Object({
  figure: RateFigure,
  name: Type.String(),
  /** the headline: the region's own count at community level, post-stratified above it */
  rate: Type.Union([Type.Number(), Type.Null()]),
  interval: Type.Union([Interval, Type.Null()]),
  intervalMethod: Type.String(),
  /** pooled (unweighted) count over the communities */
  numerator: Type.Integer(),
  denominator: Type.Integer(),
  pooledRate: Type.Union([Type.Number(), Type.Null()]),
  /** respondents: the denominator, except participation (the participants) */
  n: Type.Integer(),
  effectiveN: Type.Union([Type.Number(), Type.Null()]),
  insufficient: Type.Boolean(),
  target: Type.Number(),
  gapToTarget: Type.Union([Type.Number(), Type.Null()]),
  previousRate: Type.Union([Type.Number(), Type.Null()]),
  change: Type.Union([Type.Number(), Type.Null()]),
})
export type Figure = Static<typeof Figure>

export const Period = Type.Object({ kind: PeriodKind, from: Day, to: Day, previousFrom: Day, previousTo: Day })
export type Period = Static<typeof Period>

export const RankEntry = Type.Object({
  regionCode: Type.String(), name: Type.String(), rate: Type.Number(), lower: Type.Number(), upper: Type.Number(), n: Type.Integer(),
})
export const Ranking = Type.Object({
  figure: RateFigure,
  scope: Type.Union([Type.Literal('children'), Type.Literal('communities')]),
  top: Type.Array(RankEntry),
  bottom: Type.Array(RankEntry),
  excludedInsufficient: Type.Integer(),
  rule: Type.String(),
})
export type Ranking = Static<typeof Ranking>

export const RegionFigures = Type.Object({
  regionCode: Type.String(), name: Type.String(), level: RegionLevel, population: Type.Integer(), figures: Type.Array(Figure),
})
export type RegionFigures = Static<typeof RegionFigures>

export const Dashboard = Type.Object({
  region: RegionFigures,
  period: Period,
  children: Type.Array(RegionFigures),
  rankings: Type.Array(Ranking),
  pendingEvents: Type.Integer({ description: 'source events not yet counted (the counting job runs every few seconds)' }),
})
export type Dashboard = Static<typeof Dashboard>

export const TrendQuery = Type.Object({
  region: Type.String({ minLength: 1, maxLength: 40 }),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, description: '天数，默认 30（看板用 30 或 90）' })),
  to: Type.Optional(Day),
}, { additionalProperties: false })
export const Trend = Type.Object({
  regionCode: Type.String(),
  days: Type.Array(Day),
  series: Type.Array(Type.Object({
    figure: RateFigure, name: Type.String(),
    points: Type.Array(Type.Object({ rate: Type.Union([Type.Number(), Type.Null()]), n: Type.Integer(), insufficient: Type.Boolean() })),
  })),
})
export type Trend = Static<typeof Trend>
export type TrendQuery = Static<typeof TrendQuery>

export const SourcesQuery = Type.Object({
  region: Type.String({ minLength: 1, maxLength: 40 }),
  period: PeriodKind,
  date: Type.Optional(Day),
  to: Type.Optional(Day),
  figure: RateFigure,
}, { additionalProperties: false })
export type SourcesQuery = Static<typeof SourcesQuery>
export const Sources = Type.Object({
  figure: RateFigure,
  regionCode: Type.String(),
  period: Period,
  counted: Type.Integer(),
  surveys: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String(), respondents: Type.Integer() })),
  campaigns: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String(), residents: Type.Integer() })),
  ratings: Type.Integer(),
  reports: Type.Integer(),
  otherQuizzes: Type.Integer(),
  /** participation: residents whose last act in the period was a credited volunteer shift */
  volunteerService: Type.Integer(),
})
export type Sources = Static<typeof Sources>

export const TargetBody = Type.Object({
  regionCode: Type.String({ minLength: 1, maxLength: 40 }),
  figure: RateFigure,
  target: Type.Number({ minimum: 0.0001, maximum: 1, description: '0–1，如 0.9 即 90%' }),
}, { additionalProperties: false })
export type TargetBody = Static<typeof TargetBody>

export const ExportQuery = Type.Object({
  ...DashboardQuery.properties,
  /** the trend sheet: this many days up to the period's end (the dashboard shows 30 or 90) */
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })),
}, { additionalProperties: false })
export type ExportQuery = Static<typeof ExportQuery>

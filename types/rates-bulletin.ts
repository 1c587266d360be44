import { Type, type Static } from '@sinclair/typebox'
import { Figure, Period, RankEntry, RateFigure } from './rates'
import { RegionLevel } from './common'

/**
 * 一天一通报 — the daily bulletin (server/modules/rates/bulletin.ts).
 *
 *   GET /api/v1/rates/bulletins?cursor&limit          → BulletinPage (newest first)
 *   GET /api/v1/rates/bulletins/:day                  → Bulletin
 *   GET /api/v1/rates/bulletins/:day/export.xlsx      → the same as a spreadsheet
 *   GET /api/v1/rates/bulletin-subscription           → BulletinSubscription (workers)
 *   PUT /api/v1/rates/bulletin-subscription { subscribed } → BulletinSubscription
 *
 * Staff only: the office and every worker read whole bulletins (a 通报 is addressed to every unit; it names the best
 * and the worst); residents none. Only workers subscribe to its message.
 */

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (Asia/Shanghai)' })

/** Yesterday's activity behind the figures, per region (counted where the report, attempt or answer was). */
export const BulletinActivity = Type.Object({
  /** 随手拍 filed on the day */
  reportsNew: Type.Integer(),
  /** closed on the day (销号 and 未解决办结) */
  reportsClosed: Type.Integer(),
  /** due on the day and not closed by then (as the 工单 daily statistics count 超期) */
  reportsNewlyOverdue: Type.Integer(),
  /** at the end of the day: open and past their due time */
  reportsOverdueOpen: Type.Integer(),
  /** residents who submitted a quiz (campaign, practice, live) on the day, and their submissions */
  quizResidents: Type.Integer(),
  quizAttempts: Type.Integer(),
  /** survey responses submitted on the day (named and anonymous) */
  surveyResponses: Type.Integer(),
  /** volunteers credited for a shift that started on the day */
  volunteers: Type.Integer(),
})
export type BulletinActivity = Static<typeof BulletinActivity>

export const BulletinRegion = Type.Object({
  regionCode: Type.String(),
  name: Type.String(),
  level: RegionLevel,
  /** the district of a street */
  parentName: Type.Union([Type.String(), Type.Null()]),
  population: Type.Integer(),
  figures: Type.Array(Figure),
  activity: BulletinActivity,
})
export type BulletinRegion = Static<typeof BulletinRegion>

export const BulletinRanking = Type.Object({
  figure: RateFigure,
  name: Type.String(),
  /** the level ranked: every street (or community) of the city */
  level: Type.Union([Type.Literal('district'), Type.Literal('street'), Type.Literal('community')]),
  top: Type.Array(RankEntry),
  bottom: Type.Array(RankEntry),
  excludedInsufficient: Type.Integer(),
})
export type BulletinRanking = Static<typeof BulletinRanking>

export const BulletinContent = Type.Object({
  day: Day,
  period: Period,
  city: BulletinRegion,
  streets: Type.Array(BulletinRegion),
  rankings: Type.Array(BulletinRanking),
  rankingRule: Type.String(),
  /** source events not yet counted when it was generated (normally a few seconds' worth, of today) */
  pendingEvents: Type.Integer(),
  /** how the figures were counted, as at generation time */
  notes: Type.Array(Type.String()),
})
export type BulletinContent = Static<typeof BulletinContent>

export const Bulletin = Type.Object({
  day: Day,
  generatedAt: Type.String({ format: 'date-time' }),
  /** generated after a downtime, later than the configured time of the following day */
  late: Type.Boolean(),
  content: BulletinContent,
})
export type Bulletin = Static<typeof Bulletin>

export const BulletinListItem = Type.Object({
  day: Day,
  generatedAt: Type.String({ format: 'date-time' }),
  late: Type.Boolean(),
  cityName: Type.String(),
  headline: Type.Array(Type.Object({
    figure: RateFigure, name: Type.String(), rate: Type.Union([Type.Number(), Type.Null()]),
    change: Type.Union([Type.Number(), Type.Null()]), n: Type.Integer(), insufficient: Type.Boolean(),
  })),
  reportsOverdueOpen: Type.Integer(),
})
export type BulletinListItem = Static<typeof BulletinListItem>

export const BulletinPage = Type.Object({ items: Type.Array(BulletinListItem), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type BulletinPage = Static<typeof BulletinPage>

export const BulletinListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
}, { additionalProperties: false })
export type BulletinListQuery = Static<typeof BulletinListQuery>

export const BulletinDayParams = Type.Object({ day: Day })

export const BulletinSubscription = Type.Object({
  subscribed: Type.Boolean(),
  agreedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** the WeChat subscribe-message template to ask for (Taro.requestSubscribeMessage) before subscribing */
  templateId: Type.String(),
  /** when it is generated each day, Asia/Shanghai (HH:MM) */
  time: Type.String(),
})
export type BulletinSubscription = Static<typeof BulletinSubscription>

export const BulletinSubscriptionBody = Type.Object({ subscribed: Type.Boolean() }, { additionalProperties: false })
export type BulletinSubscriptionBody = Static<typeof BulletinSubscriptionBody>

/**
 * 随手拍 (reports) — the contract between the mini-program and the server.
 *
 * Flow for the 随手拍 page:
 *  1. GET  /api/v1/reports/categories                       → the category picker (icon key, SLA, department)
 *  2. POST /api/v1/reports/photos   (multipart: exactly one part, the file, named "file"; ≤10 MB, JPEG/PNG/WebP/HEIC)
 *                                                           → PhotoView; keep `id`, show `thumbUrl`
 *  3. GET  /api/v1/reports/nearby?categoryCode&lng&lat      → open reports of that category nearby (last 7 days);
 *     offer "我也遇到了" → POST /api/v1/reports/:id/metoo     instead of a new report
 *  4. POST /api/v1/reports  (Idempotency-Key header!)       → 201 ReportDetail (a retry with the same key replays
 *                                                             it, header Idempotency-Replayed: true)
 *  我的随手拍:   GET /api/v1/reports/mine  → ReportPage;  GET /api/v1/reports/:id → ReportDetail (timeline)
 *  reopen:       POST /api/v1/reports/:id/transitions { action: 'reopen', note }   (reporter: within 7 days of closing)
 *  rate:         POST /api/v1/reports/:id/rating { score 1–5, comment? }           (once, after closing)
 *  工单 (worker): GET /api/v1/reports/work?state&categoryCode&overdue&from&to&communityCode&cursor&limit → WorkPage
 *                POST /api/v1/reports/:id/transitions { action, … }  (see TransitionBody)
 *                GET /api/v1/reports/stats/daily?from&to            → DailyStats
 *                GET /api/v1/reports/export.xlsx?…same filters…     → 问题台账 .xlsx (streamed)
 *  public feed:  GET /api/v1/reports?communityCode&cursor&limit     → ReportPage (never held reports, no phones)
 *  photos:       GET /api/v1/photos/:id  and  /api/v1/photos/:id/thumb  (unguessable URLs; usable in <image src>)
 *  office:       GET /api/v1/admin/notifications?status=failed     → failed subscribe messages
 *                POST /api/v1/admin/notifications/:id/retry         → NotificationItem (a failed one, queued again now)
 *                POST /api/v1/admin/open311-keys { name, readPrivate?, extendedStatuses? } → the key (shown once)
 *                GET /api/v1/admin/open311-keys; PATCH /api/v1/admin/open311-keys/:id { readPrivate?, extendedStatuses?, revoked? }
 *
 * Times are ISO-8601 UTC strings; show them in Asia/Shanghai. Errors: { code, message } (message is Chinese, show it).
 */
import { Type, type Static } from '@sinclair/typebox'
import { Cursor, DateOnly, Id } from './common'
import { ModerationState } from './moderation'

export const ReportState = Type.Union([
  Type.Literal('submitted'), // 待受理
  Type.Literal('accepted'), // 已受理
  Type.Literal('dispatched'), // 已派遣
  Type.Literal('rectified'), // 已整改（待核查）
  Type.Literal('closed'), // 已销号（核查通过）
  Type.Literal('closed_not_fixed'), // 已关闭（未解决）— never counted as fixed
  Type.Literal('rejected'), // 不予受理
  Type.Literal('merged'), // 已合并（重复）
])
export type ReportState = Static<typeof ReportState>

export const STATE_LABELS: Record<ReportState, string> = {
  submitted: '待受理',
  accepted: '已受理',
  dispatched: '处置中',
  rectified: '已整改待核查',
  closed: '已销号',
  closed_not_fixed: '已关闭（未解决）',
  rejected: '不予受理',
  merged: '已合并',
}

export const ReportCategory = Type.Object({
  code: Type.String(),
  name: Type.String(),
  /** icon key for the client's icon set (e.g. "litter", "parking") */
  icon: Type.String(),
  slaHours: Type.Integer(),
  department: Type.String(),
  duplicateRadiusM: Type.Integer(),
})
export type ReportCategory = Static<typeof ReportCategory>
export const CategoryList = Type.Object({ items: Type.Array(ReportCategory) })
export type CategoryList = Static<typeof CategoryList>

export const PhotoView = Type.Object({
  id: Type.String(),
  /** relative to the API origin, e.g. /api/v1/photos/abc… (JPEG, EXIF stripped, ≤2048 px) */
  url: Type.String(),
  thumbUrl: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
})
export type PhotoView = Static<typeof PhotoView>

const Lng = Type.Number({ minimum: -180, maximum: 180, description: 'GCJ-02 longitude' })
const Lat = Type.Number({ minimum: -90, maximum: 90, description: 'GCJ-02 latitude' })
const PhotoId = Type.String({ pattern: '^[A-Za-z0-9_-]{16,40}$' })

export const SubmitReportBody = Type.Object(
  {
    categoryCode: Type.String({ minLength: 1, maxLength: 40 }),
    photoIds: Type.Array(PhotoId, { minItems: 1, maxItems: 9, uniqueItems: true }),
    lng: Lng,
    lat: Lat,
    address: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ maxLength: 500 }),
    anonymous: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
)
export type SubmitReportBody = Static<typeof SubmitReportBody>

export const NearbyQuery = Type.Object(
  { categoryCode: Type.String({ minLength: 1, maxLength: 40 }), lng: Lng, lat: Lat },
  { additionalProperties: false },
)
export type NearbyQuery = Static<typeof NearbyQuery>

export const NearbyItem = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  state: ReportState,
  stateLabel: Type.String(),
  description: Type.String(),
  address: Type.String(),
  distanceM: Type.Integer(),
  coReporters: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  thumbUrl: Type.Union([Type.String(), Type.Null()]),
})
export const NearbyResult = Type.Object({ radiusM: Type.Integer(), items: Type.Array(NearbyItem) })
export type NearbyResult = Static<typeof NearbyResult>

export const MeTooResult = Type.Object({ reportId: Type.Integer(), coReporters: Type.Integer() })
export type MeTooResult = Static<typeof MeTooResult>

const Ref = Type.Object({ code: Type.String(), name: Type.String() })

export const ReportListItem = Type.Object({
  id: Type.Integer(),
  /** display number, e.g. SSP000123 */
  number: Type.String(),
  category: Type.Object({ code: Type.String(), name: Type.String(), icon: Type.String() }),
  state: ReportState,
  stateLabel: Type.String(),
  description: Type.String(),
  address: Type.String(),
  community: Ref,
  createdAt: Type.String({ format: 'date-time' }),
  dueAt: Type.String({ format: 'date-time' }),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  overdue: Type.Boolean(),
  held: Type.Boolean(),
  coReporters: Type.Integer(),
  thumbUrl: Type.Union([Type.String(), Type.Null()]),
  /** public feed: the nickname, or "匿名居民" for anonymous reports; worker lists: always the nickname */
  reporterName: Type.String(),
})
export type ReportListItem = Static<typeof ReportListItem>

export const ReportPage = Type.Object({ items: Type.Array(ReportListItem), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type ReportPage = Static<typeof ReportPage>

export const WorkPage = Type.Object({
  items: Type.Array(ReportListItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  /** counts per state over the same filters except state (and cursor) */
  counts: Type.Record(Type.String(), Type.Integer()),
  overdueCount: Type.Integer(),
})
export type WorkPage = Static<typeof WorkPage>

export const TimelineEvent = Type.Object({
  id: Type.Integer(),
  /** submit, accept, reject, merge, dispatch, rectify, close, close_not_fixed, reopen, metoo, rate, hold, release, comment (a city system's, Open311) */
  action: Type.String(),
  label: Type.String(),
  fromState: Type.Union([ReportState, Type.Null()]),
  toState: Type.Union([ReportState, Type.Null()]),
  actor: Type.Object({
    role: Type.Union([Type.Literal('reporter'), Type.Literal('worker'), Type.Literal('office'), Type.Literal('system'), Type.Literal('open311')]),
    /** workers are named; the reporter is "上报人" to everyone but workers */
    name: Type.String(),
  }),
  note: Type.Union([Type.String(), Type.Null()]),
  photos: Type.Array(PhotoView),
  at: Type.String({ format: 'date-time' }),
})
export type TimelineEvent = Static<typeof TimelineEvent>

export const TransitionAction = Type.Union([
  Type.Literal('accept'),
  Type.Literal('reject'),
  Type.Literal('merge'),
  Type.Literal('dispatch'),
  Type.Literal('rectify'),
  Type.Literal('close'),
  Type.Literal('close_not_fixed'),
  Type.Literal('reopen'),
  Type.Literal('release'),
])
export type TransitionAction = Static<typeof TransitionAction>

export const ReportDetail = Type.Object({
  ...ReportListItem.properties,
  grid: Type.Union([Ref, Type.Null()]),
  lng: Type.Number(),
  lat: Type.Number(),
  anonymous: Type.Boolean(),
  department: Type.String(),
  assignee: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
  mergedInto: Type.Union([Type.Integer(), Type.Null()]),
  /** only for the reporter, workers of the region and the office */
  reporter: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String(), phoneMasked: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  /** a report a city system filed (Open311) for a person who gave their name, e-mail or phone: workers of the region and the office only */
  filedFor: Type.Optional(Type.Union([Type.Object({
    system: Type.String(), name: Type.Union([Type.String(), Type.Null()]), email: Type.Union([Type.String(), Type.Null()]), phoneMasked: Type.Union([Type.String(), Type.Null()]),
  }), Type.Null()])),
  isMine: Type.Boolean(),
  meToo: Type.Boolean(),
  holdReason: Type.Union([Type.String(), Type.Null()]),
  photos: Type.Array(PhotoView),
  rating: Type.Union([Type.Object({ score: Type.Integer(), comment: Type.Union([Type.String(), Type.Null()]), ratedAt: Type.String() }), Type.Null()]),
  /** the transitions this caller may make now (drive the buttons from this) */
  actions: Type.Array(TransitionAction),
  canRate: Type.Boolean(),
  timeline: Type.Array(TimelineEvent),
  /** 举报 and 内容审核: what residents see of it (the author and staff see the report whatever it is) */
  moderation: ModerationState,
  /** the caller may flag it (signed in, not theirs, publicly visible, not flagged by them yet) */
  canFlag: Type.Boolean(),
  flaggedByMe: Type.Boolean(),
})
export type ReportDetail = Static<typeof ReportDetail>

/**
 * One endpoint for every transition. Required extras per action:
 *  reject, close_not_fixed: note (the reason);  merge: targetReportId;  dispatch: department and/or assigneeId;
 *  rectify: photoIds (after-photos, 1–9);  reopen: note recommended.  Others: note optional.
 */
export const TransitionBody = Type.Object(
  {
    action: TransitionAction,
    note: Type.Optional(Type.String({ maxLength: 500 })),
    photoIds: Type.Optional(Type.Array(PhotoId, { maxItems: 9, uniqueItems: true })),
    department: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    assigneeId: Type.Optional(Id),
    targetReportId: Type.Optional(Id),
  },
  { additionalProperties: false },
)
export type TransitionBody = Static<typeof TransitionBody>

export const RatingBody = Type.Object(
  { score: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Type.String({ maxLength: 300 })) },
  { additionalProperties: false },
)
export type RatingBody = Static<typeof RatingBody>

export const WorkQuery = Type.Object(
  {
    state: Type.Optional(ReportState),
    categoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    overdue: Type.Optional(Type.Boolean()),
    from: Type.Optional(DateOnly),
    to: Type.Optional(DateOnly),
    communityCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
)
export type WorkQuery = Static<typeof WorkQuery>

export const PageQuery = Type.Object(
  {
    communityCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
)
export type PageQuery = Static<typeof PageQuery>

export const DailyStats = Type.Object({
  items: Type.Array(
    Type.Object({
      day: Type.String(),
      communityCode: Type.String(),
      communityName: Type.String(),
      new: Type.Integer(),
      closed: Type.Integer(),
      /** reports whose due time fell on this day without being closed by then */
      overdue: Type.Integer(),
    }),
  ),
})
export type DailyStats = Static<typeof DailyStats>

export const NotificationItem = Type.Object({
  id: Type.Integer(),
  userId: Type.Integer(),
  kind: Type.String(),
  ref: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  nextAttemptAt: Type.String(),
})
export type NotificationItem = Static<typeof NotificationItem>
export const NotificationList = Type.Object({ items: Type.Array(NotificationItem), counts: Type.Record(Type.String(), Type.Integer()) })
export type NotificationList = Static<typeof NotificationList>

export const Open311KeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    /** exact coordinates, addresses and (signed, expiring) photo links in Open311 reads; without it what anyone reads */
    readPrivate: Type.Optional(Type.Boolean({ default: false })),
    /** FixMyStreet's extended statuses (FIXED, DUPLICATE, …) instead of open/closed */
    extendedStatuses: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
)
export const Open311KeyInfo = Type.Object({
  id: Type.Integer(), name: Type.String(), accountId: Type.Integer(), readPrivate: Type.Boolean(), extendedStatuses: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }), revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type Open311KeyInfo = Static<typeof Open311KeyInfo>
export const Open311KeyResult = Type.Composite([Open311KeyInfo, Type.Object({ apiKey: Type.String() })])
export const Open311KeyList = Type.Object({ items: Type.Array(Open311KeyInfo) })
/** Changes a key's access; revoked: true stops it at once (cannot be undone: create a new key). */
export const Open311KeyPatch = Type.Object(
  { readPrivate: Type.Optional(Type.Boolean()), extendedStatuses: Type.Optional(Type.Boolean()), revoked: Type.Optional(Type.Literal(true)) },
  { additionalProperties: false, minProperties: 1 },
)
export type Open311KeyPatch = Static<typeof Open311KeyPatch>
export type Open311KeyResult = Static<typeof Open311KeyResult>

/**
 *  GET /api/v1/reports/:id/handling-options → what a worker picks from when dispatching (people of the report's
 *  region) or merging (open reports of the same category nearby), instead of typing numbers.
 */
export const Assignee = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  phoneMasked: Type.Union([Type.String(), Type.Null()]),
  region: Type.Object({ code: Type.String(), name: Type.String() }),
})
export type Assignee = Static<typeof Assignee>
export const HandlingOptions = Type.Object({
  department: Type.String(),
  assignees: Type.Array(Assignee),
  mergeCandidates: Type.Array(NearbyItem),
})
export type HandlingOptions = Static<typeof HandlingOptions>

/**
 * 举报 and 内容审核 — the contract between the mini-program and the server.
 *
 *  resident:  POST /api/v1/reports/:id/flags { reason, note? }   → 201 FlagResult (once per person and report: 409
 *             FLAG_ALREADY; own report: 409 FLAG_OWN_ITEM; a report residents cannot see: 404)
 *  staff:     GET  /api/v1/moderation/queue?cursor&limit          → ModerationQueue (worker: reports of their regions;
 *             office: all), items with unreviewed flags, hidden ones first
 *             POST /api/v1/moderation/reports/:id/review { action, note? } → ReviewResult (closes the pending flags)
 *
 * Past `FLAG_HIDE_THRESHOLD` distinct flaggers (default 3) a report is hidden from residents until reviewed. The
 * author of a report is never told who flagged it; reviewers see reasons and notes, never the flaggers.
 */
import { Type, type Static } from '@sinclair/typebox'

export const ModerationState = Type.Union([
  Type.Literal('visible'),
  Type.Literal('auto_hidden'), // flagged by enough people: hidden from residents until reviewed
  Type.Literal('hidden'), // a reviewer hid it
  Type.Literal('content_removed'), // visible, without its description and photos
])
export type ModerationState = Static<typeof ModerationState>

/** The states in which residents see a report (with the content check's hold lifted). */
export const PUBLIC_MODERATION_STATES: readonly ModerationState[] = ['visible', 'content_removed']

export const MODERATION_LABELS: Record<ModerationState, string> = {
  visible: '正常显示',
  auto_hidden: '被多人举报，待审核',
  hidden: '已隐藏',
  content_removed: '内容已移除',
}

export const FLAG_REASONS = {
  privacy: '泄露他人隐私（人脸、车牌、门牌等）',
  abuse: '辱骂、人身攻击',
  false_info: '虚假不实',
  ads: '广告营销',
  illegal: '违法违规内容',
  other: '其他',
} as const
export type FlagReason = keyof typeof FLAG_REASONS

export const FlagReasonSchema = Type.Union((Object.keys(FLAG_REASONS) as FlagReason[]).map((k) => Type.Literal(k)))

export const FlagBody = Type.Object(
  {
    reason: FlagReasonSchema,
    note: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type FlagBody = Static<typeof FlagBody>

export const FlagResult = Type.Object({ reportId: Type.Integer(), flagged: Type.Literal(true) })
export type FlagResult = Static<typeof FlagResult>

export const ReviewAction = Type.Union([Type.Literal('restore'), Type.Literal('hide'), Type.Literal('remove_content')])
export type ReviewAction = Static<typeof ReviewAction>

export const REVIEW_LABELS: Record<ReviewAction, string> = { restore: '恢复显示', hide: '隐藏', remove_content: '移除内容' }

export const ReviewBody = Type.Object(
  { action: ReviewAction, note: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
)
export type ReviewBody = Static<typeof ReviewBody>

export const ModerationItem = Type.Object({
  reportId: Type.Integer(),
  number: Type.String(),
  categoryName: Type.String(),
  description: Type.String(),
  address: Type.String(),
  communityName: Type.String(),
  thumbUrl: Type.Union([Type.String(), Type.Null()]),
  moderation: ModerationState,
  /** unreviewed flags, by reason (no flagger is ever named) */
  pendingFlags: Type.Integer(),
  reasons: Type.Array(Type.Object({ reason: FlagReasonSchema, label: Type.String(), count: Type.Integer() })),
  notes: Type.Array(Type.String()),
  firstFlaggedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type ModerationItem = Static<typeof ModerationItem>

export const ModerationQueue = Type.Object({ items: Type.Array(ModerationItem), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export type ModerationQueue = Static<typeof ModerationQueue>

export const ReviewResult = Type.Object({ reportId: Type.Integer(), moderation: ModerationState, reviewedFlags: Type.Integer() })
export type ReviewResult = Static<typeof ReviewResult>

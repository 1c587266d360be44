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
import { FLAG_REASONS } from './moderation-constants'

export * from './moderation-constants'
export type FlagReason = keyof typeof FLAG_REASONS

export const ModerationState = Type.Union([
  Type.Literal('visible'),
  Type.Literal('auto_hidden'), // flagged by enough people: hidden from residents until reviewed
  Type.Literal('hidden'), // a reviewer hid it
  Type.Literal('content_removed'), // visible, without its description and photos
])
export type ModerationState = Static<typeof ModerationState>

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

import type { Queryable } from '../../db/types'
import type { FlagReason, ModerationState, ReviewAction } from '../../../types/moderation'

export type ItemKind = 'report'

export async function isFlaggedBy(db: Queryable, kind: ItemKind, itemId: number, userId: number): Promise<boolean> {
  return Boolean(await db.one('SELECT 1 FROM content_flags WHERE item_kind = $1 AND item_id = $2 AND flagger_id = $3', [kind, itemId, userId]))
}

/** The new flag's id, or nothing when this person flagged the item before (the unique index decides). */
export function insertFlag(db: Queryable, kind: ItemKind, itemId: number, userId: number, reason: FlagReason, note: string | null) {
  return db.one<{ id: number }>(
    `INSERT INTO content_flags (item_kind, item_id, flagger_id, reason, note) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (item_kind, item_id, flagger_id) DO NOTHING RETURNING id::int AS id`,
    [kind, itemId, userId, reason, note],
  )
}

export async function pendingFlagCount(db: Queryable, kind: ItemKind, itemId: number): Promise<number> {
  const row = await db.one<{ n: number }>(
    'SELECT count(*)::int AS n FROM content_flags WHERE item_kind = $1 AND item_id = $2 AND reviewed_at IS NULL',
    [kind, itemId],
  )
  return row?.n ?? 0
}

export async function closePendingFlags(db: Queryable, kind: ItemKind, itemId: number, reviewerId: number, outcome: ReviewAction): Promise<number> {
  const rows = await db.query(
    `UPDATE content_flags SET reviewed_at = now(), reviewed_by = $3, outcome = $4
      WHERE item_kind = $1 AND item_id = $2 AND reviewed_at IS NULL RETURNING id`,
    [kind, itemId, reviewerId, outcome],
  )
  return rows.length
}

export function setReportModeration(db: Queryable, reportId: number, state: ModerationState) {
  return db.query('UPDATE reports SET moderation = $2, updated_at = now() WHERE id = $1', [reportId, state])
}

export interface QueueRow {
  reportId: number
  categoryName: string
  description: string
  address: string
  communityCode: string
  thumbId: string | null
  moderation: ModerationState
  pendingFlags: number
  reasons: Array<{ reason: FlagReason; count: number }> | string
  notes: string[] | null
  firstFlaggedAt: Date
  rank: number
}

/**
 * Reports with unreviewed flags in the scope (null: all), those already hidden first, then the longest waiting.
 * Keyset pagination on (rank, first flag, id). Flaggers are never selected.
 */
export function queue(db: Queryable, scope: string[] | null, after: [number, string, number] | null, limit: number) {
  return db.query<QueueRow>(
    `SELECT * FROM (
       SELECT r.id::int AS "reportId", c.name AS "categoryName", r.description, r.address, r.community_code AS "communityCode",
              (SELECT p.id FROM report_photos p WHERE p.report_id = r.id AND p.event_id IS NULL ORDER BY p.created_at, p.id LIMIT 1) AS "thumbId",
              r.moderation, f.n AS "pendingFlags", f.reasons, f.notes, f.first_at AS "firstFlaggedAt",
              CASE WHEN r.moderation = 'auto_hidden' THEN 0 ELSE 1 END AS rank
         FROM (SELECT item_id, count(*)::int AS n, min(created_at) AS first_at,
                      (SELECT json_agg(json_build_object('reason', x.reason, 'count', x.n) ORDER BY x.n DESC, x.reason)
                         FROM (SELECT reason, count(*)::int AS n FROM content_flags g
                                WHERE g.item_kind = 'report' AND g.item_id = pf.item_id AND g.reviewed_at IS NULL GROUP BY reason) x) AS reasons,
                      array_agg(note ORDER BY created_at) FILTER (WHERE note IS NOT NULL) AS notes
                 FROM content_flags pf WHERE item_kind = 'report' AND reviewed_at IS NULL GROUP BY item_id) f
         JOIN reports r ON r.id = f.item_id
         JOIN report_categories c ON c.code = r.category_code
        WHERE $1::text[] IS NULL OR r.community_code = ANY($1::text[]) OR r.grid_code = ANY($1::text[])) q
      WHERE $2::int IS NULL OR (q.rank, q."firstFlaggedAt", q."reportId") > ($2::int, $3::timestamptz, $4::int)
      ORDER BY q.rank, q."firstFlaggedAt", q."reportId" LIMIT $5`,
    [scope, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit],
  )
}

/** The flags a person made (their export). */
export function flagsBy(db: Queryable, userId: number) {
  return db.query(
    `SELECT item_kind AS "itemKind", item_id::int AS "itemId", reason, note, created_at AS "createdAt", reviewed_at AS "reviewedAt"
       FROM content_flags WHERE flagger_id = $1 ORDER BY id`,
    [userId],
  )
}

/** 注销: a flag keeps counting (the item's reviewers still see the reason), without the person's own words. */
export function eraseFlagNotes(db: Queryable, userId: number) {
  return db.query('UPDATE content_flags SET note = NULL WHERE flagger_id = $1 AND note IS NOT NULL', [userId])
}

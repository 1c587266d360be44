import { publiclyVisibleSql } from './queries'
import type { Queryable } from '../../db/types'
import { createSystemAccount } from '../accounts/queries'

export interface KeyRow {
  id: number
  accountId: number
  readPrivate: boolean
  extendedStatuses: boolean
}

export function keyByHash(db: Queryable, keyHash: string) {
  return db.one<KeyRow>(
    `SELECT id::int AS id, account_id::int AS "accountId", read_private AS "readPrivate", extended_statuses AS "extendedStatuses"
       FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [keyHash],
  )
}

export interface KeyInfoRow {
  id: number
  name: string
  accountId: number
  readPrivate: boolean
  extendedStatuses: boolean
  createdAt: Date
  revokedAt: Date | null
}
const KEY_COLS = `id::int AS id, name, account_id::int AS "accountId", read_private AS "readPrivate", extended_statuses AS "extendedStatuses",
  created_at AS "createdAt", revoked_at AS "revokedAt"`

/** A key acts as an account of its own (the reporter of what it files), named after the system. */
export async function insertKey(db: Queryable, k: { name: string; keyHash: string; createdBy: number; readPrivate: boolean; extendedStatuses: boolean }) {
  const accountId = await createSystemAccount(db, k.name)
  return db.one<KeyInfoRow>(
    `INSERT INTO open311_keys (name, key_hash, account_id, created_by, read_private, extended_statuses)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${KEY_COLS}`,
    [k.name, k.keyHash, accountId, k.createdBy, k.readPrivate, k.extendedStatuses],
  )
}

export function listKeys(db: Queryable) {
  return db.query<KeyInfoRow>(`SELECT ${KEY_COLS} FROM open311_keys ORDER BY id`)
}

/** null leaves a setting as it is; a revoked key stays revoked. */
export function updateKey(db: Queryable, id: number, p: { readPrivate: boolean | null; extendedStatuses: boolean | null; revoke: boolean }) {
  return db.one<KeyInfoRow>(
    `UPDATE open311_keys SET read_private = coalesce($2, read_private), extended_statuses = coalesce($3, extended_statuses),
            revoked_at = CASE WHEN $4 THEN coalesce(revoked_at, now()) ELSE revoked_at END
      WHERE id = $1 RETURNING ${KEY_COLS}`,
    [id, p.readPrivate, p.extendedStatuses, p.revoke],
  )
}

export interface RequestRow {
  id: number
  state: string
  categoryCode: string
  categoryName: string
  description: string
  department: string
  communityCode: string
  createdAt: Date
  updatedAt: Date
  dueAt: Date
  address: string
  lat: number
  lng: number
  mediaUrl: string | null
  photoId: string | null
}

export interface RequestFilter {
  ids?: number[]
  categoryCodes?: string[]
  states?: string[]
  from?: Date
  to?: Date
}

/** Public requests only: a held (content check) or moderated-away report is never read through Open311; removed content
 *  (内容审核「移除内容」) reads without its text and photos, as residents see it. */
export function requests(db: Queryable, f: RequestFilter, limit: number) {
  const where = [publiclyVisibleSql('r')]
  const params: unknown[] = []
  const p = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  if (f.ids) where.push(`r.id = ANY(${p(f.ids)}::bigint[])`)
  if (f.categoryCodes) where.push(`r.category_code = ANY(${p(f.categoryCodes)}::text[])`)
  if (f.states) where.push(`r.state = ANY(${p(f.states)}::text[])`)
  if (f.from) where.push(`r.created_at >= ${p(f.from)}`)
  if (f.to) where.push(`r.created_at <= ${p(f.to)}`)
  return db.query<RequestRow>(
    `SELECT r.id::int AS id, r.state, r.category_code AS "categoryCode", c.name AS "categoryName",
            CASE WHEN r.moderation = 'content_removed' THEN '' ELSE r.description END AS description, r.department,
            r.community_code AS "communityCode", r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.due_at AS "dueAt",
            r.address, r.lat, r.lng, CASE WHEN r.moderation = 'content_removed' THEN NULL ELSE r.media_url END AS "mediaUrl",
            (SELECT ph.id FROM report_photos ph WHERE ph.report_id = r.id AND ph.event_id IS NULL AND r.moderation <> 'content_removed'
              ORDER BY ph.created_at, ph.id LIMIT 1) AS "photoId"
       FROM reports r JOIN report_categories c ON c.code = r.category_code
      WHERE ${where.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC LIMIT ${p(limit)}`,
    params,
  )
}

export function publicReportExists(db: Queryable, id: number) {
  return db.one<{ id: number }>(`SELECT r.id::int AS id FROM reports r WHERE r.id = $1 AND ${publiclyVisibleSql('r')}`, [id])
}

export function insertSubmitter(db: Queryable, s: { reportId: number; keyId: number; firstName: string | null; lastName: string | null; email: string | null; phone: string | null }) {
  return db.query(
    'INSERT INTO open311_submitters (report_id, key_id, first_name, last_name, email, phone) VALUES ($1, $2, $3, $4, $5, $6)',
    [s.reportId, s.keyId, s.firstName, s.lastName, s.email, s.phone],
  )
}

export function submitterOf(db: Queryable, reportId: number) {
  return db.one<{ system: string; firstName: string | null; lastName: string | null; email: string | null; phone: string | null }>(
    `SELECT k.name AS system, s.first_name AS "firstName", s.last_name AS "lastName", s.email, s.phone
       FROM open311_submitters s JOIN open311_keys k ON k.id = s.key_id WHERE s.report_id = $1`,
    [reportId],
  )
}

export interface UpdateRow {
  id: number
  reportId: number
  action: string
  note: string | null
  /** the report's state once this entry was made */
  state: string
  createdAt: Date
  photoId: string | null
  mediaUrl: string | null
}

/**
 * 台账 entries of public reports in a time window, oldest first (a client pages by moving start_date on). The state
 * of the report after each entry is the latest state any entry up to it set (a comment sets none).
 */
export function updates(db: Queryable, actions: readonly string[], from: Date, to: Date | undefined, reportIds: number[] | undefined, limit: number) {
  return db.query<UpdateRow>(
    `SELECT e.id::int AS id, e.report_id::int AS "reportId", e.action, e.note, e.created_at AS "createdAt",
            (SELECT s.to_state FROM report_events s WHERE s.report_id = e.report_id AND s.id <= e.id AND s.to_state IS NOT NULL
              ORDER BY s.id DESC LIMIT 1) AS state,
            (SELECT ph.id FROM report_photos ph WHERE ph.event_id = e.id ORDER BY ph.created_at, ph.id LIMIT 1) AS "photoId",
            e.detail->>'mediaUrl' AS "mediaUrl"
       FROM report_events e JOIN reports r ON r.id = e.report_id
      WHERE ${publiclyVisibleSql('r')} AND e.action = ANY($1::text[]) AND e.created_at >= $2 AND ($3::timestamptz IS NULL OR e.created_at <= $3)
        AND ($4::bigint[] IS NULL OR e.report_id = ANY($4::bigint[]))
      ORDER BY e.created_at, e.id LIMIT $5`,
    [actions, from, to ?? null, reportIds ?? null, limit],
  )
}

export function updateByExternalId(db: Queryable, keyId: number, externalId: string) {
  return db.one<{ eventId: number }>('SELECT event_id::int AS "eventId" FROM open311_updates WHERE key_id = $1 AND external_id = $2', [keyId, externalId])
}

export function insertUpdateId(db: Queryable, keyId: number, externalId: string, eventId: number) {
  return db.query('INSERT INTO open311_updates (key_id, external_id, event_id) VALUES ($1, $2, $3)', [keyId, externalId, eventId])
}

/** Locks a publicly visible report against being held or merged while a comment lands on it. */
export function sharePublicReport(db: Queryable, id: number) {
  return db.one<{ id: number }>(`SELECT r.id::int AS id FROM reports r WHERE r.id = $1 AND ${publiclyVisibleSql('r')} FOR SHARE`, [id])
}

export function touchReport(db: Queryable, id: number) {
  return db.query('UPDATE reports SET updated_at = now() WHERE id = $1', [id])
}

import { prepared, type Queryable } from '../../db/types'
import { PUBLIC_MODERATION_STATES, type ModerationState } from '../../../types/moderation'
import { CLOSED_STATES, DISMISSED_STATES, OPEN_STATES, sqlStateList } from '../../../types/report-lifecycle'
import type { ReportState } from '../../../types/reports'

export const OPEN_STATES_SQL = sqlStateList(OPEN_STATES)
const CLOSED_STATES_SQL = sqlStateList(CLOSED_STATES)
const DISMISSED_STATES_SQL = sqlStateList(DISMISSED_STATES)

/**
 * Whether residents see a report at all: not held by the content check and not hidden by moderation (举报). Every
 * public read — lists, nearby, home, Open311 — uses this one predicate; workers and the office read past it.
 */
export const publiclyVisibleSql = (alias = 'r') =>
  `(NOT ${alias}.held AND ${alias}.moderation IN (${PUBLIC_MODERATION_STATES.map((m) => `'${m}'`).join(', ')}))`

/** Overdue: open past its due time, or closed after it; rejected and merged reports are never overdue. */
export const OVERDUE_SQL = `(CASE WHEN r.state IN ${DISMISSED_STATES_SQL} THEN false
  WHEN r.closed_at IS NOT NULL THEN r.closed_at > r.due_at ELSE now() > r.due_at END)`

export interface CategoryRow {
  code: string
  name: string
  icon: string
  slaHours: number
  department: string
  duplicateRadiusM: number
}

export function categories(db: Queryable) {
  return db.query<CategoryRow>(
    `SELECT code, name, icon, sla_hours AS "slaHours", department, duplicate_radius_m AS "duplicateRadiusM"
       FROM report_categories WHERE active ORDER BY sort_order, code`,
  )
}

export interface ReportRow {
  id: number
  categoryCode: string
  categoryName: string
  categoryIcon: string
  state: string
  description: string
  address: string
  communityCode: string
  gridCode: string | null
  lng: number
  lat: number
  createdAt: Date
  dueAt: Date
  closedAt: Date | null
  overdue: boolean
  held: boolean
  holdReason: string | null
  moderation: ModerationState
  coReporters: number
  anonymous: boolean
  reporterId: number
  reporterName: string
  reporterPhone: string | null
  department: string
  assigneeId: number | null
  assigneeName: string | null
  mergedInto: number | null
  rating: number | null
  ratingComment: string | null
  ratedAt: Date | null
  thumbId: string | null
  source: string
  mediaUrl: string | null
}

export const REPORT_COLS = `r.id::int AS id, r.category_code AS "categoryCode", c.name AS "categoryName", c.icon AS "categoryIcon",
  r.state, r.description, r.address, r.community_code AS "communityCode", r.grid_code AS "gridCode", r.lng, r.lat,
  r.created_at AS "createdAt", r.due_at AS "dueAt", r.closed_at AS "closedAt", ${OVERDUE_SQL} AS overdue,
  r.held, r.hold_reason AS "holdReason", r.moderation, r.co_reporters AS "coReporters", r.anonymous, r.reporter_id::int AS "reporterId",
  u.nickname AS "reporterName", u.phone AS "reporterPhone", r.department, r.assignee_id::int AS "assigneeId", a.nickname AS "assigneeName",
  r.merged_into::int AS "mergedInto", r.rating, r.rating_comment AS "ratingComment", r.rated_at AS "ratedAt",
  (SELECT p.id FROM report_photos p WHERE p.report_id = r.id ORDER BY p.created_at, p.id LIMIT 1) AS "thumbId",
  r.source, r.media_url AS "mediaUrl"`

export const REPORT_FROM = `reports r JOIN report_categories c ON c.code = r.category_code JOIN users u ON u.id = r.reporter_id
  LEFT JOIN users a ON a.id = r.assignee_id`

export function reportById(db: Queryable, id: number) {
  return db.one<ReportRow>(`SELECT ${REPORT_COLS} FROM ${REPORT_FROM} WHERE r.id = $1`, [id])
}

export interface LockedReport {
  id: number
  state: string
  reporterId: number
  communityCode: string
  gridCode: string | null
  categoryCode: string
  closedAt: Date | null
  held: boolean
  moderation: ModerationState
  rating: number | null
  slaHours: number
}

/** The report row locked for the rest of the transaction: concurrent transitions on one report run one after another. */
export function lockReports(db: Queryable, ids: number[]) {
  return db.query<LockedReport>(
    `SELECT r.id::int AS id, r.state, r.reporter_id::int AS "reporterId", r.community_code AS "communityCode", r.grid_code AS "gridCode",
            r.category_code AS "categoryCode", r.closed_at AS "closedAt", r.held, r.moderation, r.rating,
            (SELECT sla_hours FROM report_categories WHERE code = r.category_code) AS "slaHours"
       FROM reports r WHERE r.id = ANY($1::bigint[]) ORDER BY r.id FOR UPDATE`,
    [ids],
  )
}

export interface PhotoRow {
  id: string
  width: number
  height: number
  secStatus: string
  eventId: number | null
}

export function photosOfReport(db: Queryable, reportId: number) {
  return db.query<PhotoRow>(
    `SELECT id, width, height, sec_status AS "secStatus", event_id::int AS "eventId" FROM report_photos
      WHERE report_id = $1 ORDER BY created_at, id`,
    [reportId],
  )
}

/** Unattached photos of the owner, locked so two submissions cannot both take them. */
export function claimablePhotos(db: Queryable, ownerId: number, ids: string[]) {
  return db.query<PhotoRow>(
    `SELECT id, width, height, sec_status AS "secStatus", event_id::int AS "eventId" FROM report_photos
      WHERE id = ANY($1::text[]) AND owner_id = $2 AND report_id IS NULL AND event_id IS NULL FOR UPDATE`,
    [ids, ownerId],
  )
}

export interface EventRow {
  id: number
  action: string
  fromState: string | null
  toState: string | null
  actorId: number | null
  actorRole: string
  actorName: string | null
  note: string | null
  createdAt: Date
}

export function eventsOf(db: Queryable, reportId: number) {
  return db.query<EventRow>(
    `SELECT e.id::int AS id, e.action, e.from_state AS "fromState", e.to_state AS "toState", e.actor_id::int AS "actorId",
            e.actor_role AS "actorRole", u.nickname AS "actorName", e.note, e.created_at AS "createdAt"
       FROM report_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.report_id = $1 ORDER BY e.id`,
    [reportId],
  )
}

export function insertEvent(
  db: Queryable,
  e: { reportId: number; actorId: number | null; actorRole: string; action: string; fromState?: string | null; toState?: string | null; note?: string | null; detail?: unknown },
) {
  return db.one<{ id: number; createdAt: Date }>(
    `INSERT INTO report_events (report_id, actor_id, actor_role, action, from_state, to_state, note, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::int AS id, created_at AS "createdAt"`,
    [e.reportId, e.actorId, e.actorRole, e.action, e.fromState ?? null, e.toState ?? null, e.note ?? null, JSON.stringify(e.detail ?? {})],
  )
}

/**
 * One message per person who follows the report: the reporter and every co-reporter ("+1", or the reporter of a
 * duplicate merged into it). UNION keeps a person once even if they were both.
 */
export function enqueueForFollowers(db: Queryable, reportId: number, reporterId: number, kind: string, payload: unknown) {
  return db.query(
    `INSERT INTO notification_outbox (user_id, kind, ref, payload)
     SELECT f.user_id, $3, 'report:' || $1::bigint, $4::jsonb
       FROM (SELECT $2::bigint AS user_id UNION SELECT user_id FROM report_co_reporters WHERE report_id = $1) f
       JOIN users u ON u.id = f.user_id AND u.erased_at IS NULL`,
    [reportId, reporterId, kind, JSON.stringify(payload)],
  )
}

export interface NotificationRow {
  id: number
  userId: number
  kind: string
  ref: string
  status: string
  attempts: number
  lastError: string | null
  createdAt: Date
  nextAttemptAt: Date
}
const NOTIFICATION_COLS = `id::int AS id, user_id::int AS "userId", kind, ref, status, attempts, last_error AS "lastError",
  created_at AS "createdAt", next_attempt_at AS "nextAttemptAt"`

/**
 * A failed message back in the queue, due now, with a fresh count of attempts. Conditional on 'failed' so that two
 * offices pressing "retry" together (or a retry racing the sender) queue it once. The last error is kept until the
 * next attempt replaces or clears it, so the office still sees why it failed.
 */
export function requeueFailedNotification(db: Queryable, id: number) {
  return db.one<NotificationRow>(
    `UPDATE notification_outbox SET status = 'pending', attempts = 0, next_attempt_at = now()
      WHERE id = $1 AND status = 'failed' RETURNING ${NOTIFICATION_COLS}`,
    [id],
  )
}

export function notificationById(db: Queryable, id: number) {
  return db.one<NotificationRow>(`SELECT ${NOTIFICATION_COLS} FROM notification_outbox WHERE id = $1`, [id])
}

/**
 * Removes up to `limit` photos never attached to a report or a 台账 entry and older than `olderThanHours`, returning
 * their file keys. DELETE … RETURNING hands each row to exactly one caller, however many API processes sweep at
 * once; SKIP LOCKED passes over a photo a submission is claiming right now (it locks the row first) instead of
 * waiting for it — and the conditions are checked again on the locked row.
 */
export function deleteStaleUnattachedPhotos(db: Queryable, olderThanHours: number, limit: number) {
  return db.query<{ id: string; storageKey: string; thumbKey: string }>(
    `WITH stale AS (
       SELECT id FROM report_photos
        WHERE report_id IS NULL AND event_id IS NULL AND created_at < now() - make_interval(hours => $1)
        ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     DELETE FROM report_photos p USING stale
      WHERE p.id = stale.id AND p.report_id IS NULL AND p.event_id IS NULL
     RETURNING p.id, p.storage_key AS "storageKey", p.thumb_key AS "thumbKey"`,
    [olderThanHours, limit],
  )
}

export function isCoReporter(db: Queryable, reportId: number, userId: number) {
  return db.one<{ x: number }>('SELECT 1 AS x FROM report_co_reporters WHERE report_id = $1 AND user_id = $2', [reportId, userId])
}

/** Filters shared by the worker list, the counts, the export and the daily figures. */
export interface ReportFilter {
  /** null: every region (office) */
  scope: string[] | null
  state?: string
  categoryCode?: string
  overdue?: boolean
  from?: string
  to?: string
  communityCode?: string
  publicOnly?: boolean
  reporterId?: number
}

export function filterSql(f: ReportFilter, params: unknown[], opts: { withState?: boolean } = {}): string {
  const where: string[] = []
  const p = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  if (f.scope) {
    const s = p(f.scope)
    where.push(`(r.community_code = ANY(${s}::text[]) OR r.grid_code = ANY(${s}::text[]))`)
  }
  if (f.communityCode) where.push(`r.community_code = ${p(f.communityCode)}`)
  if (f.reporterId) where.push(`r.reporter_id = ${p(f.reporterId)}`)
  if (f.publicOnly) where.push(publiclyVisibleSql())
  if (opts.withState !== false && f.state) where.push(`r.state = ${p(f.state)}`)
  if (f.categoryCode) where.push(`r.category_code = ${p(f.categoryCode)}`)
  if (f.overdue !== undefined) where.push(`${OVERDUE_SQL} = ${p(f.overdue)}`)
  if (f.from) where.push(`r.created_at >= (${p(f.from)}::date::timestamp AT TIME ZONE 'Asia/Shanghai')`)
  if (f.to) where.push(`r.created_at < ((${p(f.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`)
  return where.length ? where.join(' AND ') : 'true'
}

export interface SubmitParams {
  userId: number
  idempotencyKey: string | null
  categoryCode: string
  anonymous: boolean
  description: string
  lng: number
  lat: number
  address: string
  communityCode: string
  gridCode: string | null
  textHeld: boolean
  textHoldReason: string | null
  department: string
  slaHours: number
  source: string
  mediaUrl: string | null
  actorRole: string
  photoIds: string[]
}

export interface SubmitOutcome {
  outcome: 'created' | 'replay' | 'photos_taken'
  id: number | null
  createdAt: Date | null
  dueAt: Date | null
  held: boolean | null
  holdReason: string | null
  eventId: number | null
  photos: PhotoRow[] | string | null
}

const SUBMIT = prepared(
  'reports_submit',
  `SELECT outcome, report_id::int AS id, created_at AS "createdAt", due_at AS "dueAt", held, hold_reason AS "holdReason",
          event_id::int AS "eventId", photos
     FROM reports_submit($1::bigint, $2::text, $3::text, $4::boolean, $5::text, $6::double precision, $7::double precision, $8::text,
                         $9::text, $10::text, $11::boolean, $12::text, $13::text, $14::integer, $15::text, $16::text, $17::text[],
                         $18::text)`,
)

/**
 * A submission in one call of reports_submit (migration 0004): takes the photos (locked; each photo belongs to one
 * report), inserts the report with its Idempotency-Key and its first 台账 entry — or, when
 * the key was used before (also by a concurrent request, which it waits for), names the earlier report.
 */
export function submit(db: Queryable, p: SubmitParams) {
  return db.one<SubmitOutcome>(SUBMIT, [
    p.userId, p.idempotencyKey, p.categoryCode, p.anonymous, p.description, p.lng, p.lat, p.address, p.communityCode, p.gridCode,
    p.textHeld, p.textHoldReason, p.department, p.slaHours, p.source, p.mediaUrl, p.photoIds, p.actorRole,
  ])
}

// Each call of the function sees what the calls before it in the statement wrote: a second item with the same
// Idempotency-Key replays the first, a photo already taken by an earlier item is refused. Items go in the order
// (reporter, key), so that two batches in flight on a PostgreSQL server take their locks in one order.
const SUBMIT_MANY = prepared(
  'reports_submit_many',
  `WITH item AS MATERIALIZED (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, uid bigint, key text, category text, anonymous boolean, description text,
       lng double precision, lat double precision, address text, community text, grid text, text_held boolean, text_hold_reason text,
       department text, sla_hours integer, source text, media_url text, photo_ids text[], actor_role text))
   SELECT s.i, r.outcome, r.report_id::int AS id, r.created_at AS "createdAt", r.due_at AS "dueAt", r.held, r.hold_reason AS "holdReason",
          r.event_id::int AS "eventId", r.photos
     FROM (SELECT * FROM item ORDER BY uid, key, i) s
    CROSS JOIN LATERAL reports_submit(s.uid, s.key, s.category, s.anonymous, s.description, s.lng, s.lat, s.address, s.community, s.grid,
                                      s.text_held, s.text_hold_reason, s.department, s.sla_hours, s.source, s.media_url, s.photo_ids,
                                      s.actor_role) r`,
)

/** Several submissions in one statement (one transaction): one outcome per item, in the order given. */
export async function submitMany(db: Queryable, items: readonly SubmitParams[]): Promise<SubmitOutcome[]> {
  if (items.length === 1) return [(await submit(db, items[0]))!]
  const rows = await db.query<SubmitOutcome & { i: number }>(SUBMIT_MANY, [
    JSON.stringify(items.map((p, i) => ({
      i, uid: p.userId, key: p.idempotencyKey, category: p.categoryCode, anonymous: p.anonymous, description: p.description, lng: p.lng,
      lat: p.lat, address: p.address, community: p.communityCode, grid: p.gridCode, text_held: p.textHeld, text_hold_reason: p.textHoldReason,
      department: p.department, sla_hours: p.slaHours, source: p.source, media_url: p.mediaUrl, photo_ids: p.photoIds, actor_role: p.actorRole,
    }))),
  ])
  const out: SubmitOutcome[] = new Array(items.length)
  for (const { i, ...r } of rows) out[i] = r
  return out
}

/** What a transition changes besides the state; each action sets its own part. */
export interface TransitionChange {
  mergedInto?: number
  assigneeId?: number
  department?: string
  closing?: boolean
  /** reopening: the deadline starts again with the category's hours */
  reopenWithHours?: number
  release?: boolean
}

/** One UPDATE for any transition, compared-and-set on the state the caller saw; null when the state moved. */
export function applyTransition(db: Queryable, id: number, fromState: ReportState, to: ReportState | null, c: TransitionChange) {
  const sets: string[] = ['updated_at = now()']
  const params: unknown[] = [id, fromState]
  const p = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  if (to) sets.push(`state = ${p(to)}`)
  if (c.mergedInto !== undefined) sets.push(`merged_into = ${p(c.mergedInto)}`)
  if (c.assigneeId) sets.push(`assignee_id = ${p(c.assigneeId)}`)
  if (c.department) sets.push(`department = ${p(c.department)}`)
  if (c.closing) sets.push('closed_at = now()')
  if (c.reopenWithHours !== undefined) sets.push('closed_at = NULL', 'reopen_count = reopen_count + 1', `due_at = now() + make_interval(hours => ${p(c.reopenWithHours)})`)
  if (c.release) sets.push('held = false', 'hold_reason = NULL')
  return db.one<{ categoryName: string }>(
    `UPDATE reports SET ${sets.join(', ')} WHERE id = $1 AND state = $2
     RETURNING (SELECT name FROM report_categories WHERE code = reports.category_code) AS "categoryName"`,
    params,
  )
}

/** A merged duplicate's reporter and "+1"s follow the kept report from now on (never its own reporter). */
export async function mergeFollowers(db: Queryable, m: { from: number; fromReporterId: number; into: number; intoReporterId: number }) {
  await db.query(
    `INSERT INTO report_co_reporters (report_id, user_id)
     SELECT $1, u FROM (SELECT $3::bigint AS u UNION SELECT user_id FROM report_co_reporters WHERE report_id = $2) x
      WHERE u <> $4 ON CONFLICT DO NOTHING`,
    [m.into, m.from, m.fromReporterId, m.intoReporterId],
  )
  await db.query('UPDATE reports SET co_reporters = (SELECT count(*)::int FROM report_co_reporters WHERE report_id = $1), updated_at = now() WHERE id = $1', [m.into])
}

export function attachPhotos(db: Queryable, reportId: number, eventId: number, photoIds: string[]) {
  return db.query('UPDATE report_photos SET report_id = $1, event_id = $2 WHERE id = ANY($3::text[])', [reportId, eventId, photoIds])
}

/** "我也遇到了": false when the resident had already said so. */
export async function addCoReporter(db: Queryable, reportId: number, userId: number): Promise<number | null> {
  const added = await db.one('INSERT INTO report_co_reporters (report_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING report_id', [reportId, userId])
  if (!added) return null
  const upd = await db.one<{ n: number }>('UPDATE reports SET co_reporters = co_reporters + 1, updated_at = now() WHERE id = $1 RETURNING co_reporters AS n', [reportId])
  return upd!.n
}

/** Open, publicly visible reports of a category near a point (a square prefilter, then the great-circle distance). */
export function nearbyOpen(db: Queryable, n: { categoryCode: string; lng: number; lat: number; dLat: number; dLng: number; days: number; radius: number; removedText: string }) {
  return db.query<{ id: number; state: string; description: string; address: string; coReporters: number; createdAt: Date; thumbId: string | null; dist: number }>(
    `SELECT * FROM (
       SELECT r.id::int AS id, r.state, r.address, r.co_reporters AS "coReporters", r.created_at AS "createdAt",
              CASE WHEN r.moderation = 'content_removed' THEN $10 ELSE r.description END AS description,
              CASE WHEN r.moderation = 'content_removed' THEN NULL
                   ELSE (SELECT p.id FROM report_photos p WHERE p.report_id = r.id ORDER BY p.created_at, p.id LIMIT 1) END AS "thumbId",
              6371000 * 2 * asin(sqrt(power(sin(radians(r.lat - $3) / 2), 2)
                + cos(radians($3)) * cos(radians(r.lat)) * power(sin(radians(r.lng - $2) / 2), 2))) AS dist
         FROM reports r
        WHERE r.category_code = $1 AND r.created_at > now() - make_interval(days => $8)
          AND r.lat BETWEEN $4 AND $5 AND r.lng BETWEEN $6 AND $7
          AND r.state IN ${OPEN_STATES_SQL} AND ${publiclyVisibleSql()}) x
      WHERE dist <= $9 ORDER BY dist LIMIT 10`,
    [n.categoryCode, n.lng, n.lat, n.lat - n.dLat, n.lat + n.dLat, n.lng - n.dLng, n.lng + n.dLng, n.days, n.radius, n.removedText],
  )
}

export function rateReport(db: Queryable, id: number, score: number, comment: string | null) {
  return db.query('UPDATE reports SET rating = $2, rating_comment = $3, rated_at = now(), updated_at = now() WHERE id = $1', [id, score, comment])
}

/** A page of a filtered list, newest first, after a (created_at, id) cursor. */
export function reportPage(db: Queryable, f: ReportFilter, after: readonly [Date, number] | null, limit: number) {
  const params: unknown[] = []
  let where = filterSql(f, params)
  if (after) {
    params.push(after[0].toISOString(), after[1])
    where += ` AND (r.created_at, r.id) < ($${params.length - 1}::timestamptz, $${params.length})`
  }
  params.push(limit)
  return db.query<ReportRow>(`SELECT ${REPORT_COLS} FROM ${REPORT_FROM} WHERE ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT $${params.length}`, params)
}

/** How many reports of the filter are in each state, and how many of them are overdue. */
export function stateCounts(db: Queryable, f: ReportFilter) {
  const params: unknown[] = []
  const where = filterSql(f, params, { withState: false })
  return db.query<{ state: string; n: number; overdue: number }>(
    `SELECT r.state, count(*)::int AS n, count(*) FILTER (WHERE ${OVERDUE_SQL})::int AS overdue FROM reports r WHERE ${where} GROUP BY r.state`,
    params,
  )
}

/** Per Asia/Shanghai day and community: reports filed, closed, and fallen overdue that day. */
export function dailyCounts(db: Queryable, f: ReportFilter, start: string, end: string) {
  const params: unknown[] = [start, end]
  const where = filterSql(f, params)
  return db.query<{ day: string; communityCode: string; new: number; closed: number; overdue: number }>(
    `WITH bounds AS (SELECT ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai') AS lo, (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS hi),
     scoped AS (SELECT r.* FROM reports r, bounds b WHERE ${where}
                  AND (r.created_at >= b.lo OR r.closed_at >= b.lo OR r.due_at >= b.lo)),
     ev AS (
       SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, community_code, 1 AS n, 0 AS c, 0 AS o FROM scoped, bounds
        WHERE created_at >= bounds.lo AND created_at < bounds.hi
       UNION ALL
       SELECT (closed_at AT TIME ZONE 'Asia/Shanghai')::date, community_code, 0, 1, 0 FROM scoped, bounds
        WHERE state IN ${CLOSED_STATES_SQL} AND closed_at >= bounds.lo AND closed_at < bounds.hi
       UNION ALL
       SELECT (due_at AT TIME ZONE 'Asia/Shanghai')::date, community_code, 0, 0, 1 FROM scoped, bounds
        WHERE state NOT IN ${DISMISSED_STATES_SQL} AND due_at >= bounds.lo AND due_at < least(bounds.hi, now())
          AND (closed_at IS NULL OR closed_at > due_at))
     SELECT day::text AS day, community_code AS "communityCode", sum(n)::int AS new, sum(c)::int AS closed, sum(o)::int AS overdue
       FROM ev GROUP BY day, community_code ORDER BY day, community_code`,
    params,
  )
}

export function latestInCommunity(db: Queryable, communityCode: string, limit: number) {
  return db.query<{ id: number; name: string; state: string; address: string }>(
    `SELECT r.id::int AS id, c.name, r.state, r.address FROM reports r JOIN report_categories c ON c.code = r.category_code
      WHERE r.community_code = $1 AND ${publiclyVisibleSql()} ORDER BY r.created_at DESC, r.id DESC LIMIT $2`,
    [communityCode, limit],
  )
}

/** Due messages, leased for a minute before sending: two senders (processes, overlapping runs) never take one twice. */
export function leaseDueNotifications(db: Queryable, limit: number) {
  return db.query<{ id: number; attempts: number; payload: { templateId: string; page?: string; data: Record<string, { value: string }> }; openid: string | null }>(
    `WITH due AS (
       SELECT id FROM notification_outbox WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     UPDATE notification_outbox o SET attempts = o.attempts + 1, next_attempt_at = now() + interval '60 seconds'
       FROM due, users u WHERE o.id = due.id AND u.id = o.user_id
     RETURNING o.id::int AS id, o.attempts, o.payload, u.openid`,
    [limit],
  )
}

export function endNotification(db: Queryable, id: number, status: 'sent' | 'failed' | 'skipped', error: string | null) {
  return db.query(
    `UPDATE notification_outbox SET status = $2, last_error = $3, sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END WHERE id = $1`,
    [id, status, error],
  )
}

export function retryNotificationLater(db: Queryable, id: number, error: string, delaySeconds: number) {
  return db.query(`UPDATE notification_outbox SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`, [id, error, delaySeconds])
}

export function notificationsByStatus(db: Queryable, status: string, limit: number) {
  return db.query<Record<string, unknown>>(
    `SELECT id::int AS id, user_id::int AS "userId", kind, ref, status, attempts, last_error AS "lastError",
            created_at AS "createdAt", next_attempt_at AS "nextAttemptAt"
       FROM notification_outbox WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [status, limit],
  )
}

export function notificationCounts(db: Queryable) {
  return db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM notification_outbox GROUP BY status')
}

export function insertPhoto(db: Queryable, p: {
  id: string; ownerId: number; format: string; width: number; height: number; bytes: number; storageKey: string; thumbKey: string; secStatus: string
}) {
  return db.query(
    `INSERT INTO report_photos (id, owner_id, source_format, width, height, bytes, storage_key, thumb_key, sec_status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [p.id, p.ownerId, p.format, p.width, p.height, p.bytes, p.storageKey, p.thumbKey, p.secStatus],
  )
}

export function photoKey(db: Queryable, id: string, thumb: boolean) {
  return db.one<{ key: string }>(`SELECT ${thumb ? 'thumb_key' : 'storage_key'} AS key FROM report_photos WHERE id = $1`, [id])
}

export type LedgerRow = {
  id: number; category: string; address: string; communityCode: string; createdAt: Date; state: string; department: string
  dueAt: Date; closedAt: Date | null; overdue: boolean; rating: number | null
}

/** The 台账 export reads the filter in id order, a batch at a time after the last id. */
export function ledgerBatch(db: Queryable, f: ReportFilter, after: number, limit: number): Promise<LedgerRow[]> {
  const params: unknown[] = []
  const where = filterSql(f, params)
  params.push(after, limit)
  return db.query<LedgerRow>(
    `SELECT r.id::int AS id, c.name AS category, r.address, r.community_code AS "communityCode", r.created_at AS "createdAt", r.state,
            r.department, r.due_at AS "dueAt", r.closed_at AS "closedAt", ${OVERDUE_SQL} AS overdue, r.rating
       FROM reports r JOIN report_categories c ON c.code = r.category_code
      WHERE ${where} AND r.id > $${params.length - 1} ORDER BY r.id LIMIT $${params.length}`,
    params,
  )
}

import type { Queryable } from '../../db/types'
import type { ActivityType, SignupStatus, VolunteerStatus } from '../../../types/volunteers'

export interface VolunteerRow {
  userId: number
  realName: string | null
  phone: string | null
  skills: string[]
  availability: string
  communityCode: string
  status: VolunteerStatus
  decisionReason: string | null
  appliedAt: Date
  decidedAt: Date | null
}

const VOLUNTEER_COLS = `user_id::int AS "userId", real_name AS "realName", phone, skills, availability, community_code AS "communityCode",
  status, decision_reason AS "decisionReason", applied_at AS "appliedAt", decided_at AS "decidedAt"`

export const lockVolunteer = (db: Queryable, userId: number) =>
  db.one<VolunteerRow>(`SELECT ${VOLUNTEER_COLS} FROM volunteers WHERE user_id = $1 FOR UPDATE`, [userId])

export const volunteerByUser = (db: Queryable, userId: number) =>
  db.one<VolunteerRow>(`SELECT ${VOLUNTEER_COLS} FROM volunteers WHERE user_id = $1`, [userId])

export function upsertApplication(db: Queryable, userId: number, a: { realName: string; phone: string; skills: string[]; availability: string; communityCode: string }) {
  return db.one<VolunteerRow>(
    `INSERT INTO volunteers (user_id, real_name, phone, skills, availability, community_code, pledge_agreed_at, status)
     VALUES ($1, $2, $3, $4, $5, $6, now(), 'pending')
     ON CONFLICT (user_id) DO UPDATE SET real_name = EXCLUDED.real_name, phone = EXCLUDED.phone, skills = EXCLUDED.skills,
       availability = EXCLUDED.availability, community_code = EXCLUDED.community_code, pledge_agreed_at = now(), status = 'pending',
       decided_by = NULL, decided_at = NULL, decision_reason = NULL, applied_at = now(), updated_at = now()
     RETURNING ${VOLUNTEER_COLS}`,
    [userId, a.realName, a.phone, a.skills, a.availability, a.communityCode],
  )
}

export function setVolunteerStatus(db: Queryable, userId: number, status: VolunteerStatus, actorId: number | null, reason: string | null) {
  return db.one<VolunteerRow>(
    `UPDATE volunteers SET status = $2, decided_by = $3, decided_at = now(), decision_reason = $4, updated_at = now()
      WHERE user_id = $1 RETURNING ${VOLUNTEER_COLS}`,
    [userId, status, actorId, reason],
  )
}

/**
 * When the volunteer may sign up again, if repeated no-shows block them: a no-show is a confirmed place whose shift
 * ended without attendance (or one the worker marked absent). `limit` of them within `windowDays` start a block of
 * `blockDays` from the last of them.
 */
export async function noShowBlockedUntil(db: Queryable, userId: number, limit: number, windowDays: number, blockDays: number): Promise<Date | null> {
  const row = await db.one<{ until: Date | null }>('SELECT volunteer_no_show_block_until($1, $2, $3, $4) AS until', [userId, limit, windowDays, blockDays])
  return row?.until ? new Date(row.until) : null
}

export type SignUpOutcome =
  | 'no_session' | 'not_volunteer' | 'volunteer_pending' | 'volunteer_suspended' | 'shift_not_found' | 'activity_cancelled' | 'other_region'
  | 'signup_closed' | 'already' | 'overlap' | 'blocked' | 'confirmed' | 'waitlisted'

export interface SignUpItem { userId: number | null; tokenHash: string; shiftId: number }
export interface SignUpRow { outcome: SignUpOutcome; signupId: number | null; position: number | null; until: Date | null }

/**
 * Sign-ups, checks and writes, in one statement (server/db/functions/volunteer_sign_up.sql): one row per item, in
 * the items' order.
 */
export const signUpMany = async (db: Queryable, items: readonly SignUpItem[], limit: number, windowDays: number, blockDays: number): Promise<SignUpRow[]> => {
  const rows = await db.query<SignUpRow & { ord: number }>(
    `SELECT ord, outcome, signup_id::int AS "signupId", waitlist_position AS position, blocked_until AS until
       FROM volunteer_sign_up_batch($1::jsonb, $2, $3, $4)`,
    [JSON.stringify(items.map((i) => ({ u: i.userId, t: i.tokenHash, s: i.shiftId }))), limit, windowDays, blockDays],
  )
  const out: SignUpRow[] = new Array(items.length)
  for (const { ord, ...r } of rows) out[ord] = { ...r, until: r.until ? new Date(r.until) : null }
  return out
}

export interface ActivityRow {
  id: number
  type: ActivityType
  title: string
  description: string
  lng: number
  lat: number
  radiusM: number
  address: string
  regionCode: string
  requirements: string
  status: 'published' | 'cancelled'
  createdBy: number
  signups: number
  signedUp: number
}

const ACTIVITY_COLS = `a.id::int AS id, a.type, a.title, a.description, a.lng, a.lat, a.radius_m AS "radiusM", a.address, a.region_code AS "regionCode",
  a.requirements, a.status, a.created_by::int AS "createdBy",
  (SELECT count(*)::int FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id WHERE sh.activity_id = a.id) AS signups,
  (SELECT count(DISTINCT su.user_id)::int FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id
    WHERE sh.activity_id = a.id AND su.status IN ('confirmed', 'waitlisted')) AS "signedUp"`

export interface ActivityFields {
  type: ActivityType
  title: string
  description: string
  lng: number
  lat: number
  radiusM: number
  address: string
  regionCode: string
  requirements: string
}

export async function insertActivity(db: Queryable, a: ActivityFields, actorId: number): Promise<number> {
  const row = await db.one<{ id: number }>(
    `INSERT INTO volunteer_activities (type, title, description, lng, lat, radius_m, address, region_code, requirements, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id::int AS id`,
    [a.type, a.title, a.description, a.lng, a.lat, a.radiusM, a.address, a.regionCode, a.requirements, actorId],
  )
  return row!.id
}

export const updateActivity = (db: Queryable, id: number, a: ActivityFields) =>
  db.query(
    `UPDATE volunteer_activities SET type = $2, title = $3, description = $4, lng = $5, lat = $6, radius_m = $7, address = $8,
       region_code = $9, requirements = $10, updated_at = now() WHERE id = $1`,
    [id, a.type, a.title, a.description, a.lng, a.lat, a.radiusM, a.address, a.regionCode, a.requirements],
  )

export interface ShiftFields {
  startsAt: string
  endsAt: string
  capacity: number
  signupDeadline: string
  cancelDeadline: string
}

export const insertShifts = (db: Queryable, activityId: number, shifts: ShiftFields[]) =>
  db.query(
    `INSERT INTO volunteer_shifts (activity_id, starts_at, ends_at, capacity, signup_deadline, cancel_deadline)
     SELECT $1, s.starts_at, s.ends_at, s.capacity, s.signup_deadline, s.cancel_deadline
       FROM jsonb_to_recordset($2::jsonb) AS s(starts_at timestamptz, ends_at timestamptz, capacity int, signup_deadline timestamptz, cancel_deadline timestamptz)`,
    [activityId, JSON.stringify(shifts.map((s) => ({ starts_at: s.startsAt, ends_at: s.endsAt, capacity: s.capacity, signup_deadline: s.signupDeadline, cancel_deadline: s.cancelDeadline })))],
  )

export const activityById = (db: Queryable, id: number) =>
  db.one<ActivityRow>(`SELECT ${ACTIVITY_COLS} FROM volunteer_activities a WHERE a.id = $1`, [id])

/** The activity and all its shifts locked: an edit or a cancellation and a sign-up to any of its shifts go one after the other. */
export async function lockActivity(db: Queryable, id: number): Promise<ActivityRow | undefined> {
  const a = await db.one<{ id: number }>('SELECT id FROM volunteer_activities WHERE id = $1 FOR UPDATE', [id])
  if (!a) return undefined
  await db.query('SELECT id FROM volunteer_shifts WHERE activity_id = $1 ORDER BY id FOR UPDATE', [id])
  return activityById(db, id)
}

/** Published activities in the regions, newest first, with a shift that has not ended (keyset on id). */
export const listActivities = (db: Queryable, regions: string[] | null, beforeId: number | null, limit: number, includeCancelled: boolean) =>
  db.query<ActivityRow>(
    `SELECT ${ACTIVITY_COLS} FROM volunteer_activities a
      WHERE ($1::text[] IS NULL OR a.region_code = ANY($1::text[])) AND ($2::bigint IS NULL OR a.id < $2)
        AND ($4 OR a.status = 'published')
        AND EXISTS (SELECT 1 FROM volunteer_shifts sh WHERE sh.activity_id = a.id AND sh.ends_at > now())
      ORDER BY a.id DESC LIMIT $3`,
    [regions, beforeId, limit, includeCancelled],
  )

/** 首页: published activities of the regions by their next shift that has not started, soonest first. */
export const upcomingActivities = (db: Queryable, regions: string[], limit: number) =>
  db.query<{ id: number; title: string; type: ActivityType; address: string; nextStart: Date; placesLeft: number }>(
    `SELECT a.id::int AS id, a.title, a.type, a.address, n.starts_at AS "nextStart", n.left::int AS "placesLeft"
       FROM volunteer_activities a
       JOIN LATERAL (SELECT sh.starts_at, sh.capacity - sh.confirmed AS left FROM volunteer_shifts sh
                      WHERE sh.activity_id = a.id AND sh.starts_at > now() ORDER BY sh.starts_at LIMIT 1) n ON true
      WHERE a.region_code = ANY($1::text[]) AND a.status = 'published'
      ORDER BY n.starts_at, a.id LIMIT $2`,
    [regions, limit],
  )

export interface ShiftRow {
  id: number
  activityId: number
  startsAt: Date
  endsAt: Date
  capacity: number
  confirmed: number
  waitlisted: number
  signupDeadline: Date
  cancelDeadline: Date
  held: boolean
  mineId: number | null
  mineStatus: SignupStatus | null
  minePosition: number | null
}

/** The shifts of the activities, with the caller's live sign-up and waitlist position. */
export const shiftsOf = (db: Queryable, activityIds: number[], userId: number) =>
  db.query<ShiftRow>(
    `SELECT sh.id::int AS id, sh.activity_id::int AS "activityId", sh.starts_at AS "startsAt", sh.ends_at AS "endsAt", sh.capacity, sh.confirmed,
            (SELECT count(*)::int FROM volunteer_signups w WHERE w.shift_id = sh.id AND w.status = 'waitlisted') AS waitlisted,
            sh.signup_deadline AS "signupDeadline", sh.cancel_deadline AS "cancelDeadline",
            EXISTS (SELECT 1 FROM volunteer_signups h WHERE h.shift_id = sh.id) AS held,
            m.id::int AS "mineId", m.status AS "mineStatus",
            CASE WHEN m.status = 'waitlisted' THEN (SELECT count(*)::int FROM volunteer_signups w WHERE w.shift_id = sh.id AND w.status = 'waitlisted' AND w.id <= m.id) END AS "minePosition"
       FROM volunteer_shifts sh
       LEFT JOIN volunteer_signups m ON m.shift_id = sh.id AND m.user_id = $2 AND m.status IN ('confirmed', 'waitlisted')
      WHERE sh.activity_id = ANY($1::bigint[]) ORDER BY sh.starts_at, sh.id`,
    [activityIds, userId],
  )

export interface LockedShift {
  id: number
  activityId: number
  startsAt: Date
  endsAt: Date
  capacity: number
  confirmed: number
  regionCode: string
  activityStatus: 'published' | 'cancelled'
  lng: number
  lat: number
  radiusM: number
  signupClosed: boolean
  cancelClosed: boolean
  now: Date
}

const SHIFT_COLS = `sh.id::int AS id, sh.activity_id::int AS "activityId", sh.starts_at AS "startsAt", sh.ends_at AS "endsAt", sh.capacity, sh.confirmed,
  a.region_code AS "regionCode", a.status AS "activityStatus", a.lng, a.lat, a.radius_m AS "radiusM",
  now() >= sh.signup_deadline AS "signupClosed", now() >= sh.cancel_deadline AS "cancelClosed", now() AS now`

/** The shift row locked: every change to its sign-ups happens under this lock, in every API process. */
export const lockShift = (db: Queryable, id: number) =>
  db.one<LockedShift>(`SELECT ${SHIFT_COLS} FROM volunteer_shifts sh JOIN volunteer_activities a ON a.id = sh.activity_id WHERE sh.id = $1 FOR UPDATE OF sh`, [id])

export const shiftById = (db: Queryable, id: number) =>
  db.one<LockedShift>(`SELECT ${SHIFT_COLS} FROM volunteer_shifts sh JOIN volunteer_activities a ON a.id = sh.activity_id WHERE sh.id = $1`, [id])

export interface SignupRow {
  id: number
  shiftId: number
  userId: number
  status: SignupStatus
  checkedInAt: Date | null
  checkedOutAt: Date | null
  attendance: string | null
  codeFailures: number
}

const SIGNUP_COLS = `id::int AS id, shift_id::int AS "shiftId", user_id::int AS "userId", status, checked_in_at AS "checkedInAt",
  checked_out_at AS "checkedOutAt", attendance, code_failures AS "codeFailures"`

export const liveSignup = (db: Queryable, shiftId: number, userId: number, lock = false) =>
  db.one<SignupRow>(
    `SELECT ${SIGNUP_COLS} FROM volunteer_signups WHERE shift_id = $1 AND user_id = $2 AND status IN ('confirmed', 'waitlisted')${lock ? ' FOR UPDATE' : ''}`,
    [shiftId, userId],
  )

export const addConfirmed = (db: Queryable, shiftId: number, delta: number) =>
  db.query('UPDATE volunteer_shifts SET confirmed = confirmed + $2 WHERE id = $1', [shiftId, delta])

export const setSignupStatus = (db: Queryable, id: number, status: SignupStatus) =>
  db.query(
    `UPDATE volunteer_signups SET status = $2, updated_at = now(),
       cancelled_at = CASE WHEN $2 IN ('cancelled', 'released') THEN now() ELSE cancelled_at END,
       promoted_at = CASE WHEN $2 = 'confirmed' THEN now() ELSE promoted_at END
      WHERE id = $1`,
    [id, status],
  )

/** The first on the shift's waitlist (arrival order). */
export const firstWaitlisted = (db: Queryable, shiftId: number) =>
  db.one<SignupRow>(`SELECT ${SIGNUP_COLS} FROM volunteer_signups WHERE shift_id = $1 AND status = 'waitlisted' ORDER BY id LIMIT 1 FOR UPDATE`, [shiftId])

/** Every live sign-up of the activity's shifts released (the activity is cancelled); who held them. */
export const releaseActivitySignups = (db: Queryable, activityId: number) =>
  db.query<{ userId: number }>(
    `WITH r AS (
       UPDATE volunteer_signups su SET status = 'released', cancelled_at = now(), updated_at = now()
         FROM volunteer_shifts sh WHERE sh.id = su.shift_id AND sh.activity_id = $1 AND su.status IN ('confirmed', 'waitlisted')
       RETURNING su.user_id)
     SELECT DISTINCT user_id::int AS "userId" FROM r`,
    [activityId],
  )

export const cancelActivity = async (db: Queryable, id: number, actorId: number, reason: string) => {
  await db.query('UPDATE volunteer_shifts SET confirmed = 0 WHERE activity_id = $1', [id])
  await db.query(
    `UPDATE volunteer_activities SET status = 'cancelled', cancelled_by = $2, cancelled_at = now(), cancel_reason = $3, updated_at = now() WHERE id = $1`,
    [id, actorId, reason],
  )
}

export const signupForAttendance = (db: Queryable, shiftId: number, userId: number) =>
  db.one<SignupRow>(`SELECT ${SIGNUP_COLS} FROM volunteer_signups WHERE shift_id = $1 AND user_id = $2 AND status = 'confirmed' FOR UPDATE`, [shiftId, userId])

export const countCodeFailure = (db: Queryable, id: number) =>
  db.query('UPDATE volunteer_signups SET code_failures = code_failures + 1 WHERE id = $1', [id])

export const setCheckIn = (db: Queryable, id: number, at: Date, method: string) =>
  db.query(`UPDATE volunteer_signups SET checked_in_at = $2, check_in_method = $3, updated_at = now() WHERE id = $1`, [id, at, method])

export const setCheckOut = (db: Queryable, id: number, at: Date, method: string) =>
  db.query(`UPDATE volunteer_signups SET checked_out_at = $2, check_out_method = $3, attendance = 'attended', updated_at = now() WHERE id = $1`, [id, at, method])

export const setAttendance = (db: Queryable, id: number, attendance: 'attended' | 'no_show', inAt: Date | null, outAt: Date | null) =>
  db.query(
    `UPDATE volunteer_signups SET attendance = $2, checked_in_at = $3, check_in_method = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE 'manual' END,
       checked_out_at = $4, check_out_method = CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE 'manual' END, updated_at = now() WHERE id = $1`,
    [id, attendance, inAt, outAt],
  )

/** The credit of a sign-up, once: the partial unique index decides between a check-out and a worker's hand. */
export const insertCredit = (db: Queryable, userId: number, signupId: number, minutes: number, actorId: number | null, reason: string) =>
  db.one<{ id: number }>(
    `INSERT INTO volunteer_hours (user_id, signup_id, kind, minutes, actor_id, reason) VALUES ($1, $2, 'credited', $3, $4, $5)
     ON CONFLICT (signup_id) WHERE kind = 'credited' DO NOTHING RETURNING id::int AS id`,
    [userId, signupId, minutes, actorId, reason],
  )

export const insertEntry = (db: Queryable, userId: number, kind: 'correction' | 'honorary', minutes: number, actorId: number, reason: string) =>
  db.one<{ id: number }>(
    `INSERT INTO volunteer_hours (user_id, kind, minutes, actor_id, reason) VALUES ($1, $2, $3, $4, $5) RETURNING id::int AS id`,
    [userId, kind, minutes, actorId, reason],
  )

export const creditedMinutes = async (db: Queryable, signupId: number) =>
  (await db.one<{ m: number }>(`SELECT minutes AS m FROM volunteer_hours WHERE signup_id = $1 AND kind = 'credited'`, [signupId]))?.m ?? null

export const totalMinutes = async (db: Queryable, userId: number) =>
  (await db.one<{ m: number }>('SELECT coalesce(sum(minutes), 0)::int AS m FROM volunteer_hours WHERE user_id = $1', [userId]))!.m

export const ledger = (db: Queryable, userId: number) =>
  db.query<{ id: number; kind: string; minutes: number; actorId: number | null; reason: string; signupId: number | null; createdAt: Date }>(
    `SELECT id::int AS id, kind, minutes, actor_id::int AS "actorId", reason, signup_id::int AS "signupId", created_at AS "createdAt"
       FROM volunteer_hours WHERE user_id = $1 ORDER BY id`,
    [userId],
  )

export interface RosterRow {
  signupId: number
  userId: number
  realName: string | null
  status: SignupStatus
  checkedInAt: Date | null
  checkedOutAt: Date | null
  attendance: string | null
  creditedMinutes: number | null
}

export interface MySignupRow {
  signupId: number
  shiftId: number
  activityId: number
  title: string
  type: ActivityType
  address: string
  startsAt: Date
  endsAt: Date
  status: SignupStatus
  waitlistPosition: number | null
  checkedInAt: Date | null
  checkedOutAt: Date | null
  creditedMinutes: number | null
  upcoming: boolean
}

export const signupsOf = (db: Queryable, userId: number) =>
  db.query<MySignupRow>(
    `SELECT su.id::int AS "signupId", sh.id::int AS "shiftId", a.id::int AS "activityId", a.title, a.type, a.address,
            sh.starts_at AS "startsAt", sh.ends_at AS "endsAt", su.status,
            CASE WHEN su.status = 'waitlisted' THEN (SELECT count(*)::int FROM volunteer_signups w WHERE w.shift_id = sh.id AND w.status = 'waitlisted' AND w.id <= su.id) END AS "waitlistPosition",
            su.checked_in_at AS "checkedInAt", su.checked_out_at AS "checkedOutAt", h.minutes AS "creditedMinutes",
            sh.ends_at > now() AND su.status IN ('confirmed', 'waitlisted') AND su.checked_out_at IS NULL AS upcoming
       FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id JOIN volunteer_activities a ON a.id = sh.activity_id
       LEFT JOIN volunteer_hours h ON h.signup_id = su.id AND h.kind = 'credited'
      WHERE su.user_id = $1 ORDER BY sh.starts_at DESC, su.id DESC LIMIT 500`,
    [userId],
  )

/** The volunteer's live sign-ups whose shift has not started (注销 gives their places back). */
export const futureLiveSignups = (db: Queryable, userId: number) =>
  db.query<{ id: number; shiftId: number }>(
    `SELECT su.id::int AS id, su.shift_id::int AS "shiftId" FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id
      WHERE su.user_id = $1 AND su.status IN ('confirmed', 'waitlisted') AND sh.starts_at > now() ORDER BY su.shift_id`,
    [userId],
  )

export const eraseVolunteer = (db: Queryable, userId: number) =>
  db.query(`UPDATE volunteers SET real_name = NULL, phone = NULL, status = 'left', updated_at = now() WHERE user_id = $1`, [userId])

export const enqueueMessage = (db: Queryable, userIds: number[], kind: string, ref: string, payload: unknown) =>
  db.query(
    `INSERT INTO notification_outbox (user_id, kind, ref, payload)
     SELECT u.id, $2, $3, $4::jsonb FROM users u WHERE u.id = ANY($1::bigint[]) AND u.erased_at IS NULL`,
    [userIds, kind, ref, JSON.stringify(payload)],
  )

// ───────────── paging ─────────────

/** Applications (and the roll of volunteers) in the worker's communities, oldest first, by (applied_at, user_id); the
 *  time to the millisecond, as the cursor carries it (PostgreSQL keeps microseconds). */
export function applicationsPage(db: Queryable, scope: string[] | null, status: string | null, after: readonly [Date, number] | null, limit: number) {
  return db.query<VolunteerRow>(
    `SELECT ${VOLUNTEER_COLS} FROM volunteers
      WHERE ($1::text[] IS NULL OR community_code = ANY($1::text[])) AND ($2::text IS NULL OR status = $2)
        AND ($3::timestamptz IS NULL OR (date_trunc('milliseconds', applied_at), user_id) > ($3::timestamptz, $4::bigint))
      ORDER BY date_trunc('milliseconds', applied_at), user_id LIMIT $5`,
    [scope, status, after?.[0] ?? null, after?.[1] ?? null, limit],
  )
}

const MY_SIGNUP_SELECT = `SELECT su.id::int AS "signupId", sh.id::int AS "shiftId", a.id::int AS "activityId", a.title, a.type, a.address,
            sh.starts_at AS "startsAt", sh.ends_at AS "endsAt", su.status,
            CASE WHEN su.status = 'waitlisted' THEN (SELECT count(*)::int FROM volunteer_signups w WHERE w.shift_id = sh.id AND w.status = 'waitlisted' AND w.id <= su.id) END AS "waitlistPosition",
            su.checked_in_at AS "checkedInAt", su.checked_out_at AS "checkedOutAt", h.minutes AS "creditedMinutes",
            sh.ends_at > now() AND su.status IN ('confirmed', 'waitlisted') AND su.checked_out_at IS NULL AS upcoming
       FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id JOIN volunteer_activities a ON a.id = sh.activity_id
       LEFT JOIN volunteer_hours h ON h.signup_id = su.id AND h.kind = 'credited'`
const UPCOMING = `sh.ends_at > now() AND su.status IN ('confirmed', 'waitlisted') AND su.checked_out_at IS NULL`

/** Places still to serve (or wait for), soonest first; a volunteer holds few (overlaps are refused), 200 bounds it. */
export const upcomingOf = (db: Queryable, userId: number) =>
  db.query<MySignupRow>(`${MY_SIGNUP_SELECT} WHERE su.user_id = $1 AND ${UPCOMING} ORDER BY sh.starts_at, su.id LIMIT 200`, [userId])

/** Everything else, latest shift first, keyset on (starts_at, id). */
export const historyPage = (db: Queryable, userId: number, before: readonly [Date, number] | null, limit: number) =>
  db.query<MySignupRow>(
    `${MY_SIGNUP_SELECT} WHERE su.user_id = $1 AND NOT (${UPCOMING})
        AND ($2::timestamptz IS NULL OR (date_trunc('milliseconds', sh.starts_at), su.id) < ($2::timestamptz, $3::bigint))
      ORDER BY date_trunc('milliseconds', sh.starts_at) DESC, su.id DESC LIMIT $4`,
    [userId, before?.[0] ?? null, before?.[1] ?? null, limit],
  )

export const attendanceCounts = async (db: Queryable, shiftId: number): Promise<[number, number]> => {
  const r = await db.one<{ i: number; o: number }>(
    `SELECT count(checked_in_at)::int AS i, count(checked_out_at)::int AS o FROM volunteer_signups WHERE shift_id = $1 AND status = 'confirmed'`, [shiftId])
  return [r!.i, r!.o]
}

/** Ledger entries, newest first, keyset on id. */
export const ledgerPage = (db: Queryable, userId: number, beforeId: number | null, limit: number) =>
  db.query<{ id: number; kind: string; minutes: number; actorId: number | null; reason: string; signupId: number | null; createdAt: Date }>(
    `SELECT id::int AS id, kind, minutes, actor_id::int AS "actorId", reason, signup_id::int AS "signupId", created_at AS "createdAt"
       FROM volunteer_hours WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [userId, beforeId, limit],
  )

/** A shift's roster page: confirmed first, then the waitlist, each in arrival order; keyset on (status rank, id). */
export const rosterPage = (db: Queryable, shiftId: number, after: readonly [number, number] | null, limit: number) =>
  db.query<RosterRow & { rank: number; waitlistPosition: number | null }>(
    `SELECT su.id::int AS "signupId", su.user_id::int AS "userId", v.real_name AS "realName", su.status, su.checked_in_at AS "checkedInAt",
            su.checked_out_at AS "checkedOutAt", su.attendance, h.minutes AS "creditedMinutes",
            CASE su.status WHEN 'confirmed' THEN 1 ELSE 2 END AS rank,
            CASE WHEN su.status = 'waitlisted' THEN (SELECT count(*)::int FROM volunteer_signups w WHERE w.shift_id = su.shift_id AND w.status = 'waitlisted' AND w.id <= su.id) END AS "waitlistPosition"
       FROM volunteer_signups su LEFT JOIN volunteers v ON v.user_id = su.user_id
       LEFT JOIN volunteer_hours h ON h.signup_id = su.id AND h.kind = 'credited'
      WHERE su.shift_id = $1 AND su.status IN ('confirmed', 'waitlisted')
        AND ($2::int IS NULL OR (CASE su.status WHEN 'confirmed' THEN 1 ELSE 2 END, su.id) > ($2::int, $3::bigint))
      ORDER BY rank, su.id LIMIT $4`,
    [shiftId, after?.[0] ?? null, after?.[1] ?? null, limit],
  )

// ───────────── edits after the first sign-up ─────────────

export interface EditShiftRow {
  id: number
  startsAt: Date
  endsAt: Date
  capacity: number
  signupDeadline: Date
  cancelDeadline: Date
  confirmed: number
  live: number
}

export const shiftsForEdit = (db: Queryable, activityId: number) =>
  db.query<EditShiftRow>(
    `SELECT sh.id::int AS id, sh.starts_at AS "startsAt", sh.ends_at AS "endsAt", sh.capacity, sh.signup_deadline AS "signupDeadline",
            sh.cancel_deadline AS "cancelDeadline", sh.confirmed, (SELECT count(*)::int FROM volunteer_signups su WHERE su.shift_id = sh.id) AS live
       FROM volunteer_shifts sh WHERE sh.activity_id = $1 ORDER BY sh.id`,
    [activityId],
  )

export const updateShift = (db: Queryable, id: number, s: ShiftFields) =>
  db.query(
    `UPDATE volunteer_shifts SET starts_at = $2, ends_at = $3, capacity = $4, signup_deadline = $5, cancel_deadline = $6 WHERE id = $1`,
    [id, s.startsAt, s.endsAt, s.capacity, s.signupDeadline, s.cancelDeadline],
  )

export const deleteShiftsById = (db: Queryable, ids: number[]) => db.query('DELETE FROM volunteer_shifts WHERE id = ANY($1::bigint[])', [ids])

/** Who holds a place (or waits) on these shifts. */
export const liveUsersOf = (db: Queryable, shiftIds: number[]) =>
  db.query<{ userId: number }>(
    `SELECT DISTINCT user_id::int AS "userId" FROM volunteer_signups WHERE shift_id = ANY($1::bigint[]) AND status IN ('confirmed', 'waitlisted')`,
    [shiftIds],
  )

/** Volunteers whose live sign-ups now overlap, one of the two being on a moved shift (after the move is written). */
export const overlapsAfterMove = async (db: Queryable, movedShiftIds: number[]) =>
  (await db.one<{ n: number }>(
    `SELECT count(DISTINCT a.user_id)::int AS n
       FROM volunteer_signups a JOIN volunteer_shifts sa ON sa.id = a.shift_id
       JOIN volunteer_signups b ON b.user_id = a.user_id AND b.id <> a.id AND b.status IN ('confirmed', 'waitlisted')
       JOIN volunteer_shifts sb ON sb.id = b.shift_id
      WHERE a.shift_id = ANY($1::bigint[]) AND a.status IN ('confirmed', 'waitlisted')
        AND sa.starts_at < sb.ends_at AND sa.ends_at > sb.starts_at`,
    [movedShiftIds],
  ))!.n

/** The first `n` on the waitlist take the places a larger capacity opened, in arrival order. */
export const promoteWaitlisted = (db: Queryable, shiftId: number, n: number) =>
  db.query<{ id: number; userId: number }>(
    `WITH p AS (
       UPDATE volunteer_signups SET status = 'confirmed', promoted_at = now(), updated_at = now()
        WHERE id IN (SELECT id FROM volunteer_signups WHERE shift_id = $1 AND status = 'waitlisted' ORDER BY id LIMIT $2 FOR UPDATE)
       RETURNING id, user_id)
     SELECT id::int AS id, user_id::int AS "userId" FROM p`,
    [shiftId, n],
  )

// ───────────── certificates ─────────────

export interface CertificateRow {
  number: string
  userId: number
  realName: string | null
  issuer: string
  totalMinutes: number
  services: number
  activities: Array<{ title: string; type: ActivityType; minutes: number }>
  issuedAt: Date
}

const CERT_COLS = `number, user_id::int AS "userId", real_name AS "realName", issuer, total_minutes AS "totalMinutes", services, activities, issued_at AS "issuedAt"`

/** What the ledger says now: the total, the services credited, and the activities with the most credited time. */
export const certificateFacts = async (db: Queryable, userId: number) => {
  const row = await db.one<{ total: number; services: number; activities: CertificateRow['activities'] }>(
    `SELECT (SELECT coalesce(sum(minutes), 0)::int FROM volunteer_hours WHERE user_id = $1) AS total,
            (SELECT count(*)::int FROM volunteer_hours WHERE user_id = $1 AND kind = 'credited') AS services,
            coalesce((SELECT jsonb_agg(jsonb_build_object('title', t.title, 'type', t.type, 'minutes', t.minutes) ORDER BY t.minutes DESC, t.title)
                        FROM (SELECT a.title, a.type, sum(h.minutes)::int AS minutes
                                FROM volunteer_hours h JOIN volunteer_signups su ON su.id = h.signup_id
                                JOIN volunteer_shifts sh ON sh.id = su.shift_id JOIN volunteer_activities a ON a.id = sh.activity_id
                               WHERE h.user_id = $1 AND h.kind = 'credited' GROUP BY a.title, a.type
                               ORDER BY minutes DESC, a.title LIMIT 5) t), '[]'::jsonb) AS activities`,
    [userId],
  )
  return row!
}

export const latestCertificate = (db: Queryable, userId: number) =>
  db.one<CertificateRow>(`SELECT ${CERT_COLS} FROM volunteer_certificates WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, [userId])

/** A new certificate, or nothing when the random number is taken (the caller draws again). */
export const insertCertificate = (db: Queryable, c: Omit<CertificateRow, 'issuedAt'> & { communityCode: string; issuedBy: number }) =>
  db.one<CertificateRow>(
    `INSERT INTO volunteer_certificates (number, user_id, real_name, community_code, issuer, total_minutes, services, activities, issued_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) ON CONFLICT (number) DO NOTHING RETURNING ${CERT_COLS}`,
    [c.number, c.userId, c.realName, c.communityCode, c.issuer, c.totalMinutes, c.services, JSON.stringify(c.activities), c.issuedBy],
  )

export const certificateByNumber = (db: Queryable, number: string) =>
  db.one<CertificateRow & { communityCode: string }>(
    `SELECT ${CERT_COLS}, community_code AS "communityCode" FROM volunteer_certificates WHERE number = $1`, [number])

export const certificatesOf = (db: Queryable, userId: number, beforeNumberId: number | null, limit: number) =>
  db.query<CertificateRow & { id: number }>(
    `SELECT id::int AS id, ${CERT_COLS} FROM volunteer_certificates WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [userId, beforeNumberId, limit],
  )

export const eraseCertificates = (db: Queryable, userId: number) =>
  db.query('UPDATE volunteer_certificates SET real_name = NULL WHERE user_id = $1', [userId])

// ───────────── reminders ─────────────

/**
 * One run of the day-before reminder: every confirmed place on a published shift starting within `leadHours` gets a
 * row in volunteer_reminders — only the insert that creates the row (ON CONFLICT DO NOTHING) goes on to the outbox,
 * in the same statement, so two processes running at once send each reminder once. At most `limit` per run.
 */
export const sendDueReminders = async (db: Queryable, leadHours: number, limit: number, templateId: string, pagePrefix: string) =>
  (await db.one<{ n: number }>(
    `WITH due AS (
       INSERT INTO volunteer_reminders (shift_id, user_id, kind)
       SELECT su.shift_id, su.user_id, 'reminder'
         FROM volunteer_shifts sh JOIN volunteer_activities a ON a.id = sh.activity_id
         JOIN volunteer_signups su ON su.shift_id = sh.id AND su.status = 'confirmed'
        WHERE a.status = 'published' AND sh.starts_at > now() AND sh.starts_at <= now() + make_interval(hours => $1)
          AND NOT EXISTS (SELECT 1 FROM volunteer_reminders r WHERE r.shift_id = su.shift_id AND r.user_id = su.user_id AND r.kind = 'reminder')
        ORDER BY sh.starts_at, su.id LIMIT $2
       ON CONFLICT DO NOTHING
       RETURNING shift_id, user_id),
     sent AS (
       INSERT INTO notification_outbox (user_id, kind, ref, payload)
       SELECT d.user_id, 'volunteer.reminder', 'volunteer_shift:' || d.shift_id,
              jsonb_build_object('templateId', $3::text, 'page', $4::text || a.id, 'data', jsonb_build_object(
                'thing1', jsonb_build_object('value', left(a.title, 20)),
                'phrase2', jsonb_build_object('value', '即将上岗'),
                'time3', jsonb_build_object('value', to_char(sh.starts_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')),
                'thing4', jsonb_build_object('value', left(a.address, 20))))
         FROM due d JOIN volunteer_shifts sh ON sh.id = d.shift_id JOIN volunteer_activities a ON a.id = sh.activity_id
         JOIN users u ON u.id = d.user_id AND u.erased_at IS NULL
       RETURNING 1)
     SELECT (SELECT count(*)::int FROM due) AS n`,
    [leadHours, limit, templateId, pagePrefix],
  ))!.n

// ───────────── monthly hours export ─────────────

/**
 * Hours of the month [from, to) per volunteer of the communities (null: all): a credited entry counts in the month
 * its shift started, a correction or honorary entry in the month it was written.
 */
export const monthHours = (db: Queryable, scope: string[] | null, from: Date, to: Date) =>
  db.query<{ userId: number; realName: string | null; communityCode: string; services: number; monthMinutes: number; totalMinutes: number }>(
    `WITH m AS (
       SELECT h.user_id, count(*) FILTER (WHERE h.kind = 'credited')::int AS services, sum(h.minutes)::int AS minutes
         FROM volunteer_hours h LEFT JOIN volunteer_signups su ON su.id = h.signup_id LEFT JOIN volunteer_shifts sh ON sh.id = su.shift_id
        WHERE coalesce(sh.starts_at, h.created_at) >= $2 AND coalesce(sh.starts_at, h.created_at) < $3
        GROUP BY h.user_id)
     SELECT v.user_id::int AS "userId", v.real_name AS "realName", v.community_code AS "communityCode", m.services, m.minutes AS "monthMinutes",
            (SELECT coalesce(sum(minutes), 0)::int FROM volunteer_hours t WHERE t.user_id = v.user_id) AS "totalMinutes"
       FROM m JOIN volunteers v ON v.user_id = m.user_id
      WHERE ($1::text[] IS NULL OR v.community_code = ANY($1::text[]))
      ORDER BY v.community_code, m.minutes DESC, v.user_id`,
    [scope, from, to],
  )

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

export function applications(db: Queryable, scope: string[] | null, status: string | null) {
  return db.query<VolunteerRow>(
    `SELECT ${VOLUNTEER_COLS} FROM volunteers
      WHERE ($1::text[] IS NULL OR community_code = ANY($1::text[])) AND ($2::text IS NULL OR status = $2)
      ORDER BY applied_at, user_id LIMIT 500`,
    [scope, status],
  )
}

/** The volunteer role mirrors an approved application, so that every caller knows who volunteers. */
export const grantVolunteerRole = (db: Queryable, userId: number, communityCode: string, actorId: number) =>
  db.query(
    `INSERT INTO role_grants (user_id, role, region_code, granted_by) VALUES ($1, 'volunteer', $2, $3) ON CONFLICT DO NOTHING`,
    [userId, communityCode, actorId],
  )

export const revokeVolunteerRole = (db: Queryable, userId: number, actorId: number) =>
  db.query(`UPDATE role_grants SET revoked_at = now(), revoked_by = $2 WHERE user_id = $1 AND role = 'volunteer' AND revoked_at IS NULL`, [userId, actorId])

/**
 * When the volunteer may sign up again, if repeated no-shows block them: a no-show is a confirmed place whose shift
 * ended without attendance (or one the worker marked absent). `limit` of them within `windowDays` start a block of
 * `blockDays` from the last of them.
 */
export async function noShowBlockedUntil(db: Queryable, userId: number, limit: number, windowDays: number, blockDays: number): Promise<Date | null> {
  const row = await db.one<{ until: Date | null }>(
    `SELECT max(t) + make_interval(days => $4) AS until FROM (
       SELECT t, count(*) OVER (ORDER BY t RANGE BETWEEN make_interval(days => $3) PRECEDING AND CURRENT ROW) AS n
         FROM (SELECT sh.ends_at AS t FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id
                WHERE su.user_id = $1 AND su.status = 'confirmed' AND sh.ends_at < now()
                  AND (su.attendance = 'no_show' OR (su.attendance IS NULL AND su.checked_in_at IS NULL))) ns) w
      WHERE n >= $2 AND t + make_interval(days => $4) > now()`,
    [userId, limit, windowDays, blockDays],
  )
  return row?.until ? new Date(row.until) : null
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
}

const ACTIVITY_COLS = `a.id::int AS id, a.type, a.title, a.description, a.lng, a.lat, a.radius_m AS "radiusM", a.address, a.region_code AS "regionCode",
  a.requirements, a.status, a.created_by::int AS "createdBy",
  (SELECT count(*)::int FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id WHERE sh.activity_id = a.id) AS signups`

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

export const deleteShifts = (db: Queryable, activityId: number) => db.query('DELETE FROM volunteer_shifts WHERE activity_id = $1', [activityId])

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

/** Another live sign-up of the volunteer whose shift overlaps [start, end). */
export const overlapping = (db: Queryable, userId: number, shiftId: number, startsAt: Date, endsAt: Date) =>
  db.one(
    `SELECT 1 FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id
      WHERE su.user_id = $1 AND su.status IN ('confirmed', 'waitlisted') AND sh.id <> $2 AND sh.starts_at < $4 AND sh.ends_at > $3 LIMIT 1`,
    [userId, shiftId, startsAt, endsAt],
  )

export const addConfirmed = (db: Queryable, shiftId: number, delta: number) =>
  db.query('UPDATE volunteer_shifts SET confirmed = confirmed + $2 WHERE id = $1', [shiftId, delta])

export const insertSignup = (db: Queryable, shiftId: number, userId: number, status: SignupStatus) =>
  db.one<{ id: number }>('INSERT INTO volunteer_signups (shift_id, user_id, status) VALUES ($1, $2, $3) RETURNING id::int AS id', [shiftId, userId, status])

export const waitlistPosition = async (db: Queryable, shiftId: number, signupId: number) =>
  (await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND status = 'waitlisted' AND id <= $2`, [shiftId, signupId]))!.n

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

export const roster = (db: Queryable, shiftId: number) =>
  db.query<RosterRow>(
    `SELECT su.id::int AS "signupId", su.user_id::int AS "userId", v.real_name AS "realName", su.status, su.checked_in_at AS "checkedInAt",
            su.checked_out_at AS "checkedOutAt", su.attendance, h.minutes AS "creditedMinutes"
       FROM volunteer_signups su LEFT JOIN volunteers v ON v.user_id = su.user_id
       LEFT JOIN volunteer_hours h ON h.signup_id = su.id AND h.kind = 'credited'
      WHERE su.shift_id = $1 AND su.status IN ('confirmed', 'waitlisted') ORDER BY su.status, su.id`,
    [shiftId],
  )

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

import type { Queryable } from '../../db/types'

export interface UserRow {
  id: number
  nickname: string
  phone: string | null
  openid: string | null
  communityCode: string | null
  elderMode: boolean
}

const USER_COLS = `id::int AS id, nickname, phone, openid, community_code AS "communityCode", elder_mode AS "elderMode"`

export function userById(db: Queryable, id: number) {
  return db.one<UserRow>(`SELECT ${USER_COLS} FROM users WHERE id = $1`, [id])
}

export function userByPhone(db: Queryable, phone: string) {
  return db.one<UserRow>(`SELECT ${USER_COLS} FROM users WHERE phone = $1`, [phone])
}

/** Finds or creates the user of a phone number (concurrent first sign-ins make one user). */
export async function upsertUserByPhone(db: Queryable, phone: string, nickname: string): Promise<{ user: UserRow; isNew: boolean }> {
  const inserted = await db.one<UserRow>(
    `INSERT INTO users (phone, nickname) VALUES ($1, $2) ON CONFLICT (phone) DO NOTHING RETURNING ${USER_COLS}`,
    [phone, nickname],
  )
  if (inserted) return { user: inserted, isNew: true }
  return { user: (await userByPhone(db, phone))!, isNew: false }
}

export async function upsertUserByOpenid(db: Queryable, openid: string, unionid: string | undefined, nickname: string) {
  const inserted = await db.one<UserRow>(
    `INSERT INTO users (openid, unionid, nickname) VALUES ($1, $2, $3) ON CONFLICT (openid) DO NOTHING RETURNING ${USER_COLS}`,
    [openid, unionid ?? null, nickname],
  )
  if (inserted) return { user: inserted, isNew: true }
  return { user: (await db.one<UserRow>(`SELECT ${USER_COLS} FROM users WHERE openid = $1`, [openid]))!, isNew: false }
}

export async function updateUser(db: Queryable, id: number, patch: { nickname?: string; communityCode?: string; elderMode?: boolean }) {
  return db.one<UserRow>(
    `UPDATE users SET nickname = coalesce($2, nickname), community_code = coalesce($3, community_code),
            elder_mode = coalesce($4, elder_mode), updated_at = now()
      WHERE id = $1 RETURNING ${USER_COLS}`,
    [id, patch.nickname ?? null, patch.communityCode ?? null, patch.elderMode ?? null],
  )
}

export async function createSession(db: Queryable, tokenHash: string, userId: number, channel: 'wechat' | 'sms', days: number, wxSessionKey?: string) {
  const row = await db.one<{ expiresAt: Date }>(
    `INSERT INTO sessions (token_hash, user_id, channel, wx_session_key, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(days => $5)) RETURNING expires_at AS "expiresAt"`,
    [tokenHash, userId, channel, wxSessionKey ?? null, days],
  )
  return row!.expiresAt
}

export function revokeSession(db: Queryable, tokenHash: string) {
  return db.query('UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash])
}

export interface GrantRow {
  id: number
  userId: number
  role: 'volunteer' | 'worker' | 'office'
  regionCode: string | null
  grantedAt: Date
  grantedBy: number | null
  nickname: string
  phone: string | null
}

const GRANT_COLS = `g.id::int AS id, g.user_id::int AS "userId", g.role, g.region_code AS "regionCode", g.granted_at AS "grantedAt",
  g.granted_by::int AS "grantedBy", u.nickname, u.phone`

export function liveGrantsOf(db: Queryable, userId: number) {
  return db.query<GrantRow>(
    `SELECT ${GRANT_COLS} FROM role_grants g JOIN users u ON u.id = g.user_id
      WHERE g.user_id = $1 AND g.revoked_at IS NULL ORDER BY g.id`,
    [userId],
  )
}

export function liveGrants(db: Queryable, regionCodes: string[] | null) {
  return db.query<GrantRow>(
    `SELECT ${GRANT_COLS} FROM role_grants g JOIN users u ON u.id = g.user_id
      WHERE g.revoked_at IS NULL AND g.role IN ('worker', 'office') AND ($1::text[] IS NULL OR g.region_code = ANY($1))
      ORDER BY g.id`,
    [regionCodes],
  )
}

export async function insertGrant(db: Queryable, userId: number, role: string, regionCode: string | null, grantedBy: number | null) {
  return db.one<{ id: number }>(
    `INSERT INTO role_grants (user_id, role, region_code, granted_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING id::int AS id`,
    [userId, role, regionCode, grantedBy],
  )
}

export function grantById(db: Queryable, id: number) {
  return db.one<GrantRow & { revokedAt: Date | null }>(
    `SELECT ${GRANT_COLS}, g.revoked_at AS "revokedAt" FROM role_grants g JOIN users u ON u.id = g.user_id WHERE g.id = $1`,
    [id],
  )
}

export function revokeGrant(db: Queryable, id: number, by: number) {
  return db.one<{ id: number }>(
    'UPDATE role_grants SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id::int AS id',
    [id, by],
  )
}

export function countActiveOffice(db: Queryable) {
  return db.one<{ n: number }>(`SELECT count(*)::int AS n FROM role_grants WHERE role = 'office' AND revoked_at IS NULL`)
}

// SMS codes
export function recentCodeCounts(db: Queryable, phone: string) {
  return db.one<{ lastMinute: number; lastDay: number }>(
    `SELECT count(*) FILTER (WHERE created_at > now() - interval '60 seconds')::int AS "lastMinute",
            count(*) FILTER (WHERE created_at > now() - interval '1 day')::int AS "lastDay"
       FROM sms_codes WHERE phone = $1 AND created_at > now() - interval '1 day'`,
    [phone],
  )
}

export function insertCode(db: Queryable, phone: string, codeHash: string, ttlSeconds: number, ip: string) {
  return db.query(
    `INSERT INTO sms_codes (phone, code_hash, expires_at, requester_ip) VALUES ($1, $2, now() + make_interval(secs => $3), $4)`,
    [phone, codeHash, ttlSeconds, ip],
  )
}

/** The newest live code of a phone, locked so that two verifications of one code cannot both succeed. */
export function liveCodeForUpdate(db: Queryable, phone: string) {
  return db.one<{ id: number; codeHash: string; failedAttempts: number }>(
    `SELECT id::int AS id, code_hash AS "codeHash", failed_attempts AS "failedAttempts" FROM sms_codes
      WHERE phone = $1 AND used_at IS NULL AND expires_at > now()
      ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [phone],
  )
}

export function markCodeUsed(db: Queryable, id: number) {
  return db.query('UPDATE sms_codes SET used_at = now() WHERE id = $1', [id])
}

export function countFailedAttempt(db: Queryable, id: number) {
  return db.query('UPDATE sms_codes SET failed_attempts = failed_attempts + 1 WHERE id = $1', [id])
}

/** Whether the user holds a live worker grant for one of these regions (other modules ask here, not role_grants). */
export async function isWorkerIn(db: Queryable, userId: number, regionCodes: string[]): Promise<boolean> {
  const row = await db.one(
    `SELECT 1 FROM role_grants WHERE user_id = $1 AND role = 'worker' AND revoked_at IS NULL AND region_code = ANY($2::text[]) LIMIT 1`,
    [userId, regionCodes],
  )
  return Boolean(row)
}

/** Workers with a live grant on one of the regions, nearest region first (grid before community before street). */
export function workersIn(db: Queryable, regionCodes: string[]) {
  return db.query<{ id: number; nickname: string; phone: string | null; regionCode: string }>(
    `SELECT DISTINCT ON (u.id) u.id::int AS id, u.nickname, u.phone, g.region_code AS "regionCode"
       FROM role_grants g JOIN users u ON u.id = g.user_id
      WHERE g.role = 'worker' AND g.revoked_at IS NULL AND g.region_code = ANY($1::text[])
      ORDER BY u.id, length(g.region_code) DESC`,
    [regionCodes],
  )
}

/** Registered residents of a community, and workers serving it (a grant on the community or a region above it). */
export function communityHeadcount(db: Queryable, communityCode: string, chainCodes: string[]) {
  return db.one<{ residents: number; workers: number }>(
    `SELECT (SELECT count(*)::int FROM users WHERE community_code = $1) AS residents,
            (SELECT count(DISTINCT user_id)::int FROM role_grants WHERE role = 'worker' AND revoked_at IS NULL AND region_code = ANY($2)) AS workers`,
    [communityCode, chainCodes],
  )
}

/** An account that is not a person (an Open311 client system): it files and comments under this name, never signs in. */
export async function createSystemAccount(db: Queryable, name: string): Promise<number> {
  const user = await db.one<{ id: number }>('INSERT INTO users (nickname) VALUES ($1) RETURNING id::int AS id', [`系统：${name}`.slice(0, 40)])
  return user!.id
}

// ---- locks held to the end of a transaction ----

/** Serialises concurrent code requests for one phone, so that the sending limits hold. */
export function lockSmsPhone(db: Queryable, phone: string) {
  return db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sms:${phone}`])
}

/** Taken by whatever may remove the last office user (revoking a grant, 注销): one such check at a time. */
export function lockOfficeGrants(db: Queryable) {
  return db.query(`SELECT pg_advisory_xact_lock(hashtext('office-grants'))`)
}

/** The volunteer role mirrors an approved application (volunteers call this), so that every caller knows who volunteers. */
export async function grantVolunteerRole(db: Queryable, userId: number, communityCode: string, actorId: number): Promise<void> {
  await db.query(
    `INSERT INTO role_grants (user_id, role, region_code, granted_by) VALUES ($1, 'volunteer', $2, $3) ON CONFLICT DO NOTHING`,
    [userId, communityCode, actorId],
  )
}

export async function revokeVolunteerRole(db: Queryable, userId: number, actorId: number): Promise<void> {
  await db.query(`UPDATE role_grants SET revoked_at = now(), revoked_by = $2 WHERE user_id = $1 AND role = 'volunteer' AND revoked_at IS NULL`, [userId, actorId])
}

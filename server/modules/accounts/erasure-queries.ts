import type { Queryable } from '../../db/types'
import { ERASED_NICKNAME } from './personal-data'

/** The user row stays (what the city keeps points at it), emptied of everything that names the person. */
export function anonymiseUser(db: Queryable, userId: number) {
  return db.one<{ id: number }>(
    `UPDATE users SET phone = NULL, openid = NULL, unionid = NULL, nickname = $2, community_code = NULL, elder_mode = false,
            erased_at = now(), updated_at = now()
      WHERE id = $1 AND erased_at IS NULL RETURNING id::int AS id`,
    [userId, ERASED_NICKNAME],
  )
}

export async function deleteAccountTraces(db: Queryable, userId: number, phone: string | null) {
  await db.query('DELETE FROM sessions WHERE user_id = $1', [userId])
  await db.query('DELETE FROM idempotency_keys WHERE user_id = $1', [userId])
  if (phone) await db.query('DELETE FROM sms_codes WHERE phone = $1', [phone])
  await db.query('UPDATE role_grants SET revoked_at = now(), revoked_by = $1 WHERE user_id = $1 AND revoked_at IS NULL', [userId])
}

export function userForErasure(db: Queryable, userId: number) {
  return db.one<{ phone: string | null; erased: boolean; office: boolean }>(
    `SELECT phone, erased_at IS NOT NULL AS erased,
            EXISTS (SELECT 1 FROM role_grants WHERE user_id = u.id AND role = 'office' AND revoked_at IS NULL) AS office
       FROM users u WHERE id = $1 FOR UPDATE`,
    [userId],
  )
}

export async function exportAccount(db: Queryable, userId: number) {
  const [profile, roles, sessions, codes, audit] = await Promise.all([
    db.one(
      `SELECT id::int AS id, nickname, phone, openid IS NOT NULL AS "wechatBound", community_code AS "communityCode",
              elder_mode AS "elderMode", created_at AS "createdAt", updated_at AS "updatedAt"
         FROM users WHERE id = $1`,
      [userId],
    ),
    db.query(
      `SELECT role, region_code AS "regionCode", granted_at AS "grantedAt", revoked_at AS "revokedAt"
         FROM role_grants WHERE user_id = $1 ORDER BY id`,
      [userId],
    ),
    db.query(
      `SELECT channel, created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"
         FROM sessions WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    ),
    db.query(
      `SELECT c.created_at AS "requestedAt", c.requester_ip AS "requesterIp", c.used_at AS "usedAt"
         FROM sms_codes c JOIN users u ON u.phone = c.phone WHERE u.id = $1 ORDER BY c.created_at`,
      [userId],
    ),
    // acts on the account (roles granted or revoked); who did them is the other person's data
    db.query(`SELECT action, detail, created_at AS "at" FROM audit_log WHERE target = $1 ORDER BY id`, [`user:${userId}`]),
  ])
  return { profile, roles, sessions, smsCodes: codes, accountHistory: audit }
}

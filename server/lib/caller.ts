import type { FastifyRequest } from 'fastify'
import type { AppContext } from '../context'
import { unauthorized } from '../errors'
import { prepared } from '../db/types'
import { StatementBatcher } from './statement-batch'
import { hashSecret } from './tokens'

/** The signed-in user as every policy sees it. Everyone is a resident; other roles come from live grants. */
export interface Caller {
  userId: number
  communityCode: string | null
  nickname: string
  /** Never sent to other users; here so that services need not look the user up again. */
  phone: string | null
  openid: string | null
  /** Region codes this user works for (a street grant covers its communities and grids). */
  workerRegions: string[]
  office: boolean
  volunteer: boolean
  tokenHash: string
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller | null
  }
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization
  if (!h) return null
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,100})$/.exec(h)
  if (!m) throw unauthorized('INVALID_TOKEN', '登录凭证无效，请重新登录')
  return m[1]
}

interface CallerRow {
  userId: number
  communityCode: string | null
  nickname: string
  phone: string | null
  openid: string | null
  expiresAt: Date
  expired: boolean
  revoked: boolean
  grants: Array<{ role: string; regionCode: string | null }>
}

// The session, the user and the live role grants together, for every session asked about at the same moment: the
// sign-ins that arrive together (a survey's residents submitting at once, each after minutes on the page, so no longer
// remembered) share one round trip instead of one each.
const CALLERS_SQL = prepared('callers', `
  SELECT s.token_hash AS "tokenHash", s.user_id::int AS "userId", u.community_code AS "communityCode", u.nickname, u.phone, u.openid,
         s.expires_at AS "expiresAt", s.expires_at <= now() AS expired, s.revoked_at IS NOT NULL AS revoked,
         coalesce((SELECT json_agg(json_build_object('role', g.role, 'regionCode', g.region_code))
                     FROM role_grants g WHERE g.user_id = s.user_id AND g.revoked_at IS NULL), '[]'::json) AS grants
    FROM sessions s JOIN users u ON u.id = s.user_id
   WHERE s.token_hash = ANY($1::text[])`)

const lookups = new WeakMap<AppContext, StatementBatcher<string, CallerRow | null>>()

function lookup(ctx: AppContext, tokenHash: string): Promise<CallerRow | null> {
  let b = lookups.get(ctx)
  if (!b) {
    b = new StatementBatcher(async (hashes) => {
      const rows = await ctx.db.query<CallerRow & { tokenHash: string }>(CALLERS_SQL, [[...new Set(hashes)]])
      const by = new Map(rows.map((r) => [r.tokenHash, r]))
      return hashes.map((h) => by.get(h) ?? null)
    }, ctx.db.kind === 'pglite' ? 1 : 2)
    lookups.set(ctx, b)
  }
  return b.write(tokenHash)
}

function remembered(ctx: AppContext, tokenHash: string): Caller | null {
  const known = ctx.callers.get(tokenHash)
  if (!known) return null
  if (known.sessionExpiresAt <= Date.now()) throw unauthorized('SESSION_EXPIRED', '登录已过期，请重新登录')
  return known.caller
}

/** The caller of a session (remembered or looked up); 401 when the session is unknown, revoked or expired. */
export async function callerOfTokenHash(ctx: AppContext, tokenHash: string): Promise<Caller> {
  const known = remembered(ctx, tokenHash)
  if (known) return known
  const row = await lookup(ctx, tokenHash)
  if (!row || row.revoked) throw unauthorized('INVALID_TOKEN', '登录凭证无效，请重新登录')
  if (row.expired) throw unauthorized('SESSION_EXPIRED', '登录已过期，请重新登录')
  const grants = typeof row.grants === 'string' ? (JSON.parse(row.grants) as CallerRow['grants']) : row.grants
  const caller: Caller = {
    userId: row.userId,
    communityCode: row.communityCode,
    nickname: row.nickname,
    phone: row.phone,
    openid: row.openid,
    workerRegions: grants.filter((g) => g.role === 'worker' && g.regionCode).map((g) => g.regionCode!),
    office: grants.some((g) => g.role === 'office'),
    volunteer: grants.some((g) => g.role === 'volunteer'),
    tokenHash,
  }
  ctx.callers.set(tokenHash, caller, new Date(row.expiresAt).getTime())
  return caller
}

/** The caller if a token was sent (a bad or expired token is an error even where sign-in is optional). */
export async function optionalCaller(ctx: AppContext, req: FastifyRequest): Promise<Caller | null> {
  if (req.caller !== undefined) return req.caller
  const token = bearer(req)
  req.caller = token ? await callerOfTokenHash(ctx, hashSecret(token)) : null
  return req.caller
}

export async function requireCaller(ctx: AppContext, req: FastifyRequest): Promise<Caller> {
  const caller = await optionalCaller(ctx, req)
  if (!caller) throw unauthorized('UNAUTHENTICATED', '请先登录')
  return caller
}

/**
 * For the busiest writes (a quiz submission): the caller if this process remembers the session, otherwise only the
 * token's hash, for a statement that checks the session itself (SQL session_user_id) in its own round trip instead
 * of a lookup before it. When that statement finds no session, callerOfTokenHash gives the exact 401.
 */
export function rememberedCallerOrToken(ctx: AppContext, req: FastifyRequest): { caller: Caller | null; tokenHash: string } {
  const token = bearer(req)
  if (!token) throw unauthorized('UNAUTHENTICATED', '请先登录')
  const tokenHash = hashSecret(token)
  return { caller: req.caller ?? remembered(ctx, tokenHash), tokenHash }
}

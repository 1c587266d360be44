import type { FastifyRequest } from 'fastify'
import type { AppContext } from '../context'
import { unauthorized } from '../errors'
import { hashSecret } from './tokens'

/** The signed-in user as every policy sees it. Everyone is a resident; other roles come from live grants. */
export interface Caller {
  userId: number
  communityCode: string | null
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

async function resolve(ctx: AppContext, token: string): Promise<Caller> {
  const tokenHash = hashSecret(token)
  const row = await ctx.db.one<{ userId: number; communityCode: string | null; expired: boolean; revoked: boolean }>(
    `SELECT s.user_id::int AS "userId", u.community_code AS "communityCode",
            s.expires_at <= now() AS expired, s.revoked_at IS NOT NULL AS revoked
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
    [tokenHash],
  )
  if (!row || row.revoked) throw unauthorized('INVALID_TOKEN', '登录凭证无效，请重新登录')
  if (row.expired) throw unauthorized('SESSION_EXPIRED', '登录已过期，请重新登录')
  const grants = await ctx.db.query<{ role: string; regionCode: string | null }>(
    `SELECT role, region_code AS "regionCode" FROM role_grants WHERE user_id = $1 AND revoked_at IS NULL`,
    [row.userId],
  )
  return {
    userId: row.userId,
    communityCode: row.communityCode,
    workerRegions: grants.filter((g) => g.role === 'worker' && g.regionCode).map((g) => g.regionCode!),
    office: grants.some((g) => g.role === 'office'),
    volunteer: grants.some((g) => g.role === 'volunteer'),
    tokenHash,
  }
}

/** The caller if a token was sent (a bad or expired token is an error even where sign-in is optional). */
export async function optionalCaller(ctx: AppContext, req: FastifyRequest): Promise<Caller | null> {
  if (req.caller !== undefined) return req.caller
  const token = bearer(req)
  req.caller = token ? await resolve(ctx, token) : null
  return req.caller
}

export async function requireCaller(ctx: AppContext, req: FastifyRequest): Promise<Caller> {
  const caller = await optionalCaller(ctx, req)
  if (!caller) throw unauthorized('UNAUTHENTICATED', '请先登录')
  return caller
}

import crypto from 'node:crypto'
import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { badRequest, conflict, notFound, tooMany } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import { hashSecret, newToken } from '../../lib/tokens'
import type { LoginResult, Me, RoleGrant, SmsSendResult, UpdateMeBody } from '../../../types/accounts'
import * as q from './queries'

const CODE_TTL_SECONDS = 300
const RESEND_AFTER_SECONDS = 60
const CODES_PER_DAY = 10
export const MAX_FAILED_ATTEMPTS = 5

export const maskPhone = (phone: string | null) => (phone ? `${phone.slice(0, 3)}****${phone.slice(7)}` : null)
export const codeHash = (phone: string, code: string) => hashSecret(`${phone}:${code}`)

export async function profile(ctx: AppContext, db: Queryable, userId: number): Promise<Me> {
  const user = await q.userById(db, userId)
  if (!user) throw notFound('USER_NOT_FOUND', '用户不存在')
  const dir = await ctx.regions.get()
  const grants = await q.liveGrantsOf(db, userId)
  const community = user.communityCode ? dir.get(user.communityCode) : undefined
  return {
    id: user.id,
    nickname: user.nickname,
    phoneMasked: maskPhone(user.phone),
    hasWechat: user.openid !== null,
    community: community
      ? { code: community.code, name: community.name, path: dir.chain(community.code).map((r) => ({ code: r.code, name: r.name, level: r.level })) }
      : null,
    roles: [
      { role: 'resident', regionCode: null, regionName: null },
      ...grants.map((g) => ({ role: g.role, regionCode: g.regionCode, regionName: g.regionCode ? dir.get(g.regionCode)?.name ?? null : null })),
    ],
    elderMode: user.elderMode,
  }
}

export async function sendSmsCode(ctx: AppContext, phone: string, ip: string): Promise<SmsSendResult> {
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0')
  await ctx.db.transaction(async (tx) => {
    // serialises concurrent requests for one phone so that the limits below hold
    await q.lockSmsPhone(tx, phone)
    const counts = await q.recentCodeCounts(tx, phone)
    if (counts && counts.lastMinute > 0) throw tooMany('SMS_TOO_FREQUENT', '验证码发送太频繁，请 60 秒后再试')
    if (counts && counts.lastDay >= CODES_PER_DAY) throw tooMany('SMS_DAILY_LIMIT', '今天获取验证码的次数已达上限，请明天再试')
    await q.insertCode(tx, phone, codeHash(phone, code), CODE_TTL_SECONDS, ip)
    // sent inside the transaction: a failed send leaves no usable code behind
    await ctx.sms.sendCode(phone, code)
  })
  return {
    sent: true,
    expiresInSeconds: CODE_TTL_SECONDS,
    resendAfterSeconds: RESEND_AFTER_SECONDS,
    ...(ctx.sms.demo ? { demoCode: code } : {}),
  }
}

async function issueSession(ctx: AppContext, tx: Queryable, userId: number, channel: 'wechat' | 'sms', wxSessionKey?: string) {
  const token = newToken()
  const expiresAt = await q.createSession(tx, hashSecret(token), userId, channel, ctx.config.sessionDays, wxSessionKey)
  return { token, expiresAt: new Date(expiresAt).toISOString() }
}

export async function verifySmsCode(ctx: AppContext, phone: string, code: string): Promise<LoginResult> {
  const outcome = await ctx.db.transaction(async (tx) => {
    const live = await q.liveCodeForUpdate(tx, phone)
    if (!live || live.failedAttempts >= MAX_FAILED_ATTEMPTS) return { error: 'expired' as const }
    const given = Buffer.from(codeHash(phone, code))
    if (!crypto.timingSafeEqual(given, Buffer.from(live.codeHash))) {
      // committed, not thrown: a wrong guess must count even though the request fails
      await q.countFailedAttempt(tx, live.id)
      return { error: 'wrong' as const, left: MAX_FAILED_ATTEMPTS - live.failedAttempts - 1 }
    }
    await q.markCodeUsed(tx, live.id)
    const { user, isNew } = await q.upsertUserByPhone(tx, phone, `居民${phone.slice(7)}`)
    const session = await issueSession(ctx, tx, user.id, 'sms')
    return { ...session, userId: user.id, isNew }
  })
  if ('error' in outcome) {
    if (outcome.error === 'expired') throw badRequest('SMS_CODE_EXPIRED', '验证码已失效，请重新获取')
    throw badRequest('SMS_CODE_INVALID', (outcome.left ?? 0) > 0 ? `验证码不正确，还可以再试 ${outcome.left} 次` : '验证码不正确，请重新获取')
  }
  return { token: outcome.token, expiresAt: outcome.expiresAt, isNew: outcome.isNew, user: await profile(ctx, ctx.db, outcome.userId) }
}

export async function wechatLogin(ctx: AppContext, code: string): Promise<LoginResult> {
  const session = await ctx.wechat.code2session(code)
  const out = await ctx.db.transaction(async (tx) => {
    const { user, isNew } = await q.upsertUserByOpenid(tx, session.openid, session.unionid, '微信用户')
    return { ...(await issueSession(ctx, tx, user.id, 'wechat', session.sessionKey)), userId: user.id, isNew }
  })
  return { token: out.token, expiresAt: out.expiresAt, isNew: out.isNew, user: await profile(ctx, ctx.db, out.userId) }
}

export async function logout(ctx: AppContext, caller: Caller): Promise<void> {
  await q.revokeSession(ctx.db, caller.tokenHash)
  await ctx.callers.forget({ tokenHash: caller.tokenHash })
}

export async function updateMe(ctx: AppContext, caller: Caller, patch: UpdateMeBody): Promise<Me> {
  if (patch.communityCode !== undefined) {
    const dir = await ctx.regions.get()
    const r = dir.get(patch.communityCode)
    if (!r) throw notFound('REGION_NOT_FOUND', `区域 ${patch.communityCode} 不存在`)
    if (r.level !== 'community') throw badRequest('NOT_A_COMMUNITY', `请选择到社区一级（${r.name} 不是社区）`)
  }
  if (patch.nickname !== undefined && !patch.nickname.trim()) throw badRequest('NICKNAME_EMPTY', '昵称不能为空')
  const me = await ctx.db.transaction(async (tx) => {
    await q.updateUser(tx, caller.userId, { ...patch, nickname: patch.nickname?.trim() })
    return profile(ctx, tx, caller.userId)
  })
  await ctx.callers.forget({ userId: caller.userId })
  return me
}

function grantView(dir: Awaited<ReturnType<AppContext['regions']['get']>>, g: q.GrantRow): RoleGrant {
  return {
    id: g.id,
    userId: g.userId,
    nickname: g.nickname,
    phoneMasked: maskPhone(g.phone),
    role: g.role,
    regionCode: g.regionCode,
    regionName: g.regionCode ? dir.get(g.regionCode)?.name ?? null : null,
    grantedAt: new Date(g.grantedAt).toISOString(),
    grantedBy: g.grantedBy,
  }
}

export async function listGrants(ctx: AppContext, regionCode: string | undefined): Promise<RoleGrant[]> {
  const dir = await ctx.regions.get()
  const codes = regionCode ? dir.descendants(regionCode).map((r) => r.code) : null
  if (regionCode && codes!.length === 0) throw notFound('REGION_NOT_FOUND', `区域 ${regionCode} 不存在`)
  return (await q.liveGrants(ctx.db, codes)).map((g) => grantView(dir, g))
}

export function grantRole(ctx: AppContext, caller: Caller, phone: string, role: 'worker' | 'office', regionCode?: string): Promise<RoleGrant> {
  return grant(ctx, caller.userId, phone, role, regionCode)
}

/**
 * npm run office:grant: a real database starts with no 创文办 user (demo accounts live only in demo databases), and
 * only a 创文办 user grants roles, so the first one is granted by whoever runs the server. Audited without an actor.
 */
export function grantOfficeFromConsole(ctx: AppContext, phone: string): Promise<RoleGrant> {
  return grant(ctx, null, phone, 'office')
}

async function grant(ctx: AppContext, actorId: number | null, phone: string, role: 'worker' | 'office', regionCode?: string): Promise<RoleGrant> {
  const dir = await ctx.regions.get()
  if (role === 'worker') {
    if (!regionCode) throw badRequest('REGION_REQUIRED', '网格员角色必须指定负责的区域')
    const r = dir.get(regionCode)
    if (!r) throw notFound('REGION_NOT_FOUND', `区域 ${regionCode} 不存在`)
    if (r.level === 'city' || r.level === 'district') throw badRequest('REGION_TOO_WIDE', '网格员只能负责街道、社区或网格')
  } else if (regionCode) {
    throw badRequest('REGION_NOT_ALLOWED', '创文办角色不区分区域')
  }
  const granted = await ctx.db.transaction(async (tx) => {
    const user = await q.userByPhone(tx, phone)
    if (!user) throw notFound('USER_NOT_FOUND', '该手机号尚未注册，请先让对方登录一次')
    const inserted = await q.insertGrant(tx, user.id, role, role === 'worker' ? regionCode! : null, actorId)
    if (!inserted) throw conflict('ROLE_ALREADY_GRANTED', '该用户已拥有这个角色')
    await audit(tx, actorId, 'role.grant', `user:${user.id}`, { role, regionCode: regionCode ?? null, grantId: inserted.id })
    const g = await q.grantById(tx, inserted.id)
    return grantView(dir, g!)
  })
  // after the commit: a request between forgetting and committing would remember the old roles again
  await ctx.callers.forget({ userId: granted.userId })
  return granted
}

export async function revokeRole(ctx: AppContext, caller: Caller, grantId: number): Promise<void> {
  const userId = await ctx.db.transaction(async (tx) => {
    const g = await q.grantById(tx, grantId)
    if (!g || g.revokedAt) throw notFound('GRANT_NOT_FOUND', '该角色授权不存在或已撤销')
    if (g.role === 'volunteer') throw badRequest('GRANT_NOT_MANAGED_HERE', '志愿者身份由社区审核管理')
    if (g.role === 'office') {
      // the last office user cannot lock the city out of its own configuration
      await q.lockOfficeGrants(tx)
      const n = await q.countActiveOffice(tx)
      if ((n?.n ?? 0) <= 1) throw conflict('LAST_OFFICE_USER', '不能撤销最后一位创文办用户')
    }
    if (!(await q.revokeGrant(tx, grantId, caller.userId))) throw notFound('GRANT_NOT_FOUND', '该角色授权不存在或已撤销')
    await audit(tx, caller.userId, 'role.revoke', `user:${g.userId}`, { role: g.role, regionCode: g.regionCode, grantId })
    return g.userId
  })
  await ctx.callers.forget({ userId })
}

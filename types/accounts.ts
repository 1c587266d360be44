import { Type, type Static } from '@sinclair/typebox'
import { RegionLevel } from './common'

export const Phone = Type.String({ pattern: '^1[3-9]\\d{9}$', description: '中国大陆手机号' })

export const SmsSendBody = Type.Object({ phone: Phone }, { additionalProperties: false })
export type SmsSendBody = Static<typeof SmsSendBody>
export const SmsSendResult = Type.Object({
  sent: Type.Boolean(),
  expiresInSeconds: Type.Integer(),
  resendAfterSeconds: Type.Integer(),
  /** Only in demo mode (DEMO=1): the code itself, to be shown on the sign-in page marked as demo. */
  demoCode: Type.Optional(Type.String()),
})
export type SmsSendResult = Static<typeof SmsSendResult>

export const SmsVerifyBody = Type.Object(
  { phone: Phone, code: Type.String({ pattern: '^\\d{6}$' }) },
  { additionalProperties: false },
)
export type SmsVerifyBody = Static<typeof SmsVerifyBody>

export const WechatLoginBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false })
export type WechatLoginBody = Static<typeof WechatLoginBody>

export const Role = Type.Union([Type.Literal('resident'), Type.Literal('volunteer'), Type.Literal('worker'), Type.Literal('office')])
export type Role = Static<typeof Role>

export const RoleBadge = Type.Object({
  role: Role,
  regionCode: Type.Union([Type.String(), Type.Null()]),
  regionName: Type.Union([Type.String(), Type.Null()]),
})
export type RoleBadge = Static<typeof RoleBadge>

export const CommunityRef = Type.Object({
  code: Type.String(),
  name: Type.String(),
  /** e.g. 示范市 / 东湖区 / 湖滨街道 / 幸福里社区 */
  path: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: RegionLevel })),
})
export type CommunityRef = Static<typeof CommunityRef>

export const Me = Type.Object({
  id: Type.Integer(),
  nickname: Type.String(),
  /** 138****0001 — the full number is never sent back. */
  phoneMasked: Type.Union([Type.String(), Type.Null()]),
  hasWechat: Type.Boolean(),
  community: Type.Union([CommunityRef, Type.Null()]),
  roles: Type.Array(RoleBadge),
  elderMode: Type.Boolean(),
})
export type Me = Static<typeof Me>

export const LoginResult = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  user: Me,
  isNew: Type.Boolean(),
})
export type LoginResult = Static<typeof LoginResult>

export const UpdateMeBody = Type.Object(
  {
    nickname: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    communityCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    elderMode: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateMeBody = Static<typeof UpdateMeBody>

export const GrantRoleBody = Type.Object(
  {
    phone: Phone,
    role: Type.Union([Type.Literal('worker'), Type.Literal('office')]),
    regionCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
)
export type GrantRoleBody = Static<typeof GrantRoleBody>

export const RoleGrant = Type.Object({
  id: Type.Integer(),
  userId: Type.Integer(),
  nickname: Type.String(),
  phoneMasked: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  regionCode: Type.Union([Type.String(), Type.Null()]),
  regionName: Type.Union([Type.String(), Type.Null()]),
  grantedAt: Type.String({ format: 'date-time' }),
  grantedBy: Type.Union([Type.Integer(), Type.Null()]),
})
export type RoleGrant = Static<typeof RoleGrant>
export const RoleGrantList = Type.Object({ items: Type.Array(RoleGrant) })
export type RoleGrantList = Static<typeof RoleGrantList>

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppContext } from '../../context'
import { requireCaller } from '../../lib/caller'
import { errorResponses } from '../../lib/schemas'
import { IdParams } from '../../../types/common'
import {
  GrantRoleBody, LoginResult, Me, RoleGrant, RoleGrantList, SmsSendBody, SmsSendResult, SmsVerifyBody, UpdateMeBody, WechatLoginBody,
} from '../../../types/accounts'
import { ErasureBody, PersonalDataExport } from '../../../types/privacy'
import * as erasure from './erasure'
import type { PersonalDataSource } from './personal-data'
import { assertCanManageRoles } from './policy'
import * as service from './service'

export const accountRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  // Sign-in endpoints are the ones worth guessing against: a tighter per-address limit on top of the global one.
  const authLimit = { rateLimit: { max: ctx.config.authRateLimitPerMinute, timeWindow: '1 minute' } }
  app.post('/auth/sms/send', {
    config: authLimit,
    schema: { tags: ['accounts'], summary: '获取手机验证码（演示模式下验证码随响应返回）', body: SmsSendBody, response: { 200: SmsSendResult, ...errorResponses } },
  }, async (req) => service.sendSmsCode(ctx, req.body.phone, req.ip))

  app.post('/auth/sms/verify', {
    config: authLimit,
    schema: { tags: ['accounts'], summary: '手机号 + 验证码登录', body: SmsVerifyBody, response: { 200: LoginResult, ...errorResponses } },
  }, async (req) => service.verifySmsCode(ctx, req.body.phone, req.body.code))

  app.post('/auth/wechat', {
    config: authLimit,
    schema: { tags: ['accounts'], summary: '微信登录：wx.login 的 code 换取本服务的登录凭证', body: WechatLoginBody, response: { 200: LoginResult, ...errorResponses } },
  }, async (req) => service.wechatLogin(ctx, req.body.code))

  app.post('/auth/logout', { schema: { tags: ['accounts'], response: { 204: Type.Null(), ...errorResponses } } }, async (req, reply) => {
    await service.logout(ctx, await requireCaller(ctx, req))
    return reply.code(204).send(null)
  })

  app.get('/me', { schema: { tags: ['accounts'], response: { 200: Me, ...errorResponses } } }, async (req) => {
    const caller = await requireCaller(ctx, req)
    return service.profile(ctx, ctx.db, caller.userId)
  })

  app.patch('/me', {
    schema: { tags: ['accounts'], summary: '修改昵称、所在社区、长辈模式', body: UpdateMeBody, response: { 200: Me, ...errorResponses } },
  }, async (req) => service.updateMe(ctx, await requireCaller(ctx, req), req.body))

  app.get('/admin/roles', {
    schema: {
      tags: ['accounts'],
      summary: '网格员与创文办角色列表',
      querystring: Type.Object({ regionCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
      response: { 200: RoleGrantList, ...errorResponses },
    },
  }, async (req) => {
    assertCanManageRoles(await requireCaller(ctx, req))
    return { items: await service.listGrants(ctx, req.query.regionCode) }
  })

  app.post('/admin/roles', {
    schema: { tags: ['accounts'], summary: '授予网格员（指定区域）或创文办角色', body: GrantRoleBody, response: { 201: RoleGrant, ...errorResponses } },
  }, async (req, reply) => {
    const caller = await requireCaller(ctx, req)
    assertCanManageRoles(caller)
    const grant = await service.grantRole(ctx, caller, req.body.phone, req.body.role, req.body.regionCode)
    return reply.code(201).send(grant)
  })

  app.delete('/admin/roles/:id', {
    schema: { tags: ['accounts'], summary: '撤销角色', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (req, reply) => {
    const caller = await requireCaller(ctx, req)
    assertCanManageRoles(caller)
    await service.revokeRole(ctx, caller, req.params.id)
    return reply.code(204).send(null)
  })
}

/** 注销账号 and the export of one's own data, over the personal data of every module (see personal-data.ts). */
export const privacyRoutes = (ctx: AppContext, sources: PersonalDataSource[]): FastifyPluginAsyncTypebox => async (app) => {
  app.post('/me/erasure/code', {
    config: { rateLimit: { max: ctx.config.authRateLimitPerMinute, timeWindow: '1 minute' } },
    schema: { tags: ['accounts'], summary: '注销账号：向本人手机发送验证码', response: { 200: SmsSendResult, ...errorResponses } },
  }, async (req) => erasure.sendErasureCode(ctx, await requireCaller(ctx, req), req.ip))

  app.post('/me/erasure', {
    config: { rateLimit: { max: ctx.config.authRateLimitPerMinute, timeWindow: '1 minute' } },
    schema: { tags: ['accounts'], summary: '注销账号（不可恢复）', body: ErasureBody, response: { 204: Type.Null(), ...errorResponses } },
  }, async (req, reply) => {
    await erasure.eraseAccount(ctx, sources, await requireCaller(ctx, req), req.body)
    return reply.code(204).send(null)
  })

  app.get('/me/export', {
    schema: {
      tags: ['accounts'],
      summary: '导出本人的全部个人数据（JSON）',
      // one's own only: there is no parameter naming anybody
      querystring: Type.Object({}, { additionalProperties: false }),
      response: { 200: PersonalDataExport, ...errorResponses },
    },
  }, async (req, reply) => {
    const out = await erasure.exportPersonalData(ctx, sources, await requireCaller(ctx, req))
    return reply.header('cache-control', 'no-store').send(out)
  })
}

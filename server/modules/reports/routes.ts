import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import multipart from '@fastify/multipart'
import { Type } from '@sinclair/typebox'
import type { AppContext } from '../../context'
import { forbidden } from '../../errors'
import { audit } from '../../lib/audit'
import { requireCaller } from '../../lib/caller'
import { checkIdempotencyKey } from '../../lib/idempotency'
import { errorResponses } from '../../lib/schemas'
import { readSingleFile } from '../../lib/upload'
import {
  CategoryList, DailyStats, HandlingOptions, MeTooResult, NearbyQuery, NearbyResult, NotificationItem, NotificationList, Open311KeyBody, Open311KeyInfo, Open311KeyList,
  Open311KeyPatch, Open311KeyResult, PageQuery,
  PhotoView, RatingBody, ReportDetail, ReportPage, SubmitReportBody, TransitionBody, WorkPage, WorkQuery,
} from '../../../types/reports'
import { Cursor, DateOnly, IdParams } from '../../../types/common'
import { exportLedger } from './export'
import { handlingOptions } from './handling-options'
import { retryNotification } from './notify'
import { checkPhotoLink, MAX_PHOTO_BYTES, openPhoto, uploadPhoto } from './photos'
import { createKey, listKeys, updateKey } from './open311-service'
import { assertOffice } from './policy'
import * as service from './service'
import { notificationCounts, notificationsByStatus } from './queries'

const PhotoParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{16,40}$' }) })
const PhotoLinkQuery = Type.Object({ exp: Type.Optional(Type.String({ maxLength: 20 })), sig: Type.Optional(Type.String({ maxLength: 100 })) })
const IdemHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String()) })
const PHOTO_UPLOAD = { field: 'file', maxBytes: MAX_PHOTO_BYTES, noun: '照片', codePrefix: 'PHOTO' }
const errs = { ...errorResponses, 413: errorResponses[400], 415: errorResponses[400] }

export const reportRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  await app.register(multipart, { limits: { fileSize: MAX_PHOTO_BYTES, files: 1, fields: 0, parts: 1 } })

  app.get('/reports/categories', {
    schema: { tags: ['reports'], summary: '随手拍问题类别', response: { 200: CategoryList, ...errs } },
  }, async () => ({ items: await service.listCategories(ctx) }))

  app.post('/reports/photos', {
    bodyLimit: MAX_PHOTO_BYTES + 64 * 1024,
    schema: {
      tags: ['reports'],
      summary: '上传照片（multipart/form-data，字段 file；JPEG/PNG/WebP/HEIC，≤10 MB；去除 EXIF 后重新编码）',
      description: '请求体只能有一个文件部分，名为 file。没有文件：400 PHOTO_MISSING；多个文件：400 PHOTO_ONE_AT_A_TIME；'
        + '其他字段或其他名字的文件：400 PHOTO_FIELD_INVALID；超过 10 MB：413 PHOTO_TOO_LARGE；不是 multipart：415 MULTIPART_REQUIRED。',
      consumes: ['multipart/form-data'],
      response: { 201: PhotoView, ...errs },
    },
  }, async (req, reply) => {
    const caller = await requireCaller(ctx, req)
    const buf = await readSingleFile(req, PHOTO_UPLOAD)
    return reply.code(201).send(await uploadPhoto(ctx, caller, buf))
  })

  for (const thumb of [false, true]) {
    app.get(thumb ? '/photos/:id/thumb' : '/photos/:id', {
      schema: {
        tags: ['reports'],
        summary: thumb ? '照片缩略图（签名链接，见照片）' : '照片：只通过接口返回的签名链接访问（exp、sig；有效期 PHOTO_URL_TTL_SECONDS），过期后重新获取详情即可',
        params: PhotoParams,
        querystring: PhotoLinkQuery,
        security: [],
      },
    }, async (req, reply) => {
      const check = checkPhotoLink(ctx.config.photoLinks, req.params.id, req.query.exp, req.query.sig)
      if (check === 'expired') throw forbidden('PHOTO_LINK_EXPIRED', '照片链接已过期，请刷新页面后再看')
      if (check === 'invalid') throw forbidden('PHOTO_LINK_INVALID', '照片链接无效')
      const left = Math.max(0, Number(req.query.exp) - Math.ceil(Date.now() / 1000))
      const file = await openPhoto(ctx, req.params.id, thumb, left)
      if (!file) return reply.code(404).send({ code: 'PHOTO_NOT_FOUND', message: '照片不存在' })
      if ('redirect' in file) return reply.header('cache-control', `private, max-age=${left}`).redirect(file.redirect, 302)
      return reply
        .type('image/jpeg')
        .header('content-length', file.size)
        .header('cache-control', `private, max-age=${left}, immutable`)
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(file.stream)
    })
  }

  app.get('/reports/nearby', {
    schema: { tags: ['reports'], summary: '附近 7 天内同类未办结的问题（上报前查重）', querystring: NearbyQuery, response: { 200: NearbyResult, ...errs } },
  }, async (req) => {
    await requireCaller(ctx, req)
    return service.nearby(ctx, req.query.categoryCode, req.query.lng, req.query.lat)
  })

  app.post('/reports', {
    schema: {
      tags: ['reports'],
      summary: '提交随手拍（请带 Idempotency-Key 请求头，重试时不变）',
      headers: IdemHeaders,
      body: SubmitReportBody,
      response: { 201: ReportDetail, ...errs },
    },
  }, async (req, reply) => {
    const caller = await requireCaller(ctx, req)
    const key = checkIdempotencyKey(req.headers['idempotency-key'] as string | undefined)
    const r = await service.submitReport(ctx, caller, req.body, key)
    if (r.replayed) reply.header('idempotency-replayed', 'true')
    return reply.code(r.status).send(r.body)
  })

  app.get('/reports', {
    schema: { tags: ['reports'], summary: '社区随手拍公开列表（不含待审核内容；匿名者不显示昵称）', querystring: PageQuery, response: { 200: ReportPage, ...errs } },
  }, async (req) => {
    const caller = await requireCaller(ctx, req)
    return service.publicReports(ctx, caller, req.query.communityCode, req.query.cursor, req.query.limit ?? 20)
  })

  app.get('/reports/mine', {
    schema: {
      tags: ['reports'],
      summary: '我的随手拍',
      querystring: Type.Object({ cursor: Type.Optional(Cursor), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) }, { additionalProperties: false }),
      response: { 200: ReportPage, ...errs },
    },
  }, async (req) => service.myReports(ctx, await requireCaller(ctx, req), req.query.cursor, req.query.limit ?? 20))

  app.get('/reports/work', {
    schema: { tags: ['reports'], summary: '工单：我负责区域的随手拍（筛选、游标分页、按状态计数）', querystring: WorkQuery, response: { 200: WorkPage, ...errs } },
  }, async (req) => service.workList(ctx, await requireCaller(ctx, req), req.query))

  app.get('/reports/stats/daily', {
    schema: {
      tags: ['reports'],
      summary: '每日新增、销号、超期数（按社区）',
      querystring: Type.Object({
        from: Type.Optional(DateOnly),
        to: Type.Optional(DateOnly),
        communityCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      }, { additionalProperties: false }),
      response: { 200: DailyStats, ...errs },
    },
  }, async (req) => service.dailyStats(ctx, await requireCaller(ctx, req), req.query.from, req.query.to, req.query.communityCode))

  app.get('/reports/export.xlsx', {
    schema: { tags: ['reports'], summary: '导出问题台账（Excel，流式）', querystring: Type.Omit(WorkQuery, ['cursor', 'limit']) },
  }, async (req, reply) => {
    const caller = await requireCaller(ctx, req)
    const f = await service.workFilter(ctx, caller, req.query)
    const ledger = await exportLedger(ctx, f)
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
    await audit(ctx.db, caller.userId, 'report.export', 'reports', req.query)
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="ledger-${day}.xlsx"; filename*=UTF-8''${encodeURIComponent(`问题台账-${day}.xlsx`)}`)
      .send(ledger)
  })

  app.get('/reports/:id', {
    schema: { tags: ['reports'], summary: '随手拍详情与处理时间线', params: IdParams, response: { 200: ReportDetail, ...errs } },
  }, async (req) => service.getReport(ctx, await requireCaller(ctx, req), req.params.id))

  app.get('/reports/:id/handling-options', {
    schema: { tags: ['reports'], summary: '处理时可选的处置人（该区域网格员）与可合并的附近同类问题', params: IdParams, response: { 200: HandlingOptions, ...errs } },
  }, async (req) => handlingOptions(ctx, await requireCaller(ctx, req), req.params.id))

  app.post('/reports/:id/transitions', {
    schema: { tags: ['reports'], summary: '受理/不予受理/合并/派遣/整改/销号/关闭/重新打开/审核通过', params: IdParams, body: TransitionBody, response: { 200: ReportDetail, ...errs } },
  }, async (req) => service.transition(ctx, await requireCaller(ctx, req), req.params.id, req.body))

  app.post('/reports/:id/metoo', {
    schema: { tags: ['reports'], summary: '我也遇到了（+1）', params: IdParams, response: { 200: MeTooResult, ...errs } },
  }, async (req) => service.meToo(ctx, await requireCaller(ctx, req), req.params.id))

  app.post('/reports/:id/rating', {
    schema: { tags: ['reports'], summary: '评价处置（1–5 分，办结后一次）', params: IdParams, body: RatingBody, response: { 200: ReportDetail, ...errs } },
  }, async (req) => service.rate(ctx, await requireCaller(ctx, req), req.params.id, req.body.score, req.body.comment))

  app.get('/admin/notifications', {
    schema: {
      tags: ['reports'],
      summary: '订阅消息发送情况（默认列出失败的）',
      querystring: Type.Object({
        status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('skipped')])),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
      }, { additionalProperties: false }),
      response: { 200: NotificationList, ...errs },
    },
  }, async (req) => {
    assertOffice(await requireCaller(ctx, req))
    const items = await notificationsByStatus(ctx.db, req.query.status ?? 'failed', req.query.limit ?? 50)
    const counts = await notificationCounts(ctx.db)
    return {
      items: items.map((i) => ({ ...i, createdAt: new Date(i.createdAt as Date).toISOString(), nextAttemptAt: new Date(i.nextAttemptAt as Date).toISOString() })) as never,
      counts: Object.fromEntries(counts.map((c) => [c.status, c.n])),
    }
  })

  app.post('/admin/notifications/:id/retry', {
    schema: {
      tags: ['reports'],
      summary: '立即重发一条发送失败的订阅消息（创文办；重置尝试次数）',
      params: IdParams,
      response: { 200: NotificationItem, ...errs },
    },
  }, async (req) => retryNotification(ctx, await requireCaller(ctx, req), req.params.id))

  app.post('/admin/open311-keys', {
    schema: { tags: ['reports'], summary: '为城市系统创建 Open311 API key（只显示一次；readPrivate：精确坐标与照片，extendedStatuses：FixMyStreet 扩展状态）', body: Open311KeyBody, response: { 201: Open311KeyResult, ...errs } },
  }, async (req, reply) => reply.code(201).send(await createKey(ctx, await requireCaller(ctx, req), req.body)))

  app.get('/admin/open311-keys', {
    schema: { tags: ['reports'], summary: 'Open311 API key 列表（创文办）', response: { 200: Open311KeyList, ...errs } },
  }, async (req) => listKeys(ctx, await requireCaller(ctx, req)))

  app.patch('/admin/open311-keys/:id', {
    schema: { tags: ['reports'], summary: '修改 Open311 API key 的权限，或停用（创文办）', params: IdParams, body: Open311KeyPatch, response: { 200: Open311KeyInfo, ...errs } },
  }, async (req) => updateKey(ctx, await requireCaller(ctx, req), req.params.id, req.body))
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppContext } from '../../context'
import { requireCaller } from '../../lib/caller'
import { checkIdempotencyKey } from '../../lib/idempotency'
import { errorResponses } from '../../lib/schemas'
import { Cursor, IdParams } from '../../../types/common'
import {
  CreateSurveyBody, CrossTab, ResidentSurvey, ResidentSurveyList, StaffSurvey, StaffSurveyList, SubmitSurveyBody, SubmitSurveyResult,
  SurveyDraft, SurveyDraftBody, SurveyNoticeBody, SurveyNoticeConsent, SurveyResults, SurveyTemplateList, TextAnswerPage, UpdateSurveyBody,
} from '../../../types/surveys'
import * as service from './service'

const QKey = Type.String({ minLength: 1, maxLength: 40 })
const tags = ['surveys']

export const surveyRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  // ------------------------------------------------------------ residents

  app.get('/surveys', {
    schema: { tags, summary: '我所在社区正在进行的问卷（已填写的有标记）', response: { 200: ResidentSurveyList, ...errorResponses } },
  }, async (req) => service.residentSurveys(ctx, await requireCaller(ctx, req)))

  app.get('/surveys/closed', {
    schema: { tags, summary: '已结束且向居民公开结果的问卷', response: { 200: ResidentSurveyList, ...errorResponses } },
  }, async (req) => service.closedSurveys(ctx, await requireCaller(ctx, req)))

  app.get('/surveys/notices', {
    schema: { tags, summary: '有新问卷时是否通知我（订阅消息）', response: { 200: SurveyNoticeConsent, ...errorResponses } },
  }, async (req) => service.noticeConsent(ctx, await requireCaller(ctx, req)))

  app.put('/surveys/notices', {
    schema: { tags, summary: '同意或取消“有新问卷时通知我”', body: SurveyNoticeBody, response: { 200: SurveyNoticeConsent, ...errorResponses } },
  }, async (req) => service.setNoticeConsent(ctx, await requireCaller(ctx, req), req.body))

  app.get('/surveys/:id', {
    schema: { tags, summary: '问卷的题目与我的状态', params: IdParams, response: { 200: ResidentSurvey, ...errorResponses } },
  }, async (req) => service.residentSurvey(ctx, await requireCaller(ctx, req), req.params.id))

  app.get('/surveys/:id/draft', {
    schema: { tags, summary: '我保存的答题进度', params: IdParams, response: { 200: SurveyDraft, ...errorResponses } },
  }, async (req) => service.getDraft(ctx, await requireCaller(ctx, req), req.params.id))

  app.put('/surveys/:id/draft', {
    schema: { tags, summary: '保存答题进度（换设备可继续）', params: IdParams, body: SurveyDraftBody, response: { 200: SurveyDraft, ...errorResponses } },
  }, async (req) => service.saveDraft(ctx, await requireCaller(ctx, req), req.params.id, req.body))

  app.post('/surveys/:id/responses', {
    schema: {
      tags, summary: '提交答卷（每人每份问卷一次；相同 Idempotency-Key 的重试返回第一次的结果）',
      params: IdParams, body: SubmitSurveyBody, response: { 201: SubmitSurveyResult, ...errorResponses },
    },
  }, async (req, reply) => {
    const caller = await requireCaller(ctx, req)
    const key = checkIdempotencyKey(req.headers['idempotency-key'] as string | undefined)
    const r = await service.submitResponse(ctx, caller, req.params.id, req.body, key)
    if (r.replayed) reply.header('Idempotency-Replayed', 'true')
    return reply.code(201).send(r.body)
  })

  app.get('/surveys/:id/results', {
    schema: { tags, summary: '问卷结果（问卷结束且公开结果时）', params: IdParams, response: { 200: SurveyResults, ...errorResponses } },
  }, async (req) => service.residentResults(ctx, await requireCaller(ctx, req), req.params.id))

  // ------------------------------------------------------------ staff

  app.get('/surveys/templates', {
    schema: { tags, summary: '问卷模板库', response: { 200: SurveyTemplateList, ...errorResponses } },
  }, async (req) => service.templates(await requireCaller(ctx, req)))

  app.get('/surveys/admin', {
    schema: { tags, summary: '我负责区域的问卷', response: { 200: StaffSurveyList, ...errorResponses } },
  }, async (req) => service.staffSurveys(ctx, await requireCaller(ctx, req)))

  app.post('/surveys/admin', {
    schema: { tags, summary: '新建问卷（从模板或题目；草稿）', body: CreateSurveyBody, response: { 201: StaffSurvey, ...errorResponses } },
  }, async (req, reply) => reply.code(201).send(await service.createSurvey(ctx, await requireCaller(ctx, req), req.body)))

  app.get('/surveys/admin/:id', {
    schema: { tags, summary: '问卷（含统计口径标记、答卷数、文字修改记录）', params: IdParams, response: { 200: StaffSurvey, ...errorResponses } },
  }, async (req) => service.staffSurvey(ctx, await requireCaller(ctx, req), req.params.id))

  app.get('/surveys/admin/:id/preview', {
    schema: { tags, summary: '预览：居民看到的问卷（草稿也可）', params: IdParams, response: { 200: ResidentSurvey, ...errorResponses } },
  }, async (req) => service.previewSurvey(ctx, await requireCaller(ctx, req), req.params.id))

  app.put('/surveys/admin/:id', {
    schema: { tags, summary: '修改问卷（有答卷后只能改文字）', params: IdParams, body: UpdateSurveyBody, response: { 200: StaffSurvey, ...errorResponses } },
  }, async (req) => service.updateSurvey(ctx, await requireCaller(ctx, req), req.params.id, req.body))

  app.post('/surveys/admin/:id/publish', {
    schema: { tags, summary: '发布', params: IdParams, response: { 200: StaffSurvey, ...errorResponses } },
  }, async (req) => service.publishSurvey(ctx, await requireCaller(ctx, req), req.params.id))

  app.post('/surveys/admin/:id/close', {
    schema: { tags, summary: '结束', params: IdParams, response: { 200: StaffSurvey, ...errorResponses } },
  }, async (req) => service.closeSurvey(ctx, await requireCaller(ctx, req), req.params.id))

  app.get('/surveys/admin/:id/results', {
    schema: { tags, summary: '各题分布（进行中实时）', params: IdParams, response: { 200: SurveyResults, ...errorResponses } },
  }, async (req) => service.staffResults(ctx, await requireCaller(ctx, req), req.params.id))

  app.get('/surveys/admin/:id/crosstab', {
    schema: {
      tags, summary: '交叉分析：按社区、街道或另一题的回答；少于 5 人的格子显示“<5”',
      params: IdParams,
      querystring: Type.Object({
        question: QKey,
        row: Type.Optional(QKey),
        by: Type.Union([Type.Literal('community'), Type.Literal('street'), Type.Literal('question')]),
        byQuestion: Type.Optional(QKey),
        byRow: Type.Optional(QKey),
      }, { additionalProperties: false }),
      response: { 200: CrossTab, ...errorResponses },
    },
  }, async (req) => service.crossTab(ctx, await requireCaller(ctx, req), req.params.id, req.query))

  app.get('/surveys/admin/:id/export', {
    schema: {
      tags, summary: '导出答卷或汇总（Excel / CSV，流式；匿名问卷不含任何个人信息列）',
      params: IdParams,
      querystring: Type.Object({
        what: Type.Union([Type.Literal('responses'), Type.Literal('summary')]),
        format: Type.Union([Type.Literal('xlsx'), Type.Literal('csv')]),
      }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const { stream, filename } = await service.exportSurvey(ctx, await requireCaller(ctx, req), req.params.id, req.query.what, req.query.format)
    return reply
      .type(req.query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="survey-${req.params.id}-${req.query.what}.${req.query.format}"; filename*=UTF-8''${encodeURIComponent(filename)}`)
      .send(stream)
  })

  app.get('/surveys/admin/:id/texts', {
    schema: {
      tags, summary: '文字回答（分页、搜索）',
      params: IdParams,
      querystring: Type.Object({
        question: QKey,
        q: Type.Optional(Type.String({ maxLength: 50 })),
        cursor: Type.Optional(Cursor),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      }, { additionalProperties: false }),
      response: { 200: TextAnswerPage, ...errorResponses },
    },
  }, async (req) => service.textAnswers(ctx, await requireCaller(ctx, req), req.params.id, req.query))
}

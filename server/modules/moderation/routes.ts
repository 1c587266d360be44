import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppContext } from '../../context'
import { requireCaller } from '../../lib/caller'
import { errorResponses } from '../../lib/schemas'
import { Cursor, IdParams } from '../../../types/common'
import { FlagBody, FlagResult, ModerationQueue, ReviewBody, ReviewResult } from '../../../types/moderation'
import * as service from './service'


export const moderationRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  app.post('/reports/:id/flags', {
    schema: { tags: ['moderation'], summary: '举报一条随手拍（每人每条一次）', params: IdParams, body: FlagBody, response: { 201: FlagResult, ...errorResponses } },
  }, async (req, reply) => reply.code(201).send(await service.flagReport(ctx, await requireCaller(ctx, req), req.params.id, req.body)))

  app.get('/moderation/queue', {
    schema: {
      tags: ['moderation'],
      summary: '内容审核队列（网格员：负责区域；创文办：全部）',
      querystring: Type.Object({ cursor: Type.Optional(Cursor), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) }, { additionalProperties: false }),
      response: { 200: ModerationQueue, ...errorResponses },
    },
  }, async (req) => service.queue(ctx, await requireCaller(ctx, req), req.query.cursor, req.query.limit ?? 20))

  app.post('/moderation/reports/:id/review', {
    schema: { tags: ['moderation'], summary: '审核被举报的随手拍：恢复、隐藏或移除内容', params: IdParams, body: ReviewBody, response: { 200: ReviewResult, ...errorResponses } },
  }, async (req) => service.review(ctx, await requireCaller(ctx, req), req.params.id, req.body))
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppContext } from '../../context'
import { requireCaller } from '../../lib/caller'
import { errorResponses } from '../../lib/schemas'
import {
  Bulletin, BulletinDayParams, BulletinListQuery, BulletinPage, BulletinSubscription, BulletinSubscriptionBody,
} from '../../../types/rates-bulletin'
import * as bulletin from './bulletin'

const tags = ['rates']
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export const bulletinRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/rates/bulletins', {
    schema: { tags, summary: '每日通报列表（新的在前）', querystring: BulletinListQuery, response: { 200: BulletinPage, ...errorResponses } },
  }, async (req) => bulletin.listBulletins(ctx, await requireCaller(ctx, req), req.query))

  app.get('/rates/bulletins/:day', {
    schema: { tags, summary: '某一天的通报（生成时冻结的内容）', params: BulletinDayParams, response: { 200: Bulletin, ...errorResponses } },
  }, async (req) => bulletin.getBulletin(ctx, await requireCaller(ctx, req), req.params.day))

  app.get('/rates/bulletins/:day/export.xlsx', {
    schema: { tags, summary: '下载某一天的通报（Excel）', params: BulletinDayParams },
  }, async (req, reply) => {
    const { file, filename } = await bulletin.bulletinWorkbook(ctx, await requireCaller(ctx, req), req.params.day)
    return reply
      .header('Content-Type', XLSX)
      .header('Content-Disposition', `attachment; filename="bulletin-${req.params.day}.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`)
      .send(file)
  })

  app.get('/rates/bulletin-subscription', {
    schema: { tags, summary: '我是否订阅了每日通报的消息（工作人员）', response: { 200: BulletinSubscription, ...errorResponses } },
  }, async (req) => bulletin.getSubscription(ctx, await requireCaller(ctx, req)))

  app.put('/rates/bulletin-subscription', {
    schema: {
      tags, summary: '订阅或退订每日通报的消息（工作人员；小程序里先经微信的订阅授权）', body: BulletinSubscriptionBody,
      response: { 200: BulletinSubscription, ...errorResponses },
    },
  }, async (req) => bulletin.setSubscription(ctx, await requireCaller(ctx, req), req.body.subscribed))
}

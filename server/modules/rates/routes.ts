import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppContext } from '../../context'
import { requireCaller } from '../../lib/caller'
import { errorResponses } from '../../lib/schemas'
import { Dashboard, DashboardQuery, RateFigure, Sources, SourcesQuery, TargetBody, Trend, TrendQuery } from '../../../types/rates'
import * as service from './service'

const tags = ['rates']

export const rateRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/rates/dashboard', {
    schema: { tags, summary: '区域在某一时段的各项比率、下级区域与排名', querystring: DashboardQuery, response: { 200: Dashboard, ...errorResponses } },
  }, async (req) => service.dashboard(ctx, await requireCaller(ctx, req), req.query))

  app.get('/rates/trend', {
    schema: { tags, summary: '最近 30 / 90 天的每日比率', querystring: TrendQuery, response: { 200: Trend, ...errorResponses } },
  }, async (req) => service.trend(ctx, await requireCaller(ctx, req), req.query))

  app.get('/rates/sources', {
    schema: { tags, summary: '一项比率背后的来源（哪些问卷、答题活动，多少条评价）', querystring: SourcesQuery, response: { 200: Sources, ...errorResponses } },
  }, async (req) => service.sources(ctx, await requireCaller(ctx, req), req.query))

  app.put('/rates/targets', {
    schema: {
      tags, summary: '设置区域某项比率的目标值（创文办）', body: TargetBody,
      response: { 200: Type.Object({ regionCode: Type.String(), figure: RateFigure, target: Type.Number() }), ...errorResponses },
    },
  }, async (req) => service.setTarget(ctx, await requireCaller(ctx, req), req.body))
}

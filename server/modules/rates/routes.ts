import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppContext } from '../../context'
import { requireCaller } from '../../lib/caller'
import { errorResponses } from '../../lib/schemas'
import { Dashboard, DashboardQuery, ExportQuery, RateFigure, Sources, SourcesQuery, TargetBody, Trend, TrendQuery } from '../../../types/rates'
import { exportDashboard } from './export'
import { dashboardJson } from './read-cache'
import * as service from './service'

const tags = ['rates']

export const rateRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/rates/dashboard', {
    schema: { tags, summary: '区域在某一时段的各项比率、下级区域与排名', querystring: DashboardQuery, response: { 200: Dashboard, ...errorResponses } },
  }, async (req, reply) => {
    const { entry, pendingEvents, cached } = await service.dashboardRead(ctx, await requireCaller(ctx, req), req.query)
    // the answer's JSON is kept with it (serialized by this route's schema once); x-rates-cache tells the benchmark
    // (and anyone looking) whether it was computed for this read
    return reply.type('application/json; charset=utf-8').header('x-rates-cache', cached ? 'hit' : 'miss')
      // already JSON (a string with a JSON content type is sent as it is); the type provider expects the object
      .send(dashboardJson(entry, pendingEvents, (d) => reply.serialize(d) as string) as never)
  })

  app.get('/rates/trend', {
    schema: { tags, summary: '最近 30 / 90 天的每日比率', querystring: TrendQuery, response: { 200: Trend, ...errorResponses } },
  }, async (req) => service.trend(ctx, await requireCaller(ctx, req), req.query))

  app.get('/rates/sources', {
    schema: { tags, summary: '一项比率背后的来源（哪些问卷、答题活动，多少条评价）', querystring: SourcesQuery, response: { 200: Sources, ...errorResponses } },
  }, async (req) => service.sources(ctx, await requireCaller(ctx, req), req.query))

  app.get('/rates/export', {
    schema: { tags, summary: '导出看板上的全部表格（Excel：本区域、下级区域、排名、趋势、来源）', querystring: ExportQuery },
  }, async (req, reply) => {
    const { buffer, filename } = await exportDashboard(ctx, await requireCaller(ctx, req), req.query)
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="rates-${req.query.region}.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`)
      .send(buffer)
  })

  app.put('/rates/targets', {
    schema: {
      tags, summary: '设置区域某项比率的目标值（创文办）', body: TargetBody,
      response: { 200: Type.Object({ regionCode: Type.String(), figure: RateFigure, target: Type.Number() }), ...errorResponses },
    },
  }, async (req) => service.setTarget(ctx, await requireCaller(ctx, req), req.body))
}

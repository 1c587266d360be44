import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppContext } from '../../context'
import { requireCaller } from '../../lib/caller'
import { errorResponses } from '../../lib/schemas'
import { ChildGeometries, ImportSummary, LocateQuery, LocateResult, RegionDetail, RegionList } from '../../../types/regions'
import { assertCanImportRegions } from './policy'
import { childGeometries, getRegion, importRegions, listRegions, locate } from './service'

export const regionRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/regions', {
    schema: {
      tags: ['regions'],
      summary: '下级区域列表（不带 parent 时为市级）',
      querystring: Type.Object({ parent: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
      response: { 200: RegionList, ...errorResponses },
    },
  }, async (req) => ({ items: await listRegions(ctx, req.query.parent) }))

  app.get('/regions/locate', {
    schema: {
      tags: ['regions'],
      summary: '坐标（GCJ-02）所在的网格、社区、街道、区、市',
      querystring: LocateQuery,
      response: { 200: LocateResult, ...errorResponses },
    },
  }, async (req) => locate(ctx, req.query.lng, req.query.lat))

  app.get('/regions/:code', {
    schema: {
      tags: ['regions'],
      params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: RegionDetail, ...errorResponses },
    },
  }, async (req) => getRegion(ctx, req.params.code))

  app.get('/regions/:code/children/geometry', {
    schema: {
      tags: ['regions'],
      summary: '下级区域的边界（简化后，用于看板地图）',
      params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: ChildGeometries, ...errorResponses },
    },
  }, async (req) => childGeometries(ctx, req.params.code))

  app.post('/admin/regions/import', {
    bodyLimit: 20 * 1024 * 1024,
    schema: {
      tags: ['regions'],
      summary: '导入区域（GeoJSON FeatureCollection，全部成功或全部不导入）',
      body: Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Unknown(), { maxItems: 100000 }) }),
      response: { 200: ImportSummary, ...errorResponses },
    },
  }, async (req) => {
    const caller = await requireCaller(ctx, req)
    assertCanImportRegions(caller)
    return importRegions(ctx, caller.userId, req.body)
  })
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppContext } from '../../context'
import { requireCaller } from '../../lib/caller'
import { errorResponses } from '../../lib/schemas'
import { HomeOverview } from '../../../types/home'
import { homeOverview, type HomeSectionSource } from './service'

export const homeRoutes = (ctx: AppContext, sources: HomeSectionSource[]): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/home', {
    schema: { tags: ['home'], summary: '首页：我的社区与各项内容', response: { 200: HomeOverview, ...errorResponses } },
  }, async (req) => homeOverview(ctx, await requireCaller(ctx, req), sources))
}

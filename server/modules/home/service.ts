import type { AppContext } from '../../context'
import { communityHeadcount } from '../accounts/queries'
import type { Caller } from '../../lib/caller'
import type { HomeOverview } from '../../../types/home'

export type HomeSection = HomeOverview['sections'][number]
/** A capability's contribution to a community's home page; returns null when it has nothing to show. */
export type HomeSectionSource = (ctx: AppContext, communityCode: string, caller: Caller) => Promise<HomeSection | null>

export async function homeOverview(ctx: AppContext, caller: Caller, sources: HomeSectionSource[]): Promise<HomeOverview> {
  const code = caller.communityCode
  const dir = await ctx.regions.get()
  const community = code ? dir.get(code) : undefined
  if (!code || !community) return { community: null, sections: [] }
  const counts = await communityHeadcount(ctx.db, code, dir.chain(code).map((r) => r.code))
  const sections = (await Promise.all(sources.map((s) => s(ctx, code, caller)))).filter((s): s is HomeSection => s !== null && s.items.length > 0)
  return {
    community: {
      code: community.code,
      name: community.name,
      path: dir.chain(code).map((r) => ({ code: r.code, name: r.name, level: r.level })),
      population: community.population,
      registeredResidents: counts?.residents ?? 0,
      workers: counts?.workers ?? 0,
    },
    sections,
  }
}

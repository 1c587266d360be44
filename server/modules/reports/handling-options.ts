import type { AppContext } from '../../context'
import { notFound } from '../../errors'
import type { Caller } from '../../lib/caller'
import { maskPhone } from '../accounts/service'
import type { HandlingOptions } from '../../../types/reports'
import { assertWorkerOf, assignableRegions } from './policy'
import * as q from './queries'
import { nearby } from './service'
import { workersIn } from '../accounts/queries'

/** For the handling page: whom the report can be dispatched to, and which reports it may be a duplicate of. */
export async function handlingOptions(ctx: AppContext, caller: Caller, id: number): Promise<HandlingOptions> {
  const dir = await ctx.regions.get()
  const r = await q.reportById(ctx.db, id)
  if (!r) throw notFound('REPORT_NOT_FOUND', '该随手拍不存在')
  if (!caller.office) assertWorkerOf(dir, caller, r)
  const [people, near] = await Promise.all([
    workersIn(ctx.db, assignableRegions(dir, r)),
    nearby(ctx, r.categoryCode, r.lng, r.lat),
  ])
  return {
    department: r.department,
    // the grid's people first, then the community's, then the street's
    assignees: people.sort((a, b) => b.regionCode.length - a.regionCode.length || a.nickname.localeCompare(b.nickname, 'zh')).map((p) => ({
      id: p.id,
      name: p.nickname,
      phoneMasked: maskPhone(p.phone),
      region: { code: p.regionCode, name: dir.get(p.regionCode)?.name ?? p.regionCode },
    })),
    mergeCandidates: near.items.filter((x) => x.id !== id),
  }
}

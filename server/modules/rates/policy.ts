import type { Caller } from '../../lib/caller'
import { badRequest, forbidden, notFound } from '../../errors'
import type { RegionDirectory, RegionRow } from '../regions/directory'

/**
 * Figures are for staff: the office sees every region, a worker the regions of their grants and what lies below.
 * Residents see none in this version (publishing figures to residents is the office's decision, not built yet).
 */
export function assertCanRead(caller: Caller, dir: RegionDirectory, regionCode: string): RegionRow {
  if (!caller.office && caller.workerRegions.length === 0) throw forbidden('RATES_STAFF_ONLY', '比率数据仅对社区工作人员和创文办开放')
  const region = dir.get(regionCode)
  if (!region) throw notFound('REGION_NOT_FOUND', `区域 ${regionCode} 不存在`)
  if (region.level === 'grid') throw badRequest('REGION_LEVEL_NOT_ALLOWED', '比率按社区及以上区域统计，网格请查看所属社区')
  if (!caller.office && !caller.workerRegions.some((w) => dir.covers(w, regionCode))) {
    throw forbidden('REGION_NOT_COVERED', `您不负责${region.name}，不能查看它的比率`)
  }
  return region
}

export function assertCanSetTargets(caller: Caller): void {
  if (!caller.office) throw forbidden('FORBIDDEN_ROLE', '只有创文办可以设置目标值')
}

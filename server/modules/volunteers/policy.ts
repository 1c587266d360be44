import { forbidden } from '../../errors'
import type { Caller } from '../../lib/caller'
import type { RegionDirectory } from '../regions/directory'

/** A worker whose grant covers the region (a street worker covers its communities), or the office. */
export function managesRegion(dir: RegionDirectory, caller: Caller, regionCode: string): boolean {
  return caller.office || caller.workerRegions.some((w) => dir.covers(w, regionCode))
}

/** Applications, suspensions and hours of a volunteer: the workers of the volunteer's service community. */
export function assertManagesVolunteer(dir: RegionDirectory, caller: Caller, communityCode: string): void {
  if (managesRegion(dir, caller, communityCode)) return
  if (caller.workerRegions.length > 0) throw forbidden('FORBIDDEN_REGION', '该志愿者不在您负责的社区')
  throw forbidden('FORBIDDEN_ROLE', '只有该社区的网格员可以管理志愿者')
}

/** Activities, their shifts, codes and rosters: the workers of the activity's region. */
export function assertManagesActivity(dir: RegionDirectory, caller: Caller, regionCode: string): void {
  if (managesRegion(dir, caller, regionCode)) return
  if (caller.workerRegions.length > 0) throw forbidden('FORBIDDEN_REGION', '该活动不在您负责的区域')
  throw forbidden('FORBIDDEN_ROLE', '只有网格员或创文办可以管理志愿活动')
}

export function assertStaff(caller: Caller): void {
  if (!caller.office && caller.workerRegions.length === 0) throw forbidden('FORBIDDEN_ROLE', '只有网格员或创文办可以查看')
}

/** The region codes a worker's lists cover; null for the office (all). */
export function staffScope(dir: RegionDirectory, caller: Caller): string[] | null {
  if (caller.office) return null
  const codes = new Set<string>()
  for (const w of caller.workerRegions) for (const r of dir.descendants(w)) codes.add(r.code)
  return [...codes]
}

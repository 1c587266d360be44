import { forbidden } from '../../errors'
import type { Caller } from '../../lib/caller'
import type { RegionDirectory } from '../regions/directory'
import type { ActionRule } from '../../../types/report-lifecycle'

export interface Placed {
  communityCode: string
  gridCode: string | null
  reporterId: number
}

/** A worker whose region is the report's grid or community, or contains it. */
export function coversReport(dir: RegionDirectory, caller: Caller, r: Placed): boolean {
  return caller.workerRegions.some((code) => dir.covers(code, r.gridCode ?? r.communityCode) || dir.covers(code, r.communityCode))
}

/** Who sees the reporter's identity and the held reports: the reporter, the workers of the region, the office. */
export function seesEverything(dir: RegionDirectory, caller: Caller | null, r: Placed): boolean {
  if (!caller) return false
  return caller.userId === r.reporterId || caller.office || coversReport(dir, caller, r)
}

export function assertWorkerOf(dir: RegionDirectory, caller: Caller, r: Placed): void {
  if (coversReport(dir, caller, r)) return
  if (caller.workerRegions.length > 0) throw forbidden('FORBIDDEN_REGION', '该问题不在您负责的区域内')
  throw forbidden('FORBIDDEN_ROLE', '只有负责该区域的网格员可以处理此问题')
}

/**
 * Who makes a transition, and as what: the reporter on their own report for an action the lifecycle lets reporters
 * do (reopen), otherwise a worker of the report's region; anyone else is refused.
 */
export function transitionRole(dir: RegionDirectory, caller: Caller, r: Placed, rule: ActionRule): 'worker' | 'reporter' {
  const covers = coversReport(dir, caller, r)
  if (rule.byReporter && !covers && caller.userId === r.reporterId) return 'reporter'
  if (caller.userId !== r.reporterId && !covers && !caller.office && caller.workerRegions.length === 0) {
    throw forbidden('REPORT_FORBIDDEN', '您不能处理别人上报的问题')
  }
  assertWorkerOf(dir, caller, r)
  return 'worker'
}

export function assertWorkerOrOffice(caller: Caller): void {
  if (!caller.office && caller.workerRegions.length === 0) throw forbidden('FORBIDDEN_ROLE', '只有网格员或创文办用户可以查看工单')
}

export function assertOffice(caller: Caller): void {
  if (!caller.office) throw forbidden('FORBIDDEN_ROLE', '只有创文办用户可以执行此操作')
}

/** The region codes a worker's list covers (every region at or below each grant); null for the office (all). */
export function scopeCodes(dir: RegionDirectory, caller: Caller): string[] | null {
  if (caller.office) return null
  const codes = new Set<string>()
  for (const w of caller.workerRegions) for (const r of dir.descendants(w)) codes.add(r.code)
  return [...codes]
}

/** Regions whose workers can be dispatched to a report: its grid or community, what contains it, and (for a report
 *  placed in no grid) the community's grids. */
export function assignableRegions(dir: RegionDirectory, r: Omit<Placed, 'reporterId'>): string[] {
  const up = dir.chain(r.gridCode ?? r.communityCode).map((x) => x.code)
  return r.gridCode ? up : up.concat(dir.descendants(r.communityCode).map((x) => x.code))
}

import { forbidden } from '../../errors'
import type { Caller } from '../../lib/caller'
import type { RegionDirectory } from '../regions/directory'
import { coversReport, type Placed } from '../reports/policy'

/** Reviewers of a flagged report: the workers of its region and the office. */
export function assertModeratorOf(dir: RegionDirectory, caller: Caller, r: Placed): void {
  if (caller.office || coversReport(dir, caller, r)) return
  if (caller.workerRegions.length > 0) throw forbidden('FORBIDDEN_REGION', '该内容不在您负责的区域内')
  throw forbidden('FORBIDDEN_ROLE', '只有网格员或创文办用户可以审核内容')
}

export function assertModerator(caller: Caller): void {
  if (!caller.office && caller.workerRegions.length === 0) throw forbidden('FORBIDDEN_ROLE', '只有网格员或创文办用户可以审核内容')
}

import type { Caller } from '../../lib/caller'
import { badRequest, forbidden, notFound } from '../../errors'
import type { RegionDirectory } from '../regions/directory'

/** Workers (of some region) and the office run quizzes and see the bank with its answers. */
export function assertQuizStaff(caller: Caller): void {
  if (!caller.office && caller.workerRegions.length === 0) throw forbidden('FORBIDDEN_ROLE', '只有社区工作人员或创文办可以进行此操作')
}

/** The office covers the city; a worker covers the regions of their grants and everything below them. */
export function covers(caller: Caller, dir: RegionDirectory, regionCode: string): boolean {
  return caller.office || caller.workerRegions.some((w) => dir.covers(w, regionCode))
}

/** A campaign belongs to a community or street the worker covers; the office may pick any region. */
export function assertCanRunCampaignIn(caller: Caller, dir: RegionDirectory, regionCode: string): void {
  assertQuizStaff(caller)
  const region = dir.get(regionCode)
  if (!region) throw notFound('REGION_NOT_FOUND', `区域 ${regionCode} 不存在`)
  if (!covers(caller, dir, regionCode)) throw forbidden('REGION_NOT_COVERED', `您不负责${region.name}，不能为其创建答题活动`)
  if (!caller.office && region.level !== 'community' && region.level !== 'street') {
    throw badRequest('REGION_LEVEL_NOT_ALLOWED', '答题活动的范围应为社区或街道')
  }
}

export function assertCanManageCampaign(caller: Caller, dir: RegionDirectory, regionCode: string): void {
  assertQuizStaff(caller)
  if (!covers(caller, dir, regionCode)) throw forbidden('REGION_NOT_COVERED', '您不负责该答题活动所在的区域')
}

/** A resident takes a campaign when their community lies in its region. */
export function assertCanTakeCampaign(caller: Caller, dir: RegionDirectory, regionCode: string): string {
  if (!caller.communityCode) throw badRequest('COMMUNITY_REQUIRED', '请先在“我的”里选择所在社区')
  if (!dir.covers(regionCode, caller.communityCode)) throw forbidden('CAMPAIGN_NOT_FOR_YOUR_REGION', '该答题活动不面向您所在的社区')
  return caller.communityCode
}

/**
 * A question belongs to the bank it was imported into: the region's staff (that region or one above it) change
 * it; the city-wide bank (region NULL, and the shipped questions) is the office's. Workers of a community see
 * the street's and the city's questions too, but use them as they are.
 */
export function canChangeQuestion(caller: Caller, dir: RegionDirectory, regionCode: string | null): boolean {
  if (caller.office) return true
  return regionCode !== null && caller.workerRegions.some((w) => dir.covers(w, regionCode))
}

export function assertCanChangeQuestion(caller: Caller, dir: RegionDirectory, regionCode: string | null): void {
  assertQuizStaff(caller)
  if (canChangeQuestion(caller, dir, regionCode)) return
  if (regionCode === null) throw forbidden('QUESTION_NOT_COVERED', '市级题库的题目只有创文办可以修改')
  throw forbidden('QUESTION_NOT_COVERED', `这道题属于${dir.get(regionCode)?.name ?? regionCode}的题库，您不能修改`)
}

import type { Caller } from '../../lib/caller'
import { badRequest, forbidden, notFound } from '../../errors'
import type { RegionDirectory } from '../regions/directory'

export function assertSurveyStaff(caller: Caller): void {
  if (!caller.office && caller.workerRegions.length === 0) throw forbidden('FORBIDDEN_ROLE', '只有社区工作人员或创文办可以进行此操作')
}

/** The office covers the city; a worker covers the regions of their grants and everything below them. */
export function coversRegion(caller: Caller, dir: RegionDirectory, regionCode: string): boolean {
  return caller.office || caller.workerRegions.some((w) => dir.covers(w, regionCode))
}

/** A worker builds surveys for their own area only (a community, or a street with its communities). */
export function assertCanTarget(caller: Caller, dir: RegionDirectory, regionCode: string): void {
  assertSurveyStaff(caller)
  const region = dir.get(regionCode)
  if (!region) throw notFound('REGION_NOT_FOUND', `区域 ${regionCode} 不存在`)
  if (region.level === 'grid') throw badRequest('REGION_LEVEL_NOT_ALLOWED', '问卷的范围应为市、区、街道或社区')
  if (!coversRegion(caller, dir, regionCode)) throw forbidden('REGION_NOT_COVERED', `您不负责${region.name}，不能面向它发布问卷`)
}

/** Building, publishing and reading results: staff whose area contains the survey's region. */
export function assertCanManage(caller: Caller, dir: RegionDirectory, regionCode: string): void {
  assertSurveyStaff(caller)
  if (!coversRegion(caller, dir, regionCode)) throw forbidden('REGION_NOT_COVERED', '您不负责该问卷所在的区域')
}

/**
 * Who may answer: 'residents' — residents whose community lies in the region; 'signed_in' — anyone signed in.
 * Returns the community the response is counted under (null for a signed-in user without one).
 */
export function assertCanAnswer(caller: Caller, dir: RegionDirectory, survey: { regionCode: string; audience: string }): string | null {
  if (survey.audience === 'signed_in') return caller.communityCode
  if (!caller.communityCode) throw badRequest('COMMUNITY_REQUIRED', '请先在“我的”里选择所在社区')
  if (!dir.covers(survey.regionCode, caller.communityCode)) throw forbidden('SURVEY_NOT_FOR_YOU', '该问卷不面向您所在的社区')
  return caller.communityCode
}

export function mayAnswer(caller: Caller, dir: RegionDirectory, survey: { regionCode: string; audience: string }): boolean {
  if (survey.audience === 'signed_in') return true
  return caller.communityCode !== null && dir.covers(survey.regionCode, caller.communityCode)
}

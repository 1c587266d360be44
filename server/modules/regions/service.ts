import bbox from '@turf/bbox'
import centroid from '@turf/centroid'
import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { AppError, badRequest, notFound } from '../../errors'
import { audit } from '../../lib/audit'
import type { ChildGeometries, ImportSummary, LocateResult, RegionDetail, RegionSummary } from '../../../types/regions'
import type { RegionDirectory, RegionRow } from './directory'
import { parseRegionCollection, sortByLevel } from './geojson'
import { simplifyBoundary } from './simplify'
import { levelChangeConflicts, levelsByCode, recordVersion, upsertRegion } from './queries'

function summary(dir: RegionDirectory, r: RegionRow): RegionSummary {
  return {
    code: r.code,
    name: r.name,
    level: r.level,
    parentCode: r.parentCode,
    population: r.population,
    hasChildren: dir.children(r.code).length > 0,
  }
}

export async function listRegions(ctx: AppContext, parent: string | undefined): Promise<RegionSummary[]> {
  const dir = await ctx.regions.get()
  if (parent && !dir.get(parent)) throw notFound('REGION_NOT_FOUND', `区域 ${parent} 不存在`)
  return dir.children(parent ?? null).map((r) => summary(dir, r))
}

export async function getRegion(ctx: AppContext, code: string): Promise<RegionDetail> {
  const dir = await ctx.regions.get()
  const r = dir.get(code)
  if (!r) throw notFound('REGION_NOT_FOUND', `区域 ${code} 不存在`)
  return {
    ...summary(dir, r),
    ancestors: dir.ancestors(code).map((a) => ({ code: a.code, name: a.name, level: a.level })),
    center: r.centerLng !== null && r.centerLat !== null ? { lng: r.centerLng, lat: r.centerLat } : null,
  }
}

/**
 * The children of a region with their boundaries simplified to 1/500 of the parent's extent — a few pixels on a
 * dashboard map — so a street's communities arrive in a few KB whatever detail the imported boundaries carry.
 */
export async function childGeometries(ctx: AppContext, code: string): Promise<ChildGeometries> {
  const dir = await ctx.regions.get()
  const parent = dir.get(code)
  if (!parent) throw notFound('REGION_NOT_FOUND', `区域 ${code} 不存在`)
  const children = dir.children(code)
  const shaped = children.filter((c) => c.boundary)
  let tolerance = 0
  if (shaped.length > 0) {
    const boxes = shaped.map((c) => bbox(c.boundary as never))
    const w = Math.max(...boxes.map((b) => b[2])) - Math.min(...boxes.map((b) => b[0]))
    const h = Math.max(...boxes.map((b) => b[3])) - Math.min(...boxes.map((b) => b[1]))
    tolerance = Math.max(w, h) / 500
  }
  return {
    regionCode: code,
    items: children.map((c) => ({
      code: c.code,
      name: c.name,
      level: c.level,
      geometry: c.boundary ? simplifyBoundary(c.boundary, tolerance) : null,
      center: c.centerLng !== null && c.centerLat !== null ? [c.centerLng, c.centerLat] : null,
    })),
  }
}

export async function locate(ctx: AppContext, lng: number, lat: number): Promise<LocateResult> {
  const dir = await ctx.regions.get()
  const hit = dir.locate(lng, lat)
  if (!hit) throw notFound('OUTSIDE_CITY', '该位置不在本市服务范围内')
  const chain = dir.chain(hit.code)
  const at = (level: string) => chain.find((r) => r.level === level)
  const ref = (r: RegionRow | undefined) => (r ? { code: r.code, name: r.name } : null)
  const [community, street, district, city] = ['community', 'street', 'district', 'city'].map((l) => ref(at(l)))
  if (!community || !street || !district || !city) throw notFound('OUTSIDE_CITY', '该位置不在本市服务范围内')
  return { grid: ref(at('grid')), community, street, district, city }
}

/** Imports a FeatureCollection all-or-nothing; every problem is reported at once, and nothing changes then. */
export async function importRegions(ctx: AppContext, actorId: number | null, input: unknown): Promise<ImportSummary> {
  const result = await ctx.db.transaction(async (tx: Queryable) => {
    const { regions, problems } = parseRegionCollection(input, await levelsByCode(tx))
    if (problems.length > 0) {
      const lines = problems.slice(0, 50).map((p) => (p.index >= 0 ? `第 ${p.index + 1} 个要素${p.code ? `（${p.code}）` : ''}：${p.message}` : p.message))
      throw new AppError(400, 'REGIONS_INVALID', `区域文件有 ${problems.length} 处错误，未导入任何区域：${lines[0]}`, { problems: lines })
    }
    const changed = await levelChangeConflicts(tx, regions)
    if (changed.length > 0) throw badRequest('REGIONS_INVALID', `区域 ${changed.slice(0, 5).join('、')} 已存在且层级不同，不能改变已有区域的层级`)
    let created = 0
    let updated = 0
    const byLevel: Record<string, number> = {}
    for (const r of sortByLevel(regions)) {
      const c = r.boundary ? (centroid(r.boundary as never).geometry.coordinates as [number, number]) : null
      if (await upsertRegion(tx, r, c)) created++
      else updated++
      byLevel[r.level] = (byLevel[r.level] ?? 0) + 1
    }
    const version = await recordVersion(tx, actorId, { created, updated, byLevel })
    await audit(tx, actorId, 'regions.import', `regions:v${version}`, { created, updated, byLevel })
    return { created, updated, byLevel, version }
  })
  await ctx.regions.reload()
  return result
}

import { INT4_MAX, type RegionLevel } from '../../../types/common'

/** One region as imported: the GeoJSON feature's properties plus its (optional) boundary. */
export interface RegionInput {
  code: string
  parentCode: string | null
  level: RegionLevel
  name: string
  population: number
  boundary: Polygonal | null
}

export type Position = [number, number]
export type Polygonal =
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }

export const LEVELS: RegionLevel[] = ['city', 'district', 'street', 'community', 'grid']
export const LEVEL_NAMES: Record<RegionLevel, string> = {
  city: '市',
  district: '区',
  street: '街道/乡镇',
  community: '社区',
  grid: '网格',
}

export interface FeatureProblem {
  index: number
  code?: string
  message: string
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function ringProblem(ring: unknown): string | null {
  if (!Array.isArray(ring) || ring.length < 4) return '边界的每个环至少需要 4 个坐标点'
  for (const p of ring) {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1]))
      return '边界坐标必须是 [经度, 纬度] 数字对'
    if (p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90) return `坐标 [${p[0]}, ${p[1]}] 超出经纬度范围`
  }
  const [a, b] = [ring[0] as number[], ring[ring.length - 1] as number[]]
  if (a[0] !== b[0] || a[1] !== b[1]) return '边界环未闭合（首尾坐标必须相同）'
  return null
}

function geometryProblem(g: unknown): string | null {
  if (g === null || g === undefined) return null
  if (!isObj(g)) return '几何（geometry）格式不正确'
  if (g.type === 'Polygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return '多边形没有坐标'
    for (const ring of g.coordinates) {
      const p = ringProblem(ring)
      if (p) return p
    }
    return null
  }
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return '多多边形没有坐标'
    for (const poly of g.coordinates) {
      if (!Array.isArray(poly) || poly.length === 0) return '多多边形中有空的多边形'
      for (const ring of poly) {
        const p = ringProblem(ring)
        if (p) return p
      }
    }
    return null
  }
  return `不支持的几何类型 ${String(g.type)}（只支持 Polygon / MultiPolygon）`
}

/**
 * Validates a FeatureCollection of regions. Parents must exist in the file or in `existing` (code → level),
 * one level above the child. Returns every problem found, so that one import shows them all.
 */
export function parseRegionCollection(
  input: unknown,
  existing: Map<string, RegionLevel>,
): { regions: RegionInput[]; problems: FeatureProblem[] } {
  const problems: FeatureProblem[] = []
  if (!isObj(input) || input.type !== 'FeatureCollection' || !Array.isArray(input.features)) {
    return { regions: [], problems: [{ index: -1, message: '文件必须是 GeoJSON FeatureCollection' }] }
  }
  if (input.features.length === 0) return { regions: [], problems: [{ index: -1, message: '文件中没有任何区域' }] }
  const regions: RegionInput[] = []
  const seen = new Map<string, number>()
  input.features.forEach((f, index) => {
    if (!isObj(f) || f.type !== 'Feature' || !isObj(f.properties)) {
      problems.push({ index, message: '不是带 properties 的 GeoJSON Feature' })
      return
    }
    const p = f.properties
    const code = typeof p.code === 'string' ? p.code.trim() : ''
    const fail = (message: string) => problems.push({ index, code: code || undefined, message })
    if (!code || code.length > 64) return fail('缺少区域编码 code（1–64 个字符）')
    if (seen.has(code)) return fail(`区域编码 ${code} 重复（与第 ${seen.get(code)! + 1} 个要素相同）`)
    seen.set(code, index)
    const name = typeof p.name === 'string' ? p.name.trim() : ''
    if (!name || name.length > 50) return fail('缺少区域名称 name（1–50 个字符）')
    const level = p.level as RegionLevel
    if (!LEVELS.includes(level)) return fail(`层级 level 必须是 ${LEVELS.join(' / ')} 之一`)
    const parentCode = p.parent === undefined || p.parent === null || p.parent === '' ? null : String(p.parent)
    const population = p.population === undefined || p.population === null ? 0 : p.population
    if (typeof population !== 'number' || !Number.isInteger(population) || population < 0 || population > INT4_MAX) {
      return fail(`人口 population 必须是 0 到 ${INT4_MAX} 之间的整数`)
    }
    const g = geometryProblem(f.geometry)
    if (g) return fail(g)
    regions.push({ code, parentCode, level, name, population, boundary: (f.geometry as Polygonal) ?? null })
  })
  const levelOf = new Map(existing)
  for (const r of regions) levelOf.set(r.code, r.level)
  regions.forEach((r) => {
    const index = seen.get(r.code)!
    if (r.level === 'city') {
      if (r.parentCode) problems.push({ index, code: r.code, message: '市级区域不能有上级' })
      return
    }
    if (!r.parentCode) return problems.push({ index, code: r.code, message: '缺少上级区域编码 parent' })
    const parentLevel = levelOf.get(r.parentCode)
    if (!parentLevel) return problems.push({ index, code: r.code, message: `上级区域 ${r.parentCode} 不存在` })
    if (LEVELS.indexOf(parentLevel) !== LEVELS.indexOf(r.level) - 1)
      problems.push({ index, code: r.code, message: `${LEVEL_NAMES[r.level]}的上级必须是${LEVEL_NAMES[LEVELS[LEVELS.indexOf(r.level) - 1]]}，而 ${r.parentCode} 是${LEVEL_NAMES[parentLevel]}` })
  })
  return { regions, problems }
}

/** Parents before children, so that inserts satisfy the foreign key. */
export function sortByLevel<T extends { level: RegionLevel }>(items: T[]): T[] {
  return [...items].sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level))
}

import Flatbush from 'flatbush'
import bbox from '@turf/bbox'
import booleanPointInPolygon from '@turf/boolean-point-in-polygon'
import type { RegionLevel } from '../../../types/common'
import type { Polygonal } from './geojson'

export interface RegionRow {
  code: string
  parentCode: string | null
  level: RegionLevel
  name: string
  population: number
  boundary: Polygonal | null
  centerLng: number | null
  centerLat: number | null
}

/**
 * All regions of the city in memory (a city has thousands, not millions), with a Flatbush index over the
 * boundaries of the finest regions that have one: a point is looked up by bounding box, then tested
 * point-in-polygon only against the few candidates.
 */
export class RegionDirectory {
  private readonly byCode = new Map<string, RegionRow>()
  private readonly childrenOf = new Map<string | null, RegionRow[]>()
  private index: Flatbush | null = null
  private indexed: RegionRow[] = []

  constructor(rows: RegionRow[], readonly version: number) {
    for (const r of rows) {
      this.byCode.set(r.code, r)
      const list = this.childrenOf.get(r.parentCode) ?? []
      list.push(r)
      this.childrenOf.set(r.parentCode, list)
    }
    for (const list of this.childrenOf.values()) list.sort((a, b) => a.code.localeCompare(b.code))
    // grids where they have boundaries, and communities (a point in a community without gridded boundary still places)
    this.indexed = rows.filter((r) => r.boundary && (r.level === 'grid' || r.level === 'community'))
    if (this.indexed.length > 0) {
      const idx = new Flatbush(this.indexed.length)
      for (const r of this.indexed) {
        const [minX, minY, maxX, maxY] = bbox(r.boundary as never)
        idx.add(minX, minY, maxX, maxY)
      }
      idx.finish()
      this.index = idx
    }
  }

  get size(): number {
    return this.byCode.size
  }

  get(code: string): RegionRow | undefined {
    return this.byCode.get(code)
  }

  children(code: string | null): RegionRow[] {
    return this.childrenOf.get(code) ?? []
  }

  /** From the top (city) down to the region's parent. */
  ancestors(code: string): RegionRow[] {
    const out: RegionRow[] = []
    let cur = this.byCode.get(code)
    while (cur?.parentCode) {
      cur = this.byCode.get(cur.parentCode)
      if (cur) out.unshift(cur)
    }
    return out
  }

  /** The region itself and everything above it. */
  chain(code: string): RegionRow[] {
    const self = this.byCode.get(code)
    return self ? [...this.ancestors(code), self] : []
  }

  /** True when `outer` is `inner` or one of its ancestors (a street worker covers its communities and grids). */
  covers(outer: string, inner: string): boolean {
    let cur = this.byCode.get(inner)
    while (cur) {
      if (cur.code === outer) return true
      cur = cur.parentCode ? this.byCode.get(cur.parentCode) : undefined
    }
    return false
  }

  /** Every region at or below `code`. */
  descendants(code: string): RegionRow[] {
    const out: RegionRow[] = []
    const walk = (c: string) => {
      for (const child of this.children(c)) {
        out.push(child)
        walk(child.code)
      }
    }
    const self = this.byCode.get(code)
    if (self) {
      out.push(self)
      walk(code)
    }
    return out
  }

  /** The finest region containing the point (grid if gridded, else community), or null outside the city. */
  locate(lng: number, lat: number): RegionRow | null {
    if (!this.index) return null
    const hits = this.index.search(lng, lat, lng, lat).map((i) => this.indexed[i])
    const inside = hits.filter((r) => booleanPointInPolygon([lng, lat], r.boundary as never))
    if (inside.length === 0) return null
    // prefer the finest level; ties on shared edges go to the smallest code so the answer is stable
    inside.sort((a, b) => (a.level === b.level ? a.code.localeCompare(b.code) : a.level === 'grid' ? -1 : 1))
    return inside[0]
  }
}

import { RegionDirectory, type RegionRow } from '../../server/modules/regions/directory'
import { demoCityGeoJSON } from '../../server/modules/regions/demo-city'
import { parseRegionCollection } from '../../server/modules/regions/geojson'

function directory(): RegionDirectory {
  const { regions, problems } = parseRegionCollection(demoCityGeoJSON(), new Map())
  expect(problems).toEqual([])
  const rows: RegionRow[] = regions.map((r) => ({ ...r, centerLng: null, centerLat: null }))
  return new RegionDirectory(rows, 1)
}

describe('demo city', () => {
  it('has 2 districts, ≥5 streets, ≥20 communities and grids whose populations add up', () => {
    const fc = demoCityGeoJSON()
    const by = (level: string) => fc.features.filter((f) => f.properties.level === level)
    expect(by('district')).toHaveLength(2)
    expect(by('street').length).toBeGreaterThanOrEqual(5)
    expect(by('community').length).toBeGreaterThanOrEqual(20)
    for (const c of by('community')) {
      const grids = by('grid').filter((g) => g.properties.parent === c.properties.code)
      expect(grids.length).toBeGreaterThan(0)
      expect(grids.reduce((s, g) => s + g.properties.population, 0)).toBe(c.properties.population)
    }
    expect(new Set(fc.features.map((f) => f.properties.code)).size).toBe(fc.features.length)
  })

  it('grids tile the city: every sampled point inside falls in exactly one grid', () => {
    const dir = directory()
    let placed = 0
    for (let i = 0; i <= 40; i++) {
      for (let j = 0; j <= 40; j++) {
        const lng = 118.7 + 0.0001 + (i / 40) * 0.1998
        const lat = 32.0 + 0.0001 + (j / 40) * 0.1198
        const hit = dir.locate(lng, lat)
        expect(hit?.level).toBe('grid')
        placed++
      }
    }
    expect(placed).toBe(41 * 41)
    expect(dir.locate(118.69, 32.05)).toBeNull()
  })

  it('covers() follows the region tree', () => {
    const dir = directory()
    expect(dir.covers('329901001', '32990100100101')).toBe(true)
    expect(dir.covers('329901002', '32990100100101')).toBe(false)
    expect(dir.ancestors('32990100100101').map((r) => r.level)).toEqual(['city', 'district', 'street', 'community'])
  })
})

describe('GeoJSON validation', () => {
  const f = (props: Record<string, unknown>, geometry: unknown = null) => ({ type: 'Feature', properties: props, geometry })
  it('reports every problem with the feature it belongs to', () => {
    const { problems } = parseRegionCollection(
      {
        type: 'FeatureCollection',
        features: [
          f({ code: 'A', name: '甲市', level: 'city' }),
          f({ code: 'B', name: '乙区', level: 'district', parent: 'A', population: -1 }),
          f({ code: 'C', name: '', level: 'district', parent: 'A' }),
          f({ code: 'D', name: '丁区', level: 'district', parent: 'A' }, { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1]]] }),
          f({ code: 'E', name: '戊区', level: 'district', parent: 'A' }, { type: 'Point', coordinates: [0, 0] }),
          f({ code: 'F', name: '己区', level: 'district', parent: 'A' }, { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0.5]]] }),
          f({ code: 'G', name: '庚区', level: 'district', parent: 'A' }, { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [500, 1], [0, 0]]] }),
        ],
      },
      new Map(),
    )
    expect(problems.map((p) => [p.index, p.message])).toEqual([
      [1, expect.stringContaining('人口')],
      [2, expect.stringContaining('名称')],
      [3, expect.stringContaining('至少需要 4 个')],
      [4, expect.stringContaining('不支持的几何类型')],
      [5, expect.stringContaining('未闭合')],
      [6, expect.stringContaining('超出经纬度范围')],
    ])
  })
  it('accepts parents that already exist in the database', () => {
    const { problems } = parseRegionCollection({ type: 'FeatureCollection', features: [f({ code: 'S1', name: '新街道', level: 'street', parent: 'D0' })] }, new Map([['D0', 'district']]))
    expect(problems).toEqual([])
  })
})

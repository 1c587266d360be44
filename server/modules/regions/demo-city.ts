import type { Position } from './geojson'

/**
 * The demo city "示范市": 2 districts × 3 streets × 4 communities × 4 grids, rectangles that tile the area
 * exactly (so that every point inside the city falls in one grid), with populations drawn from a seeded
 * generator so that every run produces the same city. Coordinates are GCJ-02.
 */
const CITY = { code: '3299', name: '示范市', west: 118.7, east: 118.9, south: 32.0, north: 32.12 }
const DISTRICTS = ['东湖区', '西岭区']
const STREETS = [
  ['湖滨街道', '新华街道', '梅园街道'],
  ['翠屏街道', '龙泉街道', '杏林镇'],
]
const COMMUNITIES = [
  '幸福里社区', '和平社区', '阳光社区', '友谊社区', '春晖社区', '锦绣社区', '文昌社区', '桂花社区',
  '光明社区', '丽泽社区', '清风社区', '明德社区', '翠竹社区', '金桥社区', '长安社区', '新村社区',
  '凤凰社区', '银杏社区', '东方社区', '滨江社区', '望湖社区', '书香社区', '红旗社区', '安康社区',
]
const GRID_NAMES = ['第一网格', '第二网格', '第三网格', '第四网格']

function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const round = (n: number) => Math.round(n * 1e6) / 1e6

function rect(w: number, s: number, e: number, n: number): { type: 'Polygon'; coordinates: Position[][] } {
  const [W, S, E, N] = [round(w), round(s), round(e), round(n)]
  return { type: 'Polygon', coordinates: [[[W, S], [E, S], [E, N], [W, N], [W, S]]] }
}

interface Feature {
  type: 'Feature'
  properties: { code: string; name: string; level: string; parent: string | null; population: number }
  geometry: ReturnType<typeof rect>
}

export function demoCityGeoJSON(): { type: 'FeatureCollection'; features: Feature[] } {
  const rand = mulberry32(20261122)
  const features: Feature[] = []
  const add = (code: string, name: string, level: string, parent: string | null, population: number, g: ReturnType<typeof rect>) =>
    features.push({ type: 'Feature', properties: { code, name, level, parent, population }, geometry: g })

  const dW = (CITY.east - CITY.west) / DISTRICTS.length
  let communityNo = 0
  const totals = new Map<string, number>()
  const bump = (code: string, n: number) => totals.set(code, (totals.get(code) ?? 0) + n)
  const lower: Feature[] = []

  DISTRICTS.forEach((dName, d) => {
    const dCode = `${CITY.code}${String(d + 1).padStart(2, '0')}`
    const [dw, de] = [CITY.west + d * dW, CITY.west + (d + 1) * dW]
    const sH = (CITY.north - CITY.south) / STREETS[d].length
    STREETS[d].forEach((sName, s) => {
      const sCode = `${dCode}${String(s + 1).padStart(3, '0')}`
      const [ss, sn] = [CITY.south + s * sH, CITY.south + (s + 1) * sH]
      for (let c = 0; c < 4; c++) {
        const cCode = `${sCode}${String(c + 1).padStart(3, '0')}`
        const cw = dw + (c % 2) * ((de - dw) / 2)
        const cs = ss + Math.floor(c / 2) * ((sn - ss) / 2)
        const [ce, cn] = [cw + (de - dw) / 2, cs + (sn - ss) / 2]
        const population = 3000 + Math.round(rand() * 9000)
        const gridShares = [0, 1, 2, 3].map(() => 0.5 + rand())
        const shareSum = gridShares.reduce((a, b) => a + b, 0)
        let assigned = 0
        for (let g = 0; g < 4; g++) {
          const gw = cw + (g % 2) * ((ce - cw) / 2)
          const gs = cs + Math.floor(g / 2) * ((cn - cs) / 2)
          const gp = g === 3 ? population - assigned : Math.round((population * gridShares[g]) / shareSum)
          assigned += gp
          lower.push({
            type: 'Feature',
            properties: { code: `${cCode}${String(g + 1).padStart(2, '0')}`, name: GRID_NAMES[g], level: 'grid', parent: cCode, population: gp },
            geometry: rect(gw, gs, gw + (ce - cw) / 2, gs + (cn - cs) / 2),
          })
        }
        lower.unshift({
          type: 'Feature',
          properties: { code: cCode, name: COMMUNITIES[communityNo++], level: 'community', parent: sCode, population },
          geometry: rect(cw, cs, ce, cn),
        })
        bump(sCode, population)
        bump(dCode, population)
        bump(CITY.code, population)
      }
      add(sCode, sName, 'street', dCode, 0, rect(dw, ss, de, sn))
    })
    add(dCode, dName, 'district', CITY.code, 0, rect(dw, CITY.south, de, CITY.north))
  })
  add(CITY.code, CITY.name, 'city', null, 0, rect(CITY.west, CITY.south, CITY.east, CITY.north))
  for (const f of features) f.properties.population = totals.get(f.properties.code) ?? 0
  const order = ['city', 'district', 'street', 'community', 'grid']
  const all = [...features, ...lower]
  all.sort((a, b) => order.indexOf(a.properties.level) - order.indexOf(b.properties.level) || a.properties.code.localeCompare(b.properties.code))
  return { type: 'FeatureCollection', features: all }
}

import type { Polygonal, Position } from './geojson'

const sqSegDist = (p: Position, a: Position, b: Position): number => {
  let [x, y] = a
  let dx = b[0] - x
  let dy = b[1] - y
  if (dx !== 0 || dy !== 0) {
    const t = ((p[0] - x) * dx + (p[1] - y) * dy) / (dx * dx + dy * dy)
    if (t > 1) [x, y] = b
    else if (t > 0) [x, y] = [x + dx * t, y + dy * t]
  }
  dx = p[0] - x
  dy = p[1] - y
  return dx * dx + dy * dy
}

/** Douglas–Peucker on one closed ring; a ring that would fall below a triangle is kept as it was. */
function simplifyRing(ring: Position[], tolerance: number): Position[] {
  if (ring.length <= 4) return ring
  const keep = new Uint8Array(ring.length)
  keep[0] = keep[ring.length - 1] = 1
  const stack: Array<[number, number]> = [[0, ring.length - 1]]
  const sqTol = tolerance * tolerance
  while (stack.length > 0) {
    const [first, last] = stack.pop()!
    let maxD = 0
    let index = -1
    for (let i = first + 1; i < last; i++) {
      const d = sqSegDist(ring[i], ring[first], ring[last])
      if (d > maxD) [maxD, index] = [d, i]
    }
    if (index > 0 && maxD > sqTol) {
      keep[index] = 1
      stack.push([first, index], [index, last])
    }
  }
  const out = ring.filter((_, i) => keep[i] === 1).map(([x, y]): Position => [Math.round(x * 1e5) / 1e5, Math.round(y * 1e5) / 1e5])
  return out.length >= 4 ? out : ring
}

/**
 * A boundary light enough to send to a phone and draw: rings simplified to `tolerance` degrees and coordinates
 * rounded to 1e-5° (about a metre). Holes are left out: the dashboard's map fills each area with one colour.
 */
export function simplifyBoundary(g: Polygonal, tolerance: number): Polygonal {
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: [simplifyRing(g.coordinates[0], tolerance)] }
  return { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => [simplifyRing(p[0], tolerance)]) }
}

import { drawFrom, type Candidate, type DrawSpec } from '../../server/modules/quizzes/draw-pool'

/** A seeded generator (mulberry32): the same draws on every run, so that the statistics below cannot flake. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const HAPPY = '329901001001'
const STREET = '329901001'
const chain = ['3299', '329901', STREET, HAPPY]

// 8 eligible with the tag, 12 eligible without it, and questions a draw for 幸福里 must never take
const pool: Candidate[] = [
  ...Array.from({ length: 8 }, (_, i) => ({ id: 100 + i, tags: ['垃圾分类', i % 2 ? '文明' : '交通'], difficulty: 1 + (i % 3), regionCode: i < 4 ? null : HAPPY })),
  ...Array.from({ length: 12 }, (_, i) => ({ id: 200 + i, tags: ['文明'], difficulty: 1 + (i % 2), regionCode: i < 6 ? null : STREET })),
  { id: 900, tags: ['垃圾分类'], difficulty: 4, regionCode: null }, // another difficulty
  { id: 901, tags: ['垃圾分类'], difficulty: 1, regionCode: '329901002001' }, // another community's import
  { id: 902, tags: ['垃圾分类'], difficulty: 1, regionCode: '329902' }, // another street
]
const spec: DrawSpec = { chain, count: 5, tagMix: [{ tag: '垃圾分类', count: 3 }], difficulties: [1, 2, 3] }

describe('drawing the questions of an attempt in memory', () => {
  it('takes every eligible question as often as a uniform draw would, within binomial tolerance, and keeps the tag quota', () => {
    const random = seeded(14)
    const n = 40_000
    const seen = new Map<number, number>()
    const firstAt = new Map<number, number>()
    let malformed = 0
    for (let i = 0; i < n; i++) {
      const ids = drawFrom(pool, spec, random)!
      if (ids.length !== 5 || new Set(ids).size !== 5 || ids.filter((id) => id >= 100 && id < 108).length < 3) malformed++
      for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1)
      firstAt.set(ids[0], (firstAt.get(ids[0]) ?? 0) + 1)
    }
    expect(malformed).toBe(0)
    for (const bad of [900, 901, 902]) expect(seen.get(bad)).toBeUndefined()
    // a tagged question: among the 3 of 8 for the quota, or else among the 2 of the 17 eligible left
    const pTagged = 3 / 8 + (5 / 8) * (2 / 17)
    const pOther = 2 / 17
    const within = (count: number, p: number) => {
      const sd = Math.sqrt(n * p * (1 - p))
      expect(Math.abs(count - n * p)).toBeLessThan(4.5 * sd)
    }
    for (const c of pool.slice(0, 20)) within(seen.get(c.id) ?? 0, c.id < 200 ? pTagged : pOther)
    // the order is random too: the first shown is each drawn question equally often (1 in 5 of its draws)
    for (const c of pool.slice(0, 20)) within(firstAt.get(c.id) ?? 0, (c.id < 200 ? pTagged : pOther) / 5)
  })

  it('draws nothing from a pool too small for a quota or for the count', () => {
    expect(drawFrom(pool, { ...spec, tagMix: [{ tag: '垃圾分类', count: 9 }] })).toBeNull()
    expect(drawFrom(pool, { ...spec, count: 21, tagMix: [] })).toBeNull()
    expect(drawFrom(pool, { ...spec, count: 20, tagMix: [] })!.sort()).toEqual(pool.slice(0, 20).map((c) => c.id).sort())
    // two quotas share no question: 3 of the tagged ones, then 10 of the 14 文明 ones not yet taken
    const both = drawFrom(pool, { ...spec, count: 13, tagMix: [{ tag: '垃圾分类', count: 3 }, { tag: '文明', count: 10 }] }, seeded(1))!
    expect(new Set(both).size).toBe(13)
  })
})

/** A seeded generator (mulberry32) with the few draws the demo history needs: the same seed, the same city. */
export interface Rng {
  (): number
  int: (min: number, max: number) => number
  pick: <T>(items: readonly T[]) => T
  chance: (p: number) => boolean
  /** A fresh generator of its own, so that adding draws to one part of the history leaves the others as they were. */
  fork: (salt: number) => Rng
}

export function rng(seed: number): Rng {
  let a = seed | 0
  const next = (() => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }) as Rng
  next.int = (min, max) => min + Math.floor(next() * (max - min + 1))
  next.pick = (items) => items[Math.floor(next() * items.length)]
  next.chance = (p) => next() < p
  next.fork = (salt) => rng(Math.imul(seed ^ 0x9e3779b9, 31) + salt)
  return next
}

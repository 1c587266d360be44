import { postStratified, round4, wilson, wilsonCount } from '../../server/modules/rates/wilson'
import { rank } from '../../server/modules/rates/figures'
import { resolvePeriod } from '../../server/modules/rates/service'
import type { RegionFigures } from '../../types/rates'

const at4 = (i: { lower: number; upper: number } | null) => i && [round4(i.lower), round4(i.upper)]

describe('Wilson score interval, no continuity correction (Newcombe 1998, method 3)', () => {
  // the examples of Newcombe's Table I, worked by hand from centre = (p + z²/2n)/(1 + z²/n),
  // half-width = z/(1 + z²/n) · √(p(1−p)/n + z²/4n²), z = 1.959964
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [1, 29, 0.0061, 0.1718],
    [45, 50, 0.7864, 0.9565],
  ])('%i of %i → %f – %f', (x, n, lo, hi) => {
    expect(at4(wilsonCount(x, n))).toEqual([lo, hi])
  })

  it('0 of n: the lower bound is 0 and the upper bound is z²/(n + z²)', () => {
    expect(at4(wilsonCount(0, 20))).toEqual([0, 0.1611])
    expect(at4(wilsonCount(0, 30))).toEqual([0, 0.1135])
  })

  it('n of n: the upper bound is 1 and the lower bound is n/(n + z²)', () => {
    expect(at4(wilsonCount(29, 29))).toEqual([0.883, 1])
    expect(at4(wilsonCount(30, 30))).toEqual([0.8865, 1])
  })

  it('no respondents: no interval', () => {
    expect(wilsonCount(0, 0)).toBeNull()
    expect(wilson(0.5, 0)).toBeNull()
  })
})

describe('post-stratified headline', () => {
  it('weights each community by its population, with Kish effective n for the interval (hand-computed)', () => {
    // A: 1000 people, 40 of 50; B: 3000 people, 20 of 40. Pooled would be 60/90 = 0.6667.
    // weighted p = (1000·0.8 + 3000·0.5) / 4000 = 0.575
    // n_eff = 4000² / (1000²/50 + 3000²/40) = 16 000 000 / 245 000 = 65.3061
    // Wilson at p = 0.575, n = 65.3061 → 0.4542 – 0.6874
    const r = postStratified([{ weight: 1000, num: 40, den: 50 }, { weight: 3000, num: 20, den: 40 }])!
    expect(round4(r.rate)).toBe(0.575)
    expect(round4(r.nEff)).toBe(65.3061)
    expect(at4(r.interval)).toEqual([0.4542, 0.6874])
  })

  it('a community without respondents drops out and the others are renormalised', () => {
    const r = postStratified([{ weight: 1000, num: 40, den: 50 }, { weight: 5000, num: 0, den: 0 }])!
    expect(r.rate).toBe(0.8)
    expect(r.nEff).toBeCloseTo(50, 10)
  })
})

describe('periods', () => {
  it('a week runs Monday to Sunday and the previous one is the week before', () => {
    expect(resolvePeriod('week', '2026-11-29')).toMatchObject({ from: '2026-11-23', to: '2026-11-29', previousFrom: '2026-11-16', previousTo: '2026-11-22' })
  })
  it('a month is calendar; the previous month of March in a leap year', () => {
    expect(resolvePeriod('month', '2028-03-15')).toMatchObject({ from: '2028-03-01', to: '2028-03-31', previousFrom: '2028-02-01', previousTo: '2028-02-29' })
  })
  it('a custom range compares with the same number of days before it', () => {
    expect(resolvePeriod('custom', '2026-11-01', '2026-11-10')).toMatchObject({ previousFrom: '2026-10-22', previousTo: '2026-10-31' })
  })
  it('refuses a range that ends before it starts, is too long, or names no real day', () => {
    expect(() => resolvePeriod('custom', '2026-11-10', '2026-11-01')).toThrow(expect.objectContaining({ code: 'PERIOD_RANGE_INVALID' }))
    expect(() => resolvePeriod('custom', '2025-01-01', '2026-11-01')).toThrow(expect.objectContaining({ code: 'PERIOD_RANGE_TOO_LONG' }))
    expect(() => resolvePeriod('day', '2026-02-30')).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }))
    expect(() => resolvePeriod('custom', '2026-11-01')).toThrow(expect.objectContaining({ code: 'PERIOD_RANGE_REQUIRED' }))
  })
})

describe('ranking', () => {
  const region = (code: string, rate: number | null, lower: number, n: number): RegionFigures => ({
    regionCode: code, name: code, level: 'community', population: 100,
    figures: [{
      figure: 'awareness', name: '知晓率', rate, interval: rate === null ? null : { lower, upper: 1 }, intervalMethod: '', numerator: 0,
      denominator: n, pooledRate: rate, n, effectiveN: null, insufficient: n < 30, target: 0.9, gapToTarget: null, previousRate: null, change: null,
    }],
  })
  it('leaves out 样本不足 and breaks ties by the lower bound', () => {
    const r = rank([
      region('a', 0.9, 0.80, 100), region('b', 0.9, 0.85, 300), region('c', 0.99, 0.7, 29),
      region('d', 0.5, 0.40, 50), region('e', 0.5, 0.45, 200), region('f', 0.7, 0.6, 80), region('g', null, 0, 0),
    ], 'awareness', 'children')
    expect(r.top.map((x) => x.regionCode)).toEqual(['b', 'a', 'f'])
    expect(r.bottom.map((x) => x.regionCode)).toEqual(['d', 'e', 'f'])
    expect(r.excludedInsufficient).toBe(2)
  })
})

/** z for a two-sided 95% interval: the 0.975 quantile of the standard normal. */
export const Z95 = 1.959963984540054

export interface Interval { lower: number; upper: number }

/**
 * Wilson score interval without continuity correction (Newcombe 1998, method 3). `n` may be fractional (a Kish
 * effective sample size for a weighted estimate); `p` is then the weighted proportion.
 */
export function wilson(p: number, n: number, z = Z95): Interval | null {
  if (!(n > 0)) return null
  const z2 = z * z
  const denom = 1 + z2 / n
  const centre = (p + z2 / (2 * n)) / denom
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) }
}

export const wilsonCount = (num: number, den: number) => (den > 0 ? wilson(num / den, den) : null)

export interface Stratum { weight: number; num: number; den: number }

/**
 * Post-stratified proportion: each stratum's own rate weighted by its population. Strata without respondents drop
 * out and the weights of the others are renormalised. The interval is Wilson's at the weighted proportion with
 * Kish's effective sample size n_eff = (Σ w_i)² / Σ w_i², each respondent of stratum h carrying w = W_h / n_h, so
 * Σ w_i = Σ W_h and Σ w_i² = Σ W_h² / n_h. Fed one stratum at a time: a city's headline is 500 of them per figure
 * and period, summed as they come (no array of strata).
 */
export class PostStratification {
  private total = 0
  private weighted = 0
  private squares = 0

  add(weight: number, num: number, den: number): void {
    if (!(den > 0 && weight > 0)) return
    this.total += weight
    this.weighted += weight * (num / den)
    this.squares += (weight * weight) / den
  }

  result(): { rate: number; nEff: number; interval: Interval } | null {
    if (this.total === 0) return null
    const rate = this.weighted / this.total
    const nEff = (this.total * this.total) / this.squares
    return { rate, nEff, interval: wilson(rate, nEff)! }
  }
}

export function postStratified(strata: Stratum[]): { rate: number; nEff: number; interval: Interval } | null {
  const ps = new PostStratification()
  for (const s of strata) ps.add(s.weight, s.num, s.den)
  return ps.result()
}

export const round4 = (x: number) => Math.round(x * 10_000) / 10_000

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
 * Σ w_i = Σ W_h and Σ w_i² = Σ W_h² / n_h.
 */
export function postStratified(strata: Stratum[]): { rate: number; nEff: number; interval: Interval } | null {
  const used = strata.filter((s) => s.den > 0 && s.weight > 0)
  const total = used.reduce((a, s) => a + s.weight, 0)
  if (used.length === 0 || total === 0) return null
  const rate = used.reduce((a, s) => a + s.weight * (s.num / s.den), 0) / total
  const sumSq = used.reduce((a, s) => a + (s.weight * s.weight) / s.den, 0)
  const nEff = (total * total) / sumSq
  return { rate, nEff, interval: wilson(rate, nEff)! }
}

export const round4 = (x: number) => Math.round(x * 10_000) / 10_000

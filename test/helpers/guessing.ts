import type { BankQuestion } from '../../server/modules/quizzes/bank'

/**
 * How far test-taking habits get someone who knows nothing, over a question bank. Each strategy says, per question
 * it applies to, the probability that it picks exactly the right answer (ties between equally long options are
 * broken at random, so a tie counts as a fraction). That is set against blind chance on the same questions: one
 * option of n for single choice, one of two for true/false, and for multiple choice one of the 2^n − n − 1 answers
 * a multiple-choice question may have (at least two options, the bank's own rule).
 */
export interface StrategyResult {
  name: string
  questions: number
  /** expected share answered right by the strategy */
  rate: number
  /** expected share answered right by blind chance */
  chance: number
  /** one-sided: probability that blind chance gets at least as many right as the strategy */
  p: number
}

type Strategy = { name: string; kinds: BankQuestion['kind'][]; hit: (q: BankQuestion) => number | null }

const len = (s: string) => [...s].length
const LETTERS = 'ABCDEF'

function chanceOf(q: BankQuestion): number {
  const n = q.options.length
  if (q.kind === 'multiple') return 1 / (2 ** n - n - 1)
  return 1 / n
}

/** Probability that picking the k longest options (ties at random) picks exactly the answer. */
function longestK(q: BankQuestion, k: number): number | null {
  const n = q.options.length
  if (k >= n) return null
  const lens = q.options.map(len)
  let fits = 0
  let right = 0
  const answer = new Set(q.answer)
  // every k-subset whose shortest chosen option is at least as long as the longest option left out
  for (let mask = 0; mask < 1 << n; mask++) {
    const chosen = lens.map((_, i) => (mask >> i) & 1)
    if (chosen.reduce((a, b) => a + b, 0) !== k) continue
    const minIn = Math.min(...lens.filter((_, i) => chosen[i]))
    const maxOut = Math.max(...lens.filter((_, i) => !chosen[i]))
    if (minIn < maxOut) continue
    fits++
    if (q.answer.length === k && chosen.every((c, i) => (c === 1) === answer.has(i))) right++
  }
  return right / fits
}

function extreme(q: BankQuestion, pick: (a: number, b: number) => number): number {
  const lens = q.options.map(len)
  const best = lens.reduce((a, b) => pick(a, b))
  const tied = lens.map((l, i) => (l === best ? i : -1)).filter((i) => i >= 0)
  return tied.includes(q.answer[0]) ? 1 / tied.length : 0
}

/** Leaves out the shortest (or longest) options, ties and all, and picks one of the rest at random. */
function excluding(q: BankQuestion, pick: (a: number, b: number) => number): number | null {
  const lens = q.options.map(len)
  const worst = lens.reduce((a, b) => pick(a, b))
  const rest = lens.map((l, i) => (l === worst ? -1 : i)).filter((i) => i >= 0)
  if (rest.length === 0) return null
  return rest.includes(q.answer[0]) ? 1 / rest.length : 0
}

const binomial = (n: number, k: number) => {
  let r = 1
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i
  return r
}

export const STRATEGIES: Strategy[] = [
  { name: '单选：选最长的', kinds: ['single'], hit: (q) => extreme(q, Math.max) },
  { name: '单选：选最短的', kinds: ['single'], hit: (q) => extreme(q, Math.min) },
  { name: '单选：排除最短的再随便选', kinds: ['single'], hit: (q) => excluding(q, Math.min) },
  { name: '单选：排除最长的再随便选', kinds: ['single'], hit: (q) => excluding(q, Math.max) },
  ...[0, 1, 2, 3].map((pos): Strategy => ({
    name: `单选：总选 ${LETTERS[pos]}`,
    kinds: ['single'],
    hit: (q) => (pos < q.options.length ? Number(q.answer[0] === pos) : null),
  })),
  { name: '判断：总选正确', kinds: ['judge'], hit: (q) => Number(q.answer[0] === 0) },
  { name: '判断：总选错误', kinds: ['judge'], hit: (q) => Number(q.answer[0] === 1) },
  { name: '多选：全选', kinds: ['multiple'], hit: (q) => Number(q.answer.length === q.options.length) },
  { name: '多选：选最长的两个', kinds: ['multiple'], hit: (q) => longestK(q, 2) },
  { name: '多选：除最短的都选', kinds: ['multiple'], hit: (q) => longestK(q, q.options.length - 1) },
  ...[2, 3].map((k): Strategy => ({
    name: `多选：随便选 ${k} 个`,
    kinds: ['multiple'],
    hit: (q) => (k < q.options.length ? Number(q.answer.length === k) / binomial(q.options.length, k) : null),
  })),
]

/** P(X ≥ k) for X the number right by chance: a Poisson binomial (each question its own chance), computed exactly. */
function tail(chances: number[], k: number): number {
  let dist = [1]
  for (const c of chances) {
    const next = new Array(dist.length + 1).fill(0)
    dist.forEach((p, i) => {
      next[i] += p * (1 - c)
      next[i + 1] += p * c
    })
    dist = next
  }
  return dist.slice(Math.max(0, k)).reduce((a, b) => a + b, 0)
}

function evaluate(name: string, items: { hit: number; chance: number }[]): StrategyResult {
  const right = items.reduce((a, x) => a + x.hit, 0)
  const expected = items.reduce((a, x) => a + x.chance, 0)
  return {
    name,
    questions: items.length,
    rate: right / items.length,
    chance: expected / items.length,
    p: tail(items.map((x) => x.chance), Math.ceil(right - 1e-9)),
  }
}

export function guessingReport(bank: BankQuestion[]): StrategyResult[] {
  const out = STRATEGIES.map((s) => {
    const items: { hit: number; chance: number }[] = []
    for (const q of bank) {
      if (!s.kinds.includes(q.kind)) continue
      const hit = s.hit(q)
      if (hit !== null) items.push({ hit, chance: chanceOf(q) })
    }
    return evaluate(s.name, items)
  })
  // someone who has learnt the bank's habits: per kind, the strategy that does best there, over the whole bank
  const whole: { hit: number; chance: number }[] = []
  for (const kind of ['single', 'judge', 'multiple'] as const) {
    const best = STRATEGIES.filter((s) => s.kinds.includes(kind))
      .map((s) => ({ s, r: out[STRATEGIES.indexOf(s)] }))
      .filter((x) => x.r.questions === bank.filter((q) => q.kind === kind).length)
      .sort((a, b) => b.r.rate - a.r.rate)[0].s
    for (const q of bank) if (q.kind === kind) whole.push({ hit: best.hit(q)!, chance: chanceOf(q) })
  }
  out.push(evaluate('整套题：每种题型用最占便宜的办法', whole))
  return out
}

export const describeResult = (r: StrategyResult) =>
  `${r.name}：${r.questions} 题，答对 ${(100 * r.rate).toFixed(1)}%，瞎猜 ${(100 * r.chance).toFixed(1)}%，p = ${r.p.toPrecision(2)}`

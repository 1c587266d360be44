/** A question shipped with the product. Keys are stable: append new questions, never renumber. */
export interface BankQuestion {
  key: string
  kind: 'single' | 'multiple' | 'judge'
  stem: string
  options: string[]
  /** 0-based option indexes */
  answer: number[]
  explanation: string
  tags: string[]
  difficulty: 1 | 2 | 3
}

type D = 1 | 2 | 3
/** ['s' | 'm', stem, options, answer letters ('A', 'ACD'), explanation, difficulty] or ['j', stem, true/false, explanation, difficulty] */
export type Item = ['s' | 'm', string, string[], string, string, D] | ['j', string, boolean, string, D]

export const JUDGE_OPTIONS = ['正确', '错误']

export function topic(prefix: string, tag: string, items: Item[]): BankQuestion[] {
  return items.map((it, i) => {
    const key = `${prefix}-${String(i + 1).padStart(3, '0')}`
    if (it[0] === 'j') {
      return { key, kind: 'judge', stem: it[1], options: JUDGE_OPTIONS, answer: [it[2] ? 0 : 1], explanation: it[3], tags: [tag], difficulty: it[4] }
    }
    const [kind, stem, options, letters, explanation, difficulty] = it
    const answer = [...letters].map((l) => l.charCodeAt(0) - 65)
    return { key, kind: kind === 's' ? 'single' : 'multiple', stem, options, answer, explanation, tags: [tag], difficulty }
  })
}

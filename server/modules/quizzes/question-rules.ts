import { JUDGE_OPTIONS } from './bank/define'
import type { NewQuestion } from './queries'

export const LIMITS = { stem: 500, option: 200, explanation: 1000, tag: 20, tags: 10 } as const
const LETTERS = 'ABCDEF'

/**
 * What makes two questions the same one: the stem and the options (in any order — they are shown shuffled),
 * ignoring whitespace of any width and the difference between full- and half-width forms (NFKC).
 */
export function sameQuestionKey(q: { stem: string; options: string[] }): string {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/gu, '')
  return JSON.stringify([norm(q.stem), q.options.map(norm).sort()])
}

/**
 * The rules every question in the bank obeys, whether it arrives in an Excel import or in a worker's edit:
 * one place, so that an edit cannot make a question that an import would refuse (or the other way round).
 * Returns the question tidied (trimmed, tags de-duplicated, answer sorted) or what is wrong with it, in words
 * a worker understands; the import puts “第 n 行：” in front.
 */
export function tidyQuestion(q: NewQuestion): { question: NewQuestion } | { problem: string } {
  const stem = q.stem.trim()
  if (!stem) return { problem: '缺少题干' }
  if (stem.length > LIMITS.stem) return { problem: `题干超过 ${LIMITS.stem} 字` }
  const options = q.options.map((o) => o.trim())
  if (q.kind === 'judge') {
    if (options.length !== JUDGE_OPTIONS.length || options.some((o, i) => o !== JUDGE_OPTIONS[i])) return { problem: '判断题的选项固定为“正确”“错误”' }
  } else {
    if (options.length < 2) return { problem: '选择题至少需要两个选项' }
    if (options.length > LETTERS.length) return { problem: `选择题最多 ${LETTERS.length} 个选项` }
    const blank = options.findIndex((o) => o === '')
    if (blank >= 0) return { problem: `选项${LETTERS[blank]}为空` }
    if (options.some((o) => o.length > LIMITS.option)) return { problem: `选项超过 ${LIMITS.option} 字` }
    if (new Set(options).size !== options.length) return { problem: '选项内容重复' }
  }
  if (q.answer.length === 0) return { problem: '缺少正确答案' }
  const answer = [...new Set(q.answer)].sort((a, b) => a - b)
  const beyond = answer.find((i) => !Number.isInteger(i) || i < 0 || i >= options.length)
  if (beyond !== undefined) return { problem: `正确答案 ${LETTERS[beyond] ?? beyond} 不在选项中` }
  if (q.kind === 'single' && answer.length !== 1) return { problem: '单选题只能有一个正确答案' }
  if (q.kind === 'judge' && answer.length !== 1) return { problem: '判断题只能有一个正确答案' }
  if (q.kind === 'multiple' && answer.length < 2) return { problem: '多选题至少应有两个正确答案' }
  const tags = [...new Set(q.tags.map((t) => t.trim()).filter(Boolean))]
  if (tags.length === 0) return { problem: '缺少标签' }
  if (tags.some((t) => t.length > LIMITS.tag)) return { problem: `标签超过 ${LIMITS.tag} 字` }
  if (tags.length > LIMITS.tags) return { problem: `标签最多 ${LIMITS.tags} 个` }
  if (![1, 2, 3].includes(q.difficulty)) return { problem: '难度应为 1、2 或 3' }
  const explanation = q.explanation.trim()
  if (explanation.length > LIMITS.explanation) return { problem: `解析超过 ${LIMITS.explanation} 字` }
  return { question: { kind: q.kind, stem, options, answer, explanation, tags, difficulty: q.difficulty } }
}

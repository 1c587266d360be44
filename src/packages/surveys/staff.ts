import type { Figure, QuestionType, SurveyDefinition, SurveyQuestion } from '@contract/surveys'

export const STATUS = {
  draft: { text: '草稿', type: 'default' },
  published: { text: '进行中', type: 'success' },
  closed: { text: '已结束', type: 'warning' },
} as const

export const TYPE_LABELS: Record<QuestionType, string> = {
  single: '单选', multiple: '多选', scale5: '五级量表', rating10: '0–10 评分', short_text: '简短文字', long_text: '长文字', matrix: '矩阵量表',
}
export const TYPES = Object.keys(TYPE_LABELS) as QuestionType[]

export const FIGURE_LABELS: Record<Figure, string> = { awareness: '知晓率', support: '支持率', satisfaction: '满意率', eligibility: '答卷资格' }
export const FIGURES = Object.keys(FIGURE_LABELS) as Figure[]

const SCALE_LABELS = ['很满意', '满意', '一般', '不满意', '很不满意']
const SCALE_VALUES = ['5', '4', '3', '2', '1']

/** The values an answer can take, with the words shown for them (the server's valueDomain and labelOf). */
export function domainOf(q: SurveyQuestion): Array<{ value: string; label: string }> {
  if (q.type === 'single' || q.type === 'multiple') return (q.options ?? []).map((o) => ({ value: o.value, label: o.label }))
  if (q.type === 'scale5' || q.type === 'matrix') return SCALE_VALUES.map((v, i) => ({ value: v, label: (q.labels ?? SCALE_LABELS)[i] }))
  if (q.type === 'rating10') return Array.from({ length: 11 }, (_, i) => ({ value: String(i), label: String(i) }))
  return []
}

export const allQuestions = (def: SurveyDefinition) => def.sections.flatMap((s) => s.questions)

/** A key not used yet in the survey: `q7`, `s3`, `o4`… */
export function freshKey(prefix: string, used: Iterable<string>): string {
  const taken = new Set(used)
  for (let i = 1; ; i++) if (!taken.has(`${prefix}${i}`)) return `${prefix}${i}`
}

/** A new question of a type, with what that type needs (options, rows) and nothing it may not have. */
export function blankQuestion(key: string, type: QuestionType, title = ''): SurveyQuestion {
  const base = { key, type, title, required: true }
  if (type === 'single' || type === 'multiple') return { ...base, options: [{ value: 'o1', label: '选项一' }, { value: 'o2', label: '选项二' }] }
  if (type === 'matrix') return { ...base, rows: [{ key: 'r1', label: '第一项' }, { key: 'r2', label: '第二项' }] }
  return base
}

/** Changing the type keeps the words and drops what the new type cannot have (the server refuses it otherwise). */
export function retype(q: SurveyQuestion, type: QuestionType): SurveyQuestion {
  const fresh = blankQuestion(q.key, type, q.title)
  const keepOptions = (type === 'single' || type === 'multiple') && q.options
  return {
    ...fresh,
    required: q.required,
    ...(q.description ? { description: q.description } : {}),
    ...(keepOptions ? { options: q.options } : {}),
    ...(type === 'matrix' && q.rows ? { rows: q.rows } : {}),
    ...(q.showWhen ? { showWhen: q.showWhen } : {}),
    ...(q.showMatch ? { showMatch: q.showMatch } : {}),
  }
}

/** Lines → options, keeping the stored value of each line already there (its position), new values for new lines. */
export function optionsFromLines(text: string, before: SurveyQuestion['options']): NonNullable<SurveyQuestion['options']> {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
  const used = new Set<string>()
  return lines.map((label, i) => {
    const kept = before?.[i]?.value
    const value = kept && !used.has(kept) ? kept : freshKey('o', [...used, ...(before ?? []).map((o) => o.value)])
    used.add(value)
    return { value, label, ...(label.startsWith('其他') ? { other: true } : {}) }
  })
}

export function rowsFromLines(text: string, before: SurveyQuestion['rows']): NonNullable<SurveyQuestion['rows']> {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
  const used = new Set<string>()
  return lines.map((label, i) => {
    const kept = before?.[i]?.key
    const key = kept && !used.has(kept) ? kept : freshKey('r', [...used, ...(before ?? []).map((r) => r.key)])
    used.add(key)
    return { key, label }
  })
}

/** Problems the server would refuse, said before sending (the server checks again). */
export function definitionProblem(def: SurveyDefinition): string | null {
  for (const s of def.sections) {
    if (!s.title.trim()) return '每个分组都需要标题'
    if (s.questions.length === 0) return `分组“${s.title}”还没有题目`
    for (const q of s.questions) {
      if (!q.title.trim()) return '有题目还没有填写题干'
      if (q.options && q.options.length < 2) return `“${q.title}”至少需要两个选项`
      if (q.rows && q.rows.length < 1) return `“${q.title}”至少需要一行`
      if (q.figure && !q.favourable?.length) return `“${q.title}”计入${FIGURE_LABELS[q.figure]}，请勾选计为肯定的回答`
      if (q.showWhen?.some((c) => c.anyOf.length === 0)) return `“${q.title}”的显示条件还没有勾选取值（每个条件至少勾选一项）`
    }
  }
  return null
}

import type { AnswerValue, Answers, ShowMatch, ShowWhen, SurveyDefinition, SurveyQuestion, SurveySection } from '@contract/surveys'

/** The values an answer stands for in a condition (by matrix row; '' for the other types) — as the server stores them. */
function given(a: AnswerValue | undefined): Map<string, string[]> {
  const m = new Map<string, string[]>()
  if (!a) return m
  if (a.choice !== undefined) m.set('', [a.choice])
  if (a.choices) m.set('', a.choices)
  if (a.value !== undefined) m.set('', [String(a.value)])
  for (const [k, v] of Object.entries(a.rows ?? {})) m.set(k, [String(v)])
  return m
}

/** The server's rule (conditions.ts holds): no clause shows; 'all' needs every clause, 'any' one of them. */
function holds(when: ShowWhen | undefined, match: ShowMatch | undefined, seen: Map<string, Map<string, string[]>>): boolean {
  if (!when?.length) return true
  const clause = (c: ShowWhen[number]) => (seen.get(c.question)?.get(c.row ?? '') ?? []).some((v) => c.anyOf.includes(v))
  return match === 'any' ? when.some(clause) : when.every(clause)
}

export interface VisibleSection {
  section: SurveySection
  questions: SurveyQuestion[]
}

/**
 * The sections and questions shown for these answers, in order: the same rule the server applies when it checks a
 * response (a hidden question's answer is refused there, so it is never sent).
 */
export function visibleSections(def: SurveyDefinition, answers: Answers): VisibleSection[] {
  const seen = new Map<string, Map<string, string[]>>()
  const out: VisibleSection[] = []
  for (const s of def.sections) {
    const shown = holds(s.showWhen, s.showMatch, seen)
    const questions: SurveyQuestion[] = []
    for (const q of s.questions) {
      if (!shown || !holds(q.showWhen, q.showMatch, seen)) continue
      questions.push(q)
      seen.set(q.key, given(answers[q.key]))
    }
    if (questions.length > 0) out.push({ section: s, questions })
  }
  return out
}

export function isAnswered(q: SurveyQuestion, a: AnswerValue | undefined): boolean {
  if (!a) return false
  switch (q.type) {
    case 'single':
      return a.choice !== undefined
    case 'multiple':
      return (a.choices ?? []).length > 0
    case 'scale5':
    case 'rating10':
      return a.value !== undefined
    case 'matrix':
      return Object.keys(a.rows ?? {}).length > 0
    default:
      return (a.text ?? '').trim() !== ''
  }
}

/** What the phone can tell before sending: a required question unanswered, too few/many picks, "其他" without words. */
export function problemOf(q: SurveyQuestion, a: AnswerValue | undefined): string | null {
  const other = q.options?.find((o) => o.other)
  if (!isAnswered(q, a)) return q.required ? `请回答「${q.title}」` : null
  if (q.type === 'matrix' && q.required && Object.keys(a!.rows ?? {}).length < q.rows!.length) return `「${q.title}」还有未选择的行`
  if (q.type === 'multiple') {
    const n = a!.choices!.length
    const min = Math.max(q.minChoices ?? 1, 1)
    const max = q.maxChoices ?? q.options!.length
    if (n < min || n > max) return min === max ? `「${q.title}」请选 ${min} 项` : `「${q.title}」请选 ${min}–${max} 项`
  }
  const picked = a!.choices ?? (a!.choice !== undefined ? [a!.choice] : [])
  if (other && picked.includes(other.value) && !(a!.other ?? '').trim()) return `「${q.title}」选了“${other.label}”，请注明`
  return null
}

/** Only the answers of shown questions, without empty ones and without a note for an unchosen "其他". */
export function answersToSend(def: SurveyDefinition, answers: Answers): Answers {
  const out: Answers = {}
  for (const { questions } of visibleSections(def, answers)) {
    for (const q of questions) {
      const a = answers[q.key]
      if (!isAnswered(q, a)) continue
      const other = q.options?.find((o) => o.other)
      const picked = a!.choices ?? (a!.choice !== undefined ? [a!.choice] : [])
      const { other: note, ...rest } = a!
      out[q.key] = other && picked.includes(other.value) ? { ...rest, other: (note ?? '').trim() } : rest
    }
  }
  return out
}

export const DEFAULT_SCALE_LABELS = ['很满意', '满意', '一般', '不满意', '很不满意']
export const SCALE_VALUES = [5, 4, 3, 2, 1]

/** The answer as words, for the summary before submitting. */
export function describeAnswer(q: SurveyQuestion, a: AnswerValue | undefined): string {
  if (!isAnswered(q, a)) return '未填写'
  const labels = q.labels ?? DEFAULT_SCALE_LABELS
  const scale = (v: number) => labels[SCALE_VALUES.indexOf(v)] ?? String(v)
  const optionLabel = (v: string) => {
    const o = q.options?.find((x) => x.value === v)
    return o?.other ? `${o.label.replace(/（.*）$/, '')}：${a!.other ?? ''}` : o?.label ?? v
  }
  switch (q.type) {
    case 'single':
      return optionLabel(a!.choice!)
    case 'multiple':
      return a!.choices!.map(optionLabel).join('、')
    case 'scale5':
      return scale(a!.value!)
    case 'rating10':
      return `${a!.value} 分`
    case 'matrix':
      return q.rows!.filter((r) => a!.rows![r.key] !== undefined).map((r) => `${r.label}：${scale(a!.rows![r.key])}`).join('；')
    default:
      return a!.text!.trim()
  }
}

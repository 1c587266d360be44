import { badRequest } from '../../errors'
import type { AnswerValue, Answers, ShowMatch, ShowWhen, SurveyDefinition, SurveyQuestion } from '../../../types/surveys'

export const DEFAULT_SCALE_LABELS = ['很满意', '满意', '一般', '不满意', '很不满意']
export const SCALE_VALUES = ['5', '4', '3', '2', '1']
export const RATING_VALUES = Array.from({ length: 11 }, (_, i) => String(i))
export const TEXT_LIMITS = { short_text: 100, long_text: 1000 } as const
export const OTHER_TEXT_LIMIT = 200

/** The stored values a question's answer can take (for a matrix, each row's). Text questions have none. */
export function valueDomain(q: SurveyQuestion): string[] {
  switch (q.type) {
    case 'single':
    case 'multiple':
      return (q.options ?? []).map((o) => o.value)
    case 'scale5':
    case 'matrix':
      return SCALE_VALUES
    case 'rating10':
      return RATING_VALUES
    default:
      return []
  }
}

export function labelOf(q: SurveyQuestion, value: string): string {
  if (q.type === 'single' || q.type === 'multiple') return q.options?.find((o) => o.value === value)?.label ?? value
  if (q.type === 'scale5' || q.type === 'matrix') return (q.labels ?? DEFAULT_SCALE_LABELS)[SCALE_VALUES.indexOf(value)] ?? value
  return value
}

export const textLimit = (q: SurveyQuestion) => q.maxLength ?? (q.type === 'long_text' ? TEXT_LIMITS.long_text : TEXT_LIMITS.short_text)

const invalid = (message: string, path: string) => badRequest('SURVEY_DEFINITION_INVALID', message, { path })

/**
 * A definition that the answering rules can rely on: unique keys, options that make sense for the type, conditions
 * on earlier choice questions with values they can take, markings on values the question can take.
 */
export function checkDefinition(def: SurveyDefinition): void {
  const seen = new Map<string, SurveyQuestion>()
  const sectionKeys = new Set<string>()
  const checkWhen = (when: ShowWhen | undefined, path: string, match?: ShowMatch) => {
    if (match === 'any' && !when?.length) throw invalid(`${path}：没有显示条件，不能指定“满足任一条件”`, path)
    for (const c of when ?? []) {
      const ref = seen.get(c.question)
      if (!ref) throw invalid(`${path} 的显示条件引用了不在它之前的题目 ${c.question}`, path)
      if (ref.type === 'matrix' ? !c.row || !ref.rows?.some((r) => r.key === c.row) : c.row !== undefined) {
        throw invalid(`${path} 的显示条件：矩阵题须指明行，其它题不能指明行`, path)
      }
      const domain = valueDomain(ref)
      if (domain.length === 0) throw invalid(`${path} 的显示条件不能依据文字题`, path)
      const bad = c.anyOf.find((v) => !domain.includes(v))
      if (bad !== undefined) throw invalid(`${path} 的显示条件中的取值 ${bad} 不是题目 ${c.question} 的选项`, path)
    }
  }
  for (const s of def.sections) {
    if (sectionKeys.has(s.key)) throw invalid(`分组 ${s.key} 重复`, s.key)
    sectionKeys.add(s.key)
    checkWhen(s.showWhen, s.key, s.showMatch)
    for (const q of s.questions) {
      const path = `${s.key}.${q.key}`
      if (seen.has(q.key)) throw invalid(`题目 ${q.key} 重复`, path)
      checkWhen(q.showWhen, path, q.showMatch)
      const choice = q.type === 'single' || q.type === 'multiple'
      if (choice !== Boolean(q.options)) throw invalid(`题目 ${q.key}：只有单选和多选题有选项，且必须有`, path)
      if (q.options) {
        if (new Set(q.options.map((o) => o.value)).size !== q.options.length) throw invalid(`题目 ${q.key} 的选项取值重复`, path)
        if (q.options.filter((o) => o.other).length > 1) throw invalid(`题目 ${q.key} 只能有一个“其他”选项`, path)
      }
      if ((q.minChoices !== undefined || q.maxChoices !== undefined) && q.type !== 'multiple') throw invalid(`题目 ${q.key}：只有多选题可以限定选择个数`, path)
      if (q.type === 'multiple') {
        const n = q.options!.length
        const min = q.minChoices ?? 0
        const max = q.maxChoices ?? n
        if (max > n || min > max) throw invalid(`题目 ${q.key} 的最少/最多选择个数不合理`, path)
      }
      if (q.labels && q.type !== 'scale5' && q.type !== 'matrix') throw invalid(`题目 ${q.key}：只有量表和矩阵题有量表标签`, path)
      if (q.ends && q.type !== 'rating10') throw invalid(`题目 ${q.key}：只有 0–10 评分题有两端说明`, path)
      if (Boolean(q.rows) !== (q.type === 'matrix')) throw invalid(`题目 ${q.key}：矩阵题必须有行，其它题不能有`, path)
      if (q.rows && new Set(q.rows.map((r) => r.key)).size !== q.rows.length) throw invalid(`题目 ${q.key} 的行重复`, path)
      if (q.maxLength !== undefined && q.type !== 'short_text' && q.type !== 'long_text') throw invalid(`题目 ${q.key}：只有文字题有字数上限`, path)
      if (Boolean(q.figure) !== Boolean(q.favourable)) throw invalid(`题目 ${q.key}：统计口径和计为肯定的取值须同时给出`, path)
      if (q.favourable) {
        const domain = valueDomain(q)
        if (domain.length === 0) throw invalid(`题目 ${q.key}：文字题不能计入比率`, path)
        const bad = q.favourable.find((v) => !domain.includes(v))
        if (bad !== undefined) throw invalid(`题目 ${q.key} 计为肯定的取值 ${bad} 不是它的选项`, path)
      }
      seen.set(q.key, q)
    }
  }
}

/** The stored values of one answer, by matrix row ('' for other types): what a condition compares with. */
type Given = Map<string, Map<string, string[]>>

/** No clause: shown. 'all' (the default): every clause holds; 'any': at least one does. The phone applies the same. */
function holds(when: ShowWhen | undefined, match: ShowMatch | undefined, given: Given): boolean {
  if (!when?.length) return true
  const clause = (c: ShowWhen[number]) => (given.get(c.question)?.get(c.row ?? '') ?? []).some((v) => c.anyOf.includes(v))
  return match === 'any' ? when.some(clause) : when.every(clause)
}

export interface CheckedAnswer {
  question: SurveyQuestion
  rowKey: string
  picked: string[]
  num: number | null
  otherText: string | null
  textValue: string | null
}

const answerError = (code: string, message: string, question: string) => badRequest(code, message, { question })

function has<K extends keyof AnswerValue>(a: AnswerValue, k: K): boolean {
  return a[k] !== undefined
}

function only(a: AnswerValue, allowed: Array<keyof AnswerValue>, q: SurveyQuestion): void {
  const extra = (Object.keys(a) as Array<keyof AnswerValue>).filter((k) => a[k] !== undefined && !allowed.includes(k))
  if (extra.length > 0) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」的答案格式不对`, q.key)
}

/** One answer against its question: the rows to store, or a 400 naming the question. */
function checkOne(q: SurveyQuestion, a: AnswerValue): CheckedAnswer[] {
  const row = (over: Partial<CheckedAnswer>): CheckedAnswer => ({ question: q, rowKey: '', picked: [], num: null, otherText: null, textValue: null, ...over })
  const otherText = (picked: string[]) => {
    const other = q.options!.find((o) => o.other)
    const chose = other !== undefined && picked.includes(other.value)
    const text = a.other?.trim() ?? ''
    if (!chose && a.other !== undefined) throw answerError('ANSWER_OTHER_NOT_CHOSEN', `「${q.title}」没有选“${other?.label ?? '其他'}”，不用填写说明`, q.key)
    if (chose && text === '') throw answerError('ANSWER_OTHER_TEXT_MISSING', `「${q.title}」选了“${other.label}”，请注明`, q.key)
    if (text.length > OTHER_TEXT_LIMIT) throw answerError('ANSWER_TEXT_TOO_LONG', `「${q.title}」的说明不能超过 ${OTHER_TEXT_LIMIT} 字`, q.key)
    return chose ? text : null
  }
  switch (q.type) {
    case 'single': {
      only(a, ['choice', 'other'], q)
      if (!has(a, 'choice')) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」是单选题，请选择一项`, q.key)
      if (!valueDomain(q).includes(a.choice!)) throw answerError('ANSWER_CHOICE_NOT_IN_LIST', `「${q.title}」的选项不存在`, q.key)
      return [row({ picked: [a.choice!], otherText: otherText([a.choice!]) })]
    }
    case 'multiple': {
      only(a, ['choices', 'other'], q)
      if (!has(a, 'choices')) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」是多选题`, q.key)
      const picked = a.choices!
      if (new Set(picked).size !== picked.length) throw answerError('ANSWER_CHOICE_DUPLICATE', `「${q.title}」的选项重复`, q.key)
      if (picked.some((v) => !valueDomain(q).includes(v))) throw answerError('ANSWER_CHOICE_NOT_IN_LIST', `「${q.title}」的选项不存在`, q.key)
      const min = Math.max(q.minChoices ?? 1, 1)
      const max = q.maxChoices ?? q.options!.length
      if (picked.length < min || picked.length > max) {
        throw answerError('ANSWER_CHOICE_COUNT', min === max ? `「${q.title}」须选 ${min} 项` : `「${q.title}」须选 ${min}–${max} 项`, q.key)
      }
      // stored in the order of the options, whatever order the phone sent
      const ordered = valueDomain(q).filter((v) => picked.includes(v))
      return [row({ picked: ordered, otherText: otherText(ordered) })]
    }
    case 'scale5':
    case 'rating10': {
      only(a, ['value'], q)
      const [lo, hi] = q.type === 'scale5' ? [1, 5] : [0, 10]
      if (!has(a, 'value')) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」请选择一个分值`, q.key)
      if (a.value! < lo || a.value! > hi) throw answerError('ANSWER_OUT_OF_RANGE', `「${q.title}」的分值应在 ${lo}–${hi} 之间`, q.key)
      return [row({ picked: [String(a.value)], num: a.value! })]
    }
    case 'short_text':
    case 'long_text': {
      only(a, ['text'], q)
      const text = a.text?.trim()
      if (text === undefined) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」请填写文字`, q.key)
      if ([...text].length > textLimit(q)) throw answerError('ANSWER_TEXT_TOO_LONG', `「${q.title}」不能超过 ${textLimit(q)} 字`, q.key)
      if (text === '') return []
      return [row({ textValue: text })]
    }
    case 'matrix': {
      only(a, ['rows'], q)
      if (!has(a, 'rows')) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」请逐行选择`, q.key)
      const out: CheckedAnswer[] = []
      for (const [rowKey, v] of Object.entries(a.rows!)) {
        const r = q.rows!.find((x) => x.key === rowKey)
        if (!r) throw answerError('ANSWER_ROW_NOT_IN_LIST', `「${q.title}」没有“${rowKey}”这一行`, q.key)
        if (v < 1 || v > 5) throw answerError('ANSWER_OUT_OF_RANGE', `「${q.title}」${r.label}的分值应在 1–5 之间`, q.key)
        out.push(row({ rowKey, picked: [String(v)], num: v }))
      }
      if (q.required && out.length < q.rows!.length) {
        const missing = q.rows!.find((r) => !(r.key in a.rows!))!
        throw answerError('ANSWER_REQUIRED_MISSING', `「${q.title}」的“${missing.label}”还没有选择`, q.key)
      }
      // stored in the order of the rows
      return q.rows!.flatMap((r) => out.filter((o) => o.rowKey === r.key))
    }
  }
}

/**
 * A whole response, in order, evaluating the display conditions on the answers given so far — the same rule the
 * phone applies: an answer to a hidden question, a missing required visible one, an unknown key are refused.
 */
export function checkResponse(def: SurveyDefinition, answers: Answers): CheckedAnswer[] {
  const known = new Set(def.sections.flatMap((s) => s.questions.map((q) => q.key)))
  const unknown = Object.keys(answers).find((k) => !known.has(k))
  if (unknown !== undefined) throw answerError('ANSWER_UNKNOWN_QUESTION', `问卷中没有题目 ${unknown}`, unknown)
  const given: Given = new Map()
  const out: CheckedAnswer[] = []
  for (const s of def.sections) {
    const sectionShown = holds(s.showWhen, s.showMatch, given)
    for (const q of s.questions) {
      const a = answers[q.key]
      const shown = sectionShown && holds(q.showWhen, q.showMatch, given)
      if (!shown) {
        if (a !== undefined) throw answerError('ANSWER_TO_HIDDEN_QUESTION', `「${q.title}」按前面的回答不应作答`, q.key)
        continue
      }
      const rows = a === undefined ? [] : checkOne(q, a)
      if (q.required && rows.length === 0) throw answerError('ANSWER_REQUIRED_MISSING', `「${q.title}」是必答题`, q.key)
      given.set(q.key, new Map(rows.map((r) => [r.rowKey, r.picked])))
      out.push(...rows)
    }
  }
  return out
}

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

function only(a: AnswerValue, allowed: ReadonlyArray<keyof AnswerValue>, q: SurveyQuestion): void {
  for (const k in a) {
    if (a[k as keyof AnswerValue] !== undefined && !allowed.includes(k as keyof AnswerValue)) {
      throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」的答案格式不对`, q.key)
    }
  }
}

/** What checking an answer needs of its question, worked out once per question object (cached definitions keep theirs). */
interface Rule {
  domain: string[]
  inDomain: Set<string>
  other: NonNullable<SurveyQuestion['options']>[number] | undefined
  rows: Map<string, string>
}
const rules = new WeakMap<SurveyQuestion, Rule>()
function ruleOf(q: SurveyQuestion): Rule {
  let r = rules.get(q)
  if (!r) {
    const domain = valueDomain(q)
    r = { domain, inDomain: new Set(domain), other: q.options?.find((o) => o.other), rows: new Map((q.rows ?? []).map((x) => [x.key, x.label])) }
    rules.set(q, r)
  }
  return r
}

const SINGLE = ['choice', 'other'] as const
const MULTIPLE = ['choices', 'other'] as const
const VALUE = ['value'] as const
const TEXT = ['text'] as const
const ROWS = ['rows'] as const

/** One answer against its question: the rows to store, or a 400 naming the question. */
function checkOne(q: SurveyQuestion, a: AnswerValue): CheckedAnswer[] {
  const rule = ruleOf(q)
  const row = (rowKey: string, picked: string[], num: number | null, otherText: string | null, textValue: string | null): CheckedAnswer =>
    ({ question: q, rowKey, picked, num, otherText, textValue })
  const otherText = (picked: string[]) => {
    const other = rule.other
    const chose = other !== undefined && picked.includes(other.value)
    const text = a.other?.trim() ?? ''
    if (!chose && a.other !== undefined) throw answerError('ANSWER_OTHER_NOT_CHOSEN', `「${q.title}」没有选“${other?.label ?? '其他'}”，不用填写说明`, q.key)
    if (chose && text === '') throw answerError('ANSWER_OTHER_TEXT_MISSING', `「${q.title}」选了“${other.label}”，请注明`, q.key)
    if (text.length > OTHER_TEXT_LIMIT) throw answerError('ANSWER_TEXT_TOO_LONG', `「${q.title}」的说明不能超过 ${OTHER_TEXT_LIMIT} 字`, q.key)
    return chose ? text : null
  }
  switch (q.type) {
    case 'single': {
      only(a, SINGLE, q)
      if (!has(a, 'choice')) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」是单选题，请选择一项`, q.key)
      if (!rule.inDomain.has(a.choice!)) throw answerError('ANSWER_CHOICE_NOT_IN_LIST', `「${q.title}」的选项不存在`, q.key)
      return [row('', [a.choice!], null, otherText([a.choice!]), null)]
    }
    case 'multiple': {
      only(a, MULTIPLE, q)
      if (!has(a, 'choices')) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」是多选题`, q.key)
      const picked = a.choices!
      if (new Set(picked).size !== picked.length) throw answerError('ANSWER_CHOICE_DUPLICATE', `「${q.title}」的选项重复`, q.key)
      if (picked.some((v) => !rule.inDomain.has(v))) throw answerError('ANSWER_CHOICE_NOT_IN_LIST', `「${q.title}」的选项不存在`, q.key)
      const min = Math.max(q.minChoices ?? 1, 1)
      const max = q.maxChoices ?? q.options!.length
      if (picked.length < min || picked.length > max) {
        throw answerError('ANSWER_CHOICE_COUNT', min === max ? `「${q.title}」须选 ${min} 项` : `「${q.title}」须选 ${min}–${max} 项`, q.key)
      }
      // stored in the order of the options, whatever order the phone sent
      const ordered = rule.domain.filter((v) => picked.includes(v))
      return [row('', ordered, null, otherText(ordered), null)]
    }
    case 'scale5':
    case 'rating10': {
      only(a, VALUE, q)
      const [lo, hi] = q.type === 'scale5' ? [1, 5] : [0, 10]
      if (!has(a, 'value')) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」请选择一个分值`, q.key)
      if (a.value! < lo || a.value! > hi) throw answerError('ANSWER_OUT_OF_RANGE', `「${q.title}」的分值应在 ${lo}–${hi} 之间`, q.key)
      return [row('', [String(a.value)], a.value!, null, null)]
    }
    case 'short_text':
    case 'long_text': {
      only(a, TEXT, q)
      const text = a.text?.trim()
      if (text === undefined) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」请填写文字`, q.key)
      // characters, not UTF-16 units: only a text longer than the limit in units can be over it
      if (text.length > textLimit(q) && [...text].length > textLimit(q)) throw answerError('ANSWER_TEXT_TOO_LONG', `「${q.title}」不能超过 ${textLimit(q)} 字`, q.key)
      if (text === '') return []
      return [row('', [], null, null, text)]
    }
    case 'matrix': {
      only(a, ROWS, q)
      if (!has(a, 'rows')) throw answerError('ANSWER_TYPE_MISMATCH', `「${q.title}」请逐行选择`, q.key)
      const given = a.rows!
      for (const rowKey in given) {
        const label = rule.rows.get(rowKey)
        if (label === undefined) throw answerError('ANSWER_ROW_NOT_IN_LIST', `「${q.title}」没有“${rowKey}”这一行`, q.key)
        const v = given[rowKey]
        if (v < 1 || v > 5) throw answerError('ANSWER_OUT_OF_RANGE', `「${q.title}」${label}的分值应在 1–5 之间`, q.key)
      }
      // stored in the order of the rows
      const out: CheckedAnswer[] = []
      for (const r of q.rows!) {
        if (r.key in given) out.push(row(r.key, [String(given[r.key])], given[r.key], null, null))
        else if (q.required) throw answerError('ANSWER_REQUIRED_MISSING', `「${q.title}」的“${r.label}”还没有选择`, q.key)
      }
      return out
    }
  }
}

/**
 * A whole response, in order, evaluating the display conditions on the answers given so far — the same rule the
 * phone applies: an answer to a hidden question, a missing required visible one, an unknown key are refused.
 */
const keysOf = new WeakMap<SurveyDefinition, Set<string>>()

export function checkResponse(def: SurveyDefinition, answers: Answers): CheckedAnswer[] {
  let known = keysOf.get(def)
  if (!known) {
    known = new Set(def.sections.flatMap((s) => s.questions.map((q) => q.key)))
    keysOf.set(def, known)
  }
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

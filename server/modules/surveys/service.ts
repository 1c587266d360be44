import { cursorCodec } from '../../lib/cursor'
import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { badRequest, conflict, forbidden, notFound } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import type { StoredResponse } from '../../lib/idempotency'
import { textsNotPassed } from '../../platform/text-checks'
import type { RegionDirectory } from '../regions/directory'
import type { HomeSectionSource } from '../home/service'
import type {
  CreateSurveyBody, CrossTab, ResidentSurvey, ResidentSurveyList, StaffSurvey, StaffSurveyList, SubmitSurveyBody, SubmitSurveyResult,
  ShowWhen, SurveyDefinition, SurveyDraft, SurveyDraftBody, SurveyNoticeBody, SurveyNoticeConsent, SurveyQuestion, SurveyResults,
  SurveyTemplateList, TextAnswerPage, UpdateSurveyBody, Answers,
} from '../../../types/surveys'
import { surveyChanged, surveyDefinitions } from './definition-cache'
import { recordResponse } from './submission-batch'
import { surveyCounts } from './counts-cache'
import { PassThrough } from 'node:stream'
import { checkDefinition, checkResponse, labelOf, valueDomain } from './conditions'
import { responseColumns, responseRow, sheetWriter, summaryRows, type ExportFormat, type ExportWhat } from './export'
import { assertCanAnswer, assertCanManage, assertCanTarget, assertSurveyStaff, mayAnswer } from './policy'
import * as q from './queries'
import { TEMPLATES, templateByKey } from './template'

/** A cross-tab cell (or group) of fewer respondents than this shows "<5" and no figures. */
export const MIN_CELL = 5
const TEXT_PAGE = 20

const iso = (d: Date | string) => new Date(d).toISOString()

function settingsOf(body: CreateSurveyBody | UpdateSurveyBody, requireFuture: boolean): q.SurveySettings {
  const starts = new Date(body.startsAt)
  const ends = new Date(body.endsAt)
  if (!(ends > starts)) throw badRequest('INVALID_WINDOW', '结束时间必须晚于开始时间')
  if (requireFuture && ends.getTime() <= Date.now()) throw badRequest('INVALID_WINDOW', '结束时间必须晚于现在')
  return {
    title: body.title.trim(),
    description: body.description?.trim() ?? '',
    regionCode: body.regionCode,
    audience: body.audience,
    anonymous: body.anonymous,
    resultsPublic: body.resultsPublic ?? false,
    quotaPerCommunity: body.quotaPerCommunity ?? null,
    startsAt: starts.toISOString(),
    endsAt: ends.toISOString(),
  }
}

function head(dir: RegionDirectory, s: q.SurveyRow) {
  return {
    id: s.id,
    title: s.title,
    description: s.description,
    regionCode: s.regionCode,
    regionName: dir.get(s.regionCode)?.name ?? s.regionCode,
    audience: s.audience,
    anonymous: s.anonymous,
    resultsPublic: s.resultsPublic,
    quotaPerCommunity: s.quotaPerCommunity,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    status: s.status,
  }
}

// ------------------------------------------------------------------ building

export function templates(caller: Caller): SurveyTemplateList {
  assertSurveyStaff(caller)
  return { items: TEMPLATES.map((t) => ({ key: t.key, title: t.title, description: t.description, definition: t.definition })) }
}

export async function createSurvey(ctx: AppContext, caller: Caller, body: CreateSurveyBody): Promise<StaffSurvey> {
  const dir = await ctx.regions.get()
  assertCanTarget(caller, dir, body.regionCode)
  const settings = settingsOf(body, true)
  let def = body.definition
  if (body.template !== undefined) {
    if (def) throw badRequest('SURVEY_DEFINITION_TWICE', '请只给出模板或题目之一')
    const t = templateByKey(body.template)
    if (!t) throw badRequest('TEMPLATE_NOT_FOUND', `没有模板 ${body.template}`)
    def = t.definition
  }
  if (!def) throw badRequest('SURVEY_DEFINITION_REQUIRED', '请选择模板或给出题目')
  checkDefinition(def)
  const id = await ctx.db.transaction(async (tx) => {
    const id = await q.insertSurvey(tx, settings, body.template ?? null, caller.userId)
    await q.replaceDefinition(tx, id, def)
    await audit(tx, caller.userId, 'survey.create', `survey:${id}`, { regionCode: settings.regionCode, template: body.template ?? null })
    return id
  })
  return staffView(ctx, dir, id)
}

async function staffView(ctx: AppContext, dir: RegionDirectory, id: number, db: Queryable = ctx.db): Promise<StaffSurvey> {
  const s = await q.survey(db, id)
  if (!s) throw notFound('SURVEY_NOT_FOUND', '问卷不存在')
  const { def } = await q.definition(db, id)
  const changes = await q.wordingChanges(db, id)
  return {
    ...head(dir, s),
    templateKey: s.templateKey,
    definition: def,
    responses: await q.responseCount(db, id),
    wordingChanges: changes.map((c) => ({ at: iso(c.at), by: c.by, changes: c.detail.changes })),
  }
}

async function managed(ctx: AppContext, caller: Caller, id: number): Promise<{ dir: RegionDirectory; s: q.SurveyRow }> {
  assertSurveyStaff(caller)
  await q.closeEnded(ctx.db)
  const dir = await ctx.regions.get()
  const s = await q.survey(ctx.db, id)
  if (!s) throw notFound('SURVEY_NOT_FOUND', '问卷不存在')
  assertCanManage(caller, dir, s.regionCode)
  return { dir, s }
}

export async function staffSurvey(ctx: AppContext, caller: Caller, id: number): Promise<StaffSurvey> {
  const { dir } = await managed(ctx, caller, id)
  return staffView(ctx, dir, id)
}

export async function staffSurveys(ctx: AppContext, caller: Caller): Promise<StaffSurveyList> {
  assertSurveyStaff(caller)
  await q.closeEnded(ctx.db)
  const dir = await ctx.regions.get()
  // the worker's area in the query itself, so that other areas' surveys never crowd theirs out of the page
  const area = caller.office ? null : [...new Set(caller.workerRegions.flatMap((w) => [w, ...dir.descendants(w).map((r) => r.code)]))]
  const rows = await q.surveysInRegions(ctx.db, area, ['draft', 'published', 'closed'])
  return { items: rows.map((r) => ({ ...head(dir, r), responses: r.responses })) }
}

// jsonb keeps an object's keys in its own order: compare conditions field by field
const whenOf = (w: ShowWhen | undefined) => (w ?? []).map((c) => ({ question: c.question, row: c.row ?? null, anyOf: c.anyOf }))

/** What a stored answer means: everything but the words people read. */
function meaning(def: SurveyDefinition, s: q.SurveySettings | q.SurveyRow): string {
  return JSON.stringify({
    regionCode: s.regionCode,
    audience: s.audience,
    anonymous: s.anonymous,
    sections: def.sections.map((sec) => ({
      key: sec.key,
      showWhen: whenOf(sec.showWhen),
      showMatch: sec.showMatch ?? 'all',
      questions: sec.questions.map((x) => ({
        key: x.key, type: x.type, required: x.required,
        options: x.options?.map((o) => ({ value: o.value, other: o.other ?? false })) ?? null,
        minChoices: x.minChoices ?? null, maxChoices: x.maxChoices ?? null, labels: x.labels ? 5 : null,
        rows: x.rows?.map((r) => r.key) ?? null, maxLength: x.maxLength ?? null, showWhen: whenOf(x.showWhen), showMatch: x.showMatch ?? 'all',
        figure: x.figure ?? null, favourable: x.favourable ?? null,
      })),
    })),
  })
}

/** The words that differ between two definitions of the same meaning, by path. */
function wordingDiff(before: SurveyDefinition, after: SurveyDefinition): Array<{ path: string; from: string; to: string }> {
  const out: Array<{ path: string; from: string; to: string }> = []
  const cmp = (path: string, a: string | undefined, b: string | undefined) => {
    if ((a ?? '') !== (b ?? '')) out.push({ path, from: a ?? '', to: b ?? '' })
  }
  before.sections.forEach((s, i) => {
    const t = after.sections[i]
    cmp(`${s.key}.title`, s.title, t.title)
    s.questions.forEach((x, j) => {
      const y = t.questions[j]
      const p = `${s.key}.${x.key}`
      cmp(`${p}.title`, x.title, y.title)
      cmp(`${p}.description`, x.description, y.description)
      x.options?.forEach((o, k) => cmp(`${p}.options.${o.value}`, o.label, y.options![k].label))
      x.rows?.forEach((r, k) => cmp(`${p}.rows.${r.key}`, r.label, y.rows![k].label))
      x.labels?.forEach((l, k) => cmp(`${p}.labels.${k}`, l, y.labels?.[k]))
      x.ends?.forEach((l, k) => cmp(`${p}.ends.${k}`, l, y.ends?.[k]))
    })
  })
  return out
}

/**
 * Before anyone answered, anything may change. After, only what leaves the meaning of stored answers alone: the
 * wording (recorded), the window, the quota and whether results are published. The survey row's lock orders this
 * against submissions, which hold it shared while they check and store.
 */
export async function updateSurvey(ctx: AppContext, caller: Caller, id: number, body: UpdateSurveyBody): Promise<StaffSurvey> {
  const { dir } = await managed(ctx, caller, id)
  assertCanTarget(caller, dir, body.regionCode)
  const settings = settingsOf(body, false)
  checkDefinition(body.definition)
  await ctx.db.transaction(async (tx) => {
    const s = await q.survey(tx, id, 'FOR UPDATE')
    if (!s) throw notFound('SURVEY_NOT_FOUND', '问卷不存在')
    await q.bumpVersion(tx, id)
    const responses = await q.responseCount(tx, id)
    if (responses === 0) {
      await q.updateSettings(tx, id, settings)
      await q.replaceDefinition(tx, id, body.definition)
      await audit(tx, caller.userId, 'survey.update', `survey:${id}`, {})
      // a region widened while open: its new residents hear of it too (each resident still once)
      if (s.announcedAt) await announce(tx, dir, { ...s, ...settings })
      return
    }
    const { def } = await q.definition(tx, id)
    if (meaning(def, s) !== meaning(body.definition, settings)) {
      throw conflict('SURVEY_HAS_RESPONSES', `问卷已有 ${responses} 份答卷，题目、选项、条件、统计口径和范围不能再改（只能修改文字错误）`)
    }
    const changes = wordingDiff(def, body.definition)
    if (settings.title !== s.title) changes.unshift({ path: 'title', from: s.title, to: settings.title })
    if (settings.description !== s.description) changes.unshift({ path: 'description', from: s.description, to: settings.description })
    await q.updateSettings(tx, id, settings)
    await q.updateWording(tx, id, body.definition)
    if (changes.length > 0) await audit(tx, caller.userId, 'survey.wording', `survey:${id}`, { changes })
  })
  await surveyChanged(ctx, id)
  return staffView(ctx, dir, id)
}

export async function publishSurvey(ctx: AppContext, caller: Caller, id: number): Promise<StaffSurvey> {
  const { dir } = await managed(ctx, caller, id)
  await ctx.db.transaction(async (tx) => {
    const s = await q.survey(tx, id, 'FOR UPDATE')
    if (s!.status !== 'draft') throw conflict('SURVEY_NOT_DRAFT', '只有草稿可以发布')
    if (new Date(s!.endsAt).getTime() <= Date.now()) throw conflict('INVALID_WINDOW', '结束时间已过，请先修改时间')
    await q.setStatus(tx, id, 'published')
    await audit(tx, caller.userId, 'survey.publish', `survey:${id}`)
    // open now: told in this transaction; opening later: told by surveyOpeningJob once the window starts
    if (new Date(s!.startsAt).getTime() <= Date.now()) {
      await announce(tx, dir, s!)
      await q.markAnnounced(tx, id)
    }
  })
  await surveyChanged(ctx, id)
  return staffView(ctx, dir, id)
}

export async function closeSurvey(ctx: AppContext, caller: Caller, id: number): Promise<StaffSurvey> {
  const { dir } = await managed(ctx, caller, id)
  await ctx.db.transaction(async (tx) => {
    const s = await q.survey(tx, id, 'FOR UPDATE')
    if (s!.status !== 'published') throw conflict('SURVEY_NOT_PUBLISHED', s!.status === 'closed' ? '问卷已结束' : '问卷还没有发布')
    await q.setStatus(tx, id, 'closed')
    await q.deleteDrafts(tx, id)
    await audit(tx, caller.userId, 'survey.close', `survey:${id}`)
  })
  await surveyChanged(ctx, id)
  return staffView(ctx, dir, id)
}

// ------------------------------------------------------------------ answering

/** The questions as a resident sees them: without the markings, which are for counting, not for answering. */
function unmarked(def: SurveyDefinition): SurveyDefinition {
  return {
    sections: def.sections.map((s) => ({
      ...s,
      questions: s.questions.map(({ figure: _f, favourable: _v, ...rest }) => rest),
    })),
  }
}

function isOpen(s: q.SurveyRow, now = Date.now()): boolean {
  return s.status === 'published' && new Date(s.startsAt).getTime() <= now && new Date(s.endsAt).getTime() > now
}

export async function residentSurveys(ctx: AppContext, caller: Caller): Promise<ResidentSurveyList> {
  if (!caller.communityCode) return { items: [] }
  await q.closeEnded(ctx.db)
  const dir = await ctx.regions.get()
  const chain = dir.chain(caller.communityCode).map((r) => r.code)
  const rows = (await q.surveysInRegions(ctx.db, chain, ['published'])).filter((s) => isOpen(s))
  const marks = await q.residentMarks(ctx.db, caller.userId, caller.communityCode, rows.map((r) => r.id))
  return {
    items: rows.map((r) => ({
      ...head(dir, r),
      answered: marks.answered.has(r.id),
      quotaFull: marks.full.has(r.id),
      hasDraft: marks.drafts.has(r.id),
      questionCount: r.questionCount,
    })),
  }
}

async function visible(ctx: AppContext, caller: Caller, id: number): Promise<{ dir: RegionDirectory; s: q.SurveyRow }> {
  await q.closeEnded(ctx.db)
  const dir = await ctx.regions.get()
  const s = await q.survey(ctx.db, id)
  // a draft is nobody's business but its builders'
  if (!s || s.status === 'draft') throw notFound('SURVEY_NOT_FOUND', '问卷不存在')
  if (!mayAnswer(caller, dir, s)) throw forbidden('SURVEY_NOT_FOR_YOU', '该问卷不面向您所在的社区')
  return { dir, s }
}

/** Preview for its builders: the survey exactly as a resident receives it (no markings), drafts included. */
export async function previewSurvey(ctx: AppContext, caller: Caller, id: number): Promise<ResidentSurvey> {
  const { dir, s } = await managed(ctx, caller, id)
  const { def } = await q.definition(ctx.db, id)
  return {
    ...head(dir, s),
    answered: false,
    quotaFull: false,
    hasDraft: false,
    questionCount: def.sections.reduce((n, sec) => n + sec.questions.length, 0),
    definition: unmarked(def),
    resultsAvailable: false,
  }
}

export async function residentSurvey(ctx: AppContext, caller: Caller, id: number): Promise<ResidentSurvey> {
  const { dir, s } = await visible(ctx, caller, id)
  const { def } = await q.definition(ctx.db, id)
  const marks = await q.residentMarks(ctx.db, caller.userId, caller.communityCode, [id])
  return {
    ...head(dir, s),
    answered: marks.answered.has(id),
    quotaFull: marks.full.has(id),
    hasDraft: marks.drafts.has(id),
    questionCount: def.sections.reduce((n, sec) => n + sec.questions.length, 0),
    definition: unmarked(def),
    resultsAvailable: s.status === 'closed' && s.resultsPublic,
  }
}

function assertOpen(s: q.SurveyRow): void {
  const now = Date.now()
  if (s.status === 'closed' || new Date(s.endsAt).getTime() <= now) throw conflict('SURVEY_CLOSED', '问卷已结束')
  if (new Date(s.startsAt).getTime() > now) throw conflict('SURVEY_NOT_STARTED', '问卷还没有开始')
}

export async function saveDraft(ctx: AppContext, caller: Caller, id: number, body: SurveyDraftBody): Promise<SurveyDraft> {
  const { dir, s } = await visible(ctx, caller, id)
  assertOpen(s)
  assertCanAnswer(caller, dir, s)
  const marks = await q.residentMarks(ctx.db, caller.userId, caller.communityCode, [id])
  if (marks.answered.has(id)) throw conflict('SURVEY_ALREADY_ANSWERED', '您已经填写过这份问卷')
  const row = await q.saveDraft(ctx.db, id, caller.userId, body.answers, body.page)
  return { answers: row!.answers as Answers, page: row!.page, savedAt: iso(row!.savedAt) }
}

export async function getDraft(ctx: AppContext, caller: Caller, id: number): Promise<SurveyDraft> {
  await visible(ctx, caller, id)
  const row = await q.draft(ctx.db, id, caller.userId)
  if (!row) throw notFound('SURVEY_DRAFT_NOT_FOUND', '没有保存的答题进度')
  return { answers: row.answers as Answers, page: row.page, savedAt: iso(row.savedAt) }
}

/**
 * WeChat's content check of the texts, before the transaction (no network call while rows are locked). A text it
 * does not pass — or cannot check — is stored and marked held for staff. For an anonymous survey the check is sent
 * without the person's openid: WeChat would otherwise hold the link the survey promises not to keep.
 */
async function heldTexts(ctx: AppContext, caller: Caller, answers: Answers, anonymous: boolean): Promise<Set<string>> {
  const texts = new Set<string>()
  for (const a of Object.values(answers)) for (const t of [a.text, a.other]) if (t?.trim()) texts.add(t.trim())
  return texts.size === 0 ? texts : textsNotPassed(ctx.wechat, [...texts], anonymous ? null : caller.openid)
}

/**
 * One response per resident: the participation row's primary key decides, inside the transaction that stores the
 * response, so concurrent submits store one and the others are told it was answered (or, with the same
 * Idempotency-Key, get the first one's answer again). The answers are checked here against the cached questions;
 * the database then stores them only if the survey is still that version, open, and the quota allows — submissions
 * arriving together in one statement (submission-batch.ts), each with its own outcome, and the counts the results
 * read added in the same transaction. An anonymous response keeps no user and no time but the day; no audit entry is
 * written for it, and the replayable body names no response.
 */
export async function submitResponse(
  ctx: AppContext, caller: Caller, id: number, body: SubmitSurveyBody, key: string | undefined,
): Promise<StoredResponse<SubmitSurveyResult>> {
  const dir = await ctx.regions.get()
  const defs = surveyDefinitions(ctx)
  for (let attempt = 0; ; attempt++) {
    const c = await defs.get(id)
    if (!c || c.s.status === 'draft') throw notFound('SURVEY_NOT_FOUND', '问卷不存在')
    const community = assertCanAnswer(caller, dir, c.s)
    const checked = checkResponse(c.def, body.answers)
    const held = await heldTexts(ctx, caller, body.answers, c.s.anonymous)
    const r = await recordResponse(ctx, {
      surveyId: id,
      version: c.s.version,
      anonymous: c.s.anonymous,
      userId: caller.userId,
      key: key ?? null,
      route: `POST /surveys/${id}/responses`,
      communityCode: community,
      answers: checked.map((a) => ({
        questionId: c.ids.get(a.question.key)!, rowKey: a.rowKey, picked: a.picked, num: a.num, otherText: a.otherText, textValue: a.textValue,
        held: held.has(a.textValue ?? a.otherText ?? ''),
      })),
    })
    switch (r.outcome) {
      case 'recorded':
      case 'replay':
        return { status: 201, body: r.body!, replayed: r.outcome === 'replay' }
      case 'changed':
        // checked against a survey that was edited since: once more against what it is now
        defs.drop(id)
        if (attempt === 0) continue
        throw conflict('SURVEY_CHANGED', '问卷刚刚有改动，请重新提交')
      case 'not_found':
        defs.drop(id)
        throw notFound('SURVEY_NOT_FOUND', '问卷不存在')
      case 'closed':
        throw conflict('SURVEY_CLOSED', '问卷已结束')
      case 'not_started':
        throw conflict('SURVEY_NOT_STARTED', '问卷还没有开始')
      case 'answered':
        throw conflict('SURVEY_ALREADY_ANSWERED', '您已经填写过这份问卷')
      case 'quota_full':
        throw conflict('SURVEY_QUOTA_FULL', `本社区的名额（${c.s.quotaPerCommunity} 份）已满，感谢您的关注`)
      case 'key_reused':
        throw conflict('IDEMPOTENCY_KEY_REUSED', '该 Idempotency-Key 已用于另一个请求')
      case 'in_progress':
        throw conflict('IDEMPOTENCY_IN_PROGRESS', '相同的请求正在处理中，请稍后重试')
    }
  }
}

// ------------------------------------------------------------------ results

const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((n * 1000) / of) / 10)

/**
 * From the counts (survey_counts, and the responses of the last second not counted yet): a few rows per option and
 * community, never the answers, summed once and kept while no response is added (counts-cache.ts).
 */
async function resultsOf(ctx: AppContext, s: q.SurveyRow): Promise<SurveyResults> {
  const { def, ids } = await q.definition(ctx.db, s.id)
  const counts = await surveyCounts(ctx).summary(s.id)
  const at = counts.byValue
  const options = (x: SurveyQuestion, qid: number, rowKey: string, of: number) =>
    valueDomain(x).map((v) => {
      const n = at.get(`${qid}|${rowKey}|${v}`)?.n ?? 0
      return { value: v, label: labelOf(x, v), count: n, percent: pct(n, of) }
    })
  return {
    surveyId: s.id,
    title: s.title,
    status: s.status,
    responses: counts.total,
    questions: def.sections.flatMap((sec) => sec.questions).map((x) => {
      const qid = ids.get(x.key)!
      const t = at.get(`${qid}||`)
      const n = t?.n ?? 0
      return {
        key: x.key,
        title: x.title,
        type: x.type,
        answered: n,
        options: x.type === 'matrix' ? [] : options(x, qid, '', n),
        ...(x.type === 'matrix'
          ? { rows: x.rows!.map((r) => { const rn = at.get(`${qid}|${r.key}|`)?.n ?? 0; return { key: r.key, label: r.label, answered: rn, options: options(x, qid, r.key, rn) } }) }
          : {}),
        ...(x.type === 'scale5' || x.type === 'rating10' ? { mean: n === 0 ? null : Math.round((t!.numSum / n) * 100) / 100 } : {}),
        ...(x.options?.some((o) => o.other) ? { otherTexts: t?.others ?? 0 } : {}),
      }
    }),
  }
}

export async function staffResults(ctx: AppContext, caller: Caller, id: number): Promise<SurveyResults> {
  const { s } = await managed(ctx, caller, id)
  return resultsOf(ctx, s)
}

/** Residents see results once the survey has closed, and only when it publishes them; never the text answers. */
export async function residentResults(ctx: AppContext, caller: Caller, id: number): Promise<SurveyResults> {
  const { s } = await visible(ctx, caller, id)
  if (s.status !== 'closed') throw forbidden('RESULTS_NOT_YET', '问卷结束后才能查看结果')
  if (!s.resultsPublic) throw forbidden('RESULTS_NOT_PUBLIC', '这份问卷的结果不对居民公开')
  return resultsOf(ctx, s)
}

export interface CrossTabQuery {
  question: string
  row?: string
  by: 'community' | 'street' | 'question'
  byQuestion?: string
  byRow?: string
}

function findQuestion(def: SurveyDefinition, key: string | undefined, row: string | undefined, what: string): SurveyQuestion {
  const x = def.sections.flatMap((s) => s.questions).find((y) => y.key === key)
  if (!x) throw badRequest('QUESTION_NOT_FOUND', `${what}：问卷中没有题目 ${key ?? ''}`)
  if (valueDomain(x).length === 0) throw badRequest('QUESTION_NOT_COUNTABLE', `${what}：文字题不能交叉分析`)
  if (x.type === 'matrix' ? !x.rows!.some((r) => r.key === row) : row !== undefined) {
    throw badRequest('QUESTION_ROW_INVALID', `${what}：矩阵题须指明存在的行，其它题不能指明行`)
  }
  return x
}

export interface Group { key: string; label: string; n: number; counts: number[] }

/**
 * Small-cell suppression: a cell or a group of fewer than MIN_CELL respondents shows "<5" and no figures; and where a
 * single hidden cell in a group (or a single hidden group in a column) could be worked out from the totals staff see,
 * the next-smallest one is hidden too, until no row or column has exactly one hidden cell.
 */
export function suppress(groups: Group[]): { hiddenGroup: boolean[]; hidden: boolean[][] } {
  const hiddenGroup = groups.map((g) => g.n < MIN_CELL)
  const hidden = groups.map((g, i) => g.counts.map((c) => hiddenGroup[i] || c < MIN_CELL))
  const cols = groups[0]?.counts.length ?? 0
  const hideSmallest = (cands: Array<[number, number, number]>) => {
    const open = cands.filter(([gi, ci]) => !hidden[gi][ci]).sort((a, b) => a[2] - b[2])
    if (open.length > 0) hidden[open[0][0]][open[0][1]] = true
    return open.length > 0
  }
  for (let changed = true; changed;) {
    changed = false
    // a group's size is hidden with all its cells; one hidden size among the groups is found from the total
    if (hiddenGroup.filter(Boolean).length === 1 && groups.length > 1) {
      const open = groups.map((g, i) => [i, g.n] as const).filter(([i]) => !hiddenGroup[i]).sort((a, b) => a[1] - b[1])
      const gi = open[0][0]
      hiddenGroup[gi] = true
      hidden[gi] = hidden[gi].map(() => true)
      changed = true
    }
    groups.forEach((g, gi) => {
      if (hiddenGroup[gi]) return
      if (hidden[gi].filter(Boolean).length === 1 && hideSmallest(g.counts.map((c, ci) => [gi, ci, c]))) changed = true
    })
    for (let ci = 0; ci < cols; ci++) {
      if (groups.filter((_, gi) => hidden[gi][ci]).length === 1 && groups.length > 1
        && hideSmallest(groups.map((g, gi) => [gi, ci, g.counts[ci]]))) changed = true
    }
  }
  return { hiddenGroup, hidden }
}

export async function crossTab(ctx: AppContext, caller: Caller, id: number, query: CrossTabQuery): Promise<CrossTab> {
  const { dir, s } = await managed(ctx, caller, id)
  const { def, ids } = await q.definition(ctx.db, s.id)
  const target = findQuestion(def, query.question, query.row, '分析的题目')
  let by: { questionId: number; rowKey: string } | null = null
  let byQ: SurveyQuestion | null = null
  if (query.by === 'question') {
    byQ = findQuestion(def, query.byQuestion, query.byRow, '分组依据')
    if (byQ.key === target.key && (query.byRow ?? '') === (query.row ?? '')) throw badRequest('CROSSTAB_SAME_QUESTION', '分组依据不能是分析的题目本身')
    by = { questionId: ids.get(byQ.key)!, rowKey: query.byRow ?? '' }
  } else if (query.byQuestion !== undefined || query.byRow !== undefined) {
    throw badRequest('CROSSTAB_BY_INVALID', '按社区或街道分组时不用指定分组题目')
  }
  const qid = ids.get(target.key)!
  const rowKey = query.row ?? ''
  // value '' is a group's respondents, the others its answers (counts kept as answers arrive: queries.ts)
  let rows: Array<{ grp: string | null; value: string; n: number }>
  if (by) {
    const pair = { questionId: qid, rowKey, byQuestionId: by.questionId, byRowKey: by.rowKey }
    let found = await surveyCounts(ctx).pair(s.id, pair)
    if (!found) {
      await ctx.db.transaction((tx) => q.trackPair(tx, s.id, pair))
      found = (await surveyCounts(ctx).pair(s.id, pair))!
    }
    rows = found.rows
  } else {
    rows = (await surveyCounts(ctx).summary(s.id)).byCommunity.get(`${qid}|${rowKey}`) ?? []
  }
  const sizes = rows.filter((r) => r.value === '')
  const counts = rows.filter((r) => r.value !== '')
  const domain = valueDomain(target)
  // group keys: communities, their streets, or the other question's values (in the order of its options)
  const streets = new Map<string, string>()
  const groupOf = (grp: string | null): string => {
    if (query.by !== 'street' || !grp) return grp ?? ''
    let street = streets.get(grp)
    if (street === undefined) {
      street = dir.chain(grp).find((r) => r.level === 'street')?.code ?? ''
      streets.set(grp, street)
    }
    return street
  }
  const labelOfGroup = (k: string) => (byQ ? labelOf(byQ, k) : k === '' ? '未选择社区' : dir.get(k)?.name ?? k)
  const keys = byQ ? valueDomain(byQ) : [...new Set(sizes.map((r) => groupOf(r.grp)))].sort()
  const groups: Group[] = keys.map((k) => ({
    key: k,
    label: labelOfGroup(k),
    n: sizes.filter((r) => groupOf(r.grp) === k).reduce((a, r) => a + r.n, 0),
    counts: domain.map((v) => counts.filter((r) => groupOf(r.grp) === k && r.value === v).reduce((a, r) => a + r.n, 0)),
  }))
  const { hiddenGroup, hidden } = suppress(groups)
  return {
    question: target.key,
    row: query.row ?? null,
    by: query.by === 'question' ? `question:${byQ!.key}${query.byRow ? `.${query.byRow}` : ''}` : query.by,
    columns: domain.map((v) => ({ value: v, label: labelOf(target, v) })),
    groups: groups.map((g, gi) => ({
      key: g.key,
      label: g.label,
      respondents: hiddenGroup[gi] ? null : g.n,
      display: hiddenGroup[gi] ? `<${MIN_CELL}` : String(g.n),
      cells: g.counts.map((c, ci) => hidden[gi][ci]
        ? { value: domain[ci], count: null, percent: null, display: `<${MIN_CELL}`, suppressed: true }
        : { value: domain[ci], count: c, percent: pct(c, g.n), display: `${c}（${pct(c, g.n)}%）`, suppressed: false }),
    })),
  }
}

// text answers page by offset (their order is by submission day, which does not identify anyone); a later page has offset ≥ 1
const textCursor = cursorCodec('id')

export async function textAnswers(ctx: AppContext, caller: Caller, id: number, query: { question: string; q?: string; cursor?: string; limit?: number }): Promise<TextAnswerPage> {
  const { dir, s } = await managed(ctx, caller, id)
  const { def, ids } = await q.definition(ctx.db, s.id)
  const x = def.sections.flatMap((sec) => sec.questions).find((y) => y.key === query.question)
  if (!x) throw badRequest('QUESTION_NOT_FOUND', `问卷中没有题目 ${query.question}`)
  if (x.type !== 'short_text' && x.type !== 'long_text' && !x.options?.some((o) => o.other)) throw badRequest('QUESTION_HAS_NO_TEXT', '这道题没有文字回答')
  const offset = textCursor.decode(query.cursor)?.[0] ?? 0
  if (!Number.isInteger(offset) || offset < 0) throw badRequest('INVALID_CURSOR', '分页参数不正确')
  const search = query.q?.trim() ? query.q.trim() : null
  const { items, total } = await q.texts(ctx.db, s.id, ids.get(x.key)!, search, offset, query.limit ?? TEXT_PAGE)
  return {
    // an anonymous survey's texts do not say where they came from: a day and a small community could point to a person
    items: items.map((i) => ({ text: i.text, day: i.day, communityName: !s.anonymous && i.communityCode ? dir.get(i.communityCode)?.name ?? i.communityCode : null, held: i.held })),
    total,
    nextCursor: offset + items.length < total ? textCursor.encode([offset + items.length]) : null,
  }
}

const EXPORT_BATCH = 1000
const NO_ID = '00000000-0000-0000-0000-000000000000'

/**
 * Responses (a row each) or the summary (a row per question and option), as .xlsx or .csv, streamed. Everything that
 * can refuse — the role, the area, the survey — and the first batch are done before the stream is handed back, so a
 * refusal is an error response and not a 200 that breaks off.
 */
export async function exportSurvey(
  ctx: AppContext, caller: Caller, id: number, what: ExportWhat, format: ExportFormat,
): Promise<{ stream: PassThrough; filename: string }> {
  const { dir, s } = await managed(ctx, caller, id)
  const out = new PassThrough()
  const filename = `问卷${id}-${what === 'responses' ? '答卷' : '汇总'}.${format}`
  await audit(ctx.db, caller.userId, 'survey.export', `survey:${id}`, { what, format })
  if (what === 'summary') {
    const { headers, rows } = summaryRows(await resultsOf(ctx, s))
    const sheet = sheetWriter(out, format, '汇总', headers)
    void (async () => {
      for (const r of rows) await sheet.row(r)
      await sheet.end()
    })().catch((err) => out.destroy(err))
    return { stream: out, filename }
  }
  const { def, ids } = await q.definition(ctx.db, id)
  const { headers, cols } = responseColumns(def, s.anonymous)
  const first = await q.exportBatch(ctx.db, id, s.anonymous, NO_ID, EXPORT_BATCH, ids)
  const sheet = sheetWriter(out, format, '答卷', headers)
  void (async () => {
    let n = 0
    for (let rows = first; ;) {
      for (const r of rows) await sheet.row(responseRow(dir, s.anonymous, cols, ++n, r))
      if (rows.length < EXPORT_BATCH) break
      rows = await q.exportBatch(ctx.db, id, s.anonymous, rows[rows.length - 1].id, EXPORT_BATCH, ids)
    }
    await sheet.end()
  })().catch((err) => out.destroy(err))
  return { stream: out, filename }
}

export const surveyHomeSection: HomeSectionSource = async (ctx, _communityCode, caller) => {
  const list = await residentSurveys(ctx, caller)
  return {
    key: 'surveys',
    title: '待填写的问卷',
    items: list.items.filter((s) => !s.answered && !s.quotaFull).slice(0, 5).map((s) => ({
      id: String(s.id),
      title: s.title,
      subtitle: `截止 ${new Date(s.endsAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}`,
    })),
  }
}

// ------------------------------------------------------------------ opening notices (subscribe messages)

const NOTICE_TEMPLATE_ID = process.env.SURVEYS_SUBSCRIBE_TEMPLATE_ID || 'demo-survey-open'
export const ANSWER_PAGE = 'packages/surveys/pages/answer/index?id='

const shanghaiMinute = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')

/** The subscribe message of a survey that opens (WeChat's field limits applied). */
export function openingMessagePayload(s: { id: number; title: string; endsAt: Date | string }, regionName: string) {
  return {
    templateId: NOTICE_TEMPLATE_ID,
    page: `${ANSWER_PAGE}${s.id}`,
    data: {
      thing1: { value: s.title.slice(0, 20) },
      thing2: { value: regionName.slice(0, 20) },
      time3: { value: shanghaiMinute(new Date(s.endsAt)) },
      thing4: { value: '新问卷已开始，点击参与' },
    },
  }
}

/** The communities a survey is for: its region's, or the region itself when it is one. */
function communitiesOf(dir: RegionDirectory, regionCode: string): string[] {
  const r = dir.get(regionCode)
  if (!r) return []
  return r.level === 'community' ? [r.code] : dir.descendants(regionCode).filter((x) => x.level === 'community').map((x) => x.code)
}

/**
 * Enqueues the opening notice to the residents who agreed and live in the survey's region (for a 'signed_in' survey
 * too: a notice goes to the people the survey is about, not to every account). Once per survey and resident, by the
 * notice table's primary key, however often this runs.
 */
async function announce(tx: Queryable, dir: RegionDirectory, s: { id: number; title: string; endsAt: Date | string; regionCode: string }): Promise<number> {
  return q.enqueueOpeningNotices(tx, s.id, communitiesOf(dir, s.regionCode), openingMessagePayload(s, dir.get(s.regionCode)?.name ?? ''))
}

const ANNOUNCE_BATCH = 20

/**
 * One run of the background job (server/jobs.ts): the published surveys whose window has started since they were
 * published get their opening notices. Each survey is taken with FOR UPDATE SKIP LOCKED and marked announced in the
 * same transaction, so two processes never take one survey; the notice rows' primary key holds even if they did.
 */
export async function surveyOpeningJob(ctx: AppContext): Promise<{ surveys: number; notices: number }> {
  const dir = await ctx.regions.get()
  const total = { surveys: 0, notices: 0 }
  for (;;) {
    const run = await ctx.db.transaction(async (tx) => {
      const due = await q.surveysToAnnounce(tx, ANNOUNCE_BATCH)
      let notices = 0
      for (const s of due) {
        notices += await announce(tx, dir, s)
        await q.markAnnounced(tx, s.id)
      }
      return { surveys: due.length, notices }
    })
    total.surveys += run.surveys
    total.notices += run.notices
    if (run.surveys < ANNOUNCE_BATCH) return total
  }
}

export async function noticeConsent(ctx: AppContext, caller: Caller): Promise<SurveyNoticeConsent> {
  return { agreed: (await q.noticeConsent(ctx.db, caller.userId)) !== undefined }
}

/** Opt in or out of opening notices; on weapp the page asks WeChat's subscribe prompt before opting in. */
export async function setNoticeConsent(ctx: AppContext, caller: Caller, body: SurveyNoticeBody): Promise<SurveyNoticeConsent> {
  if (!body.agreed) {
    await q.dropNoticeConsent(ctx.db, caller.userId)
    return { agreed: false }
  }
  await q.setNoticeConsent(ctx.db, caller.userId, body.channel)
  return { agreed: true }
}

/** Closed surveys of my community (and the regions above it) whose results are published to residents. */
export async function closedSurveys(ctx: AppContext, caller: Caller): Promise<ResidentSurveyList> {
  if (!caller.communityCode) return { items: [] }
  await q.closeEnded(ctx.db)
  const dir = await ctx.regions.get()
  const rows = await q.closedPublicSurveys(ctx.db, dir.chain(caller.communityCode).map((r) => r.code))
  const marks = await q.residentMarks(ctx.db, caller.userId, caller.communityCode, rows.map((r) => r.id))
  return {
    items: rows.map((r) => ({ ...head(dir, r), answered: marks.answered.has(r.id), quotaFull: false, hasDraft: false, questionCount: r.questionCount })),
  }
}

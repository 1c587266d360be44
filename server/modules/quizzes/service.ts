import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { pgCode, UNIQUE_VIOLATION } from '../../db/types'
import { badRequest, conflict, notFound } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import { cursorCodec } from '../../lib/cursor'
import type { RegionDirectory } from '../regions/directory'
import type { HomeSectionSource } from '../home/service'
import type {
  AttemptList, AttemptResult, AttemptStarted, CampaignShortage, CampaignView, ChangedQuestion, CreateCampaignBody, ImportResult, PointsBoard, PointsSummary, QuestionForAnswering,
  QuestionBankItem, QuestionList, QuestionWithAnswer, RegionBoard, SubmitBody, TagList, UpdateQuestionBody, WrongAnswerList,
} from '../../../types/quizzes'
import { assertCanChangeQuestion, assertCanManageCampaign, assertCanRunCampaignIn, assertCanTakeCampaign, assertQuizStaff, canChangeQuestion, covers } from './policy'
import { optionKey, optionOrder, orderScope, shownQuestion, toBank, toShown } from './option-order'
import { questionPool } from './draw-pool'
import { POINTS, POINTS_RULES } from './grading'
import { questionCache, questionsChanged } from './question-cache'
import { sameQuestionKey, tidyQuestion } from './question-rules'
import * as q from './queries'
import { startBatcher } from './start-batch'
import { submissionBatcher } from './submission-batch'

export const PRACTICE = { questions: 5, seconds: 600 }

const iso = (d: Date | string) => new Date(d).toISOString()
const idCursor = cursorCodec('id')
const wrongCursor = cursorCodec('instant', 'id')

export function forAnswering(r: q.QuestionRow): QuestionForAnswering {
  // built field by field: nothing else of the row (answer, explanation) can slip through
  return { id: r.id, kind: r.kind, stem: r.stem, options: r.options, tags: r.tags, difficulty: r.difficulty }
}

export function withAnswer(r: q.QuestionRow): QuestionWithAnswer {
  return { ...forAnswering(r), answer: r.answer, explanation: r.explanation }
}

/**
 * A question after the fact (result page, 错题本): its answer and explanation only if the person answered it.
 * Otherwise an empty submission would hand out the key of every question drawn.
 */
export function reviewed(r: q.QuestionRow, answered: boolean): QuestionWithAnswer & { revealed: boolean } {
  return answered ? { ...withAnswer(r), revealed: true } : { ...forAnswering(r), answer: [], explanation: '', revealed: false }
}

export function sameChoice(answer: number[], given: number[]): boolean {
  if (answer.length !== given.length) return false
  const a = [...answer].sort()
  const g = [...given].sort()
  return a.every((v, i) => v === g[i])
}

/** A choice must name existing options; single choice and true/false take exactly one. Empty means unanswered. */
export function checkChoice(question: { kind: string; options: string[] }, choice: number[], label: string): void {
  if (new Set(choice).size !== choice.length) throw badRequest('INVALID_CHOICE', `${label}的选项重复`)
  if (choice.some((c) => c < 0 || c >= question.options.length)) throw badRequest('INVALID_CHOICE', `${label}的选项不存在`)
  if (question.kind !== 'multiple' && choice.length > 1) throw badRequest('INVALID_CHOICE', `${label}只能选一个选项`)
}

function orderBy<T extends { id: number }>(rows: T[], ids: number[]): T[] {
  const by = new Map(rows.map((r) => [r.id, r]))
  return ids.map((id) => by.get(id)).filter((r): r is T => r !== undefined)
}

// ---------------------------------------------------------------- bank

function regionChainOf(dir: RegionDirectory, code: string | null | undefined): string[] {
  return code ? dir.chain(code).map((r) => r.code) : []
}

/** What a staff member sees of the bank: the office everything, a worker the city-wide bank and their regions' imports. */
async function staffChain(ctx: AppContext, caller: Caller): Promise<string[] | null> {
  if (caller.office) return null
  const dir = await ctx.regions.get()
  return [...new Set(caller.workerRegions.flatMap((w) => [...regionChainOf(dir, w), ...dir.descendants(w).map((r) => r.code)]))]
}

function bankItem(dir: RegionDirectory, caller: Caller, r: q.BankQuestionRow): QuestionBankItem {
  return { ...withAnswer(r), regionCode: r.regionCode, bankKey: r.bankKey, active: r.active, editable: canChangeQuestion(caller, dir, r.regionCode) }
}

export async function listQuestions(
  ctx: AppContext, caller: Caller, tag: string | undefined, status: 'active' | 'retired' = 'active', cursor: string | undefined = undefined,
): Promise<QuestionList> {
  assertQuizStaff(caller)
  const after = idCursor.decode(cursor)?.[0] ?? 0
  const dir = await ctx.regions.get()
  const rows = await q.bankQuestions(ctx.db, await staffChain(ctx, caller), tag ?? null, status === 'active', after, 51)
  const page = rows.slice(0, 50)
  return { items: page.map((r) => bankItem(dir, caller, r)), nextCursor: rows.length > 50 ? idCursor.encode([page[page.length - 1].id]) : null }
}

export async function allQuestionsFor(ctx: AppContext, caller: Caller): Promise<q.QuestionRow[]> {
  assertQuizStaff(caller)
  return q.listQuestions(ctx.db, await staffChain(ctx, caller), null, 0, 100_000)
}

export async function listTags(ctx: AppContext, caller: Caller): Promise<TagList> {
  assertQuizStaff(caller)
  const rows = await q.tagCounts(ctx.db, await staffChain(ctx, caller))
  const by = new Map<string, TagList['items'][number]>()
  for (const r of rows) {
    const t = by.get(r.tag) ?? { tag: r.tag, total: 0, byDifficulty: {} }
    t.total += r.n
    t.byDifficulty[String(r.difficulty)] = r.n
    by.set(r.tag, t)
  }
  return { items: [...by.values()] }
}

/**
 * Adds the questions of a sheet, except those already in the bank residents of the target region draw from (the
 * city-wide bank, the region, those above and below it; retired ones too) and repeats within the sheet: those are
 * skipped and reported with their rows, so that importing a file again adds nothing.
 */
export async function importQuestions(
  ctx: AppContext, caller: Caller, items: Array<{ row: number; question: q.NewQuestion }>, regionCode: string | undefined,
): Promise<ImportResult> {
  assertQuizStaff(caller)
  const dir = await ctx.regions.get()
  let target: string | null
  if (regionCode) {
    assertCanManageCampaign(caller, dir, regionCode)
    if (!dir.get(regionCode)) throw notFound('REGION_NOT_FOUND', `区域 ${regionCode} 不存在`)
    target = regionCode
  } else {
    target = caller.office ? null : caller.workerRegions[0]
  }
  const related = target ? [...new Set([...regionChainOf(dir, target), ...dir.descendants(target).map((r) => r.code)])] : null
  const result = await ctx.db.transaction(async (tx) => {
    // one import at a time: two uploads of the same file cannot both find the bank without it
    await q.lockQuestionImport(tx)
    const inBank = new Map((await q.questionTexts(tx, related)).map((r) => [sameQuestionKey(r), r]))
    const inFile = new Map<string, number>()
    const fresh: q.NewQuestion[] = []
    const skipped: ImportResult['skipped'] = []
    for (const { row, question } of items) {
      const key = sameQuestionKey(question)
      const had = inBank.get(key)
      const first = inFile.get(key)
      if (had) {
        skipped.push({
          row, questionId: had.id, sameAsRow: null,
          message: had.active
            ? `第 ${row} 行：题库中已有这道题（编号 ${had.id}），未重复导入`
            : `第 ${row} 行：与已停用的题（编号 ${had.id}）相同，未重复导入；需要时请在题库中恢复它`,
        })
      } else if (first !== undefined) {
        skipped.push({ row, questionId: null, sameAsRow: first, message: `第 ${row} 行：与第 ${first} 行是同一道题，未重复导入` })
      } else {
        inFile.set(key, row)
        fresh.push(question)
      }
    }
    const imported = fresh.length ? await q.insertQuestions(tx, fresh, target, caller.userId) : 0
    await audit(tx, caller.userId, 'quiz.questions.import', `region:${target ?? 'city'}`, { imported, skipped: skipped.length })
    return { imported, regionCode: target, skipped }
  })
  // new questions are drawn at once, here and in the other API processes
  if (result.imported) await questionsChanged(ctx, [])
  return result
}

/** The question as the caller may change it: it exists, and their region owns it (the office: any). */
async function questionToChange(tx: Queryable, dir: RegionDirectory, caller: Caller, id: number): Promise<q.BankQuestionRow> {
  assertQuizStaff(caller)
  const row = await q.bankQuestionById(tx, id, true)
  if (!row) throw notFound('QUESTION_NOT_FOUND', '题目不存在')
  assertCanChangeQuestion(caller, dir, row.regionCode)
  return row
}

/**
 * Edits a question in place: past results and the 错题本 show it as it reads now (the fix is what a resident
 * should learn from). Its options stay as they are while someone is answering it — their choice is an option
 * number, and grading reads the question as it is at submission.
 */
export async function updateQuestion(ctx: AppContext, caller: Caller, id: number, body: UpdateQuestionBody): Promise<ChangedQuestion> {
  const dir = await ctx.regions.get()
  const { row: saved, shortages } = await ctx.db.transaction(async (tx) => {
    const cur = await questionToChange(tx, dir, caller, id)
    const checked = tidyQuestion({
      kind: cur.kind,
      stem: body.stem ?? cur.stem,
      options: body.options ?? cur.options,
      answer: body.answer ?? cur.answer,
      explanation: body.explanation ?? cur.explanation,
      tags: body.tags ?? cur.tags,
      difficulty: body.difficulty ?? cur.difficulty,
    })
    if ('problem' in checked) throw badRequest('QUESTION_INVALID', checked.problem)
    const next = checked.question
    const optionsChanged = JSON.stringify(next.options) !== JSON.stringify(cur.options)
    if (optionsChanged && (await q.questionInUse(tx, id))) {
      throw conflict('QUESTION_IN_USE', '有居民正在作答这道题，现在不能修改选项；题干、答案、解析等可以修改，选项请稍后再改')
    }
    const row = (await q.updateQuestion(tx, id, next))!
    const before = { stem: cur.stem, options: cur.options, answer: cur.answer, explanation: cur.explanation, tags: cur.tags, difficulty: cur.difficulty }
    await audit(tx, caller.userId, 'quiz.question.update', `quiz_question:${id}`, { before, after: next })
    const drawnElsewhere = next.difficulty !== cur.difficulty || cur.tags.some((t) => !next.tags.includes(t))
    return { row, shortages: drawnElsewhere ? await shortagesAfterChange(tx, dir, cur) : [] }
  })
  await questionsChanged(ctx, [id])
  return { ...bankItem(dir, caller, saved), shortages }
}

/** 停用 / 恢复. A retired question is never drawn again; attempts that drew it keep it. Repeating either is harmless. */
export async function setQuestionActive(ctx: AppContext, caller: Caller, id: number, active: boolean): Promise<ChangedQuestion> {
  const dir = await ctx.regions.get()
  return ctx.db.transaction(async (tx) => {
    const cur = await questionToChange(tx, dir, caller, id)
    if (cur.active === active) return { ...bankItem(dir, caller, cur), shortages: [] }
    const row = (await q.setQuestionActive(tx, id, active))!
    await audit(tx, caller.userId, active ? 'quiz.question.restore' : 'quiz.question.retire', `quiz_question:${id}`)
    return { ...bankItem(dir, caller, row), shortages: active ? [] : await shortagesAfterChange(tx, dir, cur) }
  }).then(async (changed) => {
    await questionsChanged(ctx, [id])
    return changed
  })
}

/**
 * Campaigns not yet ended that question `before` could be drawn for and whose bank falls short now that it was
 * retired (or given other tags or difficulty) — in this transaction, after the change. Told, not refused: a wrong
 * question must be retirable at once; the worker then adds questions or restores it.
 */
async function shortagesAfterChange(tx: Queryable, dir: RegionDirectory, before: q.BankQuestionRow): Promise<CampaignShortage[]> {
  const out: CampaignShortage[] = []
  for (const c of await q.campaignsDrawing(tx, before.difficulty)) {
    const chain = regionChainOf(dir, c.regionCode)
    if (before.regionCode && !chain.includes(before.regionCode)) continue
    for (const short of await supplyShortfalls(tx, chain, c, before.tags)) out.push({ campaignId: c.id, campaignTitle: c.title, ...short })
  }
  return out
}

// ---------------------------------------------------------------- campaigns

function campaignView(dir: RegionDirectory, c: q.CampaignRow, mine?: q.MyCampaignStats | null): CampaignView {
  const view: CampaignView = {
    id: c.id,
    title: c.title,
    description: c.description,
    regionCode: c.regionCode,
    regionName: dir.get(c.regionCode)?.name ?? c.regionCode,
    startsAt: iso(c.startsAt),
    endsAt: iso(c.endsAt),
    status: c.status,
    questionCount: c.questionCount,
    tagMix: c.tagMix,
    difficulties: c.difficulties,
    timeLimitSeconds: c.timeLimitSeconds,
    passScore: c.passScore,
    maxAttempts: c.maxAttempts,
    countsForAwareness: c.countsForAwareness,
  }
  if (mine !== undefined) {
    const used = mine?.attemptsUsed ?? 0
    view.mine = {
      attemptsUsed: used,
      attemptsLeft: Math.max(0, c.maxAttempts - used),
      bestScore: mine?.bestScore ?? null,
      passed: mine?.passed ?? false,
      openAttemptId: mine?.openAttemptId ?? null,
    }
  }
  return view
}

interface DrawSpec { questionCount: number; tagMix: Array<{ tag: string; count: number }>; difficulties: number[] }

/** Where the bank of `chain` holds fewer questions than a draw needs: per tag of the mix (only `tags`, if given), then in all. */
async function supplyShortfalls(db: Queryable, chain: string[], spec: DrawSpec, tags?: string[]) {
  const out: Array<{ tag: string | null; available: number; needed: number }> = []
  for (const m of spec.tagMix) {
    if (tags && !tags.includes(m.tag)) continue
    const n = (await q.countAvailable(db, chain, spec.difficulties, m.tag))?.n ?? 0
    if (n < m.count) out.push({ tag: m.tag, available: n, needed: m.count })
  }
  const total = (await q.countAvailable(db, chain, spec.difficulties, null))?.n ?? 0
  if (total < spec.questionCount) out.push({ tag: null, available: total, needed: spec.questionCount })
  return out
}

/** The bank must hold enough questions for every draw, per tag and in all. */
async function checkSupply(db: Queryable, chain: string[], spec: DrawSpec) {
  const [short] = await supplyShortfalls(db, chain, spec)
  if (!short) return
  const what = short.tag === null ? '' : `“${short.tag}”`
  throw badRequest('NOT_ENOUGH_QUESTIONS', `题库中${what}符合难度要求的题目只有 ${short.available} 道，不足 ${short.needed} 道`)
}

export async function createCampaign(ctx: AppContext, caller: Caller, body: CreateCampaignBody): Promise<CampaignView> {
  const dir = await ctx.regions.get()
  assertCanRunCampaignIn(caller, dir, body.regionCode)
  const starts = new Date(body.startsAt)
  const ends = new Date(body.endsAt)
  if (!(ends > starts)) throw badRequest('INVALID_WINDOW', '结束时间必须晚于开始时间')
  if (ends.getTime() <= Date.now()) throw badRequest('INVALID_WINDOW', '结束时间必须晚于现在')
  const tagMix = body.tagMix ?? []
  if (new Set(tagMix.map((m) => m.tag)).size !== tagMix.length) throw badRequest('TAG_MIX_DUPLICATE', '题目构成中的标签重复')
  if (tagMix.reduce((s, m) => s + m.count, 0) > body.questionCount) throw badRequest('TAG_MIX_TOO_LARGE', '各标签的题数之和超过了每次答题的题数')
  const difficulties = [...(body.difficulties ?? [1, 2, 3])].sort()
  const chain = regionChainOf(dir, body.regionCode)
  await checkSupply(ctx.db, chain, { questionCount: body.questionCount, tagMix, difficulties })
  return ctx.db.transaction(async (tx) => {
    const row = await q.insertCampaign(tx, {
      regionCode: body.regionCode,
      title: body.title.trim(),
      description: body.description?.trim() ?? '',
      startsAt: starts.toISOString(),
      endsAt: ends.toISOString(),
      questionCount: body.questionCount,
      tagMix,
      difficulties,
      timeLimitSeconds: body.timeLimitSeconds,
      passScore: body.passScore,
      maxAttempts: body.maxAttempts,
      countsForAwareness: body.countsForAwareness ?? false,
    }, caller.userId)
    await audit(tx, caller.userId, 'quiz.campaign.create', `quiz_campaign:${row!.id}`, { regionCode: body.regionCode })
    return campaignView(dir, row!)
  })
}

export async function residentCampaigns(ctx: AppContext, caller: Caller): Promise<CampaignView[]> {
  if (!caller.communityCode) return []
  const dir = await ctx.regions.get()
  const rows = await q.campaignsInRegions(ctx.db, regionChainOf(dir, caller.communityCode), false)
  const mine = new Map((await q.myCampaignStats(ctx.db, caller.userId, rows.map((r) => r.id))).map((m) => [m.campaignId, m]))
  return rows.map((r) => campaignView(dir, r, mine.get(r.id) ?? null))
}

export async function residentCampaign(ctx: AppContext, caller: Caller, id: number): Promise<CampaignView> {
  const dir = await ctx.regions.get()
  const c = await q.campaignById(ctx.db, id)
  if (!c) throw notFound('CAMPAIGN_NOT_FOUND', '答题活动不存在')
  if (covers(caller, dir, c.regionCode)) {
    // staff of the region see it as it is; they may also be residents of it
    if (!caller.communityCode || !dir.covers(c.regionCode, caller.communityCode)) return campaignView(dir, c)
  } else {
    assertCanTakeCampaign(caller, dir, c.regionCode)
  }
  const [mine] = await q.myCampaignStats(ctx.db, caller.userId, [id])
  return campaignView(dir, c, mine ?? null)
}

export async function managedCampaigns(ctx: AppContext, caller: Caller): Promise<CampaignView[]> {
  assertQuizStaff(caller)
  const dir = await ctx.regions.get()
  const codes = caller.office ? null : [...new Set(caller.workerRegions.flatMap((w) => dir.descendants(w).map((r) => r.code)))]
  return (await q.campaignsInRegions(ctx.db, codes, true)).map((r) => campaignView(dir, r))
}

export async function cancelCampaign(ctx: AppContext, caller: Caller, id: number): Promise<CampaignView> {
  const dir = await ctx.regions.get()
  return ctx.db.transaction(async (tx) => {
    const c = await q.campaignById(tx, id, true)
    if (!c) throw notFound('CAMPAIGN_NOT_FOUND', '答题活动不存在')
    assertCanManageCampaign(caller, dir, c.regionCode)
    await q.cancelCampaign(tx, id)
    await audit(tx, caller.userId, 'quiz.campaign.cancel', `quiz_campaign:${id}`)
    return campaignView(dir, (await q.campaignById(tx, id))!)
  })
}

export async function campaignStats(ctx: AppContext, caller: Caller, id: number): Promise<RegionBoard> {
  const dir = await ctx.regions.get()
  const c = await q.campaignById(ctx.db, id)
  if (!c) throw notFound('CAMPAIGN_NOT_FOUND', '答题活动不存在')
  assertCanManageCampaign(caller, dir, c.regionCode)
  const region = dir.get(c.regionCode)!
  return board(ctx, 'community', id, region.level === 'community' ? region.code : c.regionCode)
}

// ---------------------------------------------------------------- attempts

/** `key`: the options' order key (option-order.ts), read before any transaction. */
async function startedView(db: Queryable, a: q.AttemptRow, key: string): Promise<AttemptStarted> {
  const scope = orderScope(a)
  const rows = orderBy(await q.questionsByIds(db, a.questionIds), a.questionIds).map((r) => shownQuestion(r, optionOrder(key, scope, r)))
  return {
    id: a.id,
    kind: a.kind,
    campaignId: a.campaignId,
    attemptNo: a.attemptNo,
    status: 'in_progress',
    startedAt: iso(a.startedAt),
    expiresAt: iso(a.expiresAt),
    serverNow: iso(a.serverNow),
    questions: rows.map(forAnswering),
  }
}

async function resultView(db: Queryable, a: q.AttemptRow, key: string): Promise<AttemptResult> {
  const rows = orderBy(await q.questionsByIds(db, a.questionIds), a.questionIds)
  return resultFrom(a, rows, await q.answersOf(db, a.id), key)
}

/** The result as the person saw the attempt: options in its order, the answer and their choice in those positions. */
/** What a result shows of an attempt: a row read back, or what the submission just recorded. */
type ResultFacts = Pick<q.AttemptRow, 'id' | 'kind' | 'campaignId' | 'liveSessionId' | 'attemptNo' | 'startedAt' | 'submittedAt' | 'correctCount' | 'total' | 'score' | 'passed' | 'passScore' | 'points'>

function resultFrom(a: ResultFacts, rows: q.QuestionRow[], answers: Array<{ questionId: number; given: number[]; correct: boolean }>, key: string): AttemptResult {
  const given = new Map(answers.map((x) => [x.questionId, x]))
  const scope = orderScope(a)
  return {
    id: a.id,
    kind: a.kind,
    campaignId: a.campaignId,
    attemptNo: a.attemptNo,
    status: a.submittedAt ? 'submitted' : 'expired',
    startedAt: iso(a.startedAt),
    submittedAt: a.submittedAt ? iso(a.submittedAt) : null,
    correctCount: a.correctCount ?? 0,
    total: a.total,
    score: a.score ?? 0,
    passed: a.passed,
    passScore: a.passScore,
    points: a.points,
    questions: rows.map((r) => {
      const order = optionOrder(key, scope, r)
      const mine = toShown(order, given.get(r.id)?.given ?? [])
      return { ...reviewed(shownQuestion(r, order), mine.length > 0), given: mine, correct: given.get(r.id)?.correct ?? false }
    }),
  }
}

/**
 * What starting an attempt needs of a campaign that cannot change once it is created (its region and what it
 * draws), kept per API process. Its window and cancellation can change, or come: the start statement reads those.
 */
const campaignSpecs = new Map<number, { row: q.CampaignRow; until: number }>()

async function campaignSpec(db: Queryable, id: number): Promise<q.CampaignRow | undefined> {
  const now = Date.now()
  const hit = campaignSpecs.get(id)
  if (hit && hit.until > now) return hit.row
  const row = await q.campaignById(db, id)
  if (row) {
    if (campaignSpecs.size >= 1000) campaignSpecs.delete(campaignSpecs.keys().next().value as number)
    campaignSpecs.set(id, { row, until: now + 60_000 })
  }
  return row
}

/** The view of a newly inserted attempt, from the start statement: nothing more to read but the questions (cached). */
async function newAttemptView(ctx: AppContext, kind: 'campaign' | 'practice', campaignId: number | null, ids: number[], r: q.StartOutcome, key: string): Promise<AttemptStarted> {
  const rows = await questionCache(ctx).get(ids)
  const scope = orderScope({ id: r.id!, kind })
  return {
    id: r.id!,
    kind,
    campaignId,
    attemptNo: r.attemptNo!,
    status: 'in_progress',
    startedAt: iso(r.startedAt!),
    expiresAt: iso(r.expiresAt!),
    serverNow: iso(r.serverNow),
    questions: ids.map((id) => rows.get(id)!).map((row) => forAnswering(shownQuestion(row, optionOrder(key, scope, row)))),
  }
}

/**
 * Draws in memory (draw-pool.ts) and records with one statement (`record`). A draw the statement finds stale (a
 * question retired or moved meanwhile) is drawn again from the bank as it is now; a start that lost a race to
 * another start of the same person (unique violation) is tried again, and then finds that attempt.
 */
async function drawAndRecord(ctx: AppContext, spec: DrawSpec & { chain: string[] }, record: (ids: number[]) => Promise<q.StartOutcome>): Promise<{ ids: number[]; r: q.StartOutcome }> {
  const pool = questionPool(ctx)
  let stale = false
  for (let tries = 0; ; tries++) {
    const ids = await pool.draw({ chain: spec.chain, count: spec.questionCount, tagMix: spec.tagMix, difficulties: spec.difficulties }, stale)
    if (!ids) throw conflict('NOT_ENOUGH_QUESTIONS', '题库中的题目不足，请联系社区工作人员')
    let r: q.StartOutcome
    try {
      r = await record(ids)
    } catch (err) {
      if (pgCode(err) === UNIQUE_VIOLATION && tries < 3) continue
      if (pgCode(err) === UNIQUE_VIOLATION) throw conflict('ATTEMPT_IN_PROGRESS', '正在开始答题，请稍候')
      throw err
    }
    if (r.fresh || r.open || r.status !== 'open' || tries >= 3) return { ids, r }
    stale = true
  }
}

/** Starts an attempt, or resumes the caller's unfinished one (status 200 instead of 201). */
export async function startCampaignAttempt(ctx: AppContext, caller: Caller, campaignId: number): Promise<{ status: number; body: AttemptStarted }> {
  const [dir, key, c] = await Promise.all([ctx.regions.get(), optionKey(ctx), campaignSpec(ctx.db, campaignId)])
  if (!c) throw notFound('CAMPAIGN_NOT_FOUND', '答题活动不存在')
  const community = assertCanTakeCampaign(caller, dir, c.regionCode)
  const street = dir.chain(community).find((r) => r.level === 'street')?.code ?? null
  const chain = regionChainOf(dir, c.regionCode)
  const { ids, r } = await drawAndRecord(ctx, { ...c, chain }, (questionIds) => startBatcher(ctx).write({
    campaignId, userId: caller.userId, communityCode: community, streetCode: street, questionIds, difficulties: c.difficulties, chain,
  }))
  if (r.status === null) throw notFound('CAMPAIGN_NOT_FOUND', '答题活动不存在')
  if (r.status === 'cancelled') throw conflict('CAMPAIGN_CANCELLED', '该答题活动已取消')
  if (r.status === 'upcoming') throw conflict('CAMPAIGN_NOT_STARTED', '答题活动尚未开始')
  if (r.status === 'ended') throw conflict('CAMPAIGN_ENDED', '答题活动已结束')
  if (r.open) return { status: 200, body: await startedView(ctx.db, (await q.attemptById(ctx.db, r.open))!, key) }
  if (r.used >= c.maxAttempts) throw conflict('ATTEMPTS_EXHAUSTED', `每人最多可答 ${c.maxAttempts} 次，您的答题次数已用完`)
  if (!r.id) throw conflict('ATTEMPT_IN_PROGRESS', '正在开始答题，请稍候')
  return { status: 201, body: await newAttemptView(ctx, 'campaign', campaignId, ids, r, key) }
}

/**
 * Starts a daily practice, or resumes the caller's unfinished one (status 200 instead of 201). At most
 * config.quizPracticePerDay a day: each practice ends in a result page that shows the answers of what was answered.
 */
export async function startPractice(ctx: AppContext, caller: Caller): Promise<{ status: number; body: AttemptStarted }> {
  const [dir, key] = await Promise.all([ctx.regions.get(), optionKey(ctx)])
  const limit = ctx.config.quizPracticePerDay
  const chain = regionChainOf(dir, caller.communityCode)
  const street = caller.communityCode ? dir.chain(caller.communityCode).find((r) => r.level === 'street')?.code ?? null : null
  const spec = { chain, questionCount: PRACTICE.questions, tagMix: [], difficulties: [1, 2, 3] }
  const { ids, r } = await drawAndRecord(ctx, spec, (questionIds) => ctx.db.transaction(async (tx) => {
    // one start at a time per person: the day's count holds under concurrent starts
    await q.lockPracticeStart(tx, caller.userId)
    return q.startPractice(tx, {
      limit, userId: caller.userId, communityCode: caller.communityCode, streetCode: street, questionIds, difficulties: spec.difficulties, chain, seconds: PRACTICE.seconds,
    })
  }))
  if (r.open) return { status: 200, body: await startedView(ctx.db, (await q.attemptById(ctx.db, r.open))!, key) }
  if (r.used >= limit) throw conflict('PRACTICE_LIMIT_REACHED', `每日练习每天最多 ${limit} 次，今天的次数已用完，明天再来吧`)
  if (!r.id) throw conflict('ATTEMPT_IN_PROGRESS', '正在开始答题，请稍候')
  return { status: 201, body: await newAttemptView(ctx, 'practice', null, ids, r, key) }
}

async function ownAttempt(db: Queryable, caller: Caller, id: number, lock = false): Promise<q.AttemptRow> {
  const a = await q.attemptById(db, id, lock)
  // someone else's attempt is "not found": no hint that it exists
  if (!a || a.userId !== caller.userId) throw notFound('ATTEMPT_NOT_FOUND', '答题记录不存在')
  return a
}

export async function getAttempt(ctx: AppContext, caller: Caller, id: number): Promise<AttemptStarted | AttemptResult> {
  let a = await ownAttempt(ctx.db, caller, id)
  if (a.overdue) {
    await q.markExpired(ctx.db, id)
    a = await ownAttempt(ctx.db, caller, id)
  }
  const key = await optionKey(ctx)
  if (a.submittedAt || a.expiredAt) return resultView(ctx.db, a, key)
  return startedView(ctx.db, a, key)
}

/** Run every minute by the app: nobody has to open an abandoned attempt for it to count as ended. */
export function expireOverdueAttempts(ctx: AppContext): Promise<number> {
  return q.expireOverdue(ctx.db)
}

/**
 * Checks each answer against its question (kept in memory) and records the submission with one call that does,
 * under the attempt's row lock, everything that needs the attempt: whose it is, whether it is still open and in
 * time, whether the answered questions were drawn, the score and the points. Of two concurrent submissions one is
 * recorded; the other is refused — or, carrying the winner's Idempotency-Key, gets the same result (a retry).
 * Submissions that arrive together share that call (submission-batch.ts).
 */
export async function submitAttempt(ctx: AppContext, who: { userId: number | null; tokenHash: string }, id: number, body: SubmitBody, idempotencyKey?: string) {
  const seen = new Set<number>()
  for (const ans of body.answers) {
    if (seen.has(ans.questionId)) throw badRequest('DUPLICATE_ANSWER', `题目 ${ans.questionId} 重复作答`)
    seen.add(ans.questionId)
  }
  const [known, key] = await Promise.all([questionCache(ctx).get([...seen]), optionKey(ctx)])
  // choices name positions as this attempt showed the options (live attempts are refused below, before any use)
  const scope = orderScope({ id, kind: 'campaign' })
  const graded = body.answers.map((ans, i) => {
    const question = known.get(ans.questionId)
    // an id that is no question at all cannot have been drawn either
    if (!question) throw badRequest('QUESTION_NOT_IN_ATTEMPT', `题目 ${ans.questionId} 不在本次答题中`)
    checkChoice(question, ans.choice, `第 ${i + 1} 题`)
    const given = toBank(optionOrder(key, scope, question), ans.choice)
    return { questionId: question.id, given, correct: given.length > 0 && sameChoice(question.answer, given) }
  })
  const r = await submissionBatcher(ctx, POINTS).record({
    attemptId: id, userId: who.userId, tokenHash: who.tokenHash, key: idempotencyKey ?? null, answers: graded,
  })
  // live attempts were refused by the recording call, so the scope is the attempt's own
  const attempt = (): ResultFacts => ({
    id, kind: r.kind, campaignId: r.campaignId, liveSessionId: null, attemptNo: r.attemptNo, startedAt: r.startedAt, submittedAt: r.submittedAt,
    correctCount: r.correctCount, total: r.total, score: r.score, passed: r.passed, passScore: r.passScore, points: r.points,
  })
  const questionsOf = async () => {
    const rows = await questionCache(ctx).get(r.questionIds)
    return r.questionIds.map((qid) => rows.get(qid)).filter((x): x is q.QuestionRow => x !== undefined)
  }
  switch (r.outcome) {
    case 'recorded': {
      const given = new Map(graded.map((g) => [g.questionId, g]))
      const all = r.questionIds.map((qid) => given.get(qid) ?? { questionId: qid, given: [], correct: false })
      return { status: 200, body: resultFrom(attempt(), await questionsOf(), all, key), replayed: false }
    }
    case 'replay':
      return { status: 200, body: resultFrom(attempt(), await questionsOf(), await q.answersOf(ctx.db, id), key), replayed: true }
    case 'already_submitted':
      throw conflict('ATTEMPT_ALREADY_SUBMITTED', '这次答题已经提交过了')
    case 'ended':
      throw conflict('ATTEMPT_EXPIRED', '答题时间已到，本次答题已结束')
    case 'expired':
      return { status: 409, body: { code: 'ATTEMPT_EXPIRED', message: '答题时间已到，提交未被接受' }, replayed: false }
    case 'live':
      throw badRequest('ATTEMPT_NOT_SUBMITTABLE', '现场答题的成绩由主持人结束后生成')
    case 'not_drawn':
      throw badRequest('QUESTION_NOT_IN_ATTEMPT', `题目 ${r.badQuestion} 不在本次答题中`)
    default:
      // someone else's attempt is "not found": no hint that it exists
      throw notFound('ATTEMPT_NOT_FOUND', '答题记录不存在')
  }
}

export async function myAttempts(ctx: AppContext, caller: Caller, cursor: string | undefined): Promise<AttemptList> {
  const before = idCursor.decode(cursor)?.[0] ?? Number.MAX_SAFE_INTEGER
  const rows = await q.myAttempts(ctx.db, caller.userId, before, 21)
  const page = rows.slice(0, 20)
  return {
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      campaignId: r.campaignId,
      title: r.title ?? '每日练习',
      status: r.submittedAt ? 'submitted' : r.expiredAt || r.overdue ? 'expired' : 'in_progress',
      startedAt: iso(r.startedAt),
      submittedAt: r.submittedAt ? iso(r.submittedAt) : null,
      score: r.score,
      passed: r.passed,
      points: r.points,
    })),
    nextCursor: rows.length > 20 ? idCursor.encode([page[page.length - 1].id]) : null,
  }
}

export async function wrongAnswers(ctx: AppContext, caller: Caller, cursor: string | undefined): Promise<WrongAnswerList> {
  const pos = wrongCursor.decode(cursor)
  const after = pos && { at: pos[0].toISOString(), qid: pos[1] }
  const [rows, key] = await Promise.all([q.wrongAnswers(ctx.db, caller.userId, after, 21), optionKey(ctx)])
  const page = rows.slice(0, 20)
  const questions = new Map((await q.questionsByIds(ctx.db, page.map((r) => r.questionId))).map((r) => [r.id, r]))
  const last = page[page.length - 1]
  return {
    items: page.filter((r) => questions.has(r.questionId)).map((r) => {
      // shown as in the attempt of the last wrong answer, which lastGiven is of
      const order = optionOrder(key, orderScope(r.lastAttempt), questions.get(r.questionId)!)
      const { revealed, ...question } = reviewed(shownQuestion(questions.get(r.questionId)!, order), r.answered)
      return { question, revealed, lastGiven: toShown(order, r.lastGiven ?? []), wrongTimes: r.wrongTimes, lastWrongAt: iso(r.lastWrongAt), correctedSince: r.correctedSince }
    }),
    nextCursor: rows.length > 20 ? wrongCursor.encode([new Date(last.lastWrongAt), last.questionId]) : null,
  }
}

// ---------------------------------------------------------------- points and boards

export async function pointsSummary(ctx: AppContext, caller: Caller): Promise<PointsSummary> {
  const p = await q.pointsTotal(ctx.db, caller.userId)
  return { total: p?.total ?? 0, today: p?.today ?? 0, dailyCap: POINTS.dailyCap, rules: POINTS_RULES }
}

export async function pointsBoard(ctx: AppContext, caller: Caller, communityCode: string | undefined): Promise<PointsBoard> {
  const code = communityCode ?? caller.communityCode
  if (!code) throw badRequest('COMMUNITY_REQUIRED', '请先在“我的”里选择所在社区')
  const dir = await ctx.regions.get()
  const r = dir.get(code)
  if (!r) throw notFound('REGION_NOT_FOUND', `区域 ${code} 不存在`)
  if (r.level !== 'community') throw badRequest('NOT_A_COMMUNITY', `${r.name} 不是社区`)
  const rows = await q.pointsBoard(ctx.db, code, 20)
  let rank = 0
  let prev = -1
  return {
    communityCode: code,
    items: rows.map((row, i) => {
      if (row.points !== prev) rank = i + 1
      prev = row.points
      return { rank, nickname: row.nickname, points: row.points, isMe: row.userId === caller.userId }
    }),
  }
}

/**
 * Participants, pass rate and average (best) score per community or street below `parent` (default: the
 * caller's street for communities, the city for streets). Regions without participants are listed last.
 */
export async function board(ctx: AppContext, level: 'community' | 'street', campaignId: number | null, parent: string | null): Promise<RegionBoard> {
  const dir = await ctx.regions.get()
  if (parent && !dir.get(parent)) throw notFound('REGION_NOT_FOUND', `区域 ${parent} 不存在`)
  const scope = parent ? dir.descendants(parent) : dir.children(null).flatMap((c) => dir.descendants(c.code))
  const regions = scope.filter((r) => r.level === level)
  const stats = new Map((await q.regionBoard(ctx.db, level, campaignId)).map((s) => [s.code, s]))
  const rows = regions.map((r) => {
    const s = stats.get(r.code)
    const participants = s?.participants ?? 0
    return {
      regionCode: r.code,
      regionName: r.name,
      participants,
      passed: s?.passed ?? 0,
      passRate: participants > 0 ? Math.round((10000 * (s!.passed)) / participants) / 10000 : null,
      averageScore: participants > 0 ? s!.averageScore : null,
      rank: 0,
    }
  })
  rows.sort((a, b) => (b.passRate ?? -1) - (a.passRate ?? -1) || (b.averageScore ?? -1) - (a.averageScore ?? -1) || b.participants - a.participants || a.regionCode.localeCompare(b.regionCode))
  rows.forEach((r, i) => { r.rank = i + 1 })
  return { level, campaignId, items: rows }
}

export async function leaderboard(ctx: AppContext, caller: Caller, level: 'community' | 'street', campaignId: number | undefined, parent: string | undefined) {
  const dir = await ctx.regions.get()
  let scope: string | null = parent ?? null
  if (campaignId) {
    const c = await q.campaignById(ctx.db, campaignId)
    if (!c) throw notFound('CAMPAIGN_NOT_FOUND', '答题活动不存在')
    scope ??= c.regionCode
  }
  if (!scope && level === 'community' && caller.communityCode) scope = dir.chain(caller.communityCode).find((r) => r.level === 'street')?.code ?? null
  return board(ctx, level, campaignId ?? null, scope)
}

/** Home page: the campaigns open for the resident's community. */
export const quizHomeSection: HomeSectionSource = async (ctx, communityCode, caller) => {
  const dir = await ctx.regions.get()
  const rows = (await q.campaignsInRegions(ctx.db, regionChainOf(dir, communityCode), false)).filter((c) => c.status === 'open')
  void caller
  return {
    key: 'quizzes',
    title: '进行中的答题活动',
    items: rows.slice(0, 5).map((c) => ({ id: String(c.id), title: c.title, subtitle: `截止 ${new Date(c.endsAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}` })),
  }
}

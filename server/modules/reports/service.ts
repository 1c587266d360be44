import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { badRequest, conflict, forbidden, notFound } from '../../errors'
import type { Caller } from '../../lib/caller'
import { cursorCodec } from '../../lib/cursor'
import { StatementBatcher } from '../../lib/statement-batch'
import { isWorkerIn } from '../accounts/queries'
import { maskPhone } from '../accounts/service'
import type { RegionDirectory } from '../regions/directory'
import {
  STATE_LABELS,
  type DailyStats, type MeTooResult, type NearbyResult, type ReportDetail, type ReportListItem, type ReportPage, type ReportState,
  type SubmitReportBody, type TimelineEvent, type TransitionAction, type TransitionBody, type WorkPage, type WorkQuery,
} from '../../../types/reports'
import { PUBLIC_MODERATION_STATES } from '../../../types/moderation'
import { isFlaggedBy } from '../moderation/queries'
import { enqueueStateMessages } from './notify'
import { submitterOf } from './open311-queries'
import { photoView, thumbUrl } from './photos'
import { assertWorkerOf, assertWorkerOrOffice, assignableRegions, coversReport, scopeCodes, seesEverything, transitionRole } from './policy'
import * as q from './queries'
import { ACTION_RULES, actionApplies, isClosed, isOpen } from '../../../types/report-lifecycle'

export const REOPEN_DAYS = 7
export const DUPLICATE_DAYS = 7
const ANONYMOUS_NAME = '匿名居民'
export const REMOVED_CONTENT = '（该内容经审核已移除）'

/** Residents see a report unless the content check holds it or moderation hides it. */
export const publiclyVisible = (r: { held: boolean; moderation: string }) =>
  !r.held && (PUBLIC_MODERATION_STATES as readonly string[]).includes(r.moderation)

// ---------- categories (a short list that rarely changes: cached per process for a minute)
let categoryCache: { at: number; db: unknown; rows: q.CategoryRow[] } | null = null
export async function listCategories(ctx: AppContext): Promise<q.CategoryRow[]> {
  if (!categoryCache || categoryCache.db !== ctx.db || Date.now() - categoryCache.at > 60_000) {
    categoryCache = { at: Date.now(), db: ctx.db, rows: await q.categories(ctx.db) }
  }
  return categoryCache.rows
}
async function category(ctx: AppContext, code: string): Promise<q.CategoryRow> {
  const c = (await listCategories(ctx)).find((x) => x.code === code)
  if (!c) throw badRequest('CATEGORY_NOT_FOUND', `没有这个问题类别：${code}`)
  return c
}

// ---------- places
export interface Place {
  communityCode: string
  gridCode: string | null
}
export function place(dir: RegionDirectory, lng: number, lat: number): Place {
  const hit = dir.locate(lng, lat)
  const community = hit ? dir.chain(hit.code).find((r) => r.level === 'community') : undefined
  if (!hit || !community) throw badRequest('OUTSIDE_CITY', '该位置不在本市范围内，无法上报。请确认定位是否正确，或在地图上重新选点')
  return { communityCode: community.code, gridCode: hit.level === 'grid' ? hit.code : null }
}

// ---------- views
const iso = (d: Date | string) => new Date(d).toISOString()
export const reportNumber = (id: number) => `SSP${String(id).padStart(6, '0')}`

function listItem(ctx: AppContext, dir: RegionDirectory, r: q.ReportRow, full: boolean): ReportListItem {
  const removed = r.moderation === 'content_removed' && !full
  return {
    id: r.id,
    number: reportNumber(r.id),
    category: { code: r.categoryCode, name: r.categoryName, icon: r.categoryIcon },
    state: r.state as ReportState,
    stateLabel: STATE_LABELS[r.state as ReportState],
    description: removed ? REMOVED_CONTENT : r.description,
    address: r.address,
    community: { code: r.communityCode, name: dir.get(r.communityCode)?.name ?? r.communityCode },
    createdAt: iso(r.createdAt),
    dueAt: iso(r.dueAt),
    closedAt: r.closedAt ? iso(r.closedAt) : null,
    overdue: r.overdue,
    held: r.held,
    coReporters: r.coReporters,
    thumbUrl: removed ? null : thumbUrl(ctx.config.photoLinks, r.thumbId),
    reporterName: full ? r.reporterName : r.anonymous ? ANONYMOUS_NAME : r.reporterName,
  }
}

export const ACTION_LABELS: Record<string, string> = {
  submit: '提交上报',
  accept: '受理',
  reject: '不予受理',
  merge: '合并到重复问题',
  dispatch: '派遣处置',
  rectify: '整改完成',
  close: '核查销号',
  close_not_fixed: '关闭（未解决）',
  reopen: '重新打开',
  metoo: '我也遇到了',
  rate: '评价处置',
  release: '审核通过公开',
  comment: '城市系统留言',
}

function withinReopenWindow(closedAt: Date | null, now = Date.now()): boolean {
  return closedAt !== null && now - new Date(closedAt).getTime() <= REOPEN_DAYS * 86400_000
}

/** The transitions the caller may make now: drives the buttons on the detail page. */
export function allowedActions(dir: RegionDirectory, caller: Caller | null, r: q.ReportRow | q.LockedReport): TransitionAction[] {
  if (!caller) return []
  const state = r.state as ReportState
  if (coversReport(dir, caller, r)) return (Object.keys(ACTION_RULES) as TransitionAction[]).filter((a) => actionApplies(a, { state, held: r.held }))
  if (caller.userId === r.reporterId) {
    return (Object.keys(ACTION_RULES) as TransitionAction[])
      .filter((a) => ACTION_RULES[a].byReporter && actionApplies(a, { state, held: r.held }) && withinReopenWindow(r.closedAt))
  }
  return []
}

async function detail(ctx: AppContext, db: Queryable, caller: Caller | null, id: number): Promise<ReportDetail> {
  const dir = await ctx.regions.get()
  const r = await q.reportById(db, id)
  if (!r) throw notFound('REPORT_NOT_FOUND', '该随手拍不存在')
  // a held (content check) or hidden (moderation) report is seen by the reporter, the workers of its region and the
  // office only
  if (!publiclyVisible(r) && !seesEverything(dir, caller, r)) throw notFound('REPORT_NOT_FOUND', '该随手拍不存在')
  const isWorker = caller ? coversReport(dir, caller, r) || caller.office : false
  const [photos, events, meToo, flagged, person] = await Promise.all([
    q.photosOfReport(db, id),
    q.eventsOf(db, id),
    caller ? q.isCoReporter(db, id, caller.userId) : Promise.resolve(undefined),
    caller ? isFlaggedBy(db, 'report', id, caller.userId) : Promise.resolve(false),
    isWorker && r.source === 'open311' ? submitterOf(db, id) : Promise.resolve(undefined),
  ])
  return detailView(ctx, dir, caller, { r, photos, events, meToo: Boolean(meToo), flagged, person })
}

interface DetailFacts {
  r: q.ReportRow
  /** the report's own photos and those of its events (eventId) */
  photos: q.PhotoRow[]
  events: q.EventRow[]
  meToo: boolean
  flagged: boolean
  /** whom an Open311 client filed it for (read only for those who may see it) */
  person?: Awaited<ReturnType<typeof submitterOf>>
}

/** The detail page of a report as `caller` may see it: from the report read back, or one just written. */
function detailView(ctx: AppContext, dir: RegionDirectory, caller: Caller | null, f: DetailFacts): ReportDetail {
  const { r, photos, person } = f
  const full = seesEverything(dir, caller, r)
  const isWorker = caller ? coversReport(dir, caller, r) || caller.office : false
  const removed = r.moderation === 'content_removed' && !full
  const reportPhotos = removed ? [] : photos.filter((p) => p.eventId === null)
  const timeline: TimelineEvent[] = f.events.map((e) => ({
    id: e.id,
    action: e.action,
    label: ACTION_LABELS[e.action] ?? e.action,
    fromState: (e.fromState as ReportState) ?? null,
    toState: (e.toState as ReportState) ?? null,
    actor: {
      role: e.actorRole as TimelineEvent['actor']['role'],
      name:
        e.actorRole === 'worker' || e.actorRole === 'office'
          ? e.actorName ?? '工作人员'
          : e.actorRole === 'reporter'
            ? isWorker ? e.actorName ?? '上报人' : '上报人'
            : e.actorRole === 'open311' ? '城市管理系统' : '系统',
    },
    note: e.note,
    photos: photos.filter((p) => p.eventId === e.id).map(photoView(ctx.config.photoLinks)),
    at: iso(e.createdAt),
  }))
  return {
    ...listItem(ctx, dir, r, isWorker),
    grid: r.gridCode ? { code: r.gridCode, name: dir.get(r.gridCode)?.name ?? r.gridCode } : null,
    lng: r.lng,
    lat: r.lat,
    anonymous: r.anonymous,
    department: r.department,
    assignee: r.assigneeId ? { id: r.assigneeId, name: r.assigneeName ?? '' } : null,
    mergedInto: r.mergedInto,
    reporter: full ? { id: r.reporterId, name: r.reporterName, phoneMasked: isWorker || caller?.userId === r.reporterId ? maskPhone(r.reporterPhone) : null } : null,
    filedFor: person
      ? { system: person.system, name: [person.lastName, person.firstName].filter(Boolean).join('') || null, email: person.email, phoneMasked: maskPhone(person.phone) }
      : null,
    isMine: caller?.userId === r.reporterId,
    meToo: f.meToo,
    holdReason: full ? r.holdReason : null,
    photos: reportPhotos.map(photoView(ctx.config.photoLinks)),
    rating: r.rating ? { score: r.rating, comment: r.ratingComment, ratedAt: iso(r.ratedAt!) } : null,
    actions: allowedActions(dir, caller, r),
    canRate: caller?.userId === r.reporterId && isClosed(r.state) && r.rating === null,
    timeline,
    moderation: r.moderation,
    canFlag: Boolean(caller) && caller?.userId !== r.reporterId && publiclyVisible(r) && !f.flagged,
    flaggedByMe: f.flagged,
  }
}

export function getReport(ctx: AppContext, caller: Caller | null, id: number): Promise<ReportDetail> {
  return detail(ctx, ctx.db, caller, id)
}

// ---------- content security
interface Screening {
  held: boolean
  reason: string | null
}
async function screenText(ctx: AppContext, who: { openid: string | null }, text: string): Promise<Screening> {
  if (!text.trim()) return { held: false, reason: null }
  if (!ctx.wechat.msgSecCheck) return { held: true, reason: '内容安全检查未配置，待人工审核' }
  try {
    const verdict = await ctx.wechat.msgSecCheck(text, who.openid)
    return verdict === 'pass' ? { held: false, reason: null } : { held: true, reason: '文字内容待人工审核' }
  } catch {
    return { held: true, reason: '内容安全检查暂不可用，待人工审核' }
  }
}

// ---------- submit
// Submissions that arrive together go to the database as one statement (the busiest write of a campaign).
const batchers = new WeakMap<AppContext, StatementBatcher<q.SubmitParams, q.SubmitOutcome>>()
function submissions(ctx: AppContext) {
  let b = batchers.get(ctx)
  if (!b) {
    b = new StatementBatcher((items) => q.submitMany(ctx.db, items), ctx.db.kind === 'pglite' ? 1 : 4)
    batchers.set(ctx, b)
  }
  return b
}

export interface Open311Submission {
  mediaUrl: string | null
  /** More rows of the new report, written in the same transaction (the person the client filed it for). */
  alongside?: (tx: Queryable, reportId: number) => Promise<unknown>
}

/**
 * Stores a report: the checks, the content screening and the one statement (reports_submit) that takes the photos,
 * writes the 台账 entry and the outbox message; the app's concurrent submissions share that statement.
 */
async function record(
  ctx: AppContext, who: { userId: number; openid: string | null }, body: SubmitReportBody, idempotencyKey: string | undefined,
  source: 'app' | 'open311', open311?: Open311Submission,
) {
  const cat = await category(ctx, body.categoryCode)
  const dir = await ctx.regions.get()
  const where = place(dir, body.lng, body.lat)
  const description = body.description.trim()
  const address = body.address.trim()
  const text = await screenText(ctx, who, [description, address].filter(Boolean).join('\n'))
  const params: q.SubmitParams = {
    userId: who.userId,
    idempotencyKey: idempotencyKey ?? null,
    categoryCode: cat.code,
    anonymous: body.anonymous,
    description,
    lng: body.lng,
    lat: body.lat,
    address,
    communityCode: where.communityCode,
    gridCode: where.gridCode,
    textHeld: text.held,
    textHoldReason: text.reason,
    department: cat.department,
    slaHours: cat.slaHours,
    source,
    mediaUrl: open311?.mediaUrl ?? null,
    actorRole: source === 'open311' ? 'open311' : 'reporter',
    photoIds: body.photoIds,
  }
  const alongside = open311?.alongside
  const out = alongside
    ? await ctx.db.transaction(async (tx) => {
      const o = await q.submit(tx, params)
      if (o?.outcome === 'created' && o.id) await alongside(tx, o.id)
      return o
    })
    : await submissions(ctx).write(params)
  if (out?.outcome === 'photos_taken') throw badRequest('PHOTO_NOT_FOUND', '照片不存在或已被使用，请重新上传')
  if ((out?.outcome !== 'created' && out?.outcome !== 'replay') || !out.id) throw conflict('IDEMPOTENCY_IN_PROGRESS', '相同的请求正在处理中，请稍后重试')
  return { out, params, cat, dir }
}

/** A resident's 随手拍 from the app: the detail page of the new report (or, replayed, of the first one). */
export async function submitReport(
  ctx: AppContext,
  caller: Caller,
  body: SubmitReportBody,
  idempotencyKey: string | undefined,
): Promise<{ status: number; body: ReportDetail; replayed: boolean }> {
  const { out, params, cat, dir } = await record(ctx, caller, body, idempotencyKey, 'app')
  if (out.outcome === 'replay') return { status: 201, body: await getReport(ctx, caller, out.id!), replayed: true }
  const photos = (typeof out.photos === 'string' ? JSON.parse(out.photos) : out.photos ?? []) as q.PhotoRow[]
  // in the order the reporter put them, the first one the thumbnail
  const ordered = body.photoIds.map((pid) => photos.find((p) => p.id === pid)).filter((p): p is q.PhotoRow => p !== undefined)
  const r = submittedRow(params, cat, caller, out, ordered[0]?.id ?? null)
  const submitted: q.EventRow = {
    id: out.eventId!, action: 'submit', fromState: null, toState: 'submitted', actorId: caller.userId, actorRole: params.actorRole, actorName: caller.nickname,
    note: null, createdAt: out.createdAt!,
  }
  return { status: 201, body: detailView(ctx, dir, caller, { r, photos: ordered, events: [submitted], meToo: false, flagged: false }), replayed: false }
}

/** A request a city system files over Open311 under its key's system account: no photos, no session, no detail page. */
export async function submitFromOpen311(ctx: AppContext, accountId: number, body: SubmitReportBody, submission: Open311Submission): Promise<{ id: number; held: boolean }> {
  const { out } = await record(ctx, { userId: accountId, openid: null }, body, undefined, 'open311', submission)
  return { id: out.id!, held: out.held! }
}

/** The report as the submission just stored it (what reportById would read back), without reading it back. */
function submittedRow(p: q.SubmitParams, cat: { name: string; icon: string }, caller: Caller, out: NonNullable<q.SubmitOutcome>, thumbId: string | null): q.ReportRow {
  return {
    id: out.id!, categoryCode: p.categoryCode, categoryName: cat.name, categoryIcon: cat.icon, state: 'submitted',
    description: p.description, address: p.address, communityCode: p.communityCode, gridCode: p.gridCode, lng: p.lng, lat: p.lat,
    createdAt: out.createdAt!, dueAt: out.dueAt!, closedAt: null, overdue: false, held: out.held!, holdReason: out.holdReason,
    moderation: 'visible', coReporters: 0, anonymous: p.anonymous, reporterId: caller.userId, reporterName: caller.nickname,
    reporterPhone: caller.phone, department: p.department, assigneeId: null, assigneeName: null, mergedInto: null,
    rating: null, ratingComment: null, ratedAt: null, thumbId, source: p.source, mediaUrl: p.mediaUrl,
  }
}

// ---------- near-duplicates and "+1"
/** A centimetre of latitude: finer is noise, and a subnormal double underflows PostgreSQL's trigonometry (a 500). */
const toCentimetre = (deg: number) => Math.round(deg * 1e7) / 1e7

export async function nearby(ctx: AppContext, categoryCode: string, rawLng: number, rawLat: number): Promise<NearbyResult> {
  const [lng, lat] = [toCentimetre(rawLng), toCentimetre(rawLat)]
  const cat = await category(ctx, categoryCode)
  const radius = cat.duplicateRadiusM
  const dLat = radius / 111_320
  const dLng = radius / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)))
  const rows = await q.nearbyOpen(ctx.db, { categoryCode: cat.code, lng, lat, dLat, dLng, days: DUPLICATE_DAYS, radius, removedText: REMOVED_CONTENT })
  return {
    radiusM: radius,
    items: rows.map((r) => ({
      id: r.id,
      number: reportNumber(r.id),
      state: r.state as ReportState,
      stateLabel: STATE_LABELS[r.state as ReportState],
      description: r.description,
      address: r.address,
      distanceM: Math.round(r.dist),
      coReporters: r.coReporters,
      createdAt: iso(r.createdAt),
      thumbUrl: thumbUrl(ctx.config.photoLinks, r.thumbId),
    })),
  }
}

export async function meToo(ctx: AppContext, caller: Caller, id: number): Promise<MeTooResult> {
  return ctx.db.transaction(async (tx) => {
    const [r] = await q.lockReports(tx, [id])
    if (!r || !publiclyVisible(r)) throw notFound('REPORT_NOT_FOUND', '该随手拍不存在')
    if (r.reporterId === caller.userId) throw conflict('METOO_OWN_REPORT', '这是您自己上报的问题')
    if (!isOpen(r.state)) throw conflict('REPORT_NOT_OPEN', '该问题已处理完毕，如仍存在请重新上报')
    const coReporters = await q.addCoReporter(tx, id, caller.userId)
    if (coReporters === null) throw conflict('METOO_ALREADY', '您已经点过“我也遇到了”')
    await q.insertEvent(tx, { reportId: id, actorId: caller.userId, actorRole: 'reporter', action: 'metoo' })
    return { reportId: id, coReporters }
  })
}

// ---------- transitions

/** What the body must carry for the action (the lifecycle's per-action requirements), before anything is read. */
function checkTransitionBody(id: number, body: TransitionBody): string | null {
  const rule = ACTION_RULES[body.action]
  const note = body.note?.trim() || null
  if (rule.note === 'required' && !note) throw badRequest('REASON_REQUIRED', '请填写原因')
  if (rule.photos === 'required' && !body.photoIds?.length) throw badRequest('PHOTOS_REQUIRED', '请上传整改后的照片')
  if (rule.photos === 'none' && body.photoIds?.length) throw badRequest('PHOTOS_NOT_ALLOWED', '该操作不需要照片')
  if (rule.target === 'report' && !body.targetReportId) throw badRequest('MERGE_TARGET_REQUIRED', '请选择要合并到的问题')
  if (rule.target === 'report' && body.targetReportId === id) throw badRequest('MERGE_TARGET_INVALID', '不能合并到自身')
  if (rule.target === 'department-or-assignee' && !body.department && !body.assigneeId) {
    throw badRequest('DISPATCH_TARGET_REQUIRED', '请选择派遣的责任部门或处置人')
  }
  return note
}

/** Whether the report's state (and hold) lets the action start, and the reporter's reopen window. */
function checkTransitionState(action: TransitionAction, r: q.LockedReport, role: 'worker' | 'reporter'): void {
  const state = r.state as ReportState
  if (ACTION_RULES[action].onlyHeld && !r.held) throw conflict('REPORT_NOT_HELD', '该问题无需审核')
  if (!actionApplies(action, r)) {
    throw conflict('ILLEGAL_TRANSITION', `当前状态为「${STATE_LABELS[state]}」，不能执行「${ACTION_LABELS[action]}」`)
  }
  if (role === 'reporter' && !withinReopenWindow(r.closedAt)) throw conflict('REOPEN_WINDOW_PASSED', `销号超过 ${REOPEN_DAYS} 天，不能重新打开，请重新上报`)
}

/** guard (body, then state) → policy (who acts, as what) → one query per action. */
export async function transition(ctx: AppContext, caller: Caller, id: number, body: TransitionBody): Promise<ReportDetail> {
  const rule = ACTION_RULES[body.action]
  const note = checkTransitionBody(id, body)
  const dir = await ctx.regions.get()

  await ctx.db.transaction(async (tx) => {
    const locked = await q.lockReports(tx, rule.target === 'report' ? [id, body.targetReportId!] : [id])
    const r = locked.find((x) => x.id === id)
    if (!r) throw notFound('REPORT_NOT_FOUND', '该随手拍不存在')
    const role = transitionRole(dir, caller, r, rule)
    checkTransitionState(body.action, r, role)
    const state = r.state as ReportState

    let change: q.TransitionChange = {}
    const detailJson: Record<string, unknown> = {}
    switch (body.action) {
      case 'merge': {
        const target = locked.find((x) => x.id === body.targetReportId)
        if (!target) throw notFound('MERGE_TARGET_NOT_FOUND', '要合并到的问题不存在')
        assertWorkerOf(dir, caller, target)
        if (!isOpen(target.state)) throw conflict('MERGE_TARGET_NOT_OPEN', '只能合并到未办结的问题')
        // the duplicate's reporter and "+1"s become co-reporters of the kept report
        await q.mergeFollowers(tx, { from: id, fromReporterId: r.reporterId, into: target.id, intoReporterId: target.reporterId })
        await q.insertEvent(tx, { reportId: target.id, actorId: caller.userId, actorRole: 'worker', action: 'merge', note: `合并了重复问题 ${reportNumber(id)}`, detail: { from: id } })
        change = { mergedInto: target.id }
        detailJson.into = target.id
        break
      }
      case 'dispatch': {
        if (body.assigneeId && !(await isWorkerIn(tx, body.assigneeId, assignableRegions(dir, r)))) {
          throw badRequest('ASSIGNEE_NOT_WORKER', '处置人必须是负责该区域的网格员')
        }
        change = { assigneeId: body.assigneeId, department: body.department?.trim() }
        detailJson.department = body.department ?? null
        detailJson.assigneeId = body.assigneeId ?? null
        break
      }
      case 'close':
      case 'close_not_fixed':
        change = { closing: true }
        break
      case 'reopen':
        change = { reopenWithHours: r.slaHours }
        break
      case 'release':
        change = { release: true }
        break
    }
    // compare-and-set on the state as well as the row lock
    const updated = await q.applyTransition(tx, id, state, rule.to, change)
    if (!updated) throw conflict('ILLEGAL_TRANSITION', '该问题状态已变化，请刷新后重试')
    const ev = await q.insertEvent(tx, {
      reportId: id, actorId: caller.userId, actorRole: role, action: body.action, fromState: state, toState: rule.to, note, detail: detailJson,
    })
    if (body.photoIds?.length) {
      const photos = await q.claimablePhotos(tx, caller.userId, body.photoIds)
      if (photos.length !== body.photoIds.length) throw badRequest('PHOTO_NOT_FOUND', '照片不存在或已被使用，请重新上传')
      await q.attachPhotos(tx, id, ev!.id, body.photoIds)
    }
    if (rule.to) await enqueueStateMessages(tx, r.reporterId, { id, categoryName: updated.categoryName, state: rule.to, note, at: new Date(ev!.createdAt) })
  })
  return detail(ctx, ctx.db, caller, id)
}

export async function rate(ctx: AppContext, caller: Caller, id: number, score: number, comment: string | undefined): Promise<ReportDetail> {
  await ctx.db.transaction(async (tx) => {
    const [r] = await q.lockReports(tx, [id])
    if (!r) throw notFound('REPORT_NOT_FOUND', '该随手拍不存在')
    if (r.reporterId !== caller.userId) throw forbidden('REPORT_FORBIDDEN', '只有上报人可以评价')
    if (!isClosed(r.state)) throw conflict('REPORT_NOT_CLOSED', '问题办结后才能评价')
    if (r.rating !== null) throw conflict('ALREADY_RATED', '您已经评价过了')
    await q.rateReport(tx, id, score, comment?.trim() || null)
    await q.insertEvent(tx, { reportId: id, actorId: caller.userId, actorRole: 'reporter', action: 'rate', note: comment?.trim() || null, detail: { score } })
  })
  return detail(ctx, ctx.db, caller, id)
}

// ---------- lists
const listCursor = cursorCodec('instant', 'id')

async function page(ctx: AppContext, f: q.ReportFilter, after: string | undefined, limit: number, full: boolean) {
  const dir = await ctx.regions.get()
  const rows = await q.reportPage(ctx.db, f, listCursor.decode(after), limit + 1)
  const more = rows.length > limit
  const items = rows.slice(0, limit)
  return { items: items.map((r) => listItem(ctx, dir, r, full)), nextCursor: more ? listCursor.encode([items[items.length - 1].createdAt, items[items.length - 1].id]) : null }
}

export function myReports(ctx: AppContext, caller: Caller, cursor: string | undefined, limit: number): Promise<ReportPage> {
  return page(ctx, { scope: null, reporterId: caller.userId }, cursor, limit, true)
}

export async function publicReports(ctx: AppContext, caller: Caller | null, communityCode: string | undefined, cursor: string | undefined, limit: number): Promise<ReportPage> {
  return page(ctx, { scope: null, communityCode: communityCode ?? caller?.communityCode ?? undefined, publicOnly: true }, cursor, limit, false)
}

export async function workFilter(ctx: AppContext, caller: Caller, query: Omit<WorkQuery, 'cursor' | 'limit'>): Promise<q.ReportFilter> {
  assertWorkerOrOffice(caller)
  const dir = await ctx.regions.get()
  const scope = scopeCodes(dir, caller)
  if (query.communityCode && scope && !scope.includes(query.communityCode)) throw forbidden('FORBIDDEN_REGION', '该社区不在您负责的区域内')
  if (query.from && query.to && query.from > query.to) throw badRequest('DATE_RANGE_INVALID', '开始日期不能晚于结束日期')
  if (query.categoryCode) await category(ctx, query.categoryCode)
  return { scope, state: query.state, categoryCode: query.categoryCode, overdue: query.overdue, from: query.from, to: query.to, communityCode: query.communityCode }
}

export async function workList(ctx: AppContext, caller: Caller, query: WorkQuery): Promise<WorkPage> {
  const f = await workFilter(ctx, caller, query)
  const p = await page(ctx, f, query.cursor, query.limit ?? 20, true)
  const counts = await q.stateCounts(ctx.db, f)
  const byState: Record<string, number> = Object.fromEntries(Object.keys(STATE_LABELS).map((s) => [s, 0]))
  let overdueCount = 0
  for (const c of counts) {
    byState[c.state] = c.n
    if (!f.state || f.state === c.state) overdueCount += c.overdue
  }
  return { ...p, counts: byState, overdueCount }
}

export async function dailyStats(ctx: AppContext, caller: Caller, from: string | undefined, to: string | undefined, communityCode?: string): Promise<DailyStats> {
  const f = await workFilter(ctx, caller, { communityCode })
  const dir = await ctx.regions.get()
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
  const end = to ?? today
  const start = from ?? new Date(Date.parse(end) - 6 * 86400_000).toISOString().slice(0, 10)
  if (start > end) throw badRequest('DATE_RANGE_INVALID', '开始日期不能晚于结束日期')
  if (Date.parse(end) - Date.parse(start) > 92 * 86400_000) throw badRequest('DATE_RANGE_TOO_LONG', '日期范围不能超过 92 天')
  const rows = await q.dailyCounts(ctx.db, { scope: f.scope, communityCode: f.communityCode }, start, end)
  return { items: rows.map((r) => ({ ...r, communityName: dir.get(r.communityCode)?.name ?? r.communityCode })) }
}

export async function latestForHome(ctx: AppContext, communityCode: string) {
  const rows = await q.latestInCommunity(ctx.db, communityCode, 5)
  if (rows.length === 0) return null
  return {
    key: 'reports',
    title: '本社区最新随手拍',
    items: rows.map((r) => ({ id: String(r.id), title: `${r.name} · ${STATE_LABELS[r.state as ReportState]}`, subtitle: r.address })),
  }
}

import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { badRequest, conflict, forbidden, notFound, tooMany, unauthorized } from '../../errors'
import { audit } from '../../lib/audit'
import { callerOfTokenHash, type Caller } from '../../lib/caller'
import { loadQRCode } from '../../lib/lazy-packages'
import { cursorCodec } from '../../lib/cursor'
import * as accounts from '../accounts/queries'
import type { HomeSectionSource } from '../home/service'
import type { RegionDirectory } from '../regions/directory'
import {
  ACTIVITY_TYPES, SIGNUP_STATUS_LABELS, VOLUNTEER_STATUS_LABELS, starLevel,
  type ActivityBody, type ActivityList, type ActivityView, type ApplicationList, type ApplyBody, type AttendanceBody, type AttendanceResult,
  type CancelResult, type CheckCode, type DecisionBody, type HoursBody, type HoursLedger, type MarkBody, type MySignups, type MyVolunteer,
  type Roster, type ShiftInput, type SignupResult, type VolunteerView,
} from '../../../types/volunteers'
import { CHECKIN_QR_PREFIX } from '../../../types/volunteers'
import { checkCode, checkToken, codeFor, distanceM, stepAt, tokenFor } from './checkin-code'
import { assertManagesActivity, assertManagesVolunteer, assertStaff, managesRegion, staffScope } from './policy'
import * as q from './queries'
import { signUpBatcher } from './signup-batch'

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString())
export const SUBSCRIBE_TEMPLATE_ID = process.env.VOLUNTEERS_SUBSCRIBE_TEMPLATE_ID || 'demo-volunteer-notice'

/** A subscribe message (thing1 what, phrase2 outcome, time3 when, thing4 note), written in the change's transaction. */
function notify(tx: Queryable, userIds: number[], kind: string, ref: string, page: string, what: string, outcome: string, note: string) {
  if (userIds.length === 0) return Promise.resolve([])
  const shanghai = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
  return q.enqueueMessage(tx, userIds, kind, ref, {
    templateId: SUBSCRIBE_TEMPLATE_ID,
    page,
    data: { thing1: { value: what.slice(0, 20) }, phrase2: { value: outcome.slice(0, 5) }, time3: { value: shanghai }, thing4: { value: (note || '点击查看详情').slice(0, 20) } },
  })
}
const MY_PAGE = 'packages/volunteers/pages/mine/index'
const activityPage = (id: number) => `packages/volunteers/pages/activity/index?id=${id}`

function volunteerView(dir: RegionDirectory, v: q.VolunteerRow): VolunteerView {
  return {
    userId: v.userId,
    realName: v.realName,
    phone: v.phone,
    skills: v.skills ?? [],
    availability: v.availability,
    communityCode: v.communityCode,
    communityName: dir.get(v.communityCode)?.name ?? v.communityCode,
    status: v.status,
    statusLabel: VOLUNTEER_STATUS_LABELS[v.status],
    decisionReason: v.decisionReason,
    appliedAt: iso(v.appliedAt)!,
    decidedAt: iso(v.decidedAt),
  }
}

// ───────────── applications ─────────────

export async function apply(ctx: AppContext, caller: Caller, body: ApplyBody): Promise<VolunteerView> {
  if (!body.pledgeAgreed) throw badRequest('PLEDGE_REQUIRED', '请阅读并同意志愿者承诺书')
  if (!caller.phone) throw conflict('PHONE_REQUIRED', '申请志愿者需要已验证的手机号，请先用手机号登录')
  const dir = await ctx.regions.get()
  if (dir.get(body.communityCode)?.level !== 'community') throw badRequest('COMMUNITY_INVALID', '请选择服务社区')
  const skills = [...new Set(body.skills.map((s) => s.trim()).filter(Boolean))]
  return ctx.db.transaction(async (tx) => {
    const existing = await q.lockVolunteer(tx, caller.userId)
    if (existing?.status === 'pending') throw conflict('ALREADY_APPLIED', '您的申请正在审核中')
    if (existing?.status === 'approved') throw conflict('ALREADY_VOLUNTEER', '您已经是志愿者')
    if (existing?.status === 'suspended') throw forbidden('VOLUNTEER_SUSPENDED', '您的志愿者身份已被暂停，请联系社区')
    const v = await q.upsertApplication(tx, caller.userId, {
      realName: body.realName.trim(), phone: caller.phone!, skills, availability: body.availability.trim(), communityCode: body.communityCode,
    })
    await audit(tx, caller.userId, 'volunteer.apply', `user:${caller.userId}`, { communityCode: body.communityCode })
    return volunteerView(dir, v!)
  })
}

export async function mine(ctx: AppContext, caller: Caller): Promise<MyVolunteer> {
  const dir = await ctx.regions.get()
  const c = ctx.config.volunteers
  const [v, total, blocked] = await Promise.all([
    q.volunteerByUser(ctx.db, caller.userId),
    q.totalMinutes(ctx.db, caller.userId),
    q.noShowBlockedUntil(ctx.db, caller.userId, c.noShowLimit, c.noShowWindowDays, c.noShowBlockDays),
  ])
  const star = starLevel(total)
  return {
    volunteer: v ? volunteerView(dir, v) : null,
    totalMinutes: total,
    totalHours: Math.round((total / 60) * 10) / 10,
    stars: star.stars,
    starLabel: star.label,
    blockedUntil: iso(blocked),
  }
}

const applicationCursor = cursorCodec('instant', 'id')

/** Applications and the roll of volunteers of the worker's communities (the office: all), oldest first, a page at a time. */
export async function applicationsFor(ctx: AppContext, caller: Caller, status: string | undefined, cursor?: string, limit = 50): Promise<ApplicationList> {
  assertStaff(caller)
  const dir = await ctx.regions.get()
  const after = applicationCursor.decode(cursor)
  const rows = await q.applicationsPage(ctx.db, staffScope(dir, caller), status ?? null, after, limit + 1)
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return { items: page.map((v) => volunteerView(dir, v)), nextCursor: rows.length > limit ? applicationCursor.encode([last.appliedAt, last.userId]) : null }
}

/** Gives back the volunteer's places on shifts not yet started (leaving, suspension, 注销): each may promote the waitlist. */
async function releaseFuturePlaces(tx: Queryable, userId: number): Promise<void> {
  for (const s of await q.futureLiveSignups(tx, userId)) {
    await q.lockShift(tx, s.shiftId)
    await cancelLocked(tx, s.shiftId, s.id, userId, 'cancelled')
  }
}

async function changeStanding(
  ctx: AppContext, caller: Caller, userId: number, expect: q.VolunteerRow['status'][], next: q.VolunteerRow['status'],
  reason: string | null, action: string, notice: [string, string] | null,
): Promise<VolunteerView> {
  const dir = await ctx.regions.get()
  const view = await ctx.db.transaction(async (tx) => {
    const v = await q.lockVolunteer(tx, userId)
    if (!v) throw notFound('VOLUNTEER_NOT_FOUND', '没有这位志愿者的申请')
    if (caller.userId !== userId || action === 'volunteer.suspend') assertManagesVolunteer(dir, caller, v.communityCode)
    if (!expect.includes(v.status)) {
      throw conflict('VOLUNTEER_STATE', `当前状态为「${VOLUNTEER_STATUS_LABELS[v.status]}」，不能执行此操作`)
    }
    const updated = await q.setVolunteerStatus(tx, userId, next, caller.userId, reason)
    if (next === 'approved') await accounts.grantVolunteerRole(tx, userId, v.communityCode, caller.userId)
    else await accounts.revokeVolunteerRole(tx, userId, caller.userId)
    if (next === 'left' || next === 'suspended') await releaseFuturePlaces(tx, userId)
    await audit(tx, caller.userId, action, `user:${userId}`, { from: v.status, to: next, reason })
    if (notice) await notify(tx, [userId], 'volunteer.standing', `volunteer:${userId}`, MY_PAGE, notice[0], notice[1], reason ?? '')
    return volunteerView(dir, updated!)
  })
  await ctx.callers.forget({ userId })
  return view
}

export function decide(ctx: AppContext, caller: Caller, userId: number, body: DecisionBody): Promise<VolunteerView> {
  const reason = body.reason?.trim() || null
  if (body.decision === 'reject' && !reason) throw badRequest('REASON_REQUIRED', '请填写不通过的原因')
  if (caller.userId === userId) throw forbidden('OWN_APPLICATION', '不能审核自己的申请')
  return body.decision === 'approve'
    ? changeStanding(ctx, caller, userId, ['pending'], 'approved', reason, 'volunteer.approve', ['志愿者申请', '已通过'])
    : changeStanding(ctx, caller, userId, ['pending'], 'rejected', reason, 'volunteer.reject', ['志愿者申请', '未通过'])
}

export function suspend(ctx: AppContext, caller: Caller, userId: number, reason: string): Promise<VolunteerView> {
  if (caller.userId === userId) throw forbidden('OWN_APPLICATION', '不能暂停自己的志愿者身份')
  return changeStanding(ctx, caller, userId, ['approved'], 'suspended', reason.trim(), 'volunteer.suspend', ['志愿者身份', '已暂停'])
}

export function leave(ctx: AppContext, caller: Caller): Promise<VolunteerView> {
  return changeStanding(ctx, caller, caller.userId, ['pending', 'approved'], 'left', null, 'volunteer.leave', null)
}

// ───────────── activities ─────────────

/** The rules for a shift being set: `which` picks the shifts to hold to them (in an edit, the changed and new ones). */
function checkShifts(shifts: ShiftInput[], which: (s: ShiftInput) => boolean = () => true): void {
  const now = Date.now()
  shifts.forEach((s, i) => {
    if (!which(s)) return
    const [start, end, su, ca] = [s.startsAt, s.endsAt, s.signupDeadline, s.cancelDeadline].map((x) => Date.parse(x))
    const n = `第 ${i + 1} 个班次`
    if (!(end > start)) throw badRequest('SHIFT_TIME_INVALID', `${n}的结束时间须晚于开始时间`)
    if (end - start > 24 * 3600_000) throw badRequest('SHIFT_TOO_LONG', `${n}不能超过 24 小时`)
    if (start <= now) throw badRequest('SHIFT_IN_PAST', `${n}的开始时间须在将来`)
    if (su > start || ca > start) throw badRequest('SHIFT_DEADLINE_INVALID', `${n}的报名截止和取消截止须不晚于开始时间`)
  })
}

function activityFields(dir: RegionDirectory, body: ActivityBody): q.ActivityFields {
  if (!dir.get(body.regionCode)) throw badRequest('REGION_INVALID', '活动区域不存在')
  return {
    type: body.type, title: body.title.trim(), description: body.description.trim(), lng: body.lng, lat: body.lat, radiusM: body.radiusM,
    address: body.address.trim(), regionCode: body.regionCode, requirements: body.requirements.trim(),
  }
}

async function activityViews(ctx: AppContext, dir: RegionDirectory, caller: Caller, rows: q.ActivityRow[]): Promise<ActivityView[]> {
  const shifts = rows.length ? await q.shiftsOf(ctx.db, rows.map((r) => r.id), caller.userId) : []
  return rows.map((a) => ({
    id: a.id, type: a.type, typeLabel: ACTIVITY_TYPES[a.type], title: a.title, description: a.description, lng: a.lng, lat: a.lat, radiusM: a.radiusM,
    address: a.address, regionCode: a.regionCode, regionName: dir.get(a.regionCode)?.name ?? a.regionCode, requirements: a.requirements,
    status: a.status, manages: managesRegion(dir, caller, a.regionCode),
    editable: a.status === 'published' && managesRegion(dir, caller, a.regionCode),
    editLocked: a.signups > 0, signedUp: a.signedUp,
    shifts: shifts.filter((s) => s.activityId === a.id).map((s) => ({
      id: s.id, startsAt: iso(s.startsAt)!, endsAt: iso(s.endsAt)!, capacity: s.capacity, confirmed: s.confirmed, waitlisted: s.waitlisted,
      signupDeadline: iso(s.signupDeadline)!, cancelDeadline: iso(s.cancelDeadline)!, held: s.held,
      mine: s.mineId ? { signupId: s.mineId, status: s.mineStatus!, waitlistPosition: s.minePosition } : null,
    })),
  }))
}

export async function createActivity(ctx: AppContext, caller: Caller, body: ActivityBody): Promise<ActivityView> {
  const dir = await ctx.regions.get()
  assertManagesActivity(dir, caller, body.regionCode)
  const fields = activityFields(dir, body)
  checkShifts(body.shifts)
  const id = await ctx.db.transaction(async (tx) => {
    const id = await q.insertActivity(tx, fields, caller.userId)
    await q.insertShifts(tx, id, body.shifts)
    await audit(tx, caller.userId, 'volunteer.activity.create', `volunteer_activity:${id}`, { regionCode: body.regionCode, shifts: body.shifts.length })
    return id
  })
  return getActivity(ctx, caller, id)
}

export async function getActivity(ctx: AppContext, caller: Caller, id: number): Promise<ActivityView> {
  const dir = await ctx.regions.get()
  const a = await q.activityById(ctx.db, id)
  if (!a) throw notFound('ACTIVITY_NOT_FOUND', '该活动不存在')
  return (await activityViews(ctx, dir, caller, [a]))[0]
}

/**
 * Until the first sign-up an activity may change freely: shifts listed by id are kept (as they are when unchanged, so
 * a shift that has started may stay), others are dropped or added, and only the changed and new ones must be valid
 * new shifts. After it, the people signed up
 * hold places on the shifts as they were, so: every existing shift stays (listed by id; new ones may be added), the
 * region stays (it decides who may sign up), a capacity never goes below the places already confirmed (a larger one
 * gives the new places to the waitlist in order), and a time change that would make any signed-up volunteer's shifts
 * overlap is refused. Volunteers on a shift whose time changed, and everyone signed up when the place changed, are told.
 */
export async function editActivity(ctx: AppContext, caller: Caller, id: number, body: ActivityBody): Promise<ActivityView> {
  const dir = await ctx.regions.get()
  if (!dir.get(body.regionCode)) throw badRequest('REGION_INVALID', '活动区域不存在')
  await ctx.db.transaction(async (tx) => {
    const a = await q.lockActivity(tx, id)
    if (!a) throw notFound('ACTIVITY_NOT_FOUND', '该活动不存在')
    assertManagesActivity(dir, caller, a.regionCode)
    assertManagesActivity(dir, caller, body.regionCode)
    if (a.status !== 'published') throw conflict('ACTIVITY_CANCELLED', '该活动已取消')
    if (a.signups === 0) await editUnsignedUp(tx, dir, caller, a, body)
    else await editSignedUp(ctx, tx, caller, a, body)
  })
  return getActivity(ctx, caller, id)
}

/** The activity's shifts, and those of them the body lists (by id: each one of the activity's own, at most once). */
async function listedShifts(tx: Queryable, activityId: number, body: ActivityBody) {
  const existing = await q.shiftsForEdit(tx, activityId)
  const byId = new Map(existing.map((s) => [s.id, s]))
  const listed = new Set(body.shifts.filter((s) => s.id !== undefined).map((s) => s.id!))
  for (const s of body.shifts) {
    if (s.id !== undefined && !byId.has(s.id)) throw badRequest('SHIFT_NOT_IN_ACTIVITY', `班次 ${s.id} 不属于该活动`)
  }
  if (listed.size !== body.shifts.filter((s) => s.id !== undefined).length) throw badRequest('SHIFT_LISTED_TWICE', '同一个班次不能出现两次')
  return { existing, byId, dropped: existing.filter((s) => !listed.has(s.id)) }
}

const sameInstant = (x: string, y: Date) => Date.parse(x) === new Date(y).getTime()

async function editUnsignedUp(tx: Queryable, dir: RegionDirectory, caller: Caller, a: q.ActivityRow, body: ActivityBody): Promise<void> {
  const { byId, dropped } = await listedShifts(tx, a.id, body)
  const unchanged = (s: ShiftInput) => {
    const old = s.id !== undefined ? byId.get(s.id)! : null
    return !!old && s.capacity === old.capacity && sameInstant(s.startsAt, old.startsAt) && sameInstant(s.endsAt, old.endsAt) &&
      sameInstant(s.signupDeadline, old.signupDeadline) && sameInstant(s.cancelDeadline, old.cancelDeadline)
  }
  checkShifts(body.shifts, (s) => !unchanged(s))
  await q.updateActivity(tx, a.id, activityFields(dir, body))
  if (dropped.length) await q.deleteShiftsById(tx, dropped.map((s) => s.id))
  for (const s of body.shifts) if (s.id !== undefined && !unchanged(s)) await q.updateShift(tx, s.id, s)
  const added = body.shifts.filter((s) => s.id === undefined)
  if (added.length) await q.insertShifts(tx, a.id, added)
  await audit(tx, caller.userId, 'volunteer.activity.edit', `volunteer_activity:${a.id}`, {})
}

async function editSignedUp(ctx: AppContext, tx: Queryable, caller: Caller, a: q.ActivityRow, body: ActivityBody): Promise<void> {
  if (body.regionCode !== a.regionCode) throw conflict('ACTIVITY_REGION_LOCKED', '已有志愿者报名，活动区域不能再修改')
  const { existing, byId, dropped } = await listedShifts(tx, a.id, body)
  if (dropped.some((s) => s.live > 0)) throw conflict('SHIFT_HAS_SIGNUPS', '已有志愿者报名的班次不能删除；如需停办请取消活动')
  const moved = body.shifts.filter((s) => s.id !== undefined && !(sameInstant(s.startsAt, byId.get(s.id)!.startsAt) && sameInstant(s.endsAt, byId.get(s.id)!.endsAt)))
  checkShifts(body.shifts, (s) => s.id === undefined || moved.includes(s))
  body.shifts.forEach((s, i) => {
    const [start, su, ca] = [s.startsAt, s.signupDeadline, s.cancelDeadline].map((x) => Date.parse(x))
    if (!(Date.parse(s.endsAt) > start)) throw badRequest('SHIFT_TIME_INVALID', `第 ${i + 1} 个班次的结束时间须晚于开始时间`)
    if (su > start || ca > start) throw badRequest('SHIFT_DEADLINE_INVALID', `第 ${i + 1} 个班次的报名截止和取消截止须不晚于开始时间`)
    const old = s.id !== undefined ? byId.get(s.id)! : null
    if (old && s.capacity < old.confirmed) {
      throw conflict('CAPACITY_BELOW_CONFIRMED', `第 ${i + 1} 个班次已有 ${old.confirmed} 人报名，名额不能少于 ${old.confirmed}；如需减少请先与志愿者沟通取消`)
    }
  })
  const fields: q.ActivityFields = {
    type: body.type, title: body.title.trim(), description: body.description.trim(), lng: body.lng, lat: body.lat, radiusM: body.radiusM,
    address: body.address.trim(), regionCode: body.regionCode, requirements: body.requirements.trim(),
  }
  const placeChanged = fields.lng !== a.lng || fields.lat !== a.lat || fields.radiusM !== a.radiusM || fields.address !== a.address
  await q.updateActivity(tx, a.id, fields)
  if (dropped.length) await q.deleteShiftsById(tx, dropped.map((s) => s.id))
  const promoted: Array<{ id: number; userId: number }> = []
  for (const s of body.shifts.filter((x) => x.id !== undefined)) {
    const old = byId.get(s.id!)!
    await q.updateShift(tx, s.id!, s)
    if (s.capacity > old.capacity) {
      const got = await q.promoteWaitlisted(tx, s.id!, s.capacity - old.confirmed)
      if (got.length) await q.addConfirmed(tx, s.id!, got.length)
      promoted.push(...got)
    }
  }
  const added = body.shifts.filter((s) => s.id === undefined)
  if (added.length) await q.insertShifts(tx, a.id, added)
  const overlaps = moved.length ? await q.overlapsAfterMove(tx, moved.map((s) => s.id!)) : 0
  if (overlaps > 0) {
    const n = overlaps
    throw conflict('SHIFT_CHANGE_OVERLAPS', `改期后有 ${n} 位已报名的志愿者会与其报名的其他班次时间重叠，不能这样改期；可新增班次，或与志愿者沟通后再改`)
  }
  const page = activityPage(a.id)
  const title = fields.title
  const placeTold = placeChanged ? (await q.liveUsersOf(tx, existing.map((s) => s.id))).map((r) => r.userId) : []
  const timeTold = moved.length ? (await q.liveUsersOf(tx, moved.map((s) => s.id!))).map((r) => r.userId).filter((u) => !placeTold.includes(u)) : []
  await notify(tx, placeTold, 'volunteer.activity_changed', `volunteer_activity:${a.id}`, page, title, '地点变更', `新地点：${fields.address}`)
  await notify(tx, timeTold, 'volunteer.activity_changed', `volunteer_activity:${a.id}`, page, title, '时间变更', '班次时间已调整，请查看')
  for (const p of promoted) {
    await notify(tx, [p.userId], 'volunteer.promoted', `volunteer_signup:${p.id}`, page, title, '候补转正', '名额增加，您已转为正式报名')
  }
  await audit(tx, caller.userId, 'volunteer.activity.edit', `volunteer_activity:${a.id}`, {
    afterSignups: true, placeChanged, movedShifts: moved.map((s) => s.id), addedShifts: added.length, droppedShifts: dropped.map((s) => s.id),
    promoted: promoted.length, told: placeTold.length + timeTold.length,
  })
}

export async function cancelActivity(ctx: AppContext, caller: Caller, id: number, reason: string): Promise<ActivityView> {
  const dir = await ctx.regions.get()
  await ctx.db.transaction(async (tx) => {
    const a = await q.lockActivity(tx, id)
    if (!a) throw notFound('ACTIVITY_NOT_FOUND', '该活动不存在')
    assertManagesActivity(dir, caller, a.regionCode)
    if (a.status !== 'published') throw conflict('ACTIVITY_CANCELLED', '该活动已取消')
    const released = await q.releaseActivitySignups(tx, id)
    await q.cancelActivity(tx, id, caller.userId, reason.trim())
    await audit(tx, caller.userId, 'volunteer.activity.cancel', `volunteer_activity:${id}`, { reason: reason.trim(), released: released.length })
    await notify(tx, released.map((r) => r.userId), 'volunteer.activity_cancelled', `volunteer_activity:${id}`, activityPage(id), a.title, '活动取消', reason.trim())
  })
  return getActivity(ctx, caller, id)
}

const listCursor = cursorCodec('id')

/** Activities a caller can take part in (their community and every region above it), and, for staff, those they manage. */
export async function listActivities(ctx: AppContext, caller: Caller, cursor: string | undefined, limit: number): Promise<ActivityList> {
  const dir = await ctx.regions.get()
  const scope = staffScope(dir, caller)
  const own = caller.communityCode ? dir.chain(caller.communityCode).map((r) => r.code) : []
  const regions = scope === null ? null : [...new Set([...own, ...scope])]
  const before = listCursor.decode(cursor)
  const rows = await q.listActivities(ctx.db, regions, before?.[0] ?? null, limit + 1, caller.office || caller.workerRegions.length > 0)
  const items = await activityViews(ctx, dir, caller, rows.slice(0, limit))
  return { items, nextCursor: rows.length > limit ? listCursor.encode([items[items.length - 1].id]) : null }
}

// ───────────── sign-up ─────────────

/** Why volunteer_sign_up_at refused, as the API says it. */
const REFUSED = {
  not_volunteer: () => forbidden('NOT_VOLUNTEER', '请先申请成为志愿者'),
  volunteer_pending: () => forbidden('VOLUNTEER_PENDING', '您的志愿者申请尚在审核中'),
  volunteer_suspended: () => forbidden('VOLUNTEER_SUSPENDED', '您的志愿者身份已被暂停，不能报名'),
  shift_not_found: () => notFound('SHIFT_NOT_FOUND', '该班次不存在'),
  activity_cancelled: () => conflict('ACTIVITY_CANCELLED', '该活动已取消'),
  other_region: () => forbidden('SIGNUP_OTHER_REGION', '该活动只接受本区域的志愿者报名'),
  signup_closed: () => conflict('SIGNUP_CLOSED', '该班次报名已截止'),
  already: () => conflict('ALREADY_SIGNED_UP', '您已报名该班次'),
  overlap: () => conflict('SHIFT_OVERLAP', '该班次与您已报名的班次时间重叠'),
} as const

/**
 * Sign-up in one round trip (the session too, unless this process remembers the caller), with the sign-ups that
 * arrive at the same time (signup-batch.ts): volunteer_sign_up_at (server/db/functions/volunteer_sign_up.sql) takes the
 * volunteer's and the shift's row locks, runs every check and writes the place or the waitlist entry — places never
 * exceed capacity whatever the concurrency, in every API process. Its outcome names the check that failed.
 */
export async function signUp(ctx: AppContext, who: { userId: number | null; tokenHash: string }, shiftId: number): Promise<SignupResult> {
  const c = ctx.config.volunteers
  const r = await signUpBatcher(ctx).write({ ...who, shiftId })
  if (r.outcome === 'confirmed' || r.outcome === 'waitlisted') {
    return { signupId: r.signupId!, shiftId, status: r.outcome, waitlistPosition: r.outcome === 'waitlisted' ? r.position : null }
  }
  if (r.outcome === 'no_session') {
    // the exact 401 (unknown, revoked or expired)
    await callerOfTokenHash(ctx, who.tokenHash)
    throw unauthorized('INVALID_TOKEN', '登录凭证无效，请重新登录')
  }
  if (r.outcome === 'blocked') {
    throw forbidden('SIGNUP_BLOCKED', `近 ${c.noShowWindowDays} 天内缺席 ${c.noShowLimit} 次，${r.until!.toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' })} 前不能报名`)
  }
  throw REFUSED[r.outcome]()
}

/** Under the shift's lock: the sign-up ends, and a confirmed place goes to the first on the waitlist — once. */
async function cancelLocked(tx: Queryable, shiftId: number, signupId: number, userId: number, as: 'cancelled' | 'released'): Promise<number | null> {
  const own = await q.liveSignup(tx, shiftId, userId, true)
  if (!own || own.id !== signupId) return null
  await q.setSignupStatus(tx, signupId, as)
  if (own.status !== 'confirmed') return null
  const next = await q.firstWaitlisted(tx, shiftId)
  if (!next) {
    await q.addConfirmed(tx, shiftId, -1)
    return null
  }
  await q.setSignupStatus(tx, next.id, 'confirmed')
  const a = await tx.one<{ id: number; title: string }>(
    'SELECT a.id::int AS id, a.title FROM volunteer_activities a JOIN volunteer_shifts sh ON sh.activity_id = a.id WHERE sh.id = $1', [shiftId])
  await notify(tx, [next.userId], 'volunteer.promoted', `volunteer_signup:${next.id}`, activityPage(a!.id), a!.title, '候补转正', '您已从候补转为正式报名')
  return next.userId
}

export async function cancelSignup(ctx: AppContext, caller: Caller, shiftId: number): Promise<CancelResult> {
  return ctx.db.transaction(async (tx) => {
    const s = await q.lockShift(tx, shiftId)
    if (!s) throw notFound('SHIFT_NOT_FOUND', '该班次不存在')
    const own = await q.liveSignup(tx, shiftId, caller.userId, true)
    if (!own) throw notFound('SIGNUP_NOT_FOUND', '您没有报名该班次')
    if (own.status === 'confirmed' && s.cancelClosed) throw conflict('CANCEL_CLOSED', '已过取消截止时间，如不能到岗请联系社区网格员')
    const promoted = await cancelLocked(tx, shiftId, own.id, caller.userId, 'cancelled')
    return { signupId: own.id, status: 'cancelled', promotedUserId: promoted }
  })
}

const historyCursor = cursorCodec('instant', 'id')

/** 我的志愿: the shifts to come (all of them: a volunteer holds few), and the history a page at a time (newest first). */
export async function mySignups(ctx: AppContext, caller: Caller, cursor?: string, limit = 50): Promise<MySignups> {
  const before = historyCursor.decode(cursor)
  const [upcoming, history] = await Promise.all([
    before ? Promise.resolve([]) : q.upcomingOf(ctx.db, caller.userId),
    q.historyPage(ctx.db, caller.userId, before, limit + 1),
  ])
  const page = history.slice(0, limit)
  const last = page[page.length - 1]
  const view = (r: q.MySignupRow) => ({
    signupId: r.signupId, shiftId: r.shiftId, activityId: r.activityId, title: r.title, typeLabel: ACTIVITY_TYPES[r.type], address: r.address,
    startsAt: iso(r.startsAt)!, endsAt: iso(r.endsAt)!, status: r.status, statusLabel: SIGNUP_STATUS_LABELS[r.status],
    waitlistPosition: r.waitlistPosition, checkedInAt: iso(r.checkedInAt), checkedOutAt: iso(r.checkedOutAt), creditedMinutes: r.creditedMinutes,
  })
  return {
    upcoming: upcoming.map(view), history: page.map(view),
    nextCursor: history.length > limit ? historyCursor.encode([last.startsAt, last.signupId]) : null,
  }
}

// ───────────── check-in, check-out, hours ─────────────

const CHECK_IN_EARLY_MS = 30 * 60_000
const CHECK_OUT_LATE_MS = 2 * 3600_000

export async function currentCode(ctx: AppContext, caller: Caller, shiftId: number): Promise<CheckCode> {
  const dir = await ctx.regions.get()
  const s = await q.shiftById(ctx.db, shiftId)
  if (!s) throw notFound('SHIFT_NOT_FOUND', '该班次不存在')
  assertManagesActivity(dir, caller, s.regionCode)
  if (s.activityStatus !== 'published') throw conflict('ACTIVITY_CANCELLED', '该活动已取消')
  const c = ctx.config.volunteers
  const now = Date.now()
  const step = stepAt(c, now)
  const token = tokenFor(c, shiftId, step)
  return {
    shiftId, token, code: codeFor(c, shiftId, step), step, stepSeconds: c.codeStepSeconds,
    qrDataUrl: await (await loadQRCode()).toDataURL(`${CHECKIN_QR_PREFIX}${token}`, { margin: 1, width: 320 }),
    expiresAt: new Date((step + 1) * c.codeStepSeconds * 1000).toISOString(),
  }
}

const TOKEN_ERRORS = {
  invalid: badRequest('CHECKIN_CODE_INVALID', '签到码无效，请重新扫码或核对 6 位数字'),
  other_shift: badRequest('CHECKIN_OTHER_SHIFT', '这是另一个班次的签到码'),
  expired: badRequest('CHECKIN_CODE_EXPIRED', '签到码已过期，请扫描网格员手机上的最新二维码'),
} as const

/** Hours of a finished attendance: time on site within the shift, if it covers the configured share of it. */
function creditFor(ratio: number, s: q.LockedShift, inAt: Date, outAt: Date): { minutes: number; ok: boolean; share: number } {
  const span = s.endsAt.getTime() - s.startsAt.getTime()
  const on = Math.max(0, Math.min(outAt.getTime(), s.endsAt.getTime()) - Math.max(inAt.getTime(), s.startsAt.getTime()))
  const share = on / span
  return { minutes: Math.floor(on / 60_000), ok: share >= ratio && on >= 60_000, share }
}

async function credit(tx: Queryable, ratio: number, s: q.LockedShift, su: q.SignupRow, inAt: Date, outAt: Date, actorId: number | null, how: string) {
  const c = creditFor(ratio, s, inAt, outAt)
  if (!c.ok) return { minutes: null, why: `在岗时间占班次的 ${Math.round(c.share * 100)}%，不足 ${Math.round(ratio * 100)}%，未记时长` }
  await q.insertCredit(tx, su.userId, su.id, c.minutes, actorId, `${how}：在岗 ${c.minutes} 分钟（班次的 ${Math.round(c.share * 100)}%）`)
  return { minutes: await q.creditedMinutes(tx, su.id), why: null }
}

export async function attend(ctx: AppContext, caller: Caller, shiftId: number, body: AttendanceBody): Promise<AttendanceResult> {
  const c = ctx.config.volunteers
  const proofs = [body.token !== undefined, body.code !== undefined, body.lng !== undefined || body.lat !== undefined].filter(Boolean).length
  if (proofs !== 1) throw badRequest('CHECKIN_PROOF_REQUIRED', '请扫描签到二维码、输入 6 位签到码，或使用定位签到（三选一）')
  if ((body.lng === undefined) !== (body.lat === undefined)) throw badRequest('CHECKIN_PROOF_REQUIRED', '定位签到需要经度和纬度')
  const result = await ctx.db.transaction(async (tx) => {
    const s = await q.shiftById(tx, shiftId)
    if (!s) throw notFound('SHIFT_NOT_FOUND', '该班次不存在')
    if (s.activityStatus !== 'published') throw conflict('ACTIVITY_CANCELLED', '该活动已取消')
    // the place's row lock: a volunteer's attempts (right or wrong) are judged one after another
    const su = await q.signupForAttendance(tx, shiftId, caller.userId)
    if (!su) throw forbidden('NOT_ON_SHIFT', '您没有报名（或尚在候补）该班次，不能签到')
    return attendLocked(c, tx, s, su, body)
  })
  // refused after the commit, so that the wrong code stays counted
  if (result === 'wrong_code') throw TOKEN_ERRORS.invalid
  return result
}

/** Six digits can be guessed by trying: after MAX_CODE_FAILURES wrong ones a volunteer scans, uses location or asks the worker. */
const MAX_CODE_FAILURES = 10

async function attendLocked(
  c: AppContext['config']['volunteers'], tx: Queryable, s: q.LockedShift, su: q.SignupRow, body: AttendanceBody,
): Promise<AttendanceResult | 'wrong_code'> {
  const now = new Date(s.now)
  let method: 'code' | 'location'
  if (body.lng !== undefined && body.lat !== undefined) {
    const d = distanceM({ lng: body.lng, lat: body.lat }, s)
    if (d > s.radiusM) throw badRequest('CHECKIN_TOO_FAR', `您距活动地点约 ${Math.round(d)} 米，超出签到范围（${s.radiusM} 米）`)
    method = 'location'
  } else if (body.token !== undefined) {
    const r = checkToken(c, s.id, body.token, now.getTime())
    if (r !== 'ok') throw TOKEN_ERRORS[r]
    method = 'code'
  } else {
    if (su.codeFailures >= MAX_CODE_FAILURES) {
      throw tooMany('CHECKIN_CODE_LOCKED', '签到码输错次数过多，请扫描二维码或使用定位签到，也可请网格员登记')
    }
    if (checkCode(c, s.id, body.code!, now.getTime()) !== 'ok') {
      await q.countCodeFailure(tx, su.id)
      return 'wrong_code'
    }
    method = 'code'
  }
  if (body.action === 'in') {
    if (su.checkedInAt) throw conflict('ALREADY_CHECKED_IN', '您已签到')
    if (now.getTime() < s.startsAt.getTime() - CHECK_IN_EARLY_MS) throw conflict('CHECKIN_TOO_EARLY', '班次开始前 30 分钟内才能签到')
    if (now.getTime() >= s.endsAt.getTime()) throw conflict('SHIFT_ENDED', '班次已结束，不能签到')
    await q.setCheckIn(tx, su.id, now, method)
    return { signupId: su.id, checkedInAt: now.toISOString(), checkedOutAt: null, creditedMinutes: null, notCreditedReason: null }
  }
  if (!su.checkedInAt) throw conflict('NOT_CHECKED_IN', '请先签到')
  if (su.checkedOutAt) throw conflict('ALREADY_CHECKED_OUT', '您已签退')
  if (now.getTime() > s.endsAt.getTime() + CHECK_OUT_LATE_MS) throw conflict('CHECKOUT_CLOSED', '已超过签退时间，请联系网格员补记')
  await q.setCheckOut(tx, su.id, now, method)
  const got = await credit(tx, c.creditRatio, s, su, new Date(su.checkedInAt), now, null, method === 'code' ? '扫码签到签退' : '定位签到签退')
  return { signupId: su.id, checkedInAt: iso(su.checkedInAt), checkedOutAt: now.toISOString(), creditedMinutes: got.minutes, notCreditedReason: got.why }
}

const rosterCursor = cursorCodec('id', 'id')

/** A shift's roster and attendance: the confirmed in arrival order, then the waitlist, a page at a time. */
export async function rosterOf(ctx: AppContext, caller: Caller, shiftId: number, cursor?: string, limit = 200): Promise<Roster> {
  const dir = await ctx.regions.get()
  const s = await q.shiftById(ctx.db, shiftId)
  if (!s) throw notFound('SHIFT_NOT_FOUND', '该班次不存在')
  assertManagesActivity(dir, caller, s.regionCode)
  const after = rosterCursor.decode(cursor)
  const rows = await q.rosterPage(ctx.db, shiftId, after, limit + 1)
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  const [checkedIn, checkedOut] = await q.attendanceCounts(ctx.db, shiftId)
  return {
    shiftId, capacity: s.capacity, confirmed: s.confirmed, checkedIn, checkedOut,
    items: page.map((r) => ({
      signupId: r.signupId, userId: r.userId, realName: r.realName, status: r.status, waitlistPosition: r.waitlistPosition,
      checkedInAt: iso(r.checkedInAt), checkedOutAt: iso(r.checkedOutAt), attendance: r.attendance, creditedMinutes: r.creditedMinutes,
    })),
    nextCursor: rows.length > limit ? rosterCursor.encode([last.rank, last.signupId]) : null,
  }
}

/** The worker's hand: attendance (times default to the shift's) or absence, audited; hours as at check-out. */
export async function markAttendance(ctx: AppContext, caller: Caller, shiftId: number, userId: number, body: MarkBody): Promise<AttendanceResult> {
  const dir = await ctx.regions.get()
  return ctx.db.transaction(async (tx) => {
    const s = await q.lockShift(tx, shiftId)
    if (!s) throw notFound('SHIFT_NOT_FOUND', '该班次不存在')
    assertManagesActivity(dir, caller, s.regionCode)
    if (new Date(s.now).getTime() < s.startsAt.getTime()) throw conflict('SHIFT_NOT_STARTED', '班次开始后才能登记到岗情况')
    const su = await q.signupForAttendance(tx, shiftId, userId)
    if (!su) throw notFound('SIGNUP_NOT_FOUND', '该志愿者不在本班次的正式名单上')
    if (await q.creditedMinutes(tx, su.id) !== null) throw conflict('ALREADY_CREDITED', '该班次已记时长；如需调整请添加时长更正')
    const reason = body.reason.trim()
    if (body.attendance === 'no_show') {
      await q.setAttendance(tx, su.id, 'no_show', null, null)
      await audit(tx, caller.userId, 'volunteer.attendance.mark', `volunteer_signup:${su.id}`, { attendance: 'no_show', reason })
      return { signupId: su.id, checkedInAt: null, checkedOutAt: null, creditedMinutes: null, notCreditedReason: '登记为缺席' }
    }
    const inAt = new Date(body.checkedInAt ?? su.checkedInAt ?? s.startsAt)
    const outAt = new Date(body.checkedOutAt ?? s.endsAt)
    if (!(outAt > inAt)) throw badRequest('ATTENDANCE_TIME_INVALID', '签退时间须晚于签到时间')
    if (outAt.getTime() > new Date(s.now).getTime()) throw badRequest('ATTENDANCE_TIME_INVALID', '签退时间不能晚于现在')
    await q.setAttendance(tx, su.id, 'attended', inAt, outAt)
    const got = await credit(tx, ctx.config.volunteers.creditRatio, s, su, inAt, outAt, caller.userId, `网格员补记（${reason}）`)
    await audit(tx, caller.userId, 'volunteer.attendance.mark', `volunteer_signup:${su.id}`, {
      attendance: 'attended', checkedInAt: inAt.toISOString(), checkedOutAt: outAt.toISOString(), creditedMinutes: got.minutes, reason,
    })
    return { signupId: su.id, checkedInAt: inAt.toISOString(), checkedOutAt: outAt.toISOString(), creditedMinutes: got.minutes, notCreditedReason: got.why }
  })
}

/** A correction or honorary entry: a new line of the ledger, never an edit; a total may not go below zero. */
export async function addHours(ctx: AppContext, caller: Caller, body: HoursBody): Promise<HoursLedger> {
  if (body.minutes === 0) throw badRequest('HOURS_ZERO', '时长不能为 0')
  if (body.kind === 'honorary' && body.minutes < 0) throw badRequest('HOURS_NEGATIVE', '荣誉时长须为正数；扣减请用更正')
  const dir = await ctx.regions.get()
  await ctx.db.transaction(async (tx) => {
    const v = await q.lockVolunteer(tx, body.userId)
    if (!v) throw notFound('VOLUNTEER_NOT_FOUND', '没有这位志愿者')
    assertManagesVolunteer(dir, caller, v.communityCode)
    if (caller.userId === body.userId) throw forbidden('OWN_HOURS', '不能给自己记时长')
    if ((await q.totalMinutes(tx, body.userId)) + body.minutes < 0) throw badRequest('HOURS_BELOW_ZERO', '更正后总时长不能为负')
    const e = await q.insertEntry(tx, body.userId, body.kind, body.minutes, caller.userId, body.reason.trim())
    await audit(tx, caller.userId, `volunteer.hours.${body.kind}`, `user:${body.userId}`, { entryId: e!.id, minutes: body.minutes, reason: body.reason.trim() })
  })
  return hoursOf(ctx, body.userId)
}

const ledgerCursor = cursorCodec('id')

/** The total (a sum of the whole ledger) and its entries, newest first, a page at a time. */
export async function hoursOf(ctx: AppContext, userId: number, cursor?: string, limit = 50): Promise<HoursLedger> {
  const before = ledgerCursor.decode(cursor)
  const [entries, totalMinutes] = await Promise.all([q.ledgerPage(ctx.db, userId, before?.[0] ?? null, limit + 1), q.totalMinutes(ctx.db, userId)])
  const page = entries.slice(0, limit)
  return {
    totalMinutes,
    entries: page.map((e) => ({ ...e, createdAt: iso(e.createdAt)! })),
    nextCursor: entries.length > limit ? ledgerCursor.encode([page[page.length - 1].id]) : null,
  }
}

export async function hoursOfVolunteer(ctx: AppContext, caller: Caller, userId: number, cursor?: string, limit?: number): Promise<HoursLedger> {
  if (caller.userId !== userId) {
    const dir = await ctx.regions.get()
    const v = await q.volunteerByUser(ctx.db, userId)
    if (!v) throw notFound('VOLUNTEER_NOT_FOUND', '没有这位志愿者')
    assertManagesVolunteer(dir, caller, v.communityCode)
  }
  return hoursOf(ctx, userId, cursor, limit)
}

/** 注销: the real name and phone go; places not yet served go back to others (promoting waitlists); hours stay counted. */
export async function eraseVolunteer(tx: Queryable, userId: number): Promise<void> {
  await releaseFuturePlaces(tx, userId)
  await q.eraseVolunteer(tx, userId)
  await q.eraseCertificates(tx, userId)
}

/** 首页: the next activities open to the resident's community (its own and those of the regions above it), soonest first. */
export const volunteerHomeSection: HomeSectionSource = async (ctx, communityCode) => {
  const dir = await ctx.regions.get()
  const rows = await q.upcomingActivities(ctx.db, dir.chain(communityCode).map((r) => r.code), 5)
  const when = (d: Date) => new Date(new Date(d).getTime() + 8 * 3600_000).toISOString().slice(5, 16).replace('-', '月').replace('T', '日 ')
  return {
    key: 'volunteers',
    title: '近期志愿活动',
    items: rows.map((a) => ({
      id: String(a.id), title: a.title,
      subtitle: `${ACTIVITY_TYPES[a.type]} · ${when(a.nextStart)} · ${a.placesLeft > 0 ? `余 ${a.placesLeft} 个名额` : '已满，可候补'}`,
    })),
  }
}

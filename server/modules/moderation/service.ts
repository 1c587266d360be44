import { cursorCodec } from '../../lib/cursor'
import { thumbUrl } from '../reports/photos'
import type { AppContext } from '../../context'
import { badRequest, conflict, notFound } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import {
  FLAG_REASONS, type FlagBody, type FlagResult, type FlagReason, type ModerationQueue, type ModerationState, type ReviewBody, type ReviewResult,
} from '../../../types/moderation'
import { scopeCodes } from '../reports/policy'
import { lockReports } from '../reports/queries'
import { publiclyVisible, reportNumber } from '../reports/service'
import { assertModerator, assertModeratorOf } from './policy'
import * as q from './queries'

const AFTER_REVIEW: Record<ReviewBody['action'], ModerationState> = { restore: 'visible', hide: 'hidden', remove_content: 'content_removed' }

/**
 * A resident's 举报 of a report they can see. The report row is locked, so concurrent flags are counted one after
 * another and the one that reaches the threshold hides the report exactly once.
 */
export async function flagReport(ctx: AppContext, caller: Caller, reportId: number, body: FlagBody): Promise<FlagResult> {
  const note = body.note?.trim() || null
  if (body.reason === 'other' && !note) throw badRequest('FLAG_NOTE_REQUIRED', '选择“其他”时请说明举报原因')
  return ctx.db.transaction(async (tx) => {
    const [r] = await lockReports(tx, [reportId])
    if (!r || !publiclyVisible(r)) throw notFound('REPORT_NOT_FOUND', '该随手拍不存在')
    if (r.reporterId === caller.userId) throw conflict('FLAG_OWN_ITEM', '不能举报自己发布的内容')
    if (!(await q.insertFlag(tx, 'report', reportId, caller.userId, body.reason, note))) {
      throw conflict('FLAG_ALREADY', '您已举报过该内容，我们会尽快审核')
    }
    const pending = await q.pendingFlagCount(tx, 'report', reportId)
    // a report whose content was already removed stays visible (stripped); its new flags wait in the queue
    if (pending >= ctx.config.flagHideThreshold && r.moderation === 'visible') {
      await q.setReportModeration(tx, reportId, 'auto_hidden')
      await audit(tx, null, 'moderation.auto_hide', `report:${reportId}`, { pendingFlags: pending, threshold: ctx.config.flagHideThreshold })
    }
    return { reportId, flagged: true as const }
  })
}

// the rank (0 auto-hidden first, 1 the rest) travels as rank + 1: the shared codec takes positive integers only
const queueCursor = cursorCodec('id', 'instant', 'id')

function decodeCursor(c: string | undefined): [number, string, number] | null {
  const v = queueCursor.decode(c)
  if (!v) return null
  if (v[0] > 2) throw badRequest('CURSOR_INVALID', '分页游标无效，请从第一页重新加载')
  return [v[0] - 1, v[1].toISOString(), v[2]]
}

export async function queue(ctx: AppContext, caller: Caller, cursor: string | undefined, limit: number): Promise<ModerationQueue> {
  assertModerator(caller)
  const dir = await ctx.regions.get()
  const rows = await q.queue(ctx.db, scopeCodes(dir, caller), decodeCursor(cursor), limit + 1)
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return {
    items: items.map((r) => {
      const reasons = (typeof r.reasons === 'string' ? JSON.parse(r.reasons) : r.reasons ?? []) as Array<{ reason: FlagReason; count: number }>
      return {
        reportId: r.reportId,
        number: reportNumber(r.reportId),
        categoryName: r.categoryName,
        description: r.description,
        address: r.address,
        communityName: dir.get(r.communityCode)?.name ?? r.communityCode,
        thumbUrl: thumbUrl(ctx.config.photoLinks, r.thumbId),
        moderation: r.moderation,
        pendingFlags: r.pendingFlags,
        reasons: reasons.map((x) => ({ reason: x.reason, label: FLAG_REASONS[x.reason], count: x.count })),
        notes: r.notes ?? [],
        firstFlaggedAt: new Date(r.firstFlaggedAt).toISOString(),
      }
    }),
    nextCursor:
      rows.length > limit ? queueCursor.encode([last.rank + 1, new Date(last.firstFlaggedAt), last.reportId]) : null,
  }
}

/** A reviewer's decision on a flagged report: it closes every pending flag and sets what residents see. */
export async function review(ctx: AppContext, caller: Caller, reportId: number, body: ReviewBody): Promise<ReviewResult> {
  const dir = await ctx.regions.get()
  return ctx.db.transaction(async (tx) => {
    const [r] = await lockReports(tx, [reportId])
    if (!r) throw notFound('REPORT_NOT_FOUND', '该随手拍不存在')
    assertModeratorOf(dir, caller, r)
    const reviewed = await q.closePendingFlags(tx, 'report', reportId, caller.userId, body.action)
    if (reviewed === 0) throw conflict('NOTHING_TO_REVIEW', '该内容没有待审核的举报，可能已被他人处理')
    const next = AFTER_REVIEW[body.action]
    await q.setReportModeration(tx, reportId, next)
    await audit(tx, caller.userId, 'moderation.review', `report:${reportId}`, {
      action: body.action, from: r.moderation, to: next, reviewedFlags: reviewed, note: body.note?.trim() || null,
    })
    return { reportId, moderation: next, reviewedFlags: reviewed }
  })
}

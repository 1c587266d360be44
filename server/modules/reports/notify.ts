import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { conflict, notFound } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import { WechatSendError } from '../../platform/wechat'
import { STATE_LABELS, type NotificationItem, type ReportState } from '../../../types/reports'
import { assertOffice } from './policy'
import { enqueueForFollowers, notificationById, requeueFailedNotification, type NotificationRow } from './queries'

export const MAX_ATTEMPTS = 5
const BASE_BACKOFF_SECONDS = 30
const TEMPLATE_ID = process.env.REPORTS_SUBSCRIBE_TEMPLATE_ID || 'demo-report-status'

export const DETAIL_PAGE = 'packages/reports/pages/detail/index?id='

/** The subscribe message for a report's new state (WeChat's field limits applied). */
export function stateMessagePayload(r: { id: number; categoryName: string; state: ReportState; note?: string | null; at: Date }) {
  const shanghai = new Date(r.at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
  return {
    templateId: TEMPLATE_ID,
    page: `${DETAIL_PAGE}${r.id}`,
    data: {
      thing1: { value: r.categoryName.slice(0, 20) },
      phrase2: { value: STATE_LABELS[r.state].slice(0, 5) },
      time3: { value: shanghai },
      thing4: { value: (r.note || '点击查看处理进度').slice(0, 20) },
    },
  }
}

/**
 * Written in the transaction of the change: the messages exist exactly when the change does. Everyone following the
 * report hears of it — the reporter and the co-reporters ("+1" and reporters of merged duplicates).
 */
export function enqueueStateMessages(
  tx: Queryable,
  reporterId: number,
  r: { id: number; categoryName: string; state: ReportState; note?: string | null; at: Date },
) {
  return enqueueForFollowers(tx, r.id, reporterId, 'report.state', stateMessagePayload(r))
}

/** The office's "retry now" for a message that ended as failed (the user may have subscribed again since). */
export async function retryNotification(ctx: AppContext, caller: Caller, id: number): Promise<NotificationItem> {
  assertOffice(caller)
  const row = await ctx.db.transaction(async (tx) => {
    const requeued = await requeueFailedNotification(tx, id)
    if (!requeued) {
      const existing = await notificationById(tx, id)
      if (!existing) throw notFound('NOTIFICATION_NOT_FOUND', '该订阅消息不存在')
      throw conflict('NOTIFICATION_NOT_FAILED', `只能重发发送失败的消息（当前状态：${NOTIFICATION_STATUS_LABELS[existing.status] ?? existing.status}）`)
    }
    await audit(tx, caller.userId, 'notification.retry', `notification:${id}`, { ref: requeued.ref })
    return requeued
  })
  return notificationView(row)
}

const NOTIFICATION_STATUS_LABELS: Record<string, string> = { pending: '待发送', sent: '已发送', failed: '发送失败', skipped: '未发送' }

export function notificationView(n: NotificationRow): NotificationItem {
  return { ...n, createdAt: new Date(n.createdAt).toISOString(), nextAttemptAt: new Date(n.nextAttemptAt).toISOString() }
}

export interface OutboxRun {
  sent: number
  retried: number
  failed: number
  skipped: number
}

/**
 * Sends due messages. Rows are leased (next attempt pushed a minute ahead) before sending, so several processes
 * or an overlapping run never send one message twice at once. Transient failures back off exponentially
 * (30 s, 60 s, 120 s, …); permanent ones and the fifth failure end as 'failed', visible to the office.
 */
export async function processOutbox(ctx: AppContext, limit = 50): Promise<OutboxRun> {
  const run: OutboxRun = { sent: 0, retried: 0, failed: 0, skipped: 0 }
  const rows = await ctx.db.query<{ id: number; attempts: number; payload: { templateId: string; page?: string; data: Record<string, { value: string }> }; openid: string | null }>(
    `WITH due AS (
       SELECT id FROM notification_outbox WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     UPDATE notification_outbox o SET attempts = o.attempts + 1, next_attempt_at = now() + interval '60 seconds'
       FROM due, users u WHERE o.id = due.id AND u.id = o.user_id
     RETURNING o.id::int AS id, o.attempts, o.payload, u.openid`,
    [limit],
  )
  for (const row of rows) {
    if (!row.openid) {
      await ctx.db.query(`UPDATE notification_outbox SET status = 'skipped', last_error = $2 WHERE id = $1`, [row.id, '用户未绑定微信，无法发送订阅消息'])
      run.skipped++
      continue
    }
    try {
      if (!ctx.wechat.sendSubscribe) throw new WechatSendError(-3, 'WeChat adapter cannot send subscribe messages', true)
      await ctx.wechat.sendSubscribe({ touser: row.openid, templateId: row.payload.templateId, page: row.payload.page, data: row.payload.data })
      await ctx.db.query(`UPDATE notification_outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1`, [row.id])
      run.sent++
    } catch (err) {
      const permanent = err instanceof WechatSendError && err.permanent
      const message = err instanceof Error ? err.message : String(err)
      if (permanent || row.attempts >= MAX_ATTEMPTS) {
        await ctx.db.query(`UPDATE notification_outbox SET status = 'failed', last_error = $2 WHERE id = $1`, [row.id, message])
        run.failed++
      } else {
        const delay = BASE_BACKOFF_SECONDS * 2 ** (row.attempts - 1) * (0.8 + Math.random() * 0.4)
        await ctx.db.query(
          `UPDATE notification_outbox SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
          [row.id, message, delay],
        )
        run.retried++
      }
    }
  }
  return run
}


import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { WechatSendError } from '../../platform/wechat'
import { STATE_LABELS, type ReportState } from '../../../types/reports'
import { enqueueNotification } from './queries'

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

/** Written in the transaction of the change: the message exists exactly when the change does. */
export function enqueueStateMessage(
  tx: Queryable,
  userId: number,
  r: { id: number; categoryName: string; state: ReportState; note?: string | null; at: Date },
) {
  return enqueueNotification(tx, userId, 'report.state', `report:${r.id}`, stateMessagePayload(r))
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

/** The loop the app starts (and stops on close). Never blocks a state change: it only reads the outbox. */
export function startOutboxWorker(ctx: AppContext, intervalMs: number, onError: (err: unknown) => void = () => undefined) {
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  let current: Promise<unknown> = Promise.resolve()
  const tick = () => {
    if (stopped) return
    current = processOutbox(ctx)
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs).unref()
      })
  }
  timer = setTimeout(tick, intervalMs).unref()
  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await current
    },
  }
}

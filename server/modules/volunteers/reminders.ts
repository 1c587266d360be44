import type { AppContext } from '../../context'
import * as q from './queries'
import { SUBSCRIBE_TEMPLATE_ID } from './service'

const BATCH = 1000

/**
 * 上岗提醒: one run of the day-before reminder. Each confirmed volunteer of a shift starting within
 * VOLUNTEER_REMINDER_LEAD_HOURS gets one subscribe message through the outbox, once per shift, whichever process runs
 * the job (the unique row in volunteer_reminders decides, see queries.sendDueReminders). Returns how many were sent.
 */
export async function shiftReminderJob(ctx: AppContext): Promise<number> {
  let sent = 0
  for (;;) {
    const n = await q.sendDueReminders(ctx.db, ctx.config.volunteers.reminderLeadHours, BATCH, SUBSCRIBE_TEMPLATE_ID, 'packages/volunteers/pages/activity/index?id=')
    sent += n
    if (n < BATCH) return sent
  }
}

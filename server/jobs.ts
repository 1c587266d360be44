import type { FastifyBaseLogger } from 'fastify'
import type { JobIntervals } from './config'
import type { AppContext } from './context'
import { startPeriodic, type Periodic } from './lib/periodic'
import { expireOverdueAttempts } from './modules/quizzes/service'
import { bulletinJob } from './modules/rates/bulletin'
import { drainOutbox } from './modules/rates/service'
import { processOutbox } from './modules/reports/notify'
import { sweepUnattachedPhotos } from './modules/reports/photos'
import { shiftReminderJob } from './modules/volunteers/reminders'
import { foldSurveyCounts } from './modules/surveys/counting'
import { surveyOpeningJob } from './modules/surveys/service'

/**
 * Every background job of an API process, in one list: what it is, how often (Config.jobs, 0 = off here) and one run.
 * Every process runs every job, so each run must be safe beside the same job in another process — each job says how
 * (a row lock taken with SKIP LOCKED, an advisory lock, a unique row) next to its entry.
 */
export interface Job {
  name: string
  interval: (jobs: JobIntervals) => number
  run: (ctx: AppContext, log: FastifyBaseLogger) => Promise<unknown>
}

export const JOBS: Job[] = [
  // rows claimed with FOR UPDATE SKIP LOCKED: two senders never take the same message
  { name: 'notification outbox', interval: (j) => j.outboxMs, run: (ctx) => processOutbox(ctx) },
  // rows deleted with RETURNING before their files: each abandoned photo is removed by one process
  {
    name: 'abandoned photo sweep',
    interval: (j) => j.photoSweepMs,
    run: (ctx, log) => sweepUnattachedPhotos(ctx, { onFileError: (key, err) => log.warn({ err, key }, 'removing an abandoned photo file failed') }),
  },
  // one UPDATE … WHERE still open: running it twice expires nothing twice
  { name: 'quiz attempt expiry', interval: (j) => j.quizSweepMs, run: (ctx) => expireOverdueAttempts(ctx) },
  // one applier at a time across processes (advisory lock); each event applied exactly once
  { name: 'rates counting', interval: (j) => j.ratesMs, run: (ctx) => drainOutbox(ctx.db) },
  // one row per (shift, volunteer) inserted ON CONFLICT DO NOTHING: only the process whose insert made it sends
  { name: 'volunteer shift reminders', interval: (j) => j.volunteerReminderMs, run: (ctx) => shiftReminderJob(ctx) },
  // one row per day (ON CONFLICT DO NOTHING) under an advisory lock; messages enqueued only by the writer of the row
  { name: 'daily bulletin', interval: (j) => j.bulletinMs, run: (ctx) => bulletinJob(ctx) },
  // surveys taken FOR UPDATE SKIP LOCKED and marked in the same transaction; one notice row per (survey, resident)
  { name: 'survey opening notices', interval: (j) => j.surveyOpeningMs, run: (ctx) => surveyOpeningJob(ctx) },
  // notes taken FOR UPDATE SKIP LOCKED and deleted in the transaction that counts them: each response counted once
  { name: 'survey counting', interval: (j) => j.surveyCountsMs, run: (ctx) => foldSurveyCounts(ctx) },
]

/** Starts the jobs whose interval is not 0; `stop()` waits for runs in progress (the database closes right after). */
export function startJobs(ctx: AppContext, log: FastifyBaseLogger, jobs: Job[] = JOBS): { stop: () => Promise<void> } {
  const running: Periodic[] = jobs
    .filter((job) => job.interval(ctx.config.jobs) > 0)
    .map((job) => startPeriodic(job.interval(ctx.config.jobs), () => job.run(ctx, log), (err) => log.warn({ err, job: job.name }, 'background job run failed')))
  return {
    async stop() {
      await Promise.all(running.map((p) => p.stop()))
    },
  }
}

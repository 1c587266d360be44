import type { Queryable } from '../../db/types'
import type { BulletinActivity, BulletinContent } from '../../../types/rates-bulletin'

// ------------------------------------------------------------------ generating

/**
 * One generator at a time across processes, waited for rather than tried: a process that skipped a day because the
 * lock was held (by another process busy with a different day) could leave that day made by nobody. The day's
 * primary key is the last word should two get past it.
 */
export async function generatorLock(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('civiclink-rates-bulletin'))`)
}

export async function latestDay(db: Queryable): Promise<string | null> {
  return (await db.one<{ day: string | null }>(`SELECT to_char(max(day), 'YYYY-MM-DD') AS day FROM rate_bulletins`))!.day
}

export async function exists(db: Queryable, day: string): Promise<boolean> {
  return (await db.one(`SELECT 1 FROM rate_bulletins WHERE day = $1::date`, [day])) !== undefined
}

/** True when this call wrote the day's bulletin; false when it was there already. */
export async function insert(db: Queryable, day: string, cityCode: string, content: BulletinContent, by: string): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO rate_bulletins (day, city_code, content, generated_by) VALUES ($1::date, $2, $3::jsonb, $4)
     ON CONFLICT (day) DO NOTHING RETURNING day`,
    [day, cityCode, JSON.stringify(content), by])
  return r.length === 1
}

type Counts = BulletinActivity & { communityCode: string }

/**
 * The day's activity per community, from the raw rows of one day (this runs once a day, not on a dashboard read).
 * 超期 as the 工单 daily statistics count it (reports/service.ts dailyStats): due on the day and not closed by then; and
 * the backlog at the end of the day: open then (not closed before midnight) and past due. Rejected and merged reports
 * are never overdue. A report's state is the one it has when the bulletin is made.
 */
export async function activity(db: Queryable, day: string, communities: string[]): Promise<Counts[]> {
  return db.query<Counts>(
    `WITH b AS (SELECT ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai') AS lo, (($1::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS hi),
     rep AS (
       SELECT r.community_code,
              count(*) FILTER (WHERE r.created_at >= b.lo AND r.created_at < b.hi) AS new,
              count(*) FILTER (WHERE r.state IN ('closed', 'closed_not_fixed') AND r.closed_at >= b.lo AND r.closed_at < b.hi) AS closed,
              count(*) FILTER (WHERE r.state NOT IN ('rejected', 'merged') AND r.due_at >= b.lo AND r.due_at < b.hi
                                 AND (r.closed_at IS NULL OR r.closed_at > r.due_at)) AS newly,
              count(*) FILTER (WHERE r.state NOT IN ('rejected', 'merged') AND r.created_at < b.hi AND r.due_at < b.hi
                                 AND (r.closed_at IS NULL OR r.closed_at >= b.hi)) AS backlog
         FROM reports r, b
        WHERE r.community_code = ANY($2::text[]) AND (r.closed_at IS NULL OR r.closed_at >= b.lo)
        GROUP BY r.community_code),
     quiz AS (
       SELECT a.community_code, count(DISTINCT a.user_id) AS residents, count(*) AS attempts
         FROM quiz_attempts a, b
        WHERE a.submitted_at >= b.lo AND a.submitted_at < b.hi AND a.community_code = ANY($2::text[])
        GROUP BY a.community_code),
     srv AS (
       SELECT s.community_code, count(*) AS responses FROM survey_responses s
        WHERE s.submitted_on = $1::date AND s.community_code = ANY($2::text[]) GROUP BY s.community_code),
     vol AS (
       SELECT h.community_code, count(DISTINCT h.user_id) AS volunteers
         FROM volunteer_hours h JOIN volunteer_signups su ON su.id = h.signup_id JOIN volunteer_shifts sh ON sh.id = su.shift_id, b
        WHERE h.kind = 'credited' AND sh.starts_at >= b.lo AND sh.starts_at < b.hi AND h.community_code = ANY($2::text[])
        GROUP BY h.community_code)
     SELECT c.code AS "communityCode",
            coalesce(rep.new, 0)::int AS "reportsNew", coalesce(rep.closed, 0)::int AS "reportsClosed",
            coalesce(rep.newly, 0)::int AS "reportsNewlyOverdue", coalesce(rep.backlog, 0)::int AS "reportsOverdueOpen",
            coalesce(quiz.residents, 0)::int AS "quizResidents", coalesce(quiz.attempts, 0)::int AS "quizAttempts",
            coalesce(srv.responses, 0)::int AS "surveyResponses", coalesce(vol.volunteers, 0)::int AS volunteers
       FROM unnest($2::text[]) AS c(code)
       LEFT JOIN rep ON rep.community_code = c.code LEFT JOIN quiz ON quiz.community_code = c.code
       LEFT JOIN srv ON srv.community_code = c.code LEFT JOIN vol ON vol.community_code = c.code`,
    [day, communities])
}

/**
 * The bulletin's subscribe message to every worker who agreed and still works here (a live worker grant, an account
 * not erased); the unique index (migration 0024) makes it once per person and bulletin.
 */
export async function enqueueMessages(db: Queryable, day: string, payload: unknown): Promise<number> {
  const r = await db.query(
    `INSERT INTO notification_outbox (user_id, kind, ref, payload)
     SELECT s.user_id, 'rates.bulletin', 'bulletin:' || $1, $2::jsonb
       FROM rate_bulletin_subscriptions s JOIN users u ON u.id = s.user_id
      WHERE s.active AND u.erased_at IS NULL
        AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = s.user_id AND g.role = 'worker' AND g.revoked_at IS NULL)
     ON CONFLICT (user_id, ref) WHERE kind = 'rates.bulletin' DO NOTHING
     RETURNING id`,
    [day, JSON.stringify(payload)])
  return r.length
}

// ------------------------------------------------------------------ reading

export interface BulletinRow { day: string; generatedAt: Date; content: BulletinContent }

export async function page(db: Queryable, before: string | null, limit: number): Promise<BulletinRow[]> {
  return db.query<BulletinRow>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, generated_at AS "generatedAt", content FROM rate_bulletins
      WHERE $1::date IS NULL OR day < $1::date ORDER BY day DESC LIMIT $2`,
    [before, limit])
}

export async function byDay(db: Queryable, day: string): Promise<BulletinRow | undefined> {
  return db.one<BulletinRow>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, generated_at AS "generatedAt", content FROM rate_bulletins WHERE day = $1::date`, [day])
}

// ------------------------------------------------------------------ consent

export interface SubscriptionRow { active: boolean; agreedAt: Date; withdrawnAt: Date | null }

export async function subscription(db: Queryable, userId: number): Promise<SubscriptionRow | undefined> {
  return db.one<SubscriptionRow>(
    `SELECT active, agreed_at AS "agreedAt", withdrawn_at AS "withdrawnAt" FROM rate_bulletin_subscriptions WHERE user_id = $1`, [userId])
}

export async function subscribe(db: Queryable, userId: number): Promise<void> {
  await db.query(
    `INSERT INTO rate_bulletin_subscriptions (user_id, active, agreed_at) VALUES ($1, true, now())
     ON CONFLICT (user_id) DO UPDATE SET active = true, agreed_at = now(), withdrawn_at = NULL, updated_at = now()`, [userId])
}

export async function withdraw(db: Queryable, userId: number): Promise<void> {
  await db.query(
    `UPDATE rate_bulletin_subscriptions SET active = false, withdrawn_at = now(), updated_at = now() WHERE user_id = $1 AND active`, [userId])
}

export async function eraseSubscription(db: Queryable, userId: number): Promise<void> {
  await db.query(`DELETE FROM rate_bulletin_subscriptions WHERE user_id = $1`, [userId])
}

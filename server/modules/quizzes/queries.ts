import type { QuestionContent } from './bank/hash'
import { prepared, type Queryable } from '../../db/types'
import type { BankQuestion } from './bank'
import type { GradingRules } from './grading'

export interface QuestionRow {
  id: number
  kind: 'single' | 'multiple' | 'judge'
  stem: string
  options: string[]
  answer: number[]
  explanation: string
  tags: string[]
  difficulty: number
  regionCode: string | null
  bankKey: string | null
}

const Q_COLS = `q.id::int AS id, q.kind, q.stem, q.options, q.answer, q.explanation, q.tags, q.difficulty::int AS difficulty,
  q.region_code AS "regionCode", q.bank_key AS "bankKey"`

export interface ShippedRow extends QuestionRow {
  bankKey: string
  bankHash: string | null
  active: boolean
}

/** The shipped questions in the bank, locked until the transaction ends. */
export function shippedRows(db: Queryable) {
  return db.query<ShippedRow>(
    `SELECT ${Q_COLS}, q.bank_hash AS "bankHash", q.active FROM quiz_questions q WHERE q.bank_key IS NOT NULL ORDER BY q.id FOR UPDATE`)
}

export type ShippedQuestion = BankQuestion & { hash: string }

/** Adds shipped questions by stable key; one already there (by key) is left to the caller. */
export async function insertBank(db: Queryable, bank: ShippedQuestion[]): Promise<number> {
  if (bank.length === 0) return 0
  const rows = await db.query(
    `INSERT INTO quiz_questions (bank_key, bank_hash, kind, stem, options, answer, explanation, tags, difficulty)
     SELECT x.key, x.hash, x.kind, x.stem, x.options, x.answer, x.explanation, ARRAY(SELECT jsonb_array_elements_text(x.tags)), x.difficulty
       FROM jsonb_to_recordset($1::jsonb) AS x(key text, hash text, kind text, stem text, options jsonb, answer jsonb, explanation text, tags jsonb, difficulty smallint)
     ON CONFLICT (bank_key) DO NOTHING RETURNING id`,
    [JSON.stringify(bank)],
  )
  return rows.length
}

/** Which of these questions an attempt or a live session ever drew (one pass over each table). */
export async function questionsDrawn(db: Queryable, ids: number[]): Promise<Set<number>> {
  const rows = await db.query<{ id: number }>(
    `SELECT DISTINCT d.id::int AS id FROM (
       SELECT unnest(a.question_ids) AS id FROM quiz_attempts a WHERE a.question_ids && $1::bigint[]
       UNION ALL
       SELECT unnest(s.question_ids) FROM quiz_live_sessions s WHERE s.question_ids && $1::bigint[]) d
      WHERE d.id = ANY($1::bigint[])`,
    [ids],
  )
  return new Set(rows.map((r) => r.id))
}

/** A shipped row takes the bank's corrected text in place. */
export async function rewriteShipped(db: Queryable, id: number, q: ShippedQuestion): Promise<void> {
  await db.query(
    `UPDATE quiz_questions SET stem = $2, options = $3::jsonb, answer = $4::jsonb, explanation = $5, tags = $6::text[], difficulty = $7, bank_hash = $8
      WHERE id = $1`,
    [id, q.stem, JSON.stringify(q.options), JSON.stringify(q.answer), q.explanation, q.tags, q.difficulty, q.hash],
  )
}

/** The old row stays as it was, retired, for what graded against it; a new row (same use) carries the key on. */
export async function supersedeShipped(db: Queryable, oldId: number, active: boolean, q: ShippedQuestion): Promise<number> {
  await db.query(`UPDATE quiz_questions SET bank_key = NULL, active = false WHERE id = $1`, [oldId])
  const row = await db.one<{ id: number }>(
    `INSERT INTO quiz_questions (bank_key, bank_hash, kind, stem, options, answer, explanation, tags, difficulty, active)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8::text[], $9, $10) RETURNING id::int AS id`,
    [q.key, q.hash, q.kind, q.stem, JSON.stringify(q.options), JSON.stringify(q.answer), q.explanation, q.tags, q.difficulty, active],
  )
  await db.query(`UPDATE quiz_questions SET superseded_by = $2 WHERE id = $1`, [oldId, row!.id])
  return row!.id
}

/** A question as written (bank, import or editor): the same fields the bank fingerprints. */
export type NewQuestion = QuestionContent

export async function insertQuestions(db: Queryable, items: NewQuestion[], regionCode: string | null, by: number): Promise<number> {
  const rows = await db.query(
    `INSERT INTO quiz_questions (kind, stem, options, answer, explanation, tags, difficulty, region_code, created_by)
     SELECT x.kind, x.stem, x.options, x.answer, x.explanation, ARRAY(SELECT jsonb_array_elements_text(x.tags)), x.difficulty, $2, $3
       FROM jsonb_to_recordset($1::jsonb) AS x(kind text, stem text, options jsonb, answer jsonb, explanation text, tags jsonb, difficulty smallint)
     RETURNING id`,
    [JSON.stringify(items), regionCode, by],
  )
  return rows.length
}

/** The key the options' order per attempt derives from (migration 0010, option-order.ts). */
export function optionKeyRow(db: Queryable) {
  return db.one<{ key: string }>('SELECT key FROM quiz_option_key')
}

/** Stems and options of the bank in these regions and the city-wide one (null: all of it), retired ones too. */
export function questionTexts(db: Queryable, regionCodes: string[] | null) {
  return db.query<{ id: number; stem: string; options: string[]; active: boolean }>(
    `SELECT id::int AS id, stem, options, active FROM quiz_questions
      WHERE $1::text[] IS NULL OR region_code IS NULL OR region_code = ANY($1)`,
    [regionCodes],
  )
}

export function questionsByIds(db: Queryable, ids: number[]) {
  return db.query<QuestionRow>(`SELECT ${Q_COLS} FROM quiz_questions q WHERE q.id = ANY($1::bigint[])`, [ids])
}

/** The bank visible in a region: the city-wide questions and those imported for the region or above it. */
export function listQuestions(db: Queryable, regionChain: string[] | null, tag: string | null, afterId: number, limit: number) {
  return db.query<QuestionRow>(
    `SELECT ${Q_COLS} FROM quiz_questions q
      WHERE q.active AND q.id > $3 AND ($2::text IS NULL OR $2 = ANY(q.tags))
        AND ($1::text[] IS NULL OR q.region_code IS NULL OR q.region_code = ANY($1))
      ORDER BY q.id LIMIT $4`,
    [regionChain, tag, afterId, limit],
  )
}

export function tagCounts(db: Queryable, regionChain: string[] | null) {
  return db.query<{ tag: string; difficulty: number; n: number }>(
    `SELECT t.tag, q.difficulty::int AS difficulty, count(*)::int AS n
       FROM quiz_questions q CROSS JOIN LATERAL unnest(q.tags) AS t(tag)
      WHERE q.active AND ($1::text[] IS NULL OR q.region_code IS NULL OR q.region_code = ANY($1))
      GROUP BY t.tag, q.difficulty ORDER BY t.tag, q.difficulty`,
    [regionChain],
  )
}

export function countAvailable(db: Queryable, regionChain: string[], difficulties: number[], tag: string | null) {
  return db.one<{ n: number }>(
    `SELECT count(*)::int AS n FROM quiz_questions q
      WHERE q.active AND q.difficulty = ANY($2::smallint[]) AND ($3::text IS NULL OR $3 = ANY(q.tags))
        AND (q.region_code IS NULL OR q.region_code = ANY($1::text[]))`,
    [regionChain, difficulties, tag],
  )
}

/** Random questions not yet drawn. */
export async function drawIds(db: Queryable, regionChain: string[], difficulties: number[], tag: string | null, exclude: number[], n: number) {
  const rows = await db.query<{ id: number }>(
    `SELECT q.id::int AS id FROM quiz_questions q
      WHERE q.active AND q.difficulty = ANY($2::smallint[]) AND ($3::text IS NULL OR $3 = ANY(q.tags))
        AND (q.region_code IS NULL OR q.region_code = ANY($1::text[])) AND NOT (q.id = ANY($4::bigint[]))
      ORDER BY random() LIMIT $5`,
    [regionChain, difficulties, tag, exclude, n],
  )
  return rows.map((r) => r.id)
}

/** What a draw needs of every active question (draw-pool.ts). */
export function drawPool(db: Queryable) {
  return db.query<{ id: number; tags: string[]; difficulty: number; regionCode: string | null }>(
    `SELECT id::int AS id, tags, difficulty::int AS difficulty, region_code AS "regionCode" FROM quiz_questions WHERE active`)
}

// ---- campaigns ----

export interface CampaignRow {
  id: number
  regionCode: string
  title: string
  description: string
  startsAt: Date
  endsAt: Date
  questionCount: number
  tagMix: Array<{ tag: string; count: number }>
  difficulties: number[]
  timeLimitSeconds: number
  passScore: number
  maxAttempts: number
  countsForAwareness: boolean
  createdBy: number
  cancelledAt: Date | null
  status: 'upcoming' | 'open' | 'ended' | 'cancelled'
}

const C_COLS = `c.id::int AS id, c.region_code AS "regionCode", c.title, c.description, c.starts_at AS "startsAt", c.ends_at AS "endsAt",
  c.question_count AS "questionCount", c.tag_mix AS "tagMix", c.difficulties::int[] AS difficulties,
  c.time_limit_seconds AS "timeLimitSeconds", c.pass_score AS "passScore", c.max_attempts AS "maxAttempts",
  c.counts_for_awareness AS "countsForAwareness", c.created_by::int AS "createdBy", c.cancelled_at AS "cancelledAt",
  CASE WHEN c.cancelled_at IS NOT NULL THEN 'cancelled' WHEN now() < c.starts_at THEN 'upcoming' WHEN now() < c.ends_at THEN 'open' ELSE 'ended' END AS status`

/** Campaigns not yet ended (nor cancelled) that draw questions of this difficulty: few at any time. */
export function campaignsDrawing(db: Queryable, difficulty: number) {
  return db.query<CampaignRow>(
    `SELECT ${C_COLS} FROM quiz_campaigns c
      WHERE c.cancelled_at IS NULL AND c.ends_at > now() AND $1::smallint = ANY(c.difficulties) ORDER BY c.id`,
    [difficulty],
  )
}

export interface CampaignInsert {
  regionCode: string
  title: string
  description: string
  startsAt: string
  endsAt: string
  questionCount: number
  tagMix: Array<{ tag: string; count: number }>
  difficulties: number[]
  timeLimitSeconds: number
  passScore: number
  maxAttempts: number
  countsForAwareness: boolean
}

export function insertCampaign(db: Queryable, c: CampaignInsert, by: number) {
  return db.one<CampaignRow>(
    `WITH c AS (
       INSERT INTO quiz_campaigns (region_code, title, description, starts_at, ends_at, question_count, tag_mix, difficulties,
                                   time_limit_seconds, pass_score, max_attempts, created_by, counts_for_awareness)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::smallint[], $9, $10, $11, $12, $13) RETURNING *)
     SELECT ${C_COLS} FROM c`,
    [c.regionCode, c.title, c.description, c.startsAt, c.endsAt, c.questionCount, JSON.stringify(c.tagMix), c.difficulties,
      c.timeLimitSeconds, c.passScore, c.maxAttempts, by, c.countsForAwareness],
  )
}

export function campaignById(db: Queryable, id: number, lock = false) {
  return db.one<CampaignRow>(`SELECT ${C_COLS} FROM quiz_campaigns c WHERE c.id = $1${lock ? ' FOR UPDATE' : ''}`, [id])
}

/** Campaigns of the given regions (the resident's community and the regions above it), recent first. */
export function campaignsInRegions(db: Queryable, regionCodes: string[] | null, includeOld: boolean) {
  return db.query<CampaignRow>(
    `SELECT ${C_COLS} FROM quiz_campaigns c
      WHERE ($1::text[] IS NULL OR c.region_code = ANY($1)) AND ($2 OR (c.cancelled_at IS NULL AND c.ends_at > now() - interval '30 days'))
      ORDER BY c.starts_at DESC, c.id DESC LIMIT 200`,
    [regionCodes, includeOld],
  )
}

export function cancelCampaign(db: Queryable, id: number) {
  return db.query('UPDATE quiz_campaigns SET cancelled_at = now() WHERE id = $1 AND cancelled_at IS NULL', [id])
}

export interface MyCampaignStats {
  campaignId: number
  attemptsUsed: number
  bestScore: number | null
  passed: boolean
  openAttemptId: number | null
}

export function myCampaignStats(db: Queryable, userId: number, campaignIds: number[]) {
  return db.query<MyCampaignStats>(
    `SELECT campaign_id::int AS "campaignId", count(*)::int AS "attemptsUsed", max(score)::int AS "bestScore",
            coalesce(bool_or(passed), false) AS passed,
            (max(id) FILTER (WHERE quiz_attempt_open(submitted_at, expired_at, expires_at)))::int AS "openAttemptId"
       FROM quiz_attempts WHERE user_id = $1 AND campaign_id = ANY($2::bigint[]) GROUP BY campaign_id`,
    [userId, campaignIds],
  )
}

// ---- attempts ----

export interface AttemptRow {
  id: number
  kind: 'campaign' | 'practice' | 'live'
  campaignId: number | null
  liveSessionId: number | null
  userId: number
  attemptNo: number
  questionIds: number[]
  startedAt: Date
  expiresAt: Date
  submittedAt: Date | null
  expiredAt: Date | null
  correctCount: number | null
  total: number
  score: number | null
  passed: boolean | null
  points: number
  passScore: number | null
  /** neither submitted nor expired, but past its time and the grace (quiz_attempt_overdue) */
  overdue: boolean
  serverNow: Date
}

const OVERDUE = 'quiz_attempt_overdue(a.submitted_at, a.expired_at, a.expires_at)'

const A_COLS = `a.id::int AS id, a.kind, a.campaign_id::int AS "campaignId", a.live_session_id::int AS "liveSessionId", a.user_id::int AS "userId", a.attempt_no AS "attemptNo",
  a.question_ids::int[] AS "questionIds", a.started_at AS "startedAt", a.expires_at AS "expiresAt", a.submitted_at AS "submittedAt",
  a.expired_at AS "expiredAt", a.correct_count AS "correctCount", a.total, a.score, a.passed, a.points,
  (SELECT pass_score FROM quiz_campaigns WHERE id = a.campaign_id) AS "passScore"`

export function attemptById(db: Queryable, id: number, lock = false) {
  return db.one<AttemptRow>(
    `SELECT ${A_COLS}, ${OVERDUE} AS overdue, now() AS "serverNow"
       FROM quiz_attempts a WHERE a.id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  )
}

export interface StartOutcome {
  /** the campaign's status now (practice: 'open'); null when there is no such campaign */
  status: 'upcoming' | 'open' | 'ended' | 'cancelled' | null
  used: number
  /** the person's unfinished attempt, if any: nothing was inserted */
  open: number | null
  /** false: the drawn questions are no longer all eligible (retired, moved): nothing was inserted, draw again */
  fresh: boolean
  /** the new attempt, when one was inserted */
  id: number | null
  attemptNo: number | null
  startedAt: Date | null
  expiresAt: Date | null
  serverNow: Date
}

/** The drawn questions, checked against the bank as it is now: all still active, of the difficulties and regions. */
const FRESH = `fresh AS (
  SELECT count(*) = cardinality($5::bigint[]) AS ok FROM quiz_questions
   WHERE id = ANY($5::bigint[]) AND active AND difficulty = ANY($6::smallint[]) AND (region_code IS NULL OR region_code = ANY($7::text[])))`

const START_OUT = `fresh.ok AS fresh, ins.id, ins.attempt_no AS "attemptNo", ins.started_at AS "startedAt", ins.expires_at AS "expiresAt", now() AS "serverNow"`

export interface CampaignStart { campaignId: number; userId: number; communityCode: string; streetCode: string | null; questionIds: number[]; difficulties: number[]; chain: string[] }

/**
 * Campaign attempts in one statement, for starts that arrive together (start-batch.ts), each with: the campaign's
 * window and cancellation as they are now, the person's attempts so far (an unfinished one is resumed, not doubled;
 * at most max_attempts), the drawn questions still eligible; then the inserts. Two starts of one person at once
 * compute the same attempt_no: the unique index lets one in, and the other (a unique violation) is retried by the
 * caller and finds the attempt to resume. A batch holds one start per person and campaign. Outcomes in the order given.
 */
const START_CAMPAIGNS = prepared('quiz_start_campaigns', `
  WITH x AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS x(i int, campaign bigint, uid bigint, community text, street text, qids bigint[], diffs smallint[], chain text[])),
  c AS (
    SELECT x.i, c.id, c.max_attempts, c.time_limit_seconds,
           CASE WHEN c.cancelled_at IS NOT NULL THEN 'cancelled' WHEN now() < c.starts_at THEN 'upcoming' WHEN now() < c.ends_at THEN 'open' ELSE 'ended' END AS status
      FROM x JOIN quiz_campaigns c ON c.id = x.campaign),
  mine AS (
    SELECT x.i, m.n, m.open FROM x CROSS JOIN LATERAL (
      SELECT count(*)::int AS n, max(a.id) FILTER (WHERE quiz_attempt_in_time(a.submitted_at, a.expired_at, a.expires_at))::int AS open
        FROM quiz_attempts a WHERE a.campaign_id = x.campaign AND a.user_id = x.uid) m),
  fresh AS (
    SELECT x.i, (SELECT count(*) FROM quiz_questions q
                  WHERE q.id = ANY(x.qids) AND q.active AND q.difficulty = ANY(x.diffs) AND (q.region_code IS NULL OR q.region_code = ANY(x.chain))
                ) = cardinality(x.qids) AS ok
      FROM x),
  ins AS (
    INSERT INTO quiz_attempts (kind, campaign_id, user_id, community_code, street_code, attempt_no, question_ids, total, expires_at)
    SELECT 'campaign', c.id, x.uid, x.community, x.street, mine.n + 1, x.qids, cardinality(x.qids), now() + make_interval(secs => c.time_limit_seconds)
      FROM x JOIN c USING (i) JOIN mine USING (i) JOIN fresh USING (i)
     WHERE c.status = 'open' AND mine.open IS NULL AND mine.n < c.max_attempts AND fresh.ok
     ORDER BY x.uid
    RETURNING id::int AS id, campaign_id, user_id, attempt_no, started_at, expires_at)
  SELECT x.i, c.status, mine.n AS used, mine.open, fresh.ok AS fresh,
         ins.id, ins.attempt_no AS "attemptNo", ins.started_at AS "startedAt", ins.expires_at AS "expiresAt", now() AS "serverNow"
    FROM x JOIN mine USING (i) JOIN fresh USING (i) LEFT JOIN c USING (i)
    LEFT JOIN ins ON ins.campaign_id = x.campaign AND ins.user_id = x.uid`)

export async function startCampaignAttempts(db: Queryable, items: readonly CampaignStart[]): Promise<StartOutcome[]> {
  const rows = await db.query<StartOutcome & { i: number }>(START_CAMPAIGNS, [JSON.stringify(items.map((a, i) => ({
    i, campaign: a.campaignId, uid: a.userId, community: a.communityCode, street: a.streetCode, qids: a.questionIds, diffs: a.difficulties, chain: a.chain,
  })))])
  const out: StartOutcome[] = new Array(items.length)
  for (const r of rows) out[r.i] = r
  return out
}

/**
 * Today's (Asia/Shanghai) practice of a person in one statement: an unfinished one is resumed, at most `limit` a day,
 * the drawn questions still eligible; then the insert. Run after the person's practice lock (a statement sees the
 * database as it was when it began: the lock must be taken by an earlier one).
 */
const START_PRACTICE = prepared('quiz_start_practice', `
  WITH mine AS (
    SELECT count(*)::int AS n, max(id) FILTER (WHERE quiz_attempt_in_time(submitted_at, expired_at, expires_at))::int AS open
      FROM quiz_attempts
     WHERE user_id = $2 AND kind = 'practice'
       AND started_at >= (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')),
  ${FRESH},
  ins AS (
    INSERT INTO quiz_attempts (kind, user_id, community_code, street_code, attempt_no, question_ids, total, expires_at)
    SELECT 'practice', $2, $3, $4, mine.n + 1, $5::bigint[], cardinality($5::bigint[]), now() + make_interval(secs => $8)
      FROM mine, fresh WHERE mine.open IS NULL AND mine.n < $1 AND fresh.ok
    RETURNING id::int AS id, attempt_no, started_at, expires_at)
  SELECT 'open' AS status, mine.n AS used, mine.open, ${START_OUT}
    FROM mine CROSS JOIN fresh LEFT JOIN ins ON true`)

export async function startPractice(
  db: Queryable, a: { limit: number; userId: number; communityCode: string | null; streetCode: string | null; questionIds: number[]; difficulties: number[]; chain: string[]; seconds: number },
): Promise<StartOutcome> {
  return (await db.one<StartOutcome>(START_PRACTICE, [a.limit, a.userId, a.communityCode, a.streetCode, a.questionIds, a.difficulties, a.chain, a.seconds]))!
}

/**
 * Attempts left unsubmitted past their time: closed as taken-and-failed, so that boards and rates count them.
 * Rows a submission holds are skipped (the submission settles them; the next sweep takes what it leaves): waiting
 * for them could deadlock with a batch of submissions that holds some and waits for others.
 */
export async function expireOverdue(db: Queryable): Promise<number> {
  const r = await db.one<{ n: number }>(
    `WITH overdue AS (
       SELECT a.id FROM quiz_attempts a WHERE ${OVERDUE} FOR UPDATE SKIP LOCKED)
     SELECT count(*)::int AS n FROM quiz_expire_attempts(ARRAY(SELECT id FROM overdue))`,
  )
  return r!.n
}

export function markExpired(db: Queryable, id: number) {
  return db.query('SELECT 1 FROM quiz_expire_attempts(ARRAY[$1::bigint])', [id])
}

export function answersOf(db: Queryable, attemptId: number) {
  return db.query<{ questionId: number; given: number[]; correct: boolean }>(
    `SELECT question_id::int AS "questionId", given, correct FROM quiz_attempt_answers WHERE attempt_id = $1`,
    [attemptId],
  )
}

export interface RecordOutcome {
  outcome: 'recorded' | 'replay' | 'already_submitted' | 'expired' | 'ended' | 'live' | 'not_drawn' | 'not_found'
  /** The submitter: given, or found by the session (null: no valid session — the outcome is then not_found). */
  userId: number | null
  badQuestion: number | null
  /** The attempt as it stands after the call (absent when not_found). */
  kind: AttemptRow['kind']
  campaignId: number | null
  attemptNo: number
  questionIds: number[]
  startedAt: Date
  submittedAt: Date | null
  total: number
  correctCount: number | null
  score: number | null
  passed: boolean | null
  passScore: number | null
  points: number
}

const RECORD = prepared(
  'quiz_record_submissions',
  `WITH item AS MATERIALIZED (
     SELECT x.i, x.attempt, coalesce(x.uid, session_user_id(x.token)) AS uid, x.key, x.answers, x.qids, x.correct
       FROM jsonb_to_recordset($1::jsonb) AS x(i int, attempt bigint, uid bigint, token text, key text, answers jsonb, qids bigint[], correct int))
   SELECT s.i, s.uid::int AS "userId", r.outcome, r.bad_question::int AS "badQuestion", r.kind, r.campaign_id::int AS "campaignId",
          r.attempt_no AS "attemptNo", r.question_ids::int[] AS "questionIds", r.started_at AS "startedAt",
          r.submitted_at AS "submittedAt", r.total, r.correct_count AS "correctCount", r.score, r.passed,
          r.pass_score AS "passScore", r.points
     FROM (SELECT * FROM item ORDER BY uid, attempt) s
    CROSS JOIN LATERAL quiz_record_submission(s.attempt, s.uid, s.key, s.answers, s.qids, s.correct, $2::jsonb) r`,
)

export interface Submission {
  attemptId: number
  /** The submitter if known; otherwise whoever the session of tokenHash belongs to, checked in the same statement. */
  userId: number | null
  tokenHash: string
  key: string | null
  answers: Array<{ questionId: number; given: number[]; correct: boolean }>
}

/**
 * Records submissions (quiz_record_submission, server/db/functions) — answers already checked against their
 * questions — each if its attempt is the submitter's, still open and in time: scores it, grants points under the
 * daily cap; otherwise says why not. One statement, one transaction for all of them; people in id order (the
 * function's locks).
 * Outcomes in the order given.
 */
export async function recordSubmissions(db: Queryable, items: readonly Submission[], rules: GradingRules): Promise<RecordOutcome[]> {
  const rows = await db.query<RecordOutcome & { i: number }>(RECORD, [
    JSON.stringify(items.map((s, i) => ({
      i,
      attempt: s.attemptId,
      uid: s.userId,
      token: s.userId === null ? s.tokenHash : null,
      key: s.key,
      answers: s.answers.map((a) => ({ q: a.questionId, given: a.given, correct: a.correct })),
      qids: s.answers.map((a) => a.questionId),
      correct: s.answers.reduce((n, a) => n + (a.correct ? 1 : 0), 0),
    }))),
    JSON.stringify(rules),
  ])
  const out: RecordOutcome[] = new Array(items.length)
  for (const r of rows) out[r.i] = r
  return out
}

// ---- points ----

export function pointsTotal(db: Queryable, userId: number) {
  return db.one<{ total: number; today: number }>(
    `SELECT coalesce(sum(points), 0)::int AS total, coalesce(sum(points) FILTER (WHERE day = quiz_points_day()), 0)::int AS today
       FROM quiz_points WHERE user_id = $1`,
    [userId],
  )
}

export function pointsBoard(db: Queryable, communityCode: string, limit: number) {
  return db.query<{ userId: number; nickname: string; points: number }>(
    `SELECT u.id::int AS "userId", u.nickname, sum(p.points)::int AS points
       FROM quiz_points p JOIN users u ON u.id = p.user_id
      WHERE u.community_code = $1 GROUP BY u.id, u.nickname ORDER BY points DESC, u.id LIMIT $2`,
    [communityCode, limit],
  )
}

// ---- records, 错题本, boards ----

export function myAttempts(db: Queryable, userId: number, beforeId: number, limit: number) {
  return db.query<{ id: number; kind: 'campaign' | 'practice' | 'live'; campaignId: number | null; title: string | null; startedAt: Date; submittedAt: Date | null; expiredAt: Date | null; overdue: boolean; score: number | null; passed: boolean | null; points: number }>(
    `SELECT a.id::int AS id, a.kind, a.campaign_id::int AS "campaignId", coalesce(c.title, l.title) AS title, a.started_at AS "startedAt",
            a.submitted_at AS "submittedAt", a.expired_at AS "expiredAt", ${OVERDUE} AS overdue, a.score, a.passed, a.points
       FROM quiz_attempts a LEFT JOIN quiz_campaigns c ON c.id = a.campaign_id LEFT JOIN quiz_live_sessions l ON l.id = a.live_session_id
      WHERE a.user_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3`,
    [userId, beforeId, limit],
  )
}

export function wrongAnswers(db: Queryable, userId: number, after: { at: string; qid: number } | null, limit: number) {
  return db.query<{
    questionId: number; wrongTimes: number; lastWrongAt: Date; correctedSince: boolean; answered: boolean
    /** the last wrong answer and its attempt (whose order of options the 错题本 shows) */
    lastGiven: number[]; lastAttempt: { id: number; kind: string; liveSessionId: number | null }
  }>(
    `WITH agg AS (
       SELECT question_id, count(*) FILTER (WHERE NOT correct)::int AS wrong_times,
              date_trunc('milliseconds', max(answered_at) FILTER (WHERE NOT correct)) AS last_wrong_at, max(answered_at) FILTER (WHERE correct) AS last_right_at,
              bool_or(jsonb_array_length(given) > 0) AS answered
         FROM quiz_attempt_answers WHERE user_id = $1 GROUP BY question_id)
     SELECT agg.question_id::int AS "questionId", agg.wrong_times AS "wrongTimes", agg.last_wrong_at AS "lastWrongAt",
            coalesce(agg.last_right_at > agg.last_wrong_at, false) AS "correctedSince", agg.answered,
            last.given AS "lastGiven", jsonb_build_object('id', last.attempt_id, 'kind', a.kind, 'liveSessionId', a.live_session_id) AS "lastAttempt"
       FROM agg
       CROSS JOIN LATERAL (SELECT w.given, w.attempt_id FROM quiz_attempt_answers w WHERE w.user_id = $1 AND w.question_id = agg.question_id AND NOT w.correct
                            ORDER BY w.answered_at DESC LIMIT 1) last
       JOIN quiz_attempts a ON a.id = last.attempt_id
      WHERE agg.wrong_times > 0 AND ($2::timestamptz IS NULL OR (agg.last_wrong_at, agg.question_id) < ($2::timestamptz, $3::bigint))
      ORDER BY agg.last_wrong_at DESC, agg.question_id DESC LIMIT $4`,
    [userId, after?.at ?? null, after?.qid ?? 0, limit],
  )
}

/** Per community or street: participants, those who passed, mean of each participant's best score. */
export function regionBoard(db: Queryable, level: 'community' | 'street', campaignId: number | null) {
  const col = level === 'community' ? 'community_code' : 'street_code'
  return db.query<{ code: string; participants: number; passed: number; averageScore: number | null }>(
    `WITH best AS (
       SELECT user_id, ${col} AS code, max(score) AS best, bool_or(passed) AS passed
         FROM quiz_attempts
        WHERE kind = 'campaign' AND (submitted_at IS NOT NULL OR expired_at IS NOT NULL) AND ${col} IS NOT NULL
          AND ($1::bigint IS NULL OR campaign_id = $1)
        GROUP BY user_id, ${col})
     SELECT code, count(*)::int AS participants, count(*) FILTER (WHERE passed)::int AS passed, round(avg(best), 1)::float8 AS "averageScore"
       FROM best GROUP BY code`,
    [campaignId],
  )
}

// ---- bank upkeep (edit, retire, restore) ----

export interface BankQuestionRow extends QuestionRow {
  active: boolean
}

/** The bank visible in a region, in use or retired (the list a worker keeps it from); superseded rows are history. */
export function bankQuestions(db: Queryable, regionChain: string[] | null, tag: string | null, active: boolean, afterId: number, limit: number) {
  return db.query<BankQuestionRow>(
    `SELECT ${Q_COLS}, q.active FROM quiz_questions q
      WHERE q.active = $5 AND q.superseded_by IS NULL AND q.id > $3 AND ($2::text IS NULL OR $2 = ANY(q.tags))
        AND ($1::text[] IS NULL OR q.region_code IS NULL OR q.region_code = ANY($1))
      ORDER BY q.id LIMIT $4`,
    [regionChain, tag, afterId, limit, active],
  )
}

export function bankQuestionById(db: Queryable, id: number, lock = false) {
  return db.one<BankQuestionRow>(
    `SELECT ${Q_COLS}, q.active FROM quiz_questions q WHERE q.id = $1 AND q.superseded_by IS NULL${lock ? ' FOR UPDATE' : ''}`, [id])
}

export function updateQuestion(db: Queryable, id: number, q: NewQuestion) {
  return db.one<BankQuestionRow>(
    `WITH q AS (
       UPDATE quiz_questions SET stem = $2, options = $3::jsonb, answer = $4::jsonb, explanation = $5, tags = $6::text[], difficulty = $7
        WHERE id = $1 RETURNING *)
     SELECT ${Q_COLS}, q.active FROM q`,
    [id, q.stem, JSON.stringify(q.options), JSON.stringify(q.answer), q.explanation, q.tags, q.difficulty],
  )
}

export function setQuestionActive(db: Queryable, id: number, active: boolean) {
  return db.one<BankQuestionRow>(
    `WITH q AS (UPDATE quiz_questions SET active = $2 WHERE id = $1 RETURNING *) SELECT ${Q_COLS}, q.active FROM q`,
    [id, active],
  )
}

/**
 * Whether someone is answering the question now: an attempt that drew it and can still be submitted, or a live
 * session that holds it and is under way. Live sessions nobody finished stop counting after a day, so that an
 * abandoned one does not lock the question for good.
 */
export async function questionInUse(db: Queryable, id: number): Promise<boolean> {
  const r = await db.one<{ used: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM quiz_attempts a
                     WHERE quiz_attempt_open(a.submitted_at, a.expired_at, a.expires_at) AND $1 = ANY(a.question_ids))
         OR EXISTS (SELECT 1 FROM quiz_live_sessions s
                     WHERE s.state <> 'finished' AND s.created_at > now() - interval '1 day' AND $1 = ANY(s.question_ids)) AS used`,
    [id],
  )
  return r?.used ?? false
}

export function questionStates(db: Queryable, ids: number[]) {
  return db.query<{ id: number; active: boolean; regionCode: string | null }>(
    `SELECT id::int AS id, active, region_code AS "regionCode" FROM quiz_questions WHERE id = ANY($1::bigint[])`, [ids])
}

// ---- live results into the points ledger ----

/**
 * Points for a finished live session's results (its live attempts, one per participant), graded by quiz_grade and
 * under the same daily cap as campaigns and practice (quiz_points_granted). Run once, in the transaction that
 * finishes the session. Each participant's points lock is taken in user order — the lock a submission takes — so
 * that the cap holds against their submissions at the same moment, and two sessions finishing at once cannot
 * deadlock on shared participants.
 */
export async function grantLivePoints(db: Queryable, sessionId: number, rules: GradingRules): Promise<number> {
  // volatile functions in the select list run after ORDER BY (PostgreSQL ≥ 9.6): the locks come in user order
  await db.query(
    `SELECT quiz_points_lock(a.user_id) FROM quiz_attempts a
      WHERE a.live_session_id = $1 AND a.correct_count > 0 ORDER BY a.user_id`,
    [sessionId],
  )
  const rows = await db.query(
    `WITH granted AS (
       SELECT a.id, quiz_points_granted(a.user_id, (quiz_grade(a.kind, a.correct_count, a.total, NULL, $2::jsonb)).earned, $3::int) AS points
         FROM quiz_attempts a WHERE a.live_session_id = $1 AND a.correct_count > 0 AND a.points = 0)
     UPDATE quiz_attempts a SET points = g.points, points_day = quiz_points_day()
       FROM granted g WHERE a.id = g.id AND g.points > 0 RETURNING a.id`,
    [sessionId, JSON.stringify(rules), rules.dailyCap],
  )
  return rows.length
}

// ---- locks held to the end of a transaction ----

/** Two API processes starting at once on one PostgreSQL would otherwise both supersede a question (bank-sync.ts). */
export function lockBankSync(db: Queryable) {
  return db.query('SELECT pg_advisory_xact_lock($1)', [7_202_614])
}

/** One question import at a time: two uploads of the same file cannot both find the bank without it. */
export function lockQuestionImport(db: Queryable) {
  return db.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['quiz-questions-import'])
}

/** One practice start at a time per person: the day's count holds under concurrent starts. */
export function lockPracticeStart(db: Queryable, userId: number) {
  return db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`quiz-practice:${userId}`])
}

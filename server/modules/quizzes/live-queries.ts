import type { Queryable } from '../../db/types'

/** The SQL of live quizzes (live.ts holds the rules): sessions, participants, answers and the records a session leaves. */

export interface SessionRow {
  id: number
  code: string
  title: string
  hostId: number
  questionIds: number[]
  questionSeconds: number
  state: 'lobby' | 'question' | 'reveal' | 'finished'
  currentIndex: number
  questionStartedAt: Date | null
  questionEndsAt: Date | null
  serverNow: Date
}

const S_COLS = `s.id::int AS id, s.code, s.title, s.host_id::int AS "hostId", s.question_ids::int[] AS "questionIds",
  s.question_seconds AS "questionSeconds", s.state, s.current_index AS "currentIndex",
  s.question_started_at AS "questionStartedAt", s.question_ends_at AS "questionEndsAt", now() AS "serverNow"`

export function sessionById(db: Queryable, id: number, lock: '' | ' FOR UPDATE' | ' FOR SHARE' = '') {
  return db.one<SessionRow>(`SELECT ${S_COLS} FROM quiz_live_sessions s WHERE s.id = $1${lock}`, [id])
}

/** The session a join code names: the one not finished, else the latest finished (to show its results). */
export function sessionByCode(db: Queryable, code: string) {
  return db.one<SessionRow>(
    `SELECT ${S_COLS} FROM quiz_live_sessions s WHERE s.code = $1 ORDER BY (s.state <> 'finished') DESC, s.id DESC LIMIT 1`,
    [code],
  )
}

export async function insertSession(db: Queryable, s: { code: string; title: string; hostId: number; regionCode: string | null; questionIds: number[]; questionSeconds: number }): Promise<number> {
  const row = await db.one<{ id: number }>(
    `INSERT INTO quiz_live_sessions (code, title, host_id, region_code, question_ids, question_seconds)
     VALUES ($1, $2, $3, $4, $5::bigint[], $6) RETURNING id::int AS id`,
    [s.code, s.title, s.hostId, s.regionCode, s.questionIds, s.questionSeconds],
  )
  return row!.id
}

/** Participants by score (ties: who joined first). */
export function standingRows(db: Queryable, sessionId: number) {
  return db.query<{ userId: number; nickname: string; score: number; correctCount: number }>(
    `SELECT user_id::int AS "userId", nickname, score, correct_count AS "correctCount"
       FROM quiz_live_participants WHERE session_id = $1 ORDER BY score DESC, joined_at, user_id`,
    [sessionId],
  )
}

/** Joins with the account's nickname; undefined when already a participant. */
export function addParticipant(db: Queryable, sessionId: number, userId: number) {
  return db.one<{ nickname: string }>(
    `INSERT INTO quiz_live_participants (session_id, user_id, nickname)
     SELECT $1, u.id, u.nickname FROM users u WHERE u.id = $2
     ON CONFLICT DO NOTHING RETURNING nickname`,
    [sessionId, userId],
  )
}

export async function participantCount(db: Queryable, sessionId: number): Promise<number> {
  return (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_live_participants WHERE session_id = $1', [sessionId]))?.n ?? 0
}

export async function isParticipant(db: Queryable, sessionId: number, userId: number): Promise<boolean> {
  return !!(await db.one('SELECT 1 FROM quiz_live_participants WHERE session_id = $1 AND user_id = $2', [sessionId, userId]))
}

/** Of these users, the ones who joined the session. */
export async function joinedAmong(db: Queryable, sessionId: number, userIds: number[]): Promise<Set<number>> {
  const rows = await db.query<{ uid: number }>(
    'SELECT user_id::int AS uid FROM quiz_live_participants WHERE session_id = $1 AND user_id = ANY($2::bigint[])', [sessionId, userIds])
  return new Set(rows.map((r) => r.uid))
}

/** The first participants to join, for the lobby. */
export function firstParticipants(db: Queryable, sessionId: number, limit: number) {
  return db.query<{ userId: number; nickname: string }>(
    'SELECT user_id::int AS "userId", nickname FROM quiz_live_participants WHERE session_id = $1 ORDER BY joined_at, user_id LIMIT $2', [sessionId, limit])
}

export async function hasAnswered(db: Queryable, sessionId: number, questionIndex: number, userId: number): Promise<boolean> {
  return !!(await db.one('SELECT 1 FROM quiz_live_answers WHERE session_id = $1 AND question_index = $2 AND user_id = $3', [sessionId, questionIndex, userId]))
}

/** Of these people, those with an answer to question `questionIndex`. */
export async function answeredAmong(db: Queryable, sessionId: number, questionIndex: number, userIds: number[]): Promise<Set<number>> {
  const rows = await db.query<{ uid: number }>(
    'SELECT user_id::int AS uid FROM quiz_live_answers WHERE session_id = $1 AND question_index = $2 AND user_id = ANY($3::bigint[])',
    [sessionId, questionIndex, userIds])
  return new Set(rows.map((r) => r.uid))
}

/** Opens the next question, its clock started by the database. */
export function openNextQuestion(db: Queryable, sessionId: number) {
  return db.one<SessionRow>(
    `UPDATE quiz_live_sessions s SET state = 'question', current_index = current_index + 1, question_started_at = now(),
            question_ends_at = now() + make_interval(secs => question_seconds)
      WHERE id = $1 RETURNING ${S_COLS}`,
    [sessionId],
  )
}

/** Closes question `index` if it is the open one; false when it was closed already. */
export async function closeQuestion(db: Queryable, sessionId: number, index: number): Promise<boolean> {
  return !!(await db.one(
    `UPDATE quiz_live_sessions SET state = 'reveal' WHERE id = $1 AND state = 'question' AND current_index = $2 RETURNING id`,
    [sessionId, index],
  ))
}

export async function markFinished(db: Queryable, sessionId: number): Promise<void> {
  await db.query(`UPDATE quiz_live_sessions SET state = 'finished', finished_at = now() WHERE id = $1`, [sessionId])
}

/** Adds question `index`'s right answers to the participants' scores. */
export async function settle(db: Queryable, sessionId: number, index: number): Promise<void> {
  await db.query(
    `UPDATE quiz_live_participants p SET score = p.score + a.points, correct_count = p.correct_count + 1
       FROM quiz_live_answers a
      WHERE a.session_id = $1 AND a.question_index = $2 AND a.correct AND p.session_id = a.session_id AND p.user_id = a.user_id`,
    [sessionId, index],
  )
}

/**
 * Each participant's result as a 'live' attempt, the answers given as a submission stores them; an asked question
 * without one counts as wrong (the quiz_attempt_answers view, migration 0008). Once per participant.
 */
export async function recordLiveAttempts(db: Queryable, sessionId: number, askedIds: number[], points: unknown): Promise<void> {
  await db.query(
    `INSERT INTO quiz_attempts (kind, live_session_id, user_id, community_code, street_code, question_ids, total, started_at,
                                expires_at, submitted_at, correct_count, score, passed, answers)
     SELECT 'live', p.session_id, p.user_id, u.community_code, st.parent_code, $2::bigint[], $3::int, p.joined_at, now(), now(),
            p.correct_count, (quiz_grade('live', p.correct_count, $3::int, NULL, $4::jsonb)).score, NULL,
            coalesce((SELECT jsonb_agg(jsonb_build_object('q', la.question_id, 'given', la.given, 'correct', la.correct, 'at', la.answered_at))
                        FROM quiz_live_answers la WHERE la.session_id = p.session_id AND la.user_id = p.user_id), '[]')
       FROM quiz_live_participants p JOIN users u ON u.id = p.user_id LEFT JOIN regions st ON st.code = u.community_code
      WHERE p.session_id = $1
     ON CONFLICT DO NOTHING`,
    [sessionId, askedIds, askedIds.length, JSON.stringify(points)],
  )
}

export interface LiveAnswerRow { uid: number; qi: number; qid: number; given: number[]; correct: boolean; points: number; elapsed: number }

/** Stores answers (the first per person and question wins); returns whose were stored. */
export async function insertAnswers(db: Queryable, sessionId: number, rows: LiveAnswerRow[]): Promise<Set<number>> {
  if (rows.length === 0) return new Set()
  const stored = await db.query<{ uid: number }>(
    `INSERT INTO quiz_live_answers (session_id, question_index, user_id, question_id, given, correct, points, elapsed_ms)
     SELECT $1, x.qi, x.uid, x.qid, x.given, x.correct, x.points, x.elapsed
       FROM jsonb_to_recordset($2::jsonb) AS x(uid bigint, qi int, qid bigint, given jsonb, correct boolean, points int, elapsed int)
      ORDER BY x.uid
     ON CONFLICT DO NOTHING RETURNING user_id::int AS uid`,
    [sessionId, JSON.stringify(rows)],
  )
  return new Set(stored.map((r) => r.uid))
}

export async function answerProgress(db: Queryable, sessionId: number, questionIndex: number): Promise<{ answered: number; participants: number }> {
  return (await db.one<{ answered: number; participants: number }>(
    `SELECT (SELECT count(*)::int FROM quiz_live_answers WHERE session_id = $1 AND question_index = $2) AS answered,
            (SELECT count(*)::int FROM quiz_live_participants WHERE session_id = $1) AS participants`,
    [sessionId, questionIndex],
  ))!
}

/** The first `limit` of the standings, ranked alike (equal scores share a rank; the next rank counts those above). */
export function topStandings(db: Queryable, sessionId: number, limit: number) {
  return db.query<{ rank: number; userId: number; nickname: string; score: number; correctCount: number }>(
    `SELECT (rank() OVER (ORDER BY score DESC))::int AS rank, user_id::int AS "userId", nickname, score, correct_count AS "correctCount"
       FROM quiz_live_participants WHERE session_id = $1 ORDER BY score DESC, joined_at, user_id LIMIT $2`,
    [sessionId, limit],
  )
}

/** One participant's score and rank (1 + those scoring more), without reading the whole board. */
export function placeOf(db: Queryable, sessionId: number, userId: number) {
  return db.one<{ score: number; rank: number }>(
    `SELECT p.score, 1 + (SELECT count(*)::int FROM quiz_live_participants o WHERE o.session_id = p.session_id AND o.score > p.score) AS rank
       FROM quiz_live_participants p WHERE p.session_id = $1 AND p.user_id = $2`,
    [sessionId, userId],
  )
}

import { prepared, type Queryable } from '../../db/types'
import type { SurveyDefinition, SurveyQuestion, ShowWhen } from '../../../types/surveys'

export interface SurveyRow {
  id: number
  title: string
  description: string
  regionCode: string
  audience: 'residents' | 'signed_in'
  anonymous: boolean
  resultsPublic: boolean
  quotaPerCommunity: number | null
  startsAt: Date
  endsAt: Date
  status: 'draft' | 'published' | 'closed'
  templateKey: string | null
  version: number
  announcedAt: Date | null
}

const SURVEY_COLS = `s.id::int AS id, s.title, s.description, s.region_code AS "regionCode", s.audience, s.anonymous,
  s.results_public AS "resultsPublic", s.quota_per_community AS "quotaPerCommunity", s.starts_at AS "startsAt",
  s.ends_at AS "endsAt", s.status, s.template_key AS "templateKey", s.version,
  s.announced_at AS "announcedAt"`

export interface SurveySettings {
  title: string
  description: string
  regionCode: string
  audience: string
  anonymous: boolean
  resultsPublic: boolean
  quotaPerCommunity: number | null
  startsAt: string
  endsAt: string
}

/**
 * A window that has ended closes the survey: done on read, so no timer is needed for it. Unsent drafts of a closed
 * survey go with it: partial answers tied to a person have no use once nobody can submit.
 */
export async function closeEnded(db: Queryable): Promise<void> {
  await db.query(
    `WITH closed AS (
       UPDATE surveys SET status = 'closed', closed_at = ends_at, updated_at = now() WHERE status = 'published' AND ends_at <= now() RETURNING id
     )
     DELETE FROM survey_drafts WHERE survey_id IN (SELECT id FROM closed)`)
}

export async function insertSurvey(db: Queryable, s: SurveySettings, templateKey: string | null, userId: number): Promise<number> {
  const row = await db.one<{ id: number }>(
    `INSERT INTO surveys (title, description, region_code, audience, anonymous, results_public, quota_per_community, starts_at, ends_at, template_key, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::int AS id`,
    [s.title, s.description, s.regionCode, s.audience, s.anonymous, s.resultsPublic, s.quotaPerCommunity, s.startsAt, s.endsAt, templateKey, userId],
  )
  return row!.id
}

export async function updateSettings(db: Queryable, id: number, s: SurveySettings): Promise<void> {
  await db.query(
    `UPDATE surveys SET title = $2, description = $3, region_code = $4, audience = $5, anonymous = $6, results_public = $7,
            quota_per_community = $8, starts_at = $9, ends_at = $10, updated_at = now() WHERE id = $1`,
    [id, s.title, s.description, s.regionCode, s.audience, s.anonymous, s.resultsPublic, s.quotaPerCommunity, s.startsAt, s.endsAt],
  )
}

export async function replaceDefinition(db: Queryable, surveyId: number, def: SurveyDefinition): Promise<void> {
  await db.query('DELETE FROM survey_questions WHERE survey_id = $1', [surveyId])
  await db.query('DELETE FROM survey_sections WHERE survey_id = $1', [surveyId])
  const sections = def.sections.map((s, i) => ({ key: s.key, position: i, title: s.title, show_when: s.showWhen ?? [], show_match: s.showMatch ?? 'all' }))
  await db.query(
    `INSERT INTO survey_sections (survey_id, key, position, title, show_when, show_match)
     SELECT $1, x.key, x.position, x.title, x.show_when, x.show_match
       FROM jsonb_to_recordset($2::jsonb) AS x(key text, position int, title text, show_when jsonb, show_match text)`,
    [surveyId, JSON.stringify(sections)],
  )
  let position = 0
  const questions = def.sections.flatMap((s) => s.questions.map((q) => ({
    section_key: s.key,
    key: q.key,
    position: position++,
    type: q.type,
    title: q.title,
    description: q.description ?? '',
    required: q.required,
    config: configOf(q),
    show_when: q.showWhen ?? [],
    show_match: q.showMatch ?? 'all',
    figure: q.figure ?? null,
    favourable: q.favourable ?? [],
  })))
  await db.query(
    `INSERT INTO survey_questions (survey_id, section_key, key, position, type, title, description, required, config, show_when, show_match, figure, favourable)
     SELECT $1, x.section_key, x.key, x.position, x.type, x.title, x.description, x.required, x.config, x.show_when, x.show_match, x.figure,
            ARRAY(SELECT jsonb_array_elements_text(x.favourable))
       FROM jsonb_to_recordset($2::jsonb)
         AS x(section_key text, key text, position int, type text, title text, description text, required boolean, config jsonb,
              show_when jsonb, show_match text, figure text, favourable jsonb)`,
    [surveyId, JSON.stringify(questions)],
  )
}

function configOf(q: SurveyQuestion): Record<string, unknown> {
  const { options, minChoices, maxChoices, labels, ends, rows, maxLength } = q
  return Object.fromEntries(Object.entries({ options, minChoices, maxChoices, labels, ends, rows, maxLength }).filter(([, v]) => v !== undefined))
}

/** Wording edits after responses: same rows, new texts (keys, types and order unchanged by the caller's check). */
export async function updateWording(db: Queryable, surveyId: number, def: SurveyDefinition): Promise<void> {
  for (const s of def.sections) {
    await db.query('UPDATE survey_sections SET title = $3 WHERE survey_id = $1 AND key = $2', [surveyId, s.key, s.title])
    for (const q of s.questions) {
      await db.query('UPDATE survey_questions SET title = $3, description = $4, config = $5 WHERE survey_id = $1 AND key = $2', [
        surveyId, q.key, q.title, q.description ?? '', JSON.stringify(configOf(q)),
      ])
    }
  }
}

export async function survey(db: Queryable, id: number, lock: '' | 'FOR SHARE' | 'FOR UPDATE' = ''): Promise<SurveyRow | undefined> {
  return db.one<SurveyRow>(`SELECT ${SURVEY_COLS} FROM surveys s WHERE s.id = $1 ${lock}`, [id])
}

export interface QuestionRow {
  id: number
  sectionKey: string
  key: string
  type: SurveyQuestion['type']
  title: string
  description: string
  required: boolean
  config: Partial<SurveyQuestion>
  showWhen: ShowWhen
  showMatch: 'all' | 'any'
  figure: SurveyQuestion['figure'] | null
  favourable: string[]
}

export async function definition(db: Queryable, surveyId: number): Promise<{ def: SurveyDefinition; ids: Map<string, number> }> {
  const sections = await db.query<{ key: string; title: string; showWhen: ShowWhen; showMatch: 'all' | 'any' }>(
    'SELECT key, title, show_when AS "showWhen", show_match AS "showMatch" FROM survey_sections WHERE survey_id = $1 ORDER BY position', [surveyId])
  const questions = await db.query<QuestionRow>(
    `SELECT id::int AS id, section_key AS "sectionKey", key, type, title, description, required, config, show_when AS "showWhen",
            show_match AS "showMatch", figure, favourable
       FROM survey_questions WHERE survey_id = $1 ORDER BY position`, [surveyId])
  const ids = new Map(questions.map((q) => [q.key, q.id]))
  const def: SurveyDefinition = {
    sections: sections.map((s) => ({
      key: s.key,
      title: s.title,
      ...(s.showWhen.length ? { showWhen: s.showWhen } : {}),
      ...(s.showMatch === 'any' ? { showMatch: s.showMatch } : {}),
      questions: questions.filter((q) => q.sectionKey === s.key).map((q) => ({
        key: q.key,
        type: q.type,
        title: q.title,
        ...(q.description ? { description: q.description } : {}),
        required: q.required,
        ...q.config,
        ...(q.showWhen.length ? { showWhen: q.showWhen } : {}),
        ...(q.showMatch === 'any' ? { showMatch: q.showMatch } : {}),
        ...(q.figure ? { figure: q.figure, favourable: q.favourable } : {}),
      })),
    })),
  }
  return { def, ids }
}

/**
 * A survey's responses (an SQL expression of the survey's id): those counted (question 0 of survey_counts) and those
 * noted for the counting job and not counted yet (survey_uncounted, migration 0036) — each response in one of the two.
 */
const responsesOf = (survey: string) =>
  `((SELECT coalesce(sum(c.n), 0) FROM survey_counts c WHERE c.survey_id = ${survey} AND c.question_id = 0)
    + (SELECT count(*) FROM survey_uncounted u WHERE u.survey_id = ${survey}))::int`

/** The responses not counted yet, as an array for survey_count_rows and survey_pair_rows (an SQL expression). */
const uncountedOf = (survey: string) => `ARRAY(SELECT u.response_id FROM survey_uncounted u WHERE u.survey_id = ${survey})`

export async function responseCount(db: Queryable, surveyId: number): Promise<number> {
  return (await db.one<{ n: number }>(`SELECT ${responsesOf('$1')} AS n`, [surveyId]))!.n
}

export async function deleteDrafts(db: Queryable, surveyId: number): Promise<void> {
  await db.query('DELETE FROM survey_drafts WHERE survey_id = $1', [surveyId])
}

export async function setStatus(db: Queryable, id: number, status: 'published' | 'closed'): Promise<void> {
  await db.query(
    `UPDATE surveys SET status = $2, updated_at = now(),
            published_at = CASE WHEN $2 = 'published' THEN now() ELSE published_at END,
            closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE closed_at END
      WHERE id = $1`, [id, status])
}

export async function surveysInRegions(db: Queryable, regionCodes: string[] | null, statuses: string[]): Promise<Array<SurveyRow & { responses: number; questionCount: number }>> {
  return db.query(
    `SELECT ${SURVEY_COLS},
            ${responsesOf('s.id')} AS responses,
            (SELECT count(*)::int FROM survey_questions qq WHERE qq.survey_id = s.id) AS "questionCount"
       FROM surveys s
      WHERE ($1::text[] IS NULL OR s.region_code = ANY($1::text[])) AND s.status = ANY($2::text[])
      ORDER BY s.ends_at DESC, s.id DESC LIMIT 200`,
    [regionCodes, statuses],
  )
}

export interface ResidentMarks {
  answered: Set<number>
  drafts: Set<number>
  full: Set<number>
}

export async function residentMarks(db: Queryable, userId: number, communityCode: string | null, surveyIds: number[]): Promise<ResidentMarks> {
  const rows = await db.query<{ id: number; answered: boolean; draft: boolean; full: boolean }>(
    `SELECT s.id::int AS id,
            EXISTS (SELECT 1 FROM survey_participations p WHERE p.survey_id = s.id AND p.user_id = $1) AS answered,
            EXISTS (SELECT 1 FROM survey_drafts d WHERE d.survey_id = s.id AND d.user_id = $1) AS draft,
            coalesce(s.quota_per_community <= (SELECT taken FROM survey_quota_counts c WHERE c.survey_id = s.id AND c.community_code = $2), false) AS full
       FROM surveys s WHERE s.id = ANY($3::bigint[])`,
    [userId, communityCode, surveyIds],
  )
  return {
    answered: new Set(rows.filter((r) => r.answered).map((r) => r.id)),
    drafts: new Set(rows.filter((r) => r.draft).map((r) => r.id)),
    full: new Set(rows.filter((r) => r.full).map((r) => r.id)),
  }
}

export interface AnswerInsert {
  questionId: number
  rowKey: string
  picked: string[]
  num: number | null
  otherText: string | null
  textValue: string | null
  held: boolean
}

export async function saveDraft(db: Queryable, surveyId: number, userId: number, answers: unknown, page: number) {
  return db.one<{ answers: unknown; page: number; savedAt: Date }>(
    `INSERT INTO survey_drafts (survey_id, user_id, answers, page) VALUES ($1, $2, $3, $4)
     ON CONFLICT (survey_id, user_id) DO UPDATE SET answers = EXCLUDED.answers, page = EXCLUDED.page, updated_at = now()
     RETURNING answers, page, updated_at AS "savedAt"`,
    [surveyId, userId, JSON.stringify(answers), page],
  )
}

export async function draft(db: Queryable, surveyId: number, userId: number) {
  return db.one<{ answers: unknown; page: number; savedAt: Date }>(
    'SELECT answers, page, updated_at AS "savedAt" FROM survey_drafts WHERE survey_id = $1 AND user_id = $2', [surveyId, userId])
}

/** Text answers (and "其他" notes) of a question, newest day first; the order within a day is the random id's. */
export async function texts(db: Queryable, surveyId: number, questionId: number, search: string | null, offset: number, limit: number) {
  const where = `a.survey_id = $1 AND a.question_id = $2 AND coalesce(a.text_value, a.other_text) IS NOT NULL
                 AND ($3::text IS NULL OR strpos(coalesce(a.text_value, a.other_text), $3) > 0)`
  const items = await db.query<{ text: string; day: string; communityCode: string | null; held: boolean }>(
    `SELECT coalesce(a.text_value, a.other_text) AS text, to_char(a.submitted_on, 'YYYY-MM-DD') AS day, a.community_code AS "communityCode", a.held
       FROM survey_texts a WHERE ${where}
      ORDER BY a.submitted_on DESC, a.response_id LIMIT $4 OFFSET $5`,
    [surveyId, questionId, search, limit, offset])
  const total = (await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM survey_texts a WHERE ${where}`, [surveyId, questionId, search]))!.n
  return { items, total }
}

export async function wordingChanges(db: Queryable, surveyId: number) {
  return db.query<{ at: Date; by: string; detail: { changes: Array<{ path: string; from: string; to: string }> } }>(
    `SELECT l.created_at AS at, coalesce(u.nickname, '') AS by, l.detail
       FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id
      WHERE l.target = $1 AND l.action = 'survey.wording' ORDER BY l.created_at`, [`survey:${surveyId}`])
}

export interface ExportAnswer {
  questionId: number
  rowKey: string
  picked: string[]
  num: number | null
  otherText: string | null
  textValue: string | null
  held: boolean
}
export interface ExportResponse {
  id: string
  communityCode: string | null
  day: string
  at: Date | null
  nickname: string | null
  answers: ExportAnswer[]
  questionIds: Map<string, number>
}

/**
 * A batch of responses with their answers, in the order of their random ids (keyset on it). The person's name is
 * read only for a survey that is not anonymous; an anonymous response has no user to join anyway.
 */
export async function exportBatch(
  db: Queryable, surveyId: number, anonymous: boolean, after: string, limit: number, questionIds: Map<string, number>,
): Promise<ExportResponse[]> {
  const rows = await db.query<Omit<ExportResponse, 'answers' | 'questionIds'>>(
    anonymous
      ? `SELECT r.id::text AS id, NULL AS "communityCode", to_char(r.submitted_on, 'YYYY-MM-DD') AS day, NULL AS at, NULL AS nickname
           FROM survey_responses r WHERE r.survey_id = $1 AND r.id > $2::uuid ORDER BY r.id LIMIT $3`
      : `SELECT r.id::text AS id, r.community_code AS "communityCode", to_char(r.submitted_on, 'YYYY-MM-DD') AS day, r.submitted_at AS at,
                u.nickname
           FROM survey_responses r LEFT JOIN users u ON u.id = r.user_id
          WHERE r.survey_id = $1 AND r.id > $2::uuid ORDER BY r.id LIMIT $3`,
    [surveyId, after, limit],
  )
  if (rows.length === 0) return []
  const answers = await db.query<ExportAnswer & { responseId: string }>(
    `SELECT response_id::text AS "responseId", question_id::int AS "questionId", row_key AS "rowKey", picked, num,
            other_text AS "otherText", text_value AS "textValue", held
       FROM survey_answers WHERE response_id = ANY($1::uuid[])`, [rows.map((r) => r.id)])
  const by = new Map<string, ExportAnswer[]>()
  for (const a of answers) by.set(a.responseId, [...(by.get(a.responseId) ?? []), a])
  return rows.map((r) => ({ ...r, answers: by.get(r.id) ?? [], questionIds }))
}

// ------------------------------------------------------------------ edits seen by cached definitions

/** Every edit moves the version on: a submission checked against an older cached definition is refused in SQL. */
export async function bumpVersion(db: Queryable, id: number): Promise<void> {
  await db.query('UPDATE surveys SET version = version + 1 WHERE id = $1', [id])
}

// ------------------------------------------------------------------ submissions (migration 0020)

export interface RecordItem {
  surveyId: number
  version: number
  anonymous: boolean
  userId: number
  key: string | null
  route: string
  communityCode: string | null
  answers: AnswerInsert[]
}
export interface RecordOutcome {
  outcome: 'recorded' | 'replay' | 'key_reused' | 'in_progress' | 'not_found' | 'changed' | 'closed' | 'not_started' | 'answered' | 'quota_full'
  responseId: string | null
  body: { surveyId: number; submittedOn: string; anonymous: boolean } | null
}

const RECORD = prepared(
  'survey_record_batch',
  'SELECT b.i, b.outcome, b.response_id::text AS "responseId", b.body FROM survey_record_batch($1::jsonb) b',
)

/**
 * Several submissions in one statement (survey_record_batch: each claimed by survey_claim_response with its picks,
 * then the texts and the counts of the recorded ones), which is one transaction. Outcomes in the order given.
 */
export async function recordResponses(db: Queryable, items: readonly RecordItem[]): Promise<RecordOutcome[]> {
  const rows = await db.query<RecordOutcome & { i: number }>(RECORD, [JSON.stringify(items.map((s, i) => ({
    i,
    survey: s.surveyId,
    version: s.version,
    anonymous: s.anonymous,
    uid: s.userId,
    key: s.key,
    route: s.route,
    community: s.communityCode,
    // as survey_responses.picks keeps them (migration 0035), and the words apart
    picks: s.answers.map((a) => [a.questionId, a.rowKey, a.picked, a.num, a.otherText === null ? 0 : 1]),
    texts: s.answers.filter((a) => a.textValue !== null || a.otherText !== null)
      .map((a) => ({ question_id: a.questionId, other_text: a.otherText, text_value: a.textValue, held: a.held })),
  })))])
  const out: RecordOutcome[] = new Array(items.length)
  for (const r of rows) out[r.i] = { outcome: r.outcome, responseId: r.responseId, body: r.body }
  return out
}

/**
 * Counts for responses written without the submission path (the benchmark's bulk insert): one part of them (by their
 * random id), so that parts counted at the same time land in different shards, as the counting jobs leave them.
 */
export async function addCountsOfSurvey(db: Queryable, surveyId: number, part = 0, parts = 1): Promise<void> {
  await db.query(
    'SELECT survey_add_counts(ARRAY(SELECT id FROM survey_responses WHERE survey_id = $1 AND get_byte(uuid_send(id), 15) % $3 = $2))',
    [surveyId, part, parts])
}

/**
 * One run of the counting job: up to `limit` responses noted by their submissions added to the counts, in one
 * transaction (survey_fold_counts). How many it took.
 */
export async function foldCounts(db: Queryable, limit: number): Promise<number> {
  return (await db.one<{ n: number }>('SELECT survey_fold_counts($1) AS n', [limit]))!.n
}

// ------------------------------------------------------------------ counts (migration 0019)

/** A survey's counts per (question, row, community, value), summed over the shards (migration 0027) and with the
 *  responses not counted yet counted here (survey_count_rows, migration 0036) — question 0 the responses per
 *  community, value '' a question's respondents with the sum of their numbers and "其他" notes. One statement, so
 *  the responses counted in it are the ones its other counts include (counts-cache.ts). */
export async function countSummary(db: Queryable, surveyId: number) {
  return db.query<{ questionId: number; rowKey: string; community: string; value: string; n: number; numSum: number; others: number }>(
    `SELECT question_id::int AS "questionId", row_key AS "rowKey", community_code AS community, value, sum(n)::int AS n,
            sum(num_sum)::float8 AS "numSum", sum(others)::int AS others
       FROM (SELECT question_id, row_key, community_code, value, n, num_sum, others FROM survey_counts WHERE survey_id = $1
             UNION ALL
             SELECT question_id, row_key, community_code, value, n, num_sum, others FROM survey_count_rows(${uncountedOf('$1')})) c
      GROUP BY 1, 2, 3, 4`, [surveyId])
}

export interface Pair { questionId: number; rowKey: string; byQuestionId: number; byRowKey: string }

/**
 * A tracked pair's counts, or undefined when the pair is not counted yet; value '' is the group's respondents. With
 * the survey's response total read in the same statement (counts-cache.ts).
 */
export async function pairCounts(db: Queryable, surveyId: number, p: Pair) {
  const rows = await db.query<{ tracked: boolean; total: number; grp: string | null; value: string | null; n: number | null }>(
    `SELECT EXISTS (SELECT 1 FROM survey_tracked_pairs
                     WHERE survey_id = $1 AND question_id = $2 AND row_key = $3 AND by_question_id = $4 AND by_row_key = $5) AS tracked,
            ${responsesOf('$1')} AS total,
            c.grp, c.value, c.n
       FROM (SELECT 1) one
       LEFT JOIN (SELECT by_value AS grp, value, sum(n)::int AS n
                    FROM (SELECT by_value, value, n FROM survey_pair_counts
                           WHERE survey_id = $1 AND question_id = $2 AND row_key = $3 AND by_question_id = $4 AND by_row_key = $5
                          UNION ALL
                          SELECT by_value, value, n FROM survey_pair_rows(${uncountedOf('$1')})
                           WHERE question_id = $2 AND row_key = $3 AND by_question_id = $4 AND by_row_key = $5) p
                   GROUP BY by_value, value) c ON true`,
    [surveyId, p.questionId, p.rowKey, p.byQuestionId, p.byRowKey])
  if (!rows[0].tracked) return undefined
  return { total: rows[0].total, rows: rows.filter((r) => r.value !== null).map((r) => ({ grp: r.grp!, value: r.value!, n: r.n! })) }
}

/**
 * Starts counting a pair: under the survey's row lock (submissions and the counting job hold it shared), the pair is
 * registered and counted from the responses counted so far; those not counted yet are added by the counting job
 * (survey_fold_counts says why none is missed or counted twice), and read meanwhile by pairCounts.
 */
export async function trackPair(db: Queryable, surveyId: number, p: Pair): Promise<void> {
  await db.query('SELECT 1 FROM surveys WHERE id = $1 FOR UPDATE', [surveyId])
  const added = await db.one(
    `INSERT INTO survey_tracked_pairs (survey_id, question_id, row_key, by_question_id, by_row_key) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING 1 AS ok`, [surveyId, p.questionId, p.rowKey, p.byQuestionId, p.byRowKey])
  if (!added) return
  // both answers of each response, found in its picks (migration 0035): [question, row, values, num, other]
  await db.query(
    `INSERT INTO survey_pair_counts (survey_id, question_id, row_key, by_question_id, by_row_key, by_value, value, n)
     SELECT $1, $2, $3, $4, $5, g.by_value, v.value, count(*)::int
       FROM survey_responses r
       CROSS JOIN LATERAL (SELECT x FROM jsonb_array_elements(r.picks) AS x WHERE (x->>0)::bigint = $2 AND x->>1 = $3) AS a(pick)
       CROSS JOIN LATERAL (SELECT x FROM jsonb_array_elements(r.picks) AS x WHERE (x->>0)::bigint = $4 AND x->>1 = $5) AS b(pick)
       CROSS JOIN LATERAL jsonb_array_elements_text(b.pick->2) AS g(by_value)
       CROSS JOIN LATERAL (SELECT ''::text UNION ALL SELECT jsonb_array_elements_text(a.pick->2)) AS v(value)
      WHERE r.survey_id = $1
        AND NOT EXISTS (SELECT 1 FROM survey_uncounted u WHERE u.survey_id = $1 AND u.response_id = r.id)
      GROUP BY g.by_value, v.value`,
    [surveyId, p.questionId, p.rowKey, p.byQuestionId, p.byRowKey])
}

// ------------------------------------------------------------------ opening notices

export async function noticeConsent(db: Queryable, userId: number) {
  return db.one<{ agreedAt: Date }>('SELECT agreed_at AS "agreedAt" FROM survey_notice_consents WHERE user_id = $1', [userId])
}

export async function setNoticeConsent(db: Queryable, userId: number, channel: 'weapp' | 'h5') {
  return db.one<{ agreedAt: Date }>(
    `INSERT INTO survey_notice_consents (user_id, channel) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET channel = EXCLUDED.channel, agreed_at = now() RETURNING agreed_at AS "agreedAt"`,
    [userId, channel])
}

export async function dropNoticeConsent(db: Queryable, userId: number): Promise<void> {
  await db.query('DELETE FROM survey_notice_consents WHERE user_id = $1', [userId])
}

/**
 * The opening notice of one survey to the residents who agreed and whose community is among `communities` (the
 * survey's region), who have not answered it and were not told of it before: a notice row each (the primary key keeps
 * it to once), and a message in the outbox for each row inserted here. Returns how many were enqueued.
 */
export async function enqueueOpeningNotices(db: Queryable, surveyId: number, communities: string[], payload: unknown): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH told AS (
       INSERT INTO survey_opening_notices (survey_id, user_id)
       SELECT $1, c.user_id FROM survey_notice_consents c JOIN users u ON u.id = c.user_id
        WHERE u.community_code = ANY($2::text[]) AND u.erased_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM survey_participations p WHERE p.survey_id = $1 AND p.user_id = c.user_id)
        ORDER BY c.user_id
       ON CONFLICT DO NOTHING RETURNING user_id
     ), queued AS (
       INSERT INTO notification_outbox (user_id, kind, ref, payload) SELECT user_id, 'survey.open', 'survey:' || $1::bigint, $3::jsonb FROM told
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM queued`,
    [surveyId, communities, JSON.stringify(payload)])
  return rows[0]?.n ?? 0
}

export async function markAnnounced(db: Queryable, surveyId: number): Promise<void> {
  await db.query('UPDATE surveys SET announced_at = now() WHERE id = $1', [surveyId])
}

/**
 * Published surveys whose window has started and whose notices are not sent yet, locked; another process running
 * the same job skips the rows locked here (and finds them announced once this commits).
 */
export async function surveysToAnnounce(db: Queryable, limit: number) {
  return db.query<SurveyRow>(
    `SELECT ${SURVEY_COLS} FROM surveys s
      WHERE s.status = 'published' AND s.announced_at IS NULL AND s.starts_at <= now() AND s.ends_at > now()
      ORDER BY s.starts_at, s.id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit])
}

/** Closed surveys whose results are public, in these regions (the resident's community and the regions above it). */
export async function closedPublicSurveys(db: Queryable, regionCodes: string[]) {
  return db.query<SurveyRow & { questionCount: number }>(
    `SELECT ${SURVEY_COLS}, (SELECT count(*)::int FROM survey_questions qq WHERE qq.survey_id = s.id) AS "questionCount"
       FROM surveys s WHERE s.region_code = ANY($1::text[]) AND s.status = 'closed' AND s.results_public
      ORDER BY s.ends_at DESC, s.id DESC LIMIT 50`, [regionCodes])
}

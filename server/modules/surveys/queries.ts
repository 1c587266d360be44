import type { Queryable } from '../../db/types'
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
}

const SURVEY_COLS = `s.id::int AS id, s.title, s.description, s.region_code AS "regionCode", s.audience, s.anonymous,
  s.results_public AS "resultsPublic", s.quota_per_community AS "quotaPerCommunity", s.starts_at AS "startsAt",
  s.ends_at AS "endsAt", s.status, s.template_key AS "templateKey"`

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
  const sections = def.sections.map((s, i) => ({ key: s.key, position: i, title: s.title, show_when: s.showWhen ?? [] }))
  await db.query(
    `INSERT INTO survey_sections (survey_id, key, position, title, show_when)
     SELECT $1, x.key, x.position, x.title, x.show_when FROM jsonb_to_recordset($2::jsonb) AS x(key text, position int, title text, show_when jsonb)`,
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
    figure: q.figure ?? null,
    favourable: q.favourable ?? [],
  })))
  await db.query(
    `INSERT INTO survey_questions (survey_id, section_key, key, position, type, title, description, required, config, show_when, figure, favourable)
     SELECT $1, x.section_key, x.key, x.position, x.type, x.title, x.description, x.required, x.config, x.show_when, x.figure,
            ARRAY(SELECT jsonb_array_elements_text(x.favourable))
       FROM jsonb_to_recordset($2::jsonb)
         AS x(section_key text, key text, position int, type text, title text, description text, required boolean, config jsonb,
              show_when jsonb, figure text, favourable jsonb)`,
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
  figure: SurveyQuestion['figure'] | null
  favourable: string[]
}

export async function definition(db: Queryable, surveyId: number): Promise<{ def: SurveyDefinition; ids: Map<string, number> }> {
  const sections = await db.query<{ key: string; title: string; showWhen: ShowWhen }>(
    'SELECT key, title, show_when AS "showWhen" FROM survey_sections WHERE survey_id = $1 ORDER BY position', [surveyId])
  const questions = await db.query<QuestionRow>(
    `SELECT id::int AS id, section_key AS "sectionKey", key, type, title, description, required, config, show_when AS "showWhen", figure, favourable
       FROM survey_questions WHERE survey_id = $1 ORDER BY position`, [surveyId])
  const ids = new Map(questions.map((q) => [q.key, q.id]))
  const def: SurveyDefinition = {
    sections: sections.map((s) => ({
      key: s.key,
      title: s.title,
      ...(s.showWhen.length ? { showWhen: s.showWhen } : {}),
      questions: questions.filter((q) => q.sectionKey === s.key).map((q) => ({
        key: q.key,
        type: q.type,
        title: q.title,
        ...(q.description ? { description: q.description } : {}),
        required: q.required,
        ...q.config,
        ...(q.showWhen.length ? { showWhen: q.showWhen } : {}),
        ...(q.figure ? { figure: q.figure, favourable: q.favourable } : {}),
      })),
    })),
  }
  return { def, ids }
}

export async function responseCount(db: Queryable, surveyId: number): Promise<number> {
  return (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey_responses WHERE survey_id = $1', [surveyId]))!.n
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
            (SELECT count(*)::int FROM survey_responses r WHERE r.survey_id = s.id) AS responses,
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

/** The one-per-resident rule: false when this resident already answered (the primary key decides, under concurrency too). */
export async function claimParticipation(db: Queryable, surveyId: number, userId: number): Promise<boolean> {
  return (await db.one('INSERT INTO survey_participations (survey_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS ok', [surveyId, userId])) !== undefined
}

/** Takes one place of the community's quota under the counter row's lock; false when it is full. */
export async function takeQuota(db: Queryable, surveyId: number, communityCode: string, quota: number): Promise<boolean> {
  await db.query('INSERT INTO survey_quota_counts (survey_id, community_code) VALUES ($1, $2) ON CONFLICT DO NOTHING', [surveyId, communityCode])
  return (await db.one(
    'UPDATE survey_quota_counts SET taken = taken + 1 WHERE survey_id = $1 AND community_code = $2 AND taken < $3 RETURNING taken',
    [surveyId, communityCode, quota],
  )) !== undefined
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

/** The response and its answers in two statements; for an anonymous survey no user and no time but the day. */
export async function insertResponse(
  db: Queryable, surveyId: number, userId: number | null, communityCode: string | null, answers: AnswerInsert[],
): Promise<{ id: string; day: string }> {
  const r = await db.one<{ id: string; day: string }>(
    `INSERT INTO survey_responses (survey_id, user_id, community_code, submitted_on, submitted_at)
     VALUES ($1, $2, $3, (now() AT TIME ZONE 'Asia/Shanghai')::date, CASE WHEN $2::bigint IS NULL THEN NULL ELSE now() END)
     RETURNING id::text AS id, to_char(submitted_on, 'YYYY-MM-DD') AS day`,
    [surveyId, userId, communityCode],
  )
  await db.query(
    `INSERT INTO survey_answers (response_id, survey_id, question_id, row_key, community_code, submitted_on, picked, num, other_text, text_value, held)
     SELECT r.id, r.survey_id, x.question_id, x.row_key, r.community_code, r.submitted_on,
            ARRAY(SELECT jsonb_array_elements_text(x.picked)), x.num, x.other_text, x.text_value, x.held
       FROM survey_responses r,
            jsonb_to_recordset($2::jsonb) AS x(question_id bigint, row_key text, picked jsonb, num int, other_text text, text_value text, held boolean)
      WHERE r.id = $1::uuid`,
    [r!.id, JSON.stringify(answers.map((a) => ({
      question_id: a.questionId, row_key: a.rowKey, picked: a.picked, num: a.num, other_text: a.otherText, text_value: a.textValue, held: a.held,
    })))],
  )
  return r!
}

export async function deleteDraft(db: Queryable, surveyId: number, userId: number): Promise<void> {
  await db.query('DELETE FROM survey_drafts WHERE survey_id = $1 AND user_id = $2', [surveyId, userId])
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

/** Counts per (question, row, value): one scan of the survey's answers, grouped in the database. */
export async function distribution(db: Queryable, surveyId: number) {
  return db.query<{ questionId: number; rowKey: string; value: string; n: number }>(
    `SELECT a.question_id::int AS "questionId", a.row_key AS "rowKey", v AS value, count(*)::int AS n
       FROM survey_answers a CROSS JOIN LATERAL unnest(a.picked) AS v
      WHERE a.survey_id = $1 GROUP BY 1, 2, 3`, [surveyId])
}

/** Answers per question and row ('' for the question as a whole: responses that answered any of its rows). */
export async function answeredCounts(db: Queryable, surveyId: number) {
  return db.query<{ questionId: number; rowKey: string; n: number; mean: number | null; others: number }>(
    `SELECT question_id::int AS "questionId", coalesce(row_key, '') AS "rowKey", count(DISTINCT response_id)::int AS n,
            avg(num)::float8 AS mean, count(other_text)::int AS others
       FROM survey_answers WHERE survey_id = $1 GROUP BY GROUPING SETS ((question_id, row_key), (question_id))`, [surveyId])
}

/** Respondents per (group, value) of one question: grouped by community, or by the values of another question. */
export async function crossCounts(
  db: Queryable, surveyId: number, questionId: number, rowKey: string, by: { questionId: number; rowKey: string } | null,
) {
  if (!by) {
    return db.query<{ grp: string | null; value: string; n: number }>(
      `SELECT a.community_code AS grp, v AS value, count(*)::int AS n
         FROM survey_answers a CROSS JOIN LATERAL unnest(a.picked) AS v
        WHERE a.survey_id = $1 AND a.question_id = $2 AND a.row_key = $3 GROUP BY 1, 2`, [surveyId, questionId, rowKey])
  }
  return db.query<{ grp: string | null; value: string; n: number }>(
    `SELECT g AS grp, v AS value, count(*)::int AS n
       FROM survey_answers a
       JOIN survey_answers b ON b.response_id = a.response_id AND b.question_id = $4 AND b.row_key = $5
       CROSS JOIN LATERAL unnest(a.picked) AS v
       CROSS JOIN LATERAL unnest(b.picked) AS g
      WHERE a.survey_id = $1 AND a.question_id = $2 AND a.row_key = $3 GROUP BY 1, 2`,
    [surveyId, questionId, rowKey, by.questionId, by.rowKey])
}

/** Respondents per group (the group's n), counted once each even on a multiple-choice question. */
export async function groupSizes(db: Queryable, surveyId: number, questionId: number, rowKey: string, by: { questionId: number; rowKey: string } | null) {
  if (!by) {
    return db.query<{ grp: string | null; n: number }>(
      `SELECT community_code AS grp, count(*)::int AS n FROM survey_answers
        WHERE survey_id = $1 AND question_id = $2 AND row_key = $3 GROUP BY 1`, [surveyId, questionId, rowKey])
  }
  return db.query<{ grp: string | null; n: number }>(
    `SELECT g AS grp, count(*)::int AS n
       FROM survey_answers a
       JOIN survey_answers b ON b.response_id = a.response_id AND b.question_id = $4 AND b.row_key = $5
       CROSS JOIN LATERAL unnest(b.picked) AS g
      WHERE a.survey_id = $1 AND a.question_id = $2 AND a.row_key = $3 GROUP BY 1`,
    [surveyId, questionId, rowKey, by.questionId, by.rowKey])
}

/** Text answers (and "其他" notes) of a question, newest day first; the order within a day is the random id's. */
export async function texts(db: Queryable, surveyId: number, questionId: number, search: string | null, offset: number, limit: number) {
  const where = `a.survey_id = $1 AND a.question_id = $2 AND coalesce(a.text_value, a.other_text) IS NOT NULL
                 AND ($3::text IS NULL OR strpos(coalesce(a.text_value, a.other_text), $3) > 0)`
  const items = await db.query<{ text: string; day: string; communityCode: string | null; held: boolean }>(
    `SELECT coalesce(a.text_value, a.other_text) AS text, to_char(a.submitted_on, 'YYYY-MM-DD') AS day, a.community_code AS "communityCode", a.held
       FROM survey_answers a WHERE ${where}
      ORDER BY a.submitted_on DESC, a.response_id, a.row_key LIMIT $4 OFFSET $5`,
    [surveyId, questionId, search, limit, offset])
  const total = (await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM survey_answers a WHERE ${where}`, [surveyId, questionId, search]))!.n
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

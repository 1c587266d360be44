import type { PersonalDataSource } from '../accounts/personal-data'

/**
 * 问卷 under 注销: a named response keeps counting (its choices feed the rates, attributed to the emptied user row),
 * but the person's own words — text answers and "其他" notes — go, and so do unsent drafts. Anonymous responses hold
 * no link to anybody; only the participation record (which survey, not which response) is the person's. The consent
 * to opening notices and the record of which surveys they were told of go too.
 */
export const surveysPersonalData: PersonalDataSource = {
  name: 'surveys',
  async erase(tx, person) {
    await tx.query('DELETE FROM survey_drafts WHERE user_id = $1', [person.userId])
    await tx.query('DELETE FROM survey_notice_consents WHERE user_id = $1', [person.userId])
    await tx.query('DELETE FROM survey_opening_notices WHERE user_id = $1', [person.userId])
    await tx.query(
      `UPDATE survey_texts SET text_value = NULL, other_text = NULL
        WHERE response_id IN (SELECT id FROM survey_responses WHERE user_id = $1) AND (text_value IS NOT NULL OR other_text IS NOT NULL)`,
      [person.userId],
    )
  },
  async export(db, userId) {
    const [answered, responses, answers, drafts, noticeConsent, noticesReceived] = await Promise.all([
      db.query(
        `SELECT p.survey_id::int AS "surveyId", s.title, s.anonymous
           FROM survey_participations p JOIN surveys s ON s.id = p.survey_id WHERE p.user_id = $1 ORDER BY p.survey_id`,
        [userId],
      ),
      db.query(
        `SELECT r.id, r.survey_id::int AS "surveyId", r.community_code AS "communityCode", r.submitted_at AS "submittedAt"
           FROM survey_responses r WHERE r.user_id = $1 ORDER BY r.submitted_on, r.id`,
        [userId],
      ),
      db.query<{ responseId: string }>(
        `SELECT a.response_id AS "responseId", q.title AS question, a.row_key AS "row", a.picked, a.num, a.other_text AS "otherText", a.text_value AS "text"
           FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id JOIN survey_responses r ON r.id = a.response_id
          WHERE r.user_id = $1 ORDER BY a.response_id, q.id, a.row_key`,
        [userId],
      ),
      db.query(`SELECT survey_id::int AS "surveyId", answers, updated_at AS "updatedAt" FROM survey_drafts WHERE user_id = $1 ORDER BY survey_id`, [userId]),
      db.one(`SELECT channel, agreed_at AS "agreedAt" FROM survey_notice_consents WHERE user_id = $1`, [userId]),
      db.query(
        `SELECT n.survey_id::int AS "surveyId", s.title FROM survey_opening_notices n JOIN surveys s ON s.id = n.survey_id
          WHERE n.user_id = $1 ORDER BY n.survey_id`, [userId]),
    ])
    return {
      // anonymous surveys: that one answered, never what (the response is not linked to anyone, here neither)
      answered,
      responses: (responses as Array<{ id: string }>).map((r) => ({ ...r, answers: answers.filter((a) => a.responseId === r.id).map(({ responseId: _, ...a }) => a) })),
      drafts,
      // "有新问卷时通知我", and the surveys a notice was sent for
      noticeConsent: noticeConsent ?? null,
      noticesReceived,
    }
  },
}

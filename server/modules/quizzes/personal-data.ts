import type { PersonalDataSource } from '../accounts/personal-data'
import { ERASED_NICKNAME } from '../accounts/personal-data'

/**
 * Quizzes under 注销: attempts, answers and points stay and keep counting (participants, pass rates, awareness);
 * they point at the emptied user row, which names nobody. Only the copy of the nickname on live leaderboards goes.
 */
export const quizzesPersonalData: PersonalDataSource = {
  name: 'quizzes',
  async erase(tx, person) {
    await tx.query('UPDATE quiz_live_participants SET nickname = $2 WHERE user_id = $1', [person.userId, ERASED_NICKNAME])
  },
  async export(db, userId) {
    const [attempts, points, live] = await Promise.all([
      db.query(
        `SELECT a.id::int AS id, a.kind, a.campaign_id::int AS "campaignId", c.title AS "campaignTitle", a.attempt_no AS "attemptNo",
                a.started_at AS "startedAt", a.submitted_at AS "submittedAt", a.expired_at AS "expiredAt",
                a.correct_count AS "correctCount", a.total, a.score, a.passed, a.points
           FROM quiz_attempts a LEFT JOIN quiz_campaigns c ON c.id = a.campaign_id
          WHERE a.user_id = $1 ORDER BY a.id`,
        [userId],
      ),
      db.query(
        `SELECT coalesce(sum(points), 0)::int AS total, count(*)::int AS entries FROM quiz_attempts WHERE user_id = $1 AND points > 0`,
        [userId],
      ),
      db.query(
        `SELECT p.session_id::int AS "sessionId", s.title, p.nickname, p.score, p.correct_count AS "correctCount", p.joined_at AS "joinedAt"
           FROM quiz_live_participants p JOIN quiz_live_sessions s ON s.id = p.session_id WHERE p.user_id = $1 ORDER BY p.joined_at`,
        [userId],
      ),
    ])
    return { attempts, points: points[0], liveQuizzes: live }
  },
}

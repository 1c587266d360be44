/**
 * The points of the quiz rules. The formulas that apply them live in SQL, each once, because the submission
 * applies them under the attempt's row lock: quiz_grade (score, pass, points earned: server/db/functions/
 * quiz_grading.sql), quiz_points_granted (the daily cap: quiz_points.sql); when an attempt is still open, with its
 * grace: quiz_attempt_state.sql. test/unit/quizzes-grading.test.ts holds quiz_grade against POINTS_RULES.
 */
export const POINTS = { dailyCap: 50, perCorrectPractice: 1, perCorrectCampaign: 2, passBonus: 10, perCorrectLive: 2 }

/** The rules as people read them (the points page). */
export const POINTS_RULES = `每日练习每答对 1 题得 ${POINTS.perCorrectPractice} 分；答题活动每答对 1 题得 ${POINTS.perCorrectCampaign} 分，及格另加 ${POINTS.passBonus} 分；现场答题每答对 1 题得 ${POINTS.perCorrectLive} 分（结束时计入）；每天最多 ${POINTS.dailyCap} 分。`

/** What quiz_grade and quiz_record_submission read from their p_rules (POINTS, sent as jsonb). */
export type GradingRules = typeof POINTS

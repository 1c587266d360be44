import { openPGlite } from '../../server/db/pglite'
import { migrate } from '../../server/db/migrate'
import type { Db } from '../../server/db/types'
import { POINTS, POINTS_RULES } from '../../server/modules/quizzes/grading'

// The grading formulas live once, in SQL (server/db/functions/quiz_grading.sql); what people are told is POINTS_RULES.
describe('quiz_grade against the rules as the app states them', () => {
  let db: Db
  beforeAll(async () => {
    db = await openPGlite(undefined)
    await migrate(db)
  }, 120_000)
  afterAll(() => db.close())

  it('scores, passes and earns as POINTS_RULES says, for every kind, count and pass mark', async () => {
    expect(POINTS_RULES).toContain(`每答对 1 题得 ${POINTS.perCorrectCampaign} 分，及格另加 ${POINTS.passBonus} 分`)
    const cases: Array<{ kind: string; correct: number; total: number; pass: number | null }> = []
    for (const kind of ['campaign', 'practice', 'live'])
      for (const total of [0, 1, 3, 5, 8, 10])
        for (let correct = 0; correct <= total; correct++)
          for (const pass of [null, 0, 60, 100]) cases.push({ kind, correct, total, pass })
    const rows = await db.query<{ score: number; passed: boolean | null; earned: number }>(
      `SELECT g.score, g.passed, g.earned
         FROM jsonb_to_recordset($1::jsonb) AS c(i int, kind text, correct int, total int, pass int)
        CROSS JOIN LATERAL quiz_grade(c.kind, c.correct, c.total, c.pass, $2::jsonb) g ORDER BY c.i`,
      [JSON.stringify(cases.map((c, i) => ({ i, ...c }))), JSON.stringify(POINTS)],
    )
    expect(rows).toEqual(cases.map((c) => {
      const score = c.total > 0 ? Math.round((100 * c.correct) / c.total) : 0
      const passed = c.kind === 'campaign' ? score >= (c.pass ?? 0) : null
      const perCorrect = { campaign: POINTS.perCorrectCampaign, practice: POINTS.perCorrectPractice, live: POINTS.perCorrectLive }[c.kind]!
      return { score, passed, earned: c.correct * perCorrect + (passed ? POINTS.passBonus : 0) }
    }))
  })

  it('keeps the overdue sweep on its partial index after inlining the attempt-state functions', async () => {
    const plan = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off')
      return tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT a.id FROM quiz_attempts a WHERE quiz_attempt_overdue(a.submitted_at, a.expired_at, a.expires_at)`)
    })
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('quiz_attempts_open_idx')
  })
})

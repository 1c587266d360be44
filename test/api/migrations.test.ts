import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openPGlite } from '../../server/db/pglite'
import { migrate, migrationFiles } from '../../server/db/migrate'
import type { Db } from '../../server/db/types'

// Migrations that move data: what was recorded before keeps reading the same afterwards.
const DIR = path.resolve(__dirname, '../../server/db/migrations')

async function migratedUpTo(db: Db, last: string) {
  await db.exec('CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())')
  for (const f of migrationFiles().filter((f) => f <= last)) {
    await db.exec(fs.readFileSync(path.join(DIR, f), 'utf8'))
    await db.query('INSERT INTO schema_migrations (name) VALUES ($1)', [f])
  }
}

describe('0008: answers and points move onto the attempt row', () => {
  let db: Db
  beforeAll(async () => {
    db = await openPGlite(undefined)
    await migratedUpTo(db, '0007_quiz_submission.sql')
  })
  afterAll(() => db.close())

  it('keeps every recorded answer (drawn order, answer times) and every point with its day', async () => {
    const [u] = await db.query<{ id: number }>(`INSERT INTO users (phone, nickname) VALUES ('13900009999', '旧用户') RETURNING id::int AS id`)
    const qs = await db.query<{ id: number }>(
      `INSERT INTO quiz_questions (kind, stem, options, answer, difficulty)
       SELECT 'single', '旧题 ' || i, '["甲","乙"]', '[0]', 1 FROM generate_series(1, 3) i RETURNING id::int AS id`)
    const ids = qs.map((q) => q.id)
    const drawn = [ids[2], ids[0], ids[1]]
    const [done] = await db.query<{ id: number }>(
      `INSERT INTO quiz_attempts (kind, user_id, question_ids, total, expires_at, submitted_at, correct_count, score, points)
       VALUES ('practice', $1, $2, 3, now(), '2026-01-02T03:00:00Z', 1, 33, 1) RETURNING id::int AS id`, [u.id, drawn])
    const [open] = await db.query<{ id: number }>(
      `INSERT INTO quiz_attempts (kind, user_id, question_ids, total, expires_at) VALUES ('practice', $1, $2, 3, now() + interval '1 hour') RETURNING id::int AS id`,
      [u.id, drawn])
    // stored out of order, with the times they were answered
    await db.query(
      `INSERT INTO quiz_attempt_answers (attempt_id, question_id, user_id, given, correct, answered_at) VALUES
         ($1, $2, $5, '[1]', false, '2026-01-02T02:59:03Z'), ($1, $3, $5, '[0]', true, '2026-01-02T02:59:01Z'), ($1, $4, $5, '[]', false, '2026-01-02T02:59:02Z')`,
      [done.id, drawn[2], drawn[0], drawn[1], u.id])
    await db.query(`INSERT INTO quiz_points (user_id, attempt_id, day, points) VALUES ($1, $2, '2026-01-02', 1)`, [u.id, done.id])

    expect(await migrate(db)).toEqual(migrationFiles().filter((f) => f > '0007_quiz_submission.sql'))

    const row = await db.one<{ answers: unknown; points: number; day: string }>(
      `SELECT answers, points, points_day::text AS day FROM quiz_attempts WHERE id = $1`, [done.id])
    expect(row!.points).toBe(1)
    expect(row!.day).toBe('2026-01-02')
    expect((row!.answers as Array<{ q: number }>).map((a) => a.q)).toEqual(drawn)
    const answers = await db.query<{ q: number; given: number[]; correct: boolean; at: string }>(
      `SELECT question_id::int AS q, given, correct, answered_at AS at FROM quiz_attempt_answers WHERE attempt_id = $1 ORDER BY answered_at`, [done.id])
    expect(answers.map((a) => [a.q, a.given, a.correct, new Date(a.at).toISOString()])).toEqual([
      [drawn[0], [0], true, '2026-01-02T02:59:01.000Z'],
      [drawn[1], [], false, '2026-01-02T02:59:02.000Z'],
      [drawn[2], [1], false, '2026-01-02T02:59:03.000Z'],
    ])
    expect(await db.query(`SELECT user_id::int AS "userId", attempt_id::int AS "attemptId", day::text AS day, points FROM quiz_points`))
      .toEqual([{ userId: u.id, attemptId: done.id, day: '2026-01-02', points: 1 }])
    expect(await db.one(`SELECT answers, points, points_day FROM quiz_attempts WHERE id = $1`, [open.id])).toEqual({ answers: null, points: 0, points_day: null })
    // points and their day go together
    await expect(db.query(`UPDATE quiz_attempts SET points = 3 WHERE id = $1`, [open.id])).rejects.toThrow()
  })
})

describe('0035: a response\'s choices move onto its row, its words stay one row each', () => {
  let db: Db
  beforeAll(async () => {
    db = await openPGlite(undefined)
    await migratedUpTo(db, '0034_rates_period_index.sql')
  })
  afterAll(() => db.close())

  it('reads every answer as before, through the survey_answers view, with the texts in survey_texts', async () => {
    await db.exec(`INSERT INTO regions (code, level, name) VALUES ('c1', 'community', '旧社区')`)
    const [u] = await db.query<{ id: number }>(`INSERT INTO users (phone, nickname) VALUES ('13900009998', '旧用户') RETURNING id::int AS id`)
    const [s] = await db.query<{ id: number }>(
      `INSERT INTO surveys (title, region_code, audience, anonymous, starts_at, ends_at, status, created_by)
       VALUES ('旧问卷', 'c1', 'residents', false, now() - interval '1 day', now() + interval '1 day', 'published', $1) RETURNING id::int AS id`, [u.id])
    const qs = await db.query<{ id: number; key: string }>(
      `INSERT INTO survey_questions (survey_id, section_key, key, position, type, title, required)
       VALUES ($1, 's', 'pick', 1, 'single', '单选', true), ($1, 's', 'grid', 2, 'matrix', '矩阵', true),
              ($1, 's', 'sat', 3, 'scale5', '满意', true), ($1, 's', 'note', 4, 'short_text', '建议', false)
       RETURNING id::int AS id, key`, [s.id])
    const q = Object.fromEntries(qs.map((x) => [x.key, x.id]))
    const [r] = await db.query<{ id: string }>(
      `INSERT INTO survey_responses (survey_id, user_id, community_code, submitted_on, submitted_at)
       VALUES ($1, $2, 'c1', '2026-03-04', now()) RETURNING id::text AS id`, [s.id, u.id])
    const [bare] = await db.query<{ id: string }>(
      `INSERT INTO survey_responses (survey_id, community_code, submitted_on) VALUES ($1, 'c1', '2026-03-05') RETURNING id::text AS id`, [s.id])
    await db.query(
      `INSERT INTO survey_answers (response_id, survey_id, question_id, row_key, community_code, submitted_on, picked, num, other_text, text_value, held)
       VALUES ($1, $2, $3, '', 'c1', '2026-03-04', '{o}', NULL, '别的', NULL, true),
              ($1, $2, $4, 'r2', 'c1', '2026-03-04', '{4}', 4, NULL, NULL, false),
              ($1, $2, $4, 'r1', 'c1', '2026-03-04', '{5}', 5, NULL, NULL, false),
              ($1, $2, $5, '', 'c1', '2026-03-04', '{2}', 2, NULL, NULL, false),
              ($1, $2, $6, '', 'c1', '2026-03-04', '{}', NULL, NULL, '多种树', false)`,
      [r.id, s.id, q.pick, q.grid, q.sat, q.note])
    const cols = `response_id::text AS r, question_id::int AS q, row_key AS row, community_code AS c, submitted_on::text AS day, picked, num,
                  other_text AS other, text_value AS text, held`
    const before = await db.query(`SELECT ${cols} FROM survey_answers ORDER BY 1, 2, 3`)

    await migrate(db)

    expect(await db.query(`SELECT ${cols} FROM survey_answers ORDER BY 1, 2, 3`)).toEqual(before)
    expect(await db.one<{ picks: unknown }>('SELECT picks FROM survey_responses WHERE id = $1', [r.id])).toEqual({
      picks: [[q.pick, '', ['o'], null, 1], [q.grid, 'r1', ['5'], 5, 0], [q.grid, 'r2', ['4'], 4, 0], [q.sat, '', ['2'], 2, 0], [q.note, '', [], null, 0]],
    })
    expect(await db.one('SELECT picks FROM survey_responses WHERE id = $1', [bare.id])).toEqual({ picks: [] })
    expect(await db.query(`SELECT question_id::int AS q, other_text AS other, text_value AS text, held FROM survey_texts ORDER BY 1`)).toEqual([
      { q: q.pick, other: '别的', text: null, held: true },
      { q: q.note, other: null, text: '多种树', held: false },
    ])
    // the texts still go with their response
    await db.query('DELETE FROM survey_responses WHERE id = $1', [r.id])
    expect(await db.one('SELECT count(*)::int AS n FROM survey_texts')).toEqual({ n: 0 })
  })
})

describe('server/db/functions: the current definition of each function', () => {
  let db: Db
  let dir: string
  beforeAll(async () => {
    db = await openPGlite(undefined)
    await migrate(db)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'functions-'))
  })
  afterAll(async () => {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const source = async () => (await db.one<{ src: string }>(`SELECT prosrc AS src FROM pg_proc WHERE proname = 'session_user_id'`))!.src

  it('is applied again to a database that is up to date: an edited file changes the function, no migration runs', async () => {
    const real = path.resolve(__dirname, '../../server/db/functions')
    for (const f of fs.readdirSync(real)) fs.copyFileSync(path.join(real, f), path.join(dir, f))
    const file = path.join(dir, 'session_user_id.sql')
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('BEGIN', 'BEGIN\n  -- edited'))
    expect(await source()).not.toContain('-- edited')

    expect(await migrate(db, dir)).toEqual([])
    expect(await source()).toContain('-- edited')
    // replaced, not overloaded
    expect(await db.one(`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'session_user_id'`)).toEqual({ n: 1 })

    expect(await migrate(db)).toEqual([])
    expect(await source()).not.toContain('-- edited')
  })

  it('leaves each function as its file defines it after the migrations that once defined it', async () => {
    const body = fs.readFileSync(path.resolve(__dirname, '../../server/db/functions/quiz_record_submission.sql'), 'utf8')
    const src = (await db.one<{ src: string }>(`SELECT prosrc AS src FROM pg_proc WHERE proname = 'quiz_record_submission'`))!.src
    expect(body).toContain(src.trim())
  })
})

// npm run bench -- rates — prints figures, asserts nothing. The rates (issue 12) at city scale, on PostgreSQL
// (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; a throw-away database is created and dropped).
//  1. A city of BENCH_COMMUNITIES (500) communities with BENCH_RESIDENTS (1,000,000) registered residents, and
//     BENCH_ANSWERS (5,000,000) answers over the last 90 days: three fifths survey answers (the standard survey's
//     知晓/支持/满意 questions, three per response, each response also 参与), two fifths submitted campaign quiz attempts
//     (知晓 when the campaign counts for awareness, and 参与). Written in bulk with generate_series, not through the API:
//     the source triggers fire as in production and queue their events; those are dropped, and the counts are made by
//     `npm run rates:rebuild` (run as a child process, timed), which derives them from the raw rows.
//  2. The incremental path at that size: BENCH_LIVE (20,000) further responses and attempts, queued by the triggers and
//     applied by the counting job's own function (drainOutbox), timed.
//  3. The server (`tsx server/main.ts`, a child process) answers GET /api/v1/rates/dashboard for the city, a district,
//     a street and a community over a day, a week and a month, one request at a time: p50/p95 and the server's CPU per
//     request. Answers are remembered while nothing they show changes (server/modules/rates/read-cache.ts), so both:
//     cold, BENCH_COLD_READS (30) reads each right after the counts' version is bumped as the counting job bumps it
//     (the answer computed again), and warm, BENCH_READS (100) reads of an unchanged answer (one statement checks it).
//     Then the Excel export of the city's month. The server's RSS is read from /proc.
//  4. "A dashboard read never scans raw answers": the plans (EXPLAIN) of the statements the dashboard runs, and the
//     raw tables' scan counters (pg_stat_user_tables) before and after all the dashboard reads.
//  5. The raw GROUP BY: the month's figures of the city, the street and the community read above, straight from the
//     answers and users in SQL (BENCH_RAW_TIMES, 3, each), against the dashboard's month p95.
//  6. What the counters add to a survey submission: BENCH_SUBMITS (10,000) residents submit a 3-question survey through
//     the API, BENCH_SUBMIT_CONCURRENCY (8) at a time, in BENCH_SUBMIT_ROUNDS (4) alternating rounds with the rates
//     machinery on and off (the outbox trigger on survey_responses disabled) after one round each way not counted,
//     printed as a percentage.
import os from 'node:os'
import path from 'node:path'
import fs from 'node:fs'
import { spawn } from 'node:child_process'
import pg from 'pg'
import { newToken, hashSecret } from '../server/lib/tokens'
import { openPostgres } from '../server/db/postgres'
import { migrate } from '../server/db/migrate'
import { drainOutbox, resolvePeriod, todayShanghai } from '../server/modules/rates/service'
import { READ_SQL, WIDE_FROM } from '../server/modules/rates/queries'
import { PG_URL, percentile, say, withDatabase } from './bench-kit'

const ROOT = path.resolve(__dirname, '..')
const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 1_000_000)
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 5_000_000)
const COMMUNITIES = Number(process.env.BENCH_COMMUNITIES ?? 500)
const READS = Number(process.env.BENCH_READS ?? 100)
const LIVE = Number(process.env.BENCH_LIVE ?? 20_000)
const EXPORTS = Number(process.env.BENCH_EXPORTS ?? 5)
// BENCH_ONLY=rebuild,live,reads,raw,submit picks the parts after the data is built (all by default); BENCH_KEEP=1 keeps
// the database (to EXPLAIN or profile against it); BENCH_REUSE=<database> runs against a database kept before (no data
// generation; no rebuild when it has counts already — the sizes BENCH_RESIDENTS/BENCH_ANSWERS printed are then not its own)
const ONLY = new Set((process.env.BENCH_ONLY || 'rebuild,live,reads,raw,submit').split(','))
const RAW_TIMES = Number(process.env.BENCH_RAW_TIMES ?? 3)
const COLD_READS = Number(process.env.BENCH_COLD_READS ?? 30)
const SUBMITS = Number(process.env.BENCH_SUBMITS ?? 10_000)
const SUBMIT_ROUNDS = Number(process.env.BENCH_SUBMIT_ROUNDS ?? 4)
const SUBMIT_CONCURRENCY = Number(process.env.BENCH_SUBMIT_CONCURRENCY ?? 8)
const PORT = Number(process.env.BENCH_PORT ?? 3000 + 200 + (process.pid % 700))
const DAYS = 90
// quiz attempt k is resident (k × MUL mod residents): a permutation, so attempt numbers stay unique per resident
const MUL = RESIDENTS % 7 === 0 ? 11 : 7
const CITY = '5100'
const DISTRICTS = 10
const STREETS_PER_DISTRICT = Math.max(1, Math.round(COMMUNITIES / DISTRICTS / 5))
const COMMUNITIES_PER_STREET = Math.max(1, Math.round(COMMUNITIES / DISTRICTS / STREETS_PER_DISTRICT))
/** the answer tables: a dashboard read must not touch them */
const RAW = ['survey_texts', 'survey_responses', 'quiz_attempts', 'reports', 'volunteer_hours', 'rate_contribs']

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ')
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const r = await fn()
  return [r, performance.now() - t0]
}

/** Regions, residents, the office's account, a survey and a campaign, and the answers: all in SQL. */
async function generate(c: pg.Client): Promise<{ office: string; communities: string[]; districts: string[]; streets: string[] }> {
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const [r, ms] = await timed(() => c.query(sql, params))
    say(`  ${name.padEnd(44)} ${secs(ms).padStart(8)}${r.rowCount ? `  (${r.rowCount.toLocaleString('en')} rows)` : ''}`)
    return r
  }
  await step('regions', `
    WITH d AS (SELECT $1 || lpad(i::text, 2, '0') AS code, i FROM generate_series(1, $2::int) i),
         s AS (SELECT d.code || lpad(j::text, 3, '0') AS code, d.code AS parent, d.i, j FROM d, generate_series(1, $3::int) j),
         m AS (SELECT s.code || lpad(k::text, 3, '0') AS code, s.code AS parent, s.i, s.j, k,
                      2500 + (hashint4(s.i * 1000 + s.j * 10 + k) & 4095) AS population FROM s, generate_series(1, $4::int) k),
         ins_city AS (INSERT INTO regions (code, parent_code, level, name, population)
                      VALUES ($1, NULL, 'city', '压测市', (SELECT sum(population) FROM m)) RETURNING code),
         ins_d AS (INSERT INTO regions (code, parent_code, level, name, population)
                   SELECT d.code, (SELECT code FROM ins_city), 'district', '第' || d.i || '区',
                          (SELECT sum(population) FROM m WHERE m.i = d.i) FROM d RETURNING code),
         ins_s AS (INSERT INTO regions (code, parent_code, level, name, population)
                   SELECT s.code, (SELECT code FROM ins_d WHERE ins_d.code = s.parent), 'street', '第' || s.i || '区第' || s.j || '街道',
                          (SELECT sum(population) FROM m WHERE m.parent = s.code) FROM s RETURNING code)
    INSERT INTO regions (code, parent_code, level, name, population)
    SELECT m.code, (SELECT code FROM ins_s WHERE ins_s.code = m.parent), 'community', '第' || m.i || '区' || m.j || '街道' || m.k || '社区', m.population
      FROM m`, [CITY, DISTRICTS, STREETS_PER_DISTRICT, COMMUNITIES_PER_STREET])
  const codes = async (level: string) => (await c.query<{ code: string }>(`SELECT code FROM regions WHERE level = $1 ORDER BY code`, [level])).rows.map((r) => r.code)
  const communities = await codes('community')

  const officeId = (await c.query<{ id: string }>(`INSERT INTO users (phone, nickname) VALUES ('13900000000', '压测创文办') RETURNING id`)).rows[0].id
  await c.query(`INSERT INTO role_grants (user_id, role, region_code) VALUES ($1, 'office', $2)`, [officeId, CITY])
  const office = newToken()
  await c.query(`INSERT INTO sessions (token_hash, user_id, channel, expires_at) VALUES ($1, $2, 'sms', now() + interval '1 day')`, [hashSecret(office), officeId])
  await c.query(`INSERT INTO instance_settings (key, value) VALUES ('demo', 'false'::jsonb) ON CONFLICT (key) DO NOTHING`)

  // resident n (1-based) lives in community n mod C; ids follow n
  await step('residents', `
    INSERT INTO users (nickname, community_code, created_at)
    SELECT '居民', ($1::text[])[1 + (n % cardinality($1::text[]))], now() - interval '200 days' FROM generate_series(1, $2::int) n`,
  [communities, RESIDENTS])
  const base = Number((await c.query<{ id: string }>(`SELECT min(id) - 1 AS id FROM users WHERE nickname = '居民'`)).rows[0].id)

  const responses = Math.round((ANSWERS * 3) / 5 / 3)
  const attempts = ANSWERS - responses * 3
  const surveys = Math.max(1, Math.ceil(responses / RESIDENTS))
  // one survey per round of residents (one response per resident per survey, as the database insists)
  const surveyIds: string[] = []
  for (let s = 0; s < surveys; s++) {
    const id = (await c.query<{ id: string }>(
      `INSERT INTO surveys (title, region_code, audience, anonymous, starts_at, ends_at, status, template_key, created_by, published_at)
       VALUES ($1, $2, 'residents', false, now() - interval '${DAYS + 1} days', now() + interval '30 days', 'published', 'chuangwen_standard', $3, now() - interval '${DAYS + 1} days')
       RETURNING id`, [`创文测评问卷（压测第 ${s + 1} 期）`, CITY, officeId])).rows[0].id
    await c.query(`
      INSERT INTO survey_questions (survey_id, section_key, key, position, type, title, required, config, figure, favourable)
      VALUES ($1, 'knowing', 'aware', 1, 'single', '您知道本市正在创建全国文明城市吗？', true,
              '{"options":[{"value":"yes","label":"知道"},{"value":"no","label":"不知道"}]}', 'awareness', '{yes}'),
             ($1, 'knowing', 'support', 2, 'single', '您支持本市创建全国文明城市吗？', true,
              '{"options":[{"value":"yes","label":"支持"},{"value":"neutral","label":"无所谓"},{"value":"no","label":"不支持"}]}', 'support', '{yes}'),
             ($1, 'satisfaction', 'overall', 3, 'scale5', '您对本市创建全国文明城市工作总体上满意吗？', true, '{}', 'satisfaction', '{5,4}')`,
    [id])
    surveyIds.push(id)
  }
  // each with its three answers as a submission stores them (survey_responses.picks, migration 0035)
  await step(`survey responses with 3 answers each (${surveys} survey${surveys > 1 ? 's' : ''})`, `
    INSERT INTO survey_responses (survey_id, user_id, community_code, submitted_on, submitted_at, picks)
    SELECT x.sid, $2 + 1 + (j % $3), ($4::text[])[1 + ((1 + j % $3) % cardinality($4::text[]))], (t AT TIME ZONE 'Asia/Shanghai')::date, t,
           (SELECT jsonb_agg(jsonb_build_array(q.id, '', jsonb_build_array(v.value), CASE WHEN q.key = 'overall' THEN v.value::int END, 0) ORDER BY q.position)
              FROM survey_questions q
             -- one draw per answer, in the answer's own expression
             CROSS JOIN LATERAL (SELECT CASE q.key
                WHEN 'aware' THEN (ARRAY['yes', 'no'])[width_bucket(random(), ARRAY[0, 0.86])]
                WHEN 'support' THEN (ARRAY['yes', 'neutral', 'no'])[width_bucket(random(), ARRAY[0, 0.9, 0.96])]
                ELSE (ARRAY['5', '4', '3', '2', '1'])[width_bucket(random(), ARRAY[0, 0.42, 0.8, 0.92, 0.97])]
              END AS value) v
             WHERE q.survey_id = x.sid)
      -- random() per row in a subquery kept apart (OFFSET 0): an uncorrelated LATERAL (SELECT random()) is evaluated
      -- once for the whole statement — every response had the same instant, every answer the same value
      FROM (SELECT j, ($1::bigint[])[1 + j / $3] AS sid, now() - random() * interval '${DAYS} days' AS t FROM generate_series(0, $5::int - 1) j OFFSET 0) x`,
  [surveyIds, base, RESIDENTS, communities, responses])

  const campaign = (await c.query<{ id: string }>(
    `INSERT INTO quiz_campaigns (region_code, title, starts_at, ends_at, question_count, time_limit_seconds, pass_score, max_attempts, created_by, counts_for_awareness)
     VALUES ($1, '文明知识竞答（压测）', now() - interval '${DAYS + 1} days', now() + interval '30 days', 10, 600, 60, 20, $2, true) RETURNING id`,
    [CITY, officeId])).rows[0].id
  await step('quiz attempts (submitted)', `
    INSERT INTO quiz_attempts (kind, campaign_id, user_id, community_code, attempt_no, question_ids, started_at, expires_at, submitted_at,
                               correct_count, total, score, passed)
    SELECT 'campaign', $1, $2 + 1 + (k * ${MUL} % $3), ($4::text[])[1 + ((1 + k * ${MUL} % $3) % cardinality($4::text[]))], 1 + k / $3, '{}',
           t - interval '4 minutes', t + interval '6 minutes', t, s.score / 10, 10, s.score, s.score >= 60
      FROM (SELECT k, now() - random() * interval '${DAYS} days' AS t, (10 * floor(3 + random() * 8))::int AS score
              FROM generate_series(0, $5::int - 1) k OFFSET 0) s`,
  [campaign, base, RESIDENTS, communities, attempts])
  const queued = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM rate_outbox')).rows[0].n)
  say(`  the source triggers queued ${queued.toLocaleString('en')} events; dropped: the rebuild below derives the counts from the raw rows`)
  await c.query('TRUNCATE rate_outbox')
  await step('VACUUM ANALYZE', 'VACUUM ANALYZE')
  return { office, communities, districts: await codes('district'), streets: await codes('street') }
}

/** A database kept by an earlier run (BENCH_KEEP=1): its regions, and a fresh session for its office account. */
async function existing(c: pg.Client): Promise<{ office: string; communities: string[]; districts: string[]; streets: string[] }> {
  const codes = async (level: string) => (await c.query<{ code: string }>(`SELECT code FROM regions WHERE level = $1 ORDER BY code`, [level])).rows.map((r) => r.code)
  const [user] = (await c.query<{ id: string }>(`SELECT id FROM users WHERE phone = '13900000000'`)).rows
  if (!user) throw new Error('BENCH_REUSE: no office account 13900000000 in that database — not one this benchmark kept')
  const office = newToken()
  await c.query(`INSERT INTO sessions (token_hash, user_id, channel, expires_at) VALUES ($1, $2, 'sms', now() + interval '1 day')`, [hashSecret(office), user.id])
  const [n] = (await c.query<{ u: string; a: string }>(`SELECT (SELECT count(*) FROM users)::text AS u, (SELECT count(*) FROM survey_responses)::text AS a`)).rows
  say(`  reusing it: ${Number(n.u).toLocaleString('en')} users, ${Number(n.a).toLocaleString('en')} survey responses`)
  return { office, communities: await codes('community'), districts: await codes('district'), streets: await codes('street') }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))))
  })
}

/** More answers after the rebuild, queued by the triggers and applied by the counting job's function. */
async function incremental(url: string, c: pg.Client) {
  const half = Math.floor(LIVE / 2)
  const [survey] = (await c.query<{ id: string }>(`SELECT id FROM surveys ORDER BY id LIMIT 1`)).rows
  const [campaign] = (await c.query<{ id: string }>(`SELECT id FROM quiz_campaigns ORDER BY id LIMIT 1`)).rows
  // residents who answer again today: a fresh survey round would be a new survey; here a repeated quiz and a new
  // survey keep the rules (one response per resident per survey)
  const next = (await c.query<{ id: string }>(
    `INSERT INTO surveys (title, region_code, audience, anonymous, starts_at, ends_at, status, template_key, created_by, published_at)
     SELECT '创文测评问卷（增量）', region_code, audience, anonymous, starts_at, ends_at, status, template_key, created_by, published_at
       FROM surveys WHERE id = $1 RETURNING id`, [survey.id])).rows[0].id
  await c.query(`INSERT INTO survey_questions (survey_id, section_key, key, position, type, title, required, config, figure, favourable)
                 SELECT $2, section_key, key, position, type, title, required, config, figure, favourable FROM survey_questions WHERE survey_id = $1`, [survey.id, next])
  await c.query(`
    INSERT INTO survey_responses (survey_id, user_id, community_code, submitted_on, submitted_at, picks)
    SELECT $1, u.id, u.community_code, (now() AT TIME ZONE 'Asia/Shanghai')::date, now(),
           (SELECT jsonb_agg(jsonb_build_array(q.id, '', jsonb_build_array(CASE q.key WHEN 'overall' THEN '4' ELSE 'yes' END),
                                               CASE q.key WHEN 'overall' THEN 4 END, 0) ORDER BY q.position)
              FROM survey_questions q WHERE q.survey_id = $1)
      FROM users u WHERE u.nickname = '居民' ORDER BY u.id DESC LIMIT $2`, [next, half])
  await c.query(`
    INSERT INTO quiz_attempts (kind, campaign_id, user_id, community_code, attempt_no, question_ids, started_at, expires_at, submitted_at,
                               correct_count, total, score, passed)
    SELECT 'campaign', $1, u.id, u.community_code, n.no, '{}', now() - interval '3 minutes', now() + interval '7 minutes', now(), 8, 10, 80, true
      FROM users u
     -- attempt 1000 the first time, then 1001… (a kept database runs this again: BENCH_REUSE)
     CROSS JOIN (SELECT greatest(1000, max(attempt_no) + 1) AS no FROM quiz_attempts WHERE campaign_id = $1 AND attempt_no >= 1000) n
     WHERE u.nickname = '居民' ORDER BY u.id LIMIT $2`, [campaign.id, LIVE - half])
  const queued = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM rate_outbox')).rows[0].n)
  const db = openPostgres(url, 4)
  try {
    const [applied, ms] = await timed(() => drainOutbox(db))
    say(`  ${queued.toLocaleString('en')} events queued by the triggers (${half.toLocaleString('en')} survey responses, ${(LIVE - half).toLocaleString('en')} quiz attempts); ` +
      `drainOutbox applied ${applied.toLocaleString('en')} in ${secs(ms)} = ${Math.round(applied / (ms / 1000)).toLocaleString('en')} events/s  (load ${load()})`)
  } finally {
    await db.close()
  }
}

/**
 * The raw GROUP BY: the same month's figures for the same communities derived straight from the answers, as a
 * dashboard would without the counters — each resident's latest answer per figure in the month, counted per
 * community, and the registered residents counted from users. SQL only (no HTTP, no Wilson, no JSON): a lower bound.
 */
const RAW_GROUP_BY = `
  WITH x AS (
    SELECT q.figure, r.user_id AS person, r.community_code, r.submitted_at AS at, ARRAY(SELECT jsonb_array_elements_text(a->2)) && q.favourable AS fav
      FROM survey_responses r CROSS JOIN LATERAL jsonb_array_elements(r.picks) AS a JOIN survey_questions q ON q.id = (a->>0)::bigint
     WHERE r.submitted_on BETWEEN $1::date AND $2::date AND r.community_code = ANY($3::text[]) AND q.figure IS NOT NULL
    UNION ALL
    SELECT 'participation', r.user_id, r.community_code, r.submitted_at, true FROM survey_responses r
     WHERE r.submitted_on BETWEEN $1::date AND $2::date AND r.community_code = ANY($3::text[])
    UNION ALL
    SELECT f.figure, a.user_id, a.community_code, a.submitted_at, f.fav
      FROM quiz_attempts a JOIN quiz_campaigns c ON c.id = a.campaign_id
     CROSS JOIN LATERAL (VALUES ('awareness', coalesce(a.passed, false)), ('participation', true)) AS f(figure, fav)
     WHERE a.submitted_at >= $1::date::timestamp AT TIME ZONE 'Asia/Shanghai' AND a.submitted_at < ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
       AND a.community_code = ANY($3::text[]) AND (f.figure = 'participation' OR c.counts_for_awareness)
  ), latest AS (
    SELECT DISTINCT ON (figure, person) figure, community_code, fav FROM x ORDER BY figure, person, at DESC)
  SELECT figure, community_code, count(*) FILTER (WHERE fav) AS num, count(*) AS den FROM latest GROUP BY figure, community_code
  UNION ALL
  SELECT 'registered', community_code, count(*), count(*) FROM users WHERE community_code = ANY($3::text[]) GROUP BY community_code`

async function rawGroupBy(c: pg.Client, regions: Array<[string, string[]]>, date: string, times: number): Promise<Map<string, number>> {
  const month = resolvePeriod('month', date)
  const out = new Map<string, number>()
  say(`\nthe raw GROUP BY (this month's figures straight from the answers and users, SQL only), ${times} times each (load ${load()}):`)
  for (const [level, communities] of regions) {
    const ms: number[] = []
    for (let i = 0; i < times; i++) ms.push((await timed(() => c.query(RAW_GROUP_BY, [month.from, month.to, communities])))[1])
    out.set(level, percentile(ms, 50))
    say(`  ${level.padEnd(10)} month  p50 ${percentile(ms, 50).toFixed(0).padStart(7)} ms   min ${Math.min(...ms).toFixed(0).padStart(7)} ms   (${communities.length} communities)`)
  }
  return out
}

/**
 * What the counters add to a survey submission: POST /surveys/:id/responses by different residents, SUBMIT_CONCURRENCY
 * at a time, in alternating rounds with the rates machinery on (the outbox trigger on survey_responses, and the
 * server's counting job applying what it queues every 3 s, competing for the same cores) and off (the trigger
 * disabled: nothing queued, nothing for the job to do). Alternating rounds share the machine's load drift.
 */
async function submissionCost(c: pg.Client, office: string, residents: string[]) {
  const post = async (url: string, token: string, body: unknown) => {
    const r = await fetch(`http://127.0.0.1:${PORT}${url}`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    })
    const text = await r.text()
    if (r.status >= 300) throw new Error(`${url}: ${r.status} ${text.slice(0, 300)}`)
    return text ? JSON.parse(text) : null
  }
  const single = (key: string, title: string, figure: string, options: string[]) => ({
    key, type: 'single', title, required: true, figure, favourable: [options[0]],
    options: options.map((o) => ({ value: o, label: o })),
  })
  const survey = await post('/api/v1/surveys/admin', office, {
    title: '提交开销（压测）', regionCode: CITY, audience: 'residents', anonymous: false,
    startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 86400_000).toISOString(),
    definition: { sections: [{ key: 's1', title: '创文测评', questions: [
      single('aware', '您知道本市正在创建全国文明城市吗？', 'awareness', ['yes', 'no']),
      single('support', '您支持本市创建全国文明城市吗？', 'support', ['yes', 'neutral', 'no']),
      { key: 'overall', type: 'scale5', title: '您对创文工作总体上满意吗？', required: true, figure: 'satisfaction', favourable: ['5', '4'] },
    ] }] },
  })
  await post(`/api/v1/surveys/admin/${survey.id}/publish`, office, {})
  const tokens = residents.map(() => newToken())
  await c.query(`INSERT INTO sessions (token_hash, user_id, channel, expires_at)
                 SELECT h, u::bigint, 'sms', now() + interval '1 day' FROM unnest($1::text[], $2::text[]) AS x(h, u)`,
  [tokens.map(hashSecret), residents])
  const trigger = (on: boolean) => c.query(`ALTER TABLE survey_responses ${on ? 'ENABLE' : 'DISABLE'} TRIGGER rate_outbox_survey`)
  // one round each way first, not counted: the first round otherwise also paid for Node compiling the submission path
  const perRound = Math.floor(tokens.length / (2 * (SUBMIT_ROUNDS + 1)))
  let next = 0
  const round = async () => {
    const mine = tokens.slice(next, next + perRound)
    next += perRound
    const ms: number[] = []
    let i = 0
    const t0 = performance.now()
    await Promise.all(Array.from({ length: SUBMIT_CONCURRENCY }, async () => {
      while (i < mine.length) {
        const token = mine[i++]
        const a = ms.length
        const t = performance.now()
        await post(`/api/v1/surveys/${survey.id}/responses`, token, { answers: {
          aware: { choice: a % 7 ? 'yes' : 'no' }, support: { choice: a % 11 ? 'yes' : 'neutral' }, overall: { value: 1 + (a % 5) },
        } })
        ms.push(performance.now() - t)
      }
    }))
    return { ms, wall: performance.now() - t0 }
  }
  const results = { on: [] as number[], off: [] as number[], onWall: 0, offWall: 0 }
  say(`\nsurvey submission (POST /api/v1/surveys/:id/responses, 3 questions counted), rates machinery on vs off, ` +
    `${SUBMIT_ROUNDS} rounds each of ${perRound} residents after one each way not counted, ${SUBMIT_CONCURRENCY} at a time (load ${load()}):`)
  for (const on of [true, false]) {
    await trigger(on)
    await round()
  }
  for (let r = 0; r < SUBMIT_ROUNDS; r++) {
    for (const on of r % 2 === 0 ? [true, false] : [false, true]) {
      await trigger(on)
      const x = await round()
      if (on) {
        results.on.push(...x.ms)
        results.onWall += x.wall
      } else {
        results.off.push(...x.ms)
        results.offWall += x.wall
      }
      say(`  round ${r + 1} ${on ? 'on ' : 'off'}  ${(perRound / (x.wall / 1000)).toFixed(0).padStart(5)} submissions/s   p50 ${percentile(x.ms, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(x.ms, 95).toFixed(1).padStart(6)} ms`)
    }
  }
  await trigger(true)
  const [, drainMs] = await timed(async () => {
    while (Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM rate_outbox')).rows[0].n) > 0) await new Promise((r) => setTimeout(r, 100))
  })
  const slower = (on: number, off: number) => `${(100 * (on / off - 1)).toFixed(1)}%`
  say(`  all rounds: on ${(results.on.length / (results.onWall / 1000)).toFixed(0)} / off ${(results.off.length / (results.offWall / 1000)).toFixed(0)} submissions/s ` +
    `→ ${slower(results.onWall / results.on.length, results.offWall / results.off.length)} slower per submission (goal < 20%); ` +
    `p50 ${percentile(results.on, 50).toFixed(1)} vs ${percentile(results.off, 50).toFixed(1)} ms (${slower(percentile(results.on, 50), percentile(results.off, 50))}), ` +
    `p95 ${percentile(results.on, 95).toFixed(1)} vs ${percentile(results.off, 95).toFixed(1)} ms (${slower(percentile(results.on, 95), percentile(results.off, 95))})`)
  say(`  the counting job had counted every "on" submission ${secs(drainMs)} after the last round ended  (load ${load()})`)
}

interface Server { pid: number; stop: () => Promise<void> }

function startServer(url: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Only the counting job runs: the others (the quiz sweep looks for expired attempts every minute) would show in
      // the raw tables' scan counters, and the bulletin in the latencies. One office account makes every request: the
      // per-person rate limit would answer 429.
      env: {
        ...process.env, DATABASE_URL: url, PORT: String(PORT), HOST: '127.0.0.1', DEMO: '0', LOG_LEVEL: 'warn',
        BULLETIN_INTERVAL_MS: '0', QUIZ_SWEEP_INTERVAL_MS: '0', OUTBOX_INTERVAL_MS: '0', PHOTO_SWEEP_INTERVAL_MS: '0',
        VOLUNTEER_REMINDER_INTERVAL_MS: '0', SURVEY_OPENING_INTERVAL_MS: '0', RATE_LIMIT_PER_MINUTE: '1000000',
      },
    })
    let out = ''
    let ready = false
    const onData = async (d: Buffer) => {
      out += d
      if (ready || !out.includes('就绪')) return
      ready = true
      for (;;) {
        try {
          if ((await fetch(`http://127.0.0.1:${PORT}/api/v1/health`)).ok) break
        } catch { /* not listening yet */ }
        await new Promise((r) => setTimeout(r, 50))
      }
      resolve({
        pid: child.pid!,
        stop: () => new Promise<void>((res) => {
          child.once('exit', () => res())
          child.kill('SIGTERM')
        }),
      })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d) => (out += d))
    child.on('exit', (code) => {
      if (!ready) reject(new Error(`server exited (${code}) before it was ready:\n${out}`))
    })
  })
}

function rss(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)![1])
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}

/** seq_scan + idx_scan of the raw tables, once the server's backends have reported (stats flush within seconds). */
async function rawScans(c: pg.Client): Promise<Map<string, number>> {
  const read = async () => new Map((await c.query<{ relname: string; n: string }>(
    `SELECT relname, (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS n FROM pg_stat_user_tables WHERE relname = ANY($1::text[])`,
    [[...RAW, 'rate_counts', 'users']])).rows.map((r) => [r.relname, Number(r.n)]))
  let last = await read()
  for (;;) {
    await new Promise((r) => setTimeout(r, 1500))
    const now = await read()
    if ([...now].every(([k, v]) => last.get(k) === v)) return now
    last = now
  }
}

/** The relations and indexes a plan touches. */
function touched(plan: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(plan)) plan.forEach((p) => touched(p, out))
  else if (plan && typeof plan === 'object') {
    const node = plan as Record<string, unknown>
    if (typeof node['Relation Name'] === 'string') {
      out.add(`${node['Node Type']} on ${node['Relation Name']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`)
    }
    for (const v of Object.values(node)) if (typeof v === 'object') touched(v, out)
  }
  return out
}

async function explain(c: pg.Client, communities: string[], date: string) {
  const month = resolvePeriod('month', date)
  // the form the service picks for this many communities (queries.ts periodCounts)
  const counts = communities.length >= WIDE_FROM ? READ_SQL.periodCountsWide : READ_SQL.periodCounts
  const statements: Array<[string, string, unknown[]]> = [
    ['counts (this month and last, city) and registered residents (participation denominator)', counts, ['m', month.from, month.previousFrom, communities]],
    ['targets', READ_SQL.targets, [[CITY]]],
    ['cache stamp and outbox backlog (every read; the rest only when something changed)', READ_SQL.countsStamp, [communities]],
  ]
  say(`\nEXPLAIN (ANALYZE) of what GET /rates/dashboard runs for the city's month (server/modules/rates/queries.ts READ_SQL and friends):`)
  for (const [name, sql, params] of statements) {
    const r = await c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params)
    const plan = (r.rows[0]['QUERY PLAN'] as Array<{ Plan: Record<string, number>; 'Execution Time': number }>)[0]
    const rels = [...touched(plan.Plan)]
    const raw = rels.filter((x) => RAW.some((t) => x.includes(` on ${t}`)))
    const buffers = plan.Plan['Shared Hit Blocks'] + plan.Plan['Shared Read Blocks']
    say(`  ${name}: ${plan['Execution Time'].toFixed(2)} ms, ${buffers} buffers — ${rels.join('; ')}${raw.length ? `  ← RAW TABLE: ${raw.join(', ')}` : ''}`)
  }
  const text = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${counts}`, ['m', month.from, month.previousFrom, communities])
  say('  plan of the counts statement:')
  for (const row of text.rows) say(`    ${row['QUERY PLAN'].replace(/'\{[^}]*\}'::text\[\]/g, `'{…${communities.length} community codes}'::text[]`)}`)
}

/**
 * Dashboard reads: warm (the answer remembered — nothing it shows changed since the last read; one small statement
 * checks that) and cold (the first read after the counts changed: before each, the counts' version is bumped as the
 * counting job bumps it, so the answer is computed again). The server's x-rates-cache header is checked for each.
 */
async function reads(c: pg.Client, office: string, targets: Array<[string, string]>, date: string, serverPid: number): Promise<Map<string, number>> {
  // the server process's CPU (user + system, /proc/<pid>/stat, in clock ticks of 10 ms): per request, whatever the load
  const cpu = () => {
    const f = fs.readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  }
  const p95 = new Map<string, number>()
  const get = async (url: string, expect: 'hit' | 'miss' | null) => {
    const r = await fetch(`http://127.0.0.1:${PORT}${url}`, { headers: { authorization: `Bearer ${office}` } })
    const body = Buffer.from(await r.arrayBuffer())
    if (r.status !== 200) throw new Error(`${url}: ${r.status} ${body.toString().slice(0, 300)}`)
    if (expect && r.headers.get('x-rates-cache') !== expect) throw new Error(`${url}: x-rates-cache ${r.headers.get('x-rates-cache')}, expected ${expect}`)
    return body
  }
  const bump = () => c.query(`UPDATE rate_read_versions SET n = n + 1 WHERE name = 'counts'`)
  say(`\nGET /api/v1/rates/dashboard over HTTP, one request at a time, after 10 cold reads of each region's month and 3 reads before each group; warm: ${READS} reads of an unchanged answer; ` +
    `cold: ${COLD_READS} reads each right after a change of the counts; server CPU: the API process's user + system time per request (load ${load()}):`)
  // a server that has been running: the computing path compiled by Node before the first measured read, as warm reads'
  // is by the three reads before each group (the first group otherwise paid for it: city day p95 29.6 against week and
  // month 19 ms in one run at 1M residents)
  for (const [, code] of targets) {
    for (let i = 0; i < 10; i++) {
      await bump()
      await get(`/api/v1/rates/dashboard?region=${code}&period=month&date=${date}`, 'miss')
    }
  }
  for (const [level, code] of targets) {
    for (const period of ['day', 'week', 'month'] as const) {
      const url = `/api/v1/rates/dashboard?region=${code}&period=${period}&date=${date}`
      const warm: number[] = []
      const cold: number[] = []
      let bytes = 0
      for (let i = 0; i < 3; i++) await get(url, null)
      let cpu0 = cpu()
      for (let i = 0; i < COLD_READS; i++) {
        await bump()
        const t0 = performance.now()
        await get(url, 'miss')
        cold.push(performance.now() - t0)
      }
      const coldCpu = (cpu() - cpu0) / COLD_READS
      cpu0 = cpu()
      for (let i = 0; i < READS; i++) {
        const t0 = performance.now()
        bytes = (await get(url, 'hit')).length
        warm.push(performance.now() - t0)
      }
      const warmCpu = (cpu() - cpu0) / READS
      p95.set(`${level} ${period}`, percentile(warm, 95))
      p95.set(`${level} ${period} cold`, percentile(cold, 95))
      const fig = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1).padStart(6)} p95 ${percentile(xs, 95).toFixed(1).padStart(6)} ms`
      say(`  ${level.padEnd(10)} ${period.padEnd(6)} warm ${fig(warm)}, server CPU ${warmCpu.toFixed(1)} ms   ` +
        `cold ${fig(cold)}, server CPU ${coldCpu.toFixed(1)} ms   (${(bytes / 1024).toFixed(0)} KB)`)
    }
  }
  const times: number[] = []
  let size = 0
  for (let i = 0; i < EXPORTS; i++) {
    const t0 = performance.now()
    size = (await get(`/api/v1/rates/export?region=${CITY}&period=month&date=${date}`, null)).length
    times.push(performance.now() - t0)
  }
  say(`\nGET /api/v1/rates/export (the city's month: all tables, 30-day trend, sources), ${EXPORTS} times: ` +
    `p50 ${percentile(times, 50).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms, ${(size / 1024).toFixed(0)} KB  (load ${load()})`)
  return p95
}

async function main() {
  say(`文明共建 — rates benchmark (${os.cpus().length} cores, load average ${load()})`)
  say(`${RESIDENTS.toLocaleString('en')} residents, ${ANSWERS.toLocaleString('en')} answers over ${DAYS} days, ` +
    `${DISTRICTS} districts × ${STREETS_PER_DISTRICT} streets × ${COMMUNITIES_PER_STREET} communities`)
  const keep = process.env.BENCH_KEEP === '1'
  const reuse = process.env.BENCH_REUSE
  if (reuse && !/^[a-z_][a-z0-9_]*$/.test(reuse)) throw new Error(`BENCH_REUSE=${reuse}: not a database name`)
  const body = async (url: string) => {
    let server: Server | undefined
    try {
      const db = openPostgres(url, 2)
      await migrate(db)
      await db.close()
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      try {
        say(reuse ? `\nthe kept database ${reuse}:` : `\nbuilding the data (load ${load()}):`)
        const [data, buildMs] = await timed(() => (reuse ? existing(c) : generate(c)))
        say(`  ${reuse ? 'read' : 'built'} in ${secs(buildMs)}; database ${(await c.query<{ s: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS s')).rows[0].s}`)
        const counted = reuse && Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM (SELECT 1 FROM rate_counts LIMIT 1) x')).rows[0].n) > 0

        if (counted) {
          say('\nrates:rebuild skipped: the kept database has counts already')
        } else if (!ONLY.has('rebuild')) {
          say('\nrates:rebuild skipped (BENCH_ONLY): the counts are empty')
        } else {
          say(`\nnpm run rates:rebuild at that size (load ${load()}):`)
          const [out, rebuildMs] = await timed(() => run('npm', ['run', '--silent', 'rates:rebuild'], { DATABASE_URL: url }))
          say(`  ${secs(rebuildMs)} wall, process start included — it says: ${out.trim().split('\n').pop()}`)
          await c.query('VACUUM ANALYZE')
          const sizes = await c.query<{ t: string; n: string; s: string }>(
            `SELECT relname AS t, n_live_tup::text AS n, pg_size_pretty(pg_total_relation_size(relid)) AS s FROM pg_stat_user_tables
              WHERE relname IN ('rate_contribs', 'rate_marks', 'rate_counts') ORDER BY relname`)
          say(`  ${sizes.rows.map((r) => `${r.t} ${Number(r.n).toLocaleString('en')} rows ${r.s}`).join('; ')}`)
        }

        if (ONLY.has('live')) {
          say(`\nthe counting job at that size (load ${load()}):`)
          await incremental(url, c)
        }

        const date = todayShanghai()
        await explain(c, data.communities, date)

        server = await startServer(url)
        const idle = rss(server.pid)
        const community = data.communities[Math.floor(data.communities.length / 2)]
        const street = data.streets[1]
        if (ONLY.has('reads')) {
          const before = await rawScans(c)
          const p95 = await reads(c, data.office, [['city', CITY], ['district', data.districts[0]], ['street', street], ['community', community]], date, server.pid)
          const after = await rawScans(c)
          const mem = rss(server.pid)
          const delta = (t: string) => (after.get(t) ?? 0) - (before.get(t) ?? 0)
          say(`\nscans during all the dashboard and export requests (pg_stat_user_tables, seq + index): ` +
            `${RAW.map((t) => `${t} ${delta(t)}`).join(', ')}; rate_counts ${delta('rate_counts')}, users ${delta('users')}`)
          say(`server process RSS: ${idle.rss.toFixed(0)} MB after start, ${mem.rss.toFixed(0)} MB after the reads, peak ${mem.peak.toFixed(0)} MB`)
          if (ONLY.has('raw')) {
            const inStreet = data.communities.filter((x) => x.startsWith(street))
            const raw = await rawGroupBy(c, [['city', data.communities], ['street', inStreet], ['community', [community]]], date, RAW_TIMES)
            say('\ndashboard month p95 (warm / cold) against the raw GROUP BY (goal < 20 ms and ≥ 10× faster):')
            for (const level of ['city', 'street', 'community']) {
              const [w, k, r] = [p95.get(`${level} month`)!, p95.get(`${level} month cold`)!, raw.get(level)!]
              say(`  ${level.padEnd(10)} dashboard p95 warm ${w.toFixed(1).padStart(6)} ms, cold ${k.toFixed(1).padStart(6)} ms   ` +
                `raw GROUP BY p50 ${r.toFixed(0).padStart(7)} ms   ${(r / w).toFixed(0)}× (warm) / ${(r / k).toFixed(0)}× (cold) faster`)
            }
          }
        }
        if (ONLY.has('submit')) {
          const residents = (await c.query<{ id: string }>(
            `SELECT id::text AS id FROM users WHERE nickname = '居民' ORDER BY id LIMIT $1`, [SUBMITS])).rows.map((r) => r.id)
          await submissionCost(c, data.office, residents)
        }
      } finally {
        await c.end()
      }
    } finally {
      if (server) await server.stop()
      if (keep && !reuse) say(`\nkept (BENCH_KEEP=1): ${url} — drop it when done`)
    }
  }
  if (reuse) {
    const u = new URL(PG_URL)
    u.pathname = `/${reuse}`
    await body(u.toString())
  } else {
    await withDatabase(`rates_bench_${process.pid}`, body, { keep })
  }
  say(`\ndone (load average ${load()})`)
}

main().then(() => process.exit(0), (err) => {
  console.error(err)
  process.exit(1)
})

// npm run bench -- surveys — prints figures, asserts nothing.
//  1. Response submission (POST /api/v1/surveys/:id/responses, a 20-question response through the real checks and
//     transaction) at 50 connections, beside a bare validated insert (the same body through the same schema, stored
//     as one jsonb row), in turns over BENCH_ROUNDS rounds (2), on PGlite and on PostgreSQL (DATABASE_URL, default
//     postgres://postgres@127.0.0.1:5432/postgres; a throw-away database is created and dropped). Then both once more
//     with 1 connection, one request at a time: the time a request takes when it does not queue; and at an even pace of
//     half the submission's rate (scripts/bench-paced.cjs), as requests arrive from residents who do not wait for each other.
//  2. Reads of a survey with 100,000 responses (the standard 创文 survey): results, cross-tab by community, by street and
//     by another question — one request at a time, p50 / p95. On PostgreSQL; on PGlite only with BENCH_PGLITE_READS=1
//     (writing the 1.2 million answer rows there took over 25 minutes on the shared 2-core machine).
// BENCH_ONLY=pglite,postgres picks the databases; BENCH_SECONDS, BENCH_ROUNDS, BENCH_READS (0: none) tune the runs;
// BENCH_KEEP_DB=1 keeps the PostgreSQL database afterwards (to EXPLAIN against it), BENCH_DB_NAME names it;
// BENCH_TEXTS=0 sends responses without texts (no content check). The content checks go to WeChat's stand-in
// (server/platform/fake-wechat.ts) in a process of its own, as to WeChat in production; its CPU per request is printed
// apart from this process's.
import os from 'node:os'
import { IdParams } from '../types/common'
import { buildApp } from '../server/app'
import { createRuntime } from '../server/bootstrap'
import { loadConfig } from '../server/config'
import type { Db } from '../server/db/types'
import { migrate } from '../server/db/migrate'
import { openPGlite } from '../server/db/pglite'
import { openPostgres } from '../server/db/postgres'
import { newToken, hashSecret } from '../server/lib/tokens'
import { seedDemo } from '../server/seed/demo'
import { valueDomain } from '../server/modules/surveys/conditions'
import { addCountsOfSurvey } from '../server/modules/surveys/queries'
import { templateByKey } from '../server/modules/surveys/template'
import { SubmitSurveyBody, type SurveyDefinition, type SurveyQuestion } from '../types/surveys'
import { cpuNow, cpuSpent, fakeWechatProcess, makeUsers, okFigures, pacedRun, percentile, postgresAvailable, requestRuns, say, withDatabase, PG_URL, type BenchRequest } from './bench-kit'

const CONNECTIONS = 50
const FEW = 1
const DURATION = Number(process.env.BENCH_SECONDS || 10)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 2)
const READS = Number(process.env.BENCH_READS || 40)
const BIG = 100_000
const TEXTS = process.env.BENCH_TEXTS !== '0'
const CITY = '3299'

async function tokenOf(db: Db, phone: string): Promise<string> {
  const token = newToken()
  const u = await db.one<{ id: number }>('SELECT id::int AS id FROM users WHERE phone = $1', [phone])
  await db.query(`INSERT INTO sessions (token_hash, user_id, channel, expires_at) VALUES ($1, $2, 'sms', now() + interval '1 day')`, [hashSecret(token), u!.id])
  return token
}

/** Twenty questions of every kind a resident answers: choices, scales, ratings, a matrix, texts. */
const TWENTY: SurveyDefinition = {
  sections: [{
    key: 's1',
    title: '压测问卷',
    questions: Array.from({ length: 20 }, (_, i): SurveyQuestion => {
      const key = `q${i + 1}`
      const options = [{ value: 'a', label: '甲' }, { value: 'b', label: '乙' }, { value: 'c', label: '丙' }, { value: 'o', label: '其他（请注明）', other: true }]
      switch (i % 6) {
        case 0: return { key, type: 'single', title: `单选 ${i + 1}`, required: true, options }
        case 1: return { key, type: 'multiple', title: `多选 ${i + 1}`, required: true, options, minChoices: 1, maxChoices: 3 }
        case 2: return { key, type: 'scale5', title: `满意度 ${i + 1}`, required: true }
        case 3: return { key, type: 'rating10', title: `评分 ${i + 1}`, required: true }
        case 4: return { key, type: 'matrix', title: `矩阵 ${i + 1}`, required: true, rows: [{ key: 'r1', label: '一' }, { key: 'r2', label: '二' }, { key: 'r3', label: '三' }] }
        default: return { key, type: 'short_text', title: `文字 ${i + 1}`, required: false }
      }
    }),
  }],
}

function twentyAnswers(n: number) {
  const out: Record<string, unknown> = {}
  for (const x of TWENTY.sections[0].questions) {
    if (x.type === 'single') out[x.key] = n % 5 === 0 && TEXTS ? { choice: 'o', other: '别的' } : { choice: ['a', 'b', 'c'][n % 3] }
    if (x.type === 'multiple') out[x.key] = { choices: ['a', 'c'] }
    if (x.type === 'scale5') out[x.key] = { value: 1 + (n % 5) }
    if (x.type === 'rating10') out[x.key] = { value: n % 11 }
    if (x.type === 'matrix') out[x.key] = { rows: { r1: 5, r2: 4, r3: 1 + (n % 5) } }
    if (x.type === 'short_text' && TEXTS) out[x.key] = { text: `第 ${n} 条建议` }
  }
  return { answers: out }
}

async function submissionBench(kind: string, db: Db, app: Awaited<ReturnType<typeof buildApp>>, url: string, office: string, wechatCpu: () => number) {
  await db.exec('CREATE TABLE IF NOT EXISTS bench_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, survey_id bigint NOT NULL, answers jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())')
  const created = await app.inject({
    method: 'POST', url: '/api/v1/surveys/admin', headers: { authorization: `Bearer ${office}` },
    payload: { title: '压测', regionCode: CITY, audience: 'residents', anonymous: true, startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 86400_000).toISOString(), definition: TWENTY },
  })
  if (created.statusCode !== 201) throw new Error(created.body)
  const id = created.json().id as number
  await app.inject({ method: 'POST', url: `/api/v1/surveys/admin/${id}/publish`, headers: { authorization: `Bearer ${office}` } })

  const users = await makeUsers(db, 60_000, kind === 'postgres' ? '161' : '162')
  const jobs = users.map((u, n) => ({
    path: `/api/v1/surveys/${id}/responses`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
    body: JSON.stringify(twentyAnswers(n)),
  }))
  // the bare insert takes the same body again and again: a shorter list costs the load generator less to read
  const bareJobs = jobs.slice(0, 20_000).map((j) => ({ path: `/bench/insert/${id}`, headers: { 'content-type': 'application/json' }, body: j.body }))

  const runs = requestRuns(url, CONNECTIONS, DURATION)
  const figures = okFigures(DURATION, 30)
  // CPU per request of this process (server and load generator) and of the database's backends: on a shared machine
  // steadier than requests per second
  const runWith = async (name: string, requests: BenchRequest[], duration = DURATION, conns = CONNECTIONS) => {
    const list = runs.prepare(name, requests)
    const before = await cpuNow(db)
    const wechatBefore = wechatCpu()
    const r = await runs.run(name, list, duration, conns)
    return { ...r, cpu: { ...cpuSpent(before, await cpuNow(db)), wechat: wechatCpu() - wechatBefore } }
  }
  await db.exec('VACUUM ANALYZE')
  // each resident answers once: warm-up and every measured round get residents of their own
  const WARM = 3000
  const AT_FEW = 5_000
  // residents enough for an even pace up to 1,200 a second (a resident answers once: more would be refused)
  const PACED = 12_000
  const perRound = Math.floor((jobs.length - WARM - AT_FEW - PACED) / ROUNDS)
  await runWith('bare-warm', bareJobs, 2)
  await runWith('submit-warm', jobs.slice(0, WARM), 2)
  const bares: Awaited<ReturnType<typeof runWith>>[] = []
  const submits: Awaited<ReturnType<typeof runWith>>[] = []
  for (let round = 0; round < ROUNDS; round++) {
    bares.push(await runWith(`bare-${round}`, bareJobs))
    submits.push(await runWith(`submit-${round}`, jobs.slice(WARM + round * perRound, WARM + (round + 1) * perRound)))
  }
  // The same two one request at a time: the time a request takes when it does not queue. At 50 connections sent as
  // fast as answers come, a request waits for those ahead of it, and its time is about 50 / throughput however quick
  // each one is. (autocannon's overallRate sends each second's requests in a burst, which measures the burst instead.)
  const bareFew = await runWith('bare-few', bareJobs, DURATION, FEW)
  const submitFew = await runWith('submit-few', jobs.slice(jobs.length - AT_FEW - PACED, jobs.length - PACED), DURATION, FEW)
  // And at an even pace, half the submission's rate above: requests arriving steadily, as residents do, not waiting for
  // each other's answers
  const pace = Math.min(Math.floor(PACED / DURATION), Number(process.env.BENCH_PACE) || Math.max(10, Math.round(figures.mean(submits) / 2)))
  const paced = async (name: string, requests: BenchRequest[]) => {
    const before = await cpuNow(db)
    const r = await pacedRun(url, runs.prepare(name, requests), pace, DURATION, CONNECTIONS)
    return { ...r, cpu: cpuSpent(before, await cpuNow(db)) }
  }
  const barePaced = await paced('bare-paced', bareJobs)
  const submitPaced = await paced('submit-paced', jobs.slice(jobs.length - PACED))
  runs.done()
  const stored = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey_responses WHERE survey_id = $1', [id])
  const mean = figures.mean
  const perRequest = (r: Awaited<ReturnType<typeof runWith>>, s: number) => ((1000 * s) / Math.max(1, r['2xx'])).toFixed(2)
  const line = (name: string, r: Awaited<ReturnType<typeof runWith>>) =>
    `${figures.line(name, r)}   CPU/request: node ${perRequest(r, r.cpu.node)} ms${kind === 'postgres' ? `, db ${perRequest(r, r.cpu.db)} ms` : ''}` +
    (r.cpu.wechat > 0 ? `, WeChat stand-in ${perRequest(r, r.cpu.wechat)} ms` : '') +
    (r.cpu.walBytes === null ? '' : `; WAL ${(r.cpu.walBytes / Math.max(1, r['2xx'])).toFixed(0)} B (${(r.cpu.walFpi! / Math.max(1, r['2xx'])).toFixed(2)} full pages)`)
  say(`\n[${kind}] submission of a 20-question response${TEXTS ? '' : ' without texts'}, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s each, in turns`)
  for (let round = 0; round < ROUNDS; round++) {
    say(line(`bare validated insert #${round + 1}`, bares[round]))
    say(line(`response submission #${round + 1}`, submits[round]))
  }
  say(`  submission / bare = ${((100 * mean(submits)) / mean(bares)).toFixed(0)}% (mean ${mean(submits).toFixed(0)} / ${mean(bares).toFixed(0)} req/s)   goal ≥ 50%, p99 < 50 ms on PostgreSQL`)
  say(`  one request at a time (${FEW} connection), ${DURATION} s each:`)
  say(line('bare validated insert', bareFew))
  say(line('response submission', submitFew))
  say(`  at an even pace of ${pace} req/s (half the submission's rate at 50 connections), ${DURATION} s each, time from when each was due:`)
  for (const [name, r] of [['bare validated insert', barePaced], ['response submission', submitPaced]] as const) {
    say(`  ${name.padEnd(30)} ${String(r.ok).padStart(6)} ok   p50 ${r.p50.toFixed(1).padStart(5)} ms   p99 ${r.p99.toFixed(1).padStart(5)} ms   max ${r.max.toFixed(0)} ms   failed ${r.failed}` +
      `   CPU/request: node ${((1000 * r.cpu.node) / Math.max(1, r.ok)).toFixed(2)} ms${kind === 'postgres' ? `, db ${((1000 * r.cpu.db) / Math.max(1, r.ok)).toFixed(2)} ms` : ''}`)
  }
  say(`  responses stored in all, warm-up included: ${stored!.n}`)
}

/** The standard survey with BIG anonymous responses spread over the city's communities, written straight in SQL. */
async function bigSurvey(db: Db, app: Awaited<ReturnType<typeof buildApp>>, office: string): Promise<number> {
  const created = await app.inject({
    method: 'POST', url: '/api/v1/surveys/admin', headers: { authorization: `Bearer ${office}` },
    payload: { template: 'chuangwen_standard', title: '十万份', regionCode: CITY, audience: 'residents', anonymous: true, startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 86400_000).toISOString() },
  })
  const id = created.json().id as number
  await db.query(`UPDATE surveys SET status = 'published' WHERE id = $1`, [id])
  const communities = (await db.query<{ code: string }>(`SELECT code FROM regions WHERE level = 'community' ORDER BY code`)).map((r) => r.code)
  await db.query(
    `INSERT INTO survey_responses (survey_id, community_code, submitted_on)
     SELECT $1, ($2::text[])[1 + (i % cardinality($2::text[]))], current_date - (i % 30) FROM generate_series(1, $3::int) AS i`,
    [id, communities, BIG])
  const ids = (await db.query<{ key: string; id: number }>('SELECT key, id::int AS id FROM survey_questions WHERE survey_id = $1', [id]))
  const idOf = new Map(ids.map((r) => [r.key, r.id]))
  const def = templateByKey('chuangwen_standard')!.definition
  // per question (a matrix: per row) the values it can take and the share of responses that answer it: the conditional
  // reasons question about a fifth, the free text a third; one statement writes them all
  const plan = def.sections.flatMap((sec) => sec.questions).flatMap((x) => {
    const domain = valueDomain(x)
    const share = x.key === 'reasons' ? 0.2 : domain.length === 0 ? 0.33 : 1
    return (x.type === 'matrix' ? x.rows!.map((r) => r.key) : ['']).map((row) => ({ qid: idOf.get(x.key), row, domain, share }))
  })
  // each response's picks (migration 0035: [question, row, values, num, other]) and its texts, from one draw per answer
  await db.query(
    `WITH a AS MATERIALIZED (
       SELECT r.id, r.community_code, r.submitted_on, p.qid, p.row, cardinality(p.domain) = 0 AS text,
              CASE WHEN cardinality(p.domain) = 0 THEN '{}'::text[] ELSE ARRAY[p.domain[1 + floor(random() * cardinality(p.domain))::int]] END AS picked
         FROM survey_responses r
         CROSS JOIN (SELECT x.qid, x.row, ARRAY(SELECT jsonb_array_elements_text(x.domain)) AS domain, x.share
                       FROM jsonb_to_recordset($2::jsonb) AS x(qid bigint, row text, domain jsonb, share float8)) AS p
        WHERE r.survey_id = $1 AND random() < p.share
     ), texts AS (
       INSERT INTO survey_texts (response_id, survey_id, question_id, community_code, submitted_on, text_value)
       SELECT a.id, $1, a.qid, a.community_code, a.submitted_on, '建议多种树' FROM a WHERE a.text
     )
     UPDATE survey_responses r SET picks = x.picks
       FROM (SELECT a.id, jsonb_agg(jsonb_build_array(a.qid, a.row, to_jsonb(a.picked), CASE WHEN a.qid = $3 THEN a.picked[1]::int END, 0)) AS picks
               FROM a GROUP BY a.id) x
      WHERE r.id = x.id`,
    [id, JSON.stringify(plan), idOf.get('overall')])
  // written around the submission path: counted here as concurrent submissions would have counted them, in every shard
  await Promise.all(Array.from({ length: 8 }, (_, part) => addCountsOfSurvey(db, id, part, 8)))
  await db.exec('VACUUM ANALYZE')
  return id
}

async function readBench(kind: string, db: Db, app: Awaited<ReturnType<typeof buildApp>>, url: string, office: string) {
  const t0 = performance.now()
  const id = await bigSurvey(db, app, office)
  const rows = await db.one<{ n: number }>('SELECT coalesce(sum(jsonb_array_length(picks)), 0)::int AS n FROM survey_responses WHERE survey_id = $1', [id])
  say(`\n[${kind}] reads of a survey with ${BIG.toLocaleString('en')} responses (${rows!.n.toLocaleString('en')} answers, written in ${((performance.now() - t0) / 1000).toFixed(0)} s), one at a time, ${READS} each`)
  const reads: Array<[string, string]> = [
    ['results', `/api/v1/surveys/admin/${id}/results`],
    ['cross-tab by community', `/api/v1/surveys/admin/${id}/crosstab?question=overall&by=community`],
    ['cross-tab by street', `/api/v1/surveys/admin/${id}/crosstab?question=areas&row=sanitation&by=street`],
    ['cross-tab by age band', `/api/v1/surveys/admin/${id}/crosstab?question=overall&by=question&byQuestion=age`],
  ]
  for (const [name, path] of reads) {
    const times: number[] = []
    let first = 0
    for (let i = 0; i < READS + 3; i++) {
      const s = performance.now()
      const r = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${office}` } })
      await r.arrayBuffer()
      if (r.status !== 200) throw new Error(`${name}: ${r.status}`)
      if (i === 0) first = performance.now() - s
      if (i >= 3) times.push(performance.now() - s)
    }
    // the first read sums the counts (and, by another question, counts the pair from the stored answers once)
    say(`  ${name.padEnd(24)} p50 ${percentile(times, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(times, 95).toFixed(1).padStart(7)} ms   goal p95 < 50 ms   (first read ${first.toFixed(0)} ms)`)
  }
}

async function benchOn(kind: string, db: Db) {
  await migrate(db)
  const config = { ...loadConfig({}), demo: true, rateLimitPerMinute: 100_000_000, logLevel: process.env.BENCH_LOG_LEVEL || 'warn' }
  // the content checks go to WeChat's stand-in in a process of its own, as to WeChat in production
  const wechat = await fakeWechatProcess()
  const runtime = await createRuntime(config, db, { wechat: wechat.adapter })
  await seedDemo(runtime.ctx)
  const app = await buildApp(runtime.ctx)
  app.post('/bench/insert/:id', {
    schema: { params: IdParams, body: SubmitSurveyBody },
  }, async (req) => {
    const { id } = req.params as { id: number }
    return db.one('INSERT INTO bench_rows (survey_id, answers) VALUES ($1, $2) RETURNING id::int AS id', [id, JSON.stringify((req.body as SubmitSurveyBody).answers)])
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const office = await tokenOf(db, '13800000003')
  await submissionBench(kind, db, app, url, office, wechat.cpu)
  if (READS > 0 && (kind === 'postgres' || process.env.BENCH_PGLITE_READS === '1')) await readBench(kind, db, app, url, office)
  await app.close()
  await runtime.close()
  wechat.stop()
}

async function main() {
  say(`文明共建 — survey benchmark (${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`)
  const only = (process.env.BENCH_ONLY || 'pglite,postgres').split(',')
  if (only.includes('pglite')) {
    const lite = await openPGlite(undefined)
    await benchOn('pglite', lite)
    await lite.close()
  }
  if (only.includes('postgres')) {
    if (!(await postgresAvailable())) say(`\n[postgres] skipped: no PostgreSQL at ${PG_URL.replace(/:[^:@/]*@/, ':***@')}`)
    else {
      await withDatabase(process.env.BENCH_DB_NAME || 'civiclink_survey_bench', async (url) => {
        const db = openPostgres(url, 10)
        await benchOn('postgres', db)
        await db.close()
      }, { keep: process.env.BENCH_KEEP_DB === '1' })
    }
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err)
  process.exit(1)
})

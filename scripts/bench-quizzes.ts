// npm run bench:quizzes — prints figures, asserts nothing.
//  1. Attempt submission (POST /api/v1/quiz/attempts/:id/submit, a real grading transaction) at 50 connections,
//     beside a bare validated insert route, in turns over BENCH_ROUNDS rounds (2), on PGlite and on PostgreSQL (DATABASE_URL, default
//     postgres://postgres@127.0.0.1:5432/postgres; a throw-away database is created and dropped).
//  2. Starting an attempt (POST /api/v1/quiz/campaigns/:id/attempts: the campaign launch, every resident starting at
//     once) at 50 connections beside a bare validated insert route, in turns, on PGlite and on PostgreSQL.
//  3. A live quiz with 500 WebSocket participants (BENCH_LIVE_PARTICIPANTS) across two API processes (Redis bus, PostgreSQL): time from
//     the answer that closes a question to the leaderboard reaching every participant.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type autocannon from 'autocannon'
import WebSocket from 'ws'
import { LIVE_WS_PROTOCOL } from '../types/live-protocol'
import { Type } from '@sinclair/typebox'
import { buildApp } from '../server/app'
import { createRuntime } from '../server/bootstrap'
import { loadConfig } from '../server/config'
import type { Db } from '../server/db/types'
import { migrate } from '../server/db/migrate'
import { openPGlite } from '../server/db/pglite'
import { openPostgres } from '../server/db/postgres'
import { newToken, hashSecret } from '../server/lib/tokens'
import { seedDemo } from '../server/seed/demo'
import { HAPPY, makeUsers, okFigures, percentile as pct, requestRuns, say, withDatabase } from './bench-kit'
import { Id } from '../types/common'
import { SubmitBody } from '../types/quizzes'

const ROOT = path.resolve(__dirname, '..')
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
const CONNECTIONS = 50
const DURATION = Number(process.env.BENCH_SECONDS || 10)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 2)

async function submissionBench(kind: 'pglite' | 'postgres', db: Db) {
  await migrate(db)
  const config = { ...loadConfig({}), demo: true, rateLimitPerMinute: 100_000_000, logLevel: process.env.BENCH_LOG_LEVEL || 'warn' }
  const runtime = await createRuntime(config, db)
  await seedDemo(runtime.ctx)
  const app = await buildApp(runtime.ctx)
  // bare: the same path parameter and body through the same schemas, stored as one row with nothing but its key
  await db.exec('CREATE TABLE IF NOT EXISTS bench_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, attempt_id bigint NOT NULL, answers jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())')
  app.post('/bench/insert/:id', {
    schema: { params: Type.Object({ id: Id }), body: SubmitBody },
  }, async (req) => {
    const { id } = req.params as { id: number }
    return db.one('INSERT INTO bench_rows (attempt_id, answers) VALUES ($1, $2) RETURNING id::int AS id', [id, JSON.stringify((req.body as SubmitBody).answers)])
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })

  // enough open attempts for the whole run, one per resident, drawn like the server draws
  const n = 60_000
  const users = await makeUsers(db, n, kind === 'postgres' ? '151' : '152', { nickname: '选手' })
  const worker = await db.one<{ id: number }>(`SELECT id::int AS id FROM users WHERE phone = '13800000002'`)
  const campaign = await db.one<{ id: number }>(
    `INSERT INTO quiz_campaigns (region_code, title, starts_at, ends_at, question_count, time_limit_seconds, pass_score, max_attempts, created_by)
     VALUES ($1, '压测活动', now() - interval '1 hour', now() + interval '1 day', 5, 3600, 60, 1, $2) RETURNING id::int AS id`,
    [HAPPY, worker!.id],
  )
  const attempts = await db.query<{ id: number; userId: number; questionIds: number[] }>(
    `INSERT INTO quiz_attempts (kind, campaign_id, user_id, community_code, street_code, attempt_no, question_ids, total, expires_at)
     SELECT 'campaign', $1, u.id, $2, '329901001', 1,
            ARRAY(SELECT id FROM quiz_questions WHERE u.id > 0 ORDER BY random() LIMIT 5), 5, now() + interval '1 hour'
       FROM unnest($3::bigint[]) AS u(id)
     RETURNING id::int AS id, user_id::int AS "userId", question_ids::int[] AS "questionIds"`,
    [campaign!.id, HAPPY, users.map((u) => u.id)],
  )
  const tokenOf = new Map(users.map((u) => [u.id, u.token]))
  const jobs = attempts.map((a) => ({
    path: `/api/v1/quiz/attempts/${a.id}/submit`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenOf.get(a.userId)}` },
    body: JSON.stringify({ answers: a.questionIds.map((id) => ({ questionId: id, choice: [0] })) }),
  }))

  // Warm-up and measured runs get attempts of their own: an attempt is submitted once.
  const runs = requestRuns(url, CONNECTIONS, DURATION)
  const runWith = runs.run
  const bareJobs = attempts.map((a, i) => ({ path: `/bench/insert/${a.id}`, headers: { 'content-type': 'application/json' }, body: jobs[i].body }))
  // settled tables (no autovacuum of the fresh rows in the middle of a run), then the two kinds of run in turns so
  // that drift on a shared machine does not land on one of them; each submission round gets attempts of its own
  await db.exec('VACUUM ANALYZE')
  const WARM = 3000
  const perRound = Math.floor((jobs.length - WARM) / ROUNDS)
  await runWith('bare-warm', bareJobs, 2)
  await runWith('submit-warm', jobs.slice(0, WARM), 2)
  const bares: autocannon.Result[] = []
  const submits: autocannon.Result[] = []
  for (let round = 0; round < ROUNDS; round++) {
    bares.push(await runWith(`bare-${round}`, bareJobs))
    submits.push(await runWith(`submit-${round}`, jobs.slice(WARM + round * perRound, WARM + (round + 1) * perRound)))
  }
  runs.done()
  const graded = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_attempts WHERE campaign_id = $1 AND submitted_at IS NOT NULL', [campaign!.id])
  const { ok, line, mean: rate } = okFigures(DURATION, 28, { codes: true })
  say(`\n[${kind}] ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s each, in turns`)
  for (let round = 0; round < ROUNDS; round++) {
    say(line(`bare validated insert #${round + 1}`, bares[round]))
    say(line(`attempt submission #${round + 1}`, submits[round]))
  }
  say(`  submission / bare = ${((100 * rate(submits)) / rate(bares)).toFixed(0)}% (mean rates ${rate(submits).toFixed(0)} / ${rate(bares).toFixed(0)} req/s; rounds: ${submits.map((r, i) => `${((100 * ok(r)) / ok(bares[i])).toFixed(0)}%`).join(', ')})   goal ≥ 50%`)
  say(`  attempts graded in all, warm-up included: ${graded!.n} of ${jobs.length} prepared`)
  await app.close()
  await runtime.close()
}

async function startBench(kind: 'pglite' | 'postgres', db: Db) {
  await migrate(db)
  const config = { ...loadConfig({}), demo: true, rateLimitPerMinute: 100_000_000, logLevel: process.env.BENCH_LOG_LEVEL || 'warn' }
  const runtime = await createRuntime(config, db)
  await seedDemo(runtime.ctx)
  const app = await buildApp(runtime.ctx)
  // bare: the same path parameter through the same schema, one row with nothing but its key
  await db.exec('CREATE TABLE IF NOT EXISTS bench_starts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, campaign_id bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now())')
  app.post('/bench/start/:id', { schema: { params: Type.Object({ id: Id }) } }, async (req) => {
    const { id } = req.params as { id: number }
    return db.one('INSERT INTO bench_starts (campaign_id) VALUES ($1) RETURNING id::int AS id', [id])
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })

  // one campaign as a worker would set it up (a tag quota, the usual difficulties); every resident starts it once
  const users = await makeUsers(db, 60_000, kind === 'postgres' ? '161' : '162', { nickname: '选手' })
  const worker = await db.one<{ id: number }>(`SELECT id::int AS id FROM users WHERE phone = '13800000002'`)
  const campaign = await db.one<{ id: number }>(
    `INSERT INTO quiz_campaigns (region_code, title, starts_at, ends_at, question_count, tag_mix, time_limit_seconds, pass_score, max_attempts, created_by)
     VALUES ($1, '压测开赛', now() - interval '1 hour', now() + interval '1 day', 5, '[{"tag":"垃圾分类","count":3}]', 600, 60, 1, $2) RETURNING id::int AS id`,
    [HAPPY, worker!.id],
  )
  const jobs = users.map((u) => ({ path: `/api/v1/quiz/campaigns/${campaign!.id}/attempts`, headers: { authorization: `Bearer ${u.token}` }, body: '' }))
  const bareJobs = [{ path: `/bench/start/${campaign!.id}`, headers: {}, body: '' }]
  const runs = requestRuns(url, CONNECTIONS, DURATION)
  const runWith = runs.run
  await db.exec('VACUUM ANALYZE')
  const WARM = 3000
  const perRound = Math.floor((jobs.length - WARM) / ROUNDS)
  await runWith('bare-warm', bareJobs, 2)
  await runWith('start-warm', jobs.slice(0, WARM), 2)
  const bares: autocannon.Result[] = []
  const starts: autocannon.Result[] = []
  for (let round = 0; round < ROUNDS; round++) {
    bares.push(await runWith(`bare-${round}`, bareJobs))
    starts.push(await runWith(`start-${round}`, jobs.slice(WARM + round * perRound, WARM + (round + 1) * perRound)))
  }
  runs.done()
  const made = await db.one<{ n: number; users: number }>('SELECT count(*)::int AS n, count(DISTINCT user_id)::int AS users FROM quiz_attempts WHERE campaign_id = $1', [campaign!.id])
  const { ok, line, mean: rate } = okFigures(DURATION, 28)
  say(`\n[${kind}] starting an attempt: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s each, in turns`)
  for (let round = 0; round < ROUNDS; round++) {
    say(line(`bare validated insert #${round + 1}`, bares[round]))
    say(line(`start attempt #${round + 1}`, starts[round]))
  }
  say(`  start / bare = ${((100 * rate(starts)) / rate(bares)).toFixed(0)}% (mean rates ${rate(starts).toFixed(0)} / ${rate(bares).toFixed(0)} req/s; rounds: ${starts.map((r, i) => `${((100 * ok(r)) / ok(bares[i])).toFixed(0)}%`).join(', ')})   goal ≥ 50%, p99 < 50 ms`)
  say(`  attempts made, warm-up included: ${made!.n} (one per resident: ${made!.users === made!.n ? 'yes' : 'NO'})`)
  await app.close()
  await runtime.close()
}

function startServer(port: number, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, REDIS_URL, DEMO: '1', RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const onData = (d: Buffer) => {
      out += d.toString()
      if (out.includes('就绪')) resolve(child)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (d) => { out += d.toString() })
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)))
  })
}

interface Player {
  ws: WebSocket
  userId: number
  onReveal?: (at: number) => void
  onQuestion?: (options: string[]) => void
  onAck?: () => void
}

async function liveBench(url: string) {
  const PARTICIPANTS = Number(process.env.BENCH_LIVE_PARTICIPANTS || 500)
  const QUESTIONS = 5
  const [a, b] = [3401, 3402]
  // the first process creates the schema and the demo city; the second opens the same database
  const pa = await startServer(a, url)
  const pb = await startServer(b, url)
  const db = openPostgres(url, 4)
  try {
    const users = await makeUsers(db, PARTICIPANTS, '153', { nickname: '选手' })
    const workerToken = newToken()
    const w = await db.one<{ id: number }>(`SELECT id::int AS id FROM users WHERE phone = '13800000002'`)
    await db.query(`INSERT INTO sessions (token_hash, user_id, channel, expires_at) VALUES ($1, $2, 'sms', now() + interval '1 day')`, [hashSecret(workerToken), w!.id])
    const qs = await db.query<{ id: number; answer: number[]; options: string[] }>(`SELECT id::int AS id, answer, options FROM quiz_questions WHERE kind = 'single' ORDER BY random() LIMIT $1`, [QUESTIONS])
    const res = await fetch(`http://127.0.0.1:${a}/api/v1/live/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${workerToken}` },
      body: JSON.stringify({ title: '压测现场赛', questionIds: qs.map((q) => q.id), questionSeconds: 120 }),
    })
    const session = (await res.json()) as { id: number; code: string }
    const t0 = Date.now()
    const players: Player[] = await Promise.all(users.map(async (u, i) => {
      const port = i % 2 === 0 ? a : b
      // joining is its own request; the socket serves those who joined
      const joined = await fetch(`http://127.0.0.1:${port}/api/v1/live/${session.code}/join`, { method: 'POST', headers: { authorization: `Bearer ${u.token}` } })
      if (!joined.ok) throw new Error(`join failed: ${joined.status} ${await joined.text()}`)
      return new Promise<Player>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live/${session.code}/ws`, [LIVE_WS_PROTOCOL, u.token])
        const p: Player = { ws, userId: u.id }
        ws.on('message', (raw) => {
          const at = performance.now()
          const m = JSON.parse(raw.toString())
          if (m.type === 'snapshot') resolve(p)
          else if (m.type === 'reveal') p.onReveal?.(at)
          else if (m.type === 'question') p.onQuestion?.(m.question.options)
          else if (m.type === 'answer_ack') p.onAck?.()
          else if (m.type === 'error') process.stderr.write(`ws error: ${m.code}\n`)
        })
        ws.once('error', reject)
      })
    }))
    say(`\n[live] ${PARTICIPANTS} participants joined (POST join, then WebSocket) (half on each of 2 API processes) in ${Date.now() - t0} ms`)
    const latencies: number[] = []
    const bulk: number[] = []
    const acks: number[] = []
    for (let qi = 0; qi < QUESTIONS; qi++) {
      const questionSeen = Promise.all(players.map((p) => new Promise<string[]>((r) => { p.onQuestion = r })))
      await fetch(`http://127.0.0.1:${a}/api/v1/live/sessions/${session.id}/advance`, { method: 'POST', headers: { authorization: `Bearer ${workerToken}` } })
      // the session shows the options in an order of its own: the right one where it is shown
      const shown = (await questionSeen)[0]
      const right = [shown.indexOf(qs[qi].options[qs[qi].answer[0]])]
      const wrong = [(right[0] + 1) % shown.length]
      const answer = (p: Player, choice: number[]) => new Promise<void>((r) => {
        p.onAck = () => {
          acks.push(performance.now() - b0)
          r()
        }
        p.ws.send(JSON.stringify({ type: 'answer', questionIndex: qi, choice }))
      })
      // all but one answer at once; then the last answer closes the question and the leaderboard goes out
      const b0 = performance.now()
      await Promise.all(players.slice(0, -1).map((p, i) => answer(p, i % 3 === 0 ? wrong : right)))
      bulk.push(performance.now() - b0)
      const revealed = Promise.all(players.map((p) => new Promise<number>((r) => { p.onReveal = r })))
      const sent = performance.now()
      players[players.length - 1].ws.send(JSON.stringify({ type: 'answer', questionIndex: qi, choice: right }))
      for (const at of await revealed) latencies.push(at - sent)
    }
    say(`  ${PARTICIPANTS - 1} simultaneous answers, all acknowledged in: p50 ${pct(bulk, 50).toFixed(0)} ms, max ${Math.max(...bulk).toFixed(0)} ms (per question, ${QUESTIONS} questions)`)
    say(`  each answer acknowledged after (${acks.length} answers): p50 ${pct(acks, 50).toFixed(0)} ms, p95 ${pct(acks, 95).toFixed(0)} ms   (goal p95 < 300 ms with 500 participants)`)
    say(`  last answer → leaderboard at every participant (${latencies.length} deliveries): p50 ${pct(latencies, 50).toFixed(1)} ms, p95 ${pct(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms   (goal p95 < 200 ms)`)
    for (const p of players) p.ws.terminate()
  } finally {
    await db.close()
    for (const p of [pa, pb]) p.kill('SIGTERM')
    await Promise.all([pa, pb].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))))
  }
}

async function main() {
  say('文明共建 — quiz benchmark')
  // BENCH_ONLY=pglite,postgres,start-pglite,start-postgres,live picks parts (all by default)
  const only = (process.env.BENCH_ONLY || 'pglite,postgres,start-pglite,start-postgres,live').split(',')
  if (only.includes('pglite')) {
    const lite = await openPGlite(undefined)
    await submissionBench('pglite', lite)
    await lite.close()
  }
  if (only.includes('postgres')) {
    await withDatabase('civiclink_quiz_bench', async (url) => {
      const db = openPostgres(url, 10)
      await submissionBench('postgres', db)
      await db.close()
    })
  }
  if (only.includes('start-pglite')) {
    const lite = await openPGlite(undefined)
    await startBench('pglite', lite)
    await lite.close()
  }
  if (only.includes('start-postgres')) {
    await withDatabase('civiclink_quiz_bench_start', async (url) => {
      const db = openPostgres(url, 10)
      await startBench('postgres', db)
      await db.close()
    })
  }
  if (only.includes('live')) await withDatabase('civiclink_quiz_bench_live', liveBench)
}

main().then(() => process.exit(0), (err) => {
  console.error(err)
  process.exit(1)
})

// npm run bench:reports — figures, not a test.
//  1. Report submission (no photo; the app's own service, auth, Idempotency-Key, one transaction) vs a bare validated
//     single-row insert, each with autocannon at 50 connections against a listening server, on PostgreSQL (DATABASE_URL,
//     or a local server at 127.0.0.1:5432, in a throw-away database) and on PGlite (in memory).
//  2. Near-duplicate lookup latency with BENCH_ROWS (default 1,000,000) reports in the table.
// WeChat's content check is stubbed in-process here (it is an HTTP call to WeChat in production).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type autocannon from 'autocannon'
import { Type } from '@sinclair/typebox'
import { buildApp } from '../server/app'
import { createRuntime } from '../server/bootstrap'
import { loadConfig } from '../server/config'
import type { Db } from '../server/db/types'
import { migrate } from '../server/db/migrate'
import { openPGlite } from '../server/db/pglite'
import { openPostgres } from '../server/db/postgres'
import { requireCaller } from '../server/lib/caller'
import { demoSms } from '../server/platform/sms'
import type { WechatAdapter } from '../server/platform/wechat'
import { nearby, submitReport } from '../server/modules/reports/service'
import { DEMO_ACCOUNTS, seedDemo } from '../server/seed/demo'
import { ReportDetail, SubmitReportBody } from '../types/reports'
import { checkIdempotencyKey } from '../server/lib/idempotency'
import { cannon as autocannonRun, percentile as pct, postgresAvailable, say, withDatabase } from './bench-kit'

const IdemHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String()) })

const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)

const stubWechat: WechatAdapter = {
  code2session: async () => {
    throw new Error('not in the benchmark')
  },
  msgSecCheck: async () => 'pass',
  imgSecCheck: async () => 'pass',
  sendSubscribe: async () => undefined,
}

async function cannon(url: string, opts: Partial<autocannon.Options>) {
  const r = await autocannonRun({ url, connections: 50, duration: DURATION, ...opts })
  const non2xx = r.non2xx + r.errors
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], bad: non2xx }
}

async function bench(kind: 'postgres' | 'pglite', db: Db) {
  await migrate(db)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-bench-'))
  const config = { ...loadConfig({ OUTBOX_INTERVAL_MS: '0' }), demo: true, dataDir, rateLimitPerMinute: 1_000_000_000, authRateLimitPerMinute: 1_000_000_000 }
  const runtime = await createRuntime(config, db, { wechat: stubWechat, sms: demoSms() })
  await seedDemo(runtime.ctx)
  const ctx = runtime.ctx
  await db.exec(`CREATE TABLE bench_bare (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, category_code text NOT NULL,
    lng double precision NOT NULL, lat double precision NOT NULL, address text NOT NULL, description text NOT NULL,
    anonymous boolean NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`)
  const app = await buildApp(ctx)
  // Both routes take the same body through the same schema: the difference is what happens to it.
  const NoPhotoBody = Type.Object({ ...SubmitReportBody.properties, photoIds: Type.Array(Type.String(), { maxItems: 0 }) }, { additionalProperties: false })
  // bare: no auth, no rules, one row in a table with nothing but its primary key
  app.post('/bench/bare', { schema: { body: NoPhotoBody } }, async (req, reply) => {
    const b = req.body as SubmitReportBody
    const row = await db.one<{ id: number }>(
      'INSERT INTO bench_bare (category_code, lng, lat, address, description, anonymous) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::int AS id',
      [b.categoryCode, b.lng, b.lat, b.address, b.description, b.anonymous],
    )
    return reply.code(201).send(row)
  })
  // the real submission path (auth, validation, idempotency, content check, one transaction) — without photos
  app.post('/bench/report', { schema: { headers: IdemHeaders, body: NoPhotoBody, response: { 201: ReportDetail } } }, async (req, reply) => {
    const caller = await requireCaller(ctx, req)
    const key = checkIdempotencyKey(req.headers['idempotency-key'] as string | undefined)
    const r = await submitReport(ctx, caller, req.body as never, key)
    return reply.code(r.status as 201).send(r.body)
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const sent = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone: DEMO_ACCOUNTS.resident.phone } })
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/verify', payload: { phone: DEMO_ACCOUNTS.resident.phone, code: sent.json().demoCode } })
  const token = login.json().token as string

  const body = { categoryCode: 'littering', lng: 118.71, lat: 32.005, address: '幸福里 3 号楼旁', description: '垃圾堆在路边', anonymous: false, photoIds: [] }
  const headers = { 'content-type': 'application/json' }
  // warm-up
  await cannon(`${base}/bench/bare`, { method: 'POST', headers, body: JSON.stringify(body), duration: 2 })
  const bare = await cannon(`${base}/bench/bare`, { method: 'POST', headers, body: JSON.stringify(body) })
  // every request a new Idempotency-Key: autocannon replaces [<id>] with a unique id
  const submitting = (duration?: number) => cannon(`${base}/bench/report`, {
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${token}`, 'idempotency-key': 'bench-[<id>]' },
    body: JSON.stringify(body),
    idReplacement: true,
    ...(duration ? { duration } : {}),
  })
  await submitting(2)
  const report = await submitting()
  say(`[${kind}] bare insert      : ${bare.rps} req/s  p50 ${bare.p50} ms  p99 ${bare.p99} ms  (${bare.ok} ok, ${bare.bad} errors)`)
  say(`[${kind}] report submission: ${report.rps} req/s  p50 ${report.p50} ms  p99 ${report.p99} ms  (${report.ok} ok, ${report.bad} errors)  = ${Math.round((100 * report.rps) / bare.rps)}% of bare`)
  await app.close()

  // near-duplicate lookup at ROWS reports: spread over a year and ~5×5 km around the demo city, 12 categories
  const t0 = Date.now()
  const reporter = (await db.one<{ id: number }>('SELECT id::int AS id FROM users WHERE phone = $1', [DEMO_ACCOUNTS.resident.phone]))!.id
  const cats = (await db.query<{ code: string }>('SELECT code FROM report_categories ORDER BY code')).map((c) => c.code)
  const BATCH = 250_000
  for (let done = 0; done < ROWS; done += BATCH) {
    await db.query(
      `INSERT INTO reports (category_code, reporter_id, description, lng, lat, address, community_code, state, department, due_at, created_at)
       SELECT ($1::text[])[1 + (i % 12)], $2, '', 118.685 + random() * 0.05, 31.985 + random() * 0.05, '', '329901001001',
              (ARRAY['submitted', 'accepted', 'dispatched', 'closed'])[1 + (i % 4)], 'x', now(), now() - random() * interval '365 days'
         FROM generate_series(1, $3::int) i`,
      [cats, reporter, Math.min(BATCH, ROWS - done)],
    )
  }
  await db.exec('ANALYZE reports')
  const total = (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM reports'))!.n
  say(`[${kind}] inserted ${ROWS.toLocaleString()} reports in ${((Date.now() - t0) / 1000).toFixed(1)} s (table: ${total.toLocaleString()})`)
  const times: number[] = []
  let found = 0
  for (let i = 0; i < 400; i++) {
    const lng = 118.685 + Math.random() * 0.05
    const lat = 31.985 + Math.random() * 0.05
    const s = process.hrtime.bigint()
    const r = await nearby(ctx, cats[i % 12], lng, lat)
    const ms = Number(process.hrtime.bigint() - s) / 1e6
    if (i >= 20) times.push(ms)
    found += r.items.length
  }
  say(`[${kind}] near-duplicate lookup at ${total.toLocaleString()} reports: p50 ${pct(times, 50).toFixed(2)} ms  p95 ${pct(times, 95).toFixed(2)} ms  p99 ${pct(times, 99).toFixed(2)} ms  (${(found / 400).toFixed(1)} hits/lookup)`)
  const plan = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN SELECT id FROM reports r WHERE r.category_code = 'littering' AND r.created_at > now() - interval '7 days'
       AND r.lat BETWEEN 32.0 AND 32.001 AND r.lng BETWEEN 118.70 AND 118.701 AND r.state IN ('submitted','accepted','dispatched','rectified') AND NOT r.held`,
  )
  say(`[${kind}] plan: ${plan.map((p) => p['QUERY PLAN'].trim()).slice(0, 2).join(' | ')}`)
  await runtime.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
}

async function main() {
  say(`bench:reports — ${os.cpus().length} cores, node ${process.version}, ${DURATION} s per run, 50 connections`)
  if (await postgresAvailable()) {
    await withDatabase(`civiclink_bench_${process.pid}`, async (url) => {
      const db = openPostgres(url, loadConfig().databasePoolSize)
      try {
        await bench('postgres', db)
      } finally {
        await db.close()
      }
    })
  } else {
    say('[postgres] no server reachable (set DATABASE_URL) — skipped')
  }
  const lite = await openPGlite()
  try {
    await bench('pglite', lite)
  } finally {
    await lite.close()
  }
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`)
  process.exit(1)
})

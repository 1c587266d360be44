// npm run bench -- volunteers — prints figures, asserts nothing but the one rule: never more confirmed than capacity.
// Sign-up (POST /api/v1/volunteers/shifts/:id/signup, each request a different approved volunteer, through the real
// checks and transaction) at 50 connections, in two shapes: one hot shift everyone wants (100 places, the rest
// waitlisted: every sign-up waits for the shift's row lock) and spread over 1,000 shifts. Beside each, in the same
// run, the bare validated insert (the same path params through the same schema, one INSERT). On PGlite and on
// PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; a throw-away database is made).
// After every run the confirmed places of every shift are counted against its capacity and its `confirmed` column.
// BENCH_ONLY=pglite,postgres picks the databases; BENCH_SHAPES=hot,spread the shapes; BENCH_SECONDS (10) and BENCH_ROUNDS (2)
// tune the runs; BENCH_KEEP_DB=1 keeps the PostgreSQL database afterwards (to EXPLAIN against it).
// Each run also prints the CPU time spent per answered request by this process (the API and autocannon) and, on a
// local PostgreSQL, by its backends (/proc): on a shared machine a steadier comparison than requests per second.
import os from 'node:os'
import { IdParams } from '../types/common'
import { buildApp } from '../server/app'
import { createRuntime } from '../server/bootstrap'
import { loadConfig } from '../server/config'
import type { Db } from '../server/db/types'
import { migrate } from '../server/db/migrate'
import { openPGlite } from '../server/db/pglite'
import { openPostgres } from '../server/db/postgres'
import { seedDemo } from '../server/seed/demo'
import { HAPPY, cpuNow, cpuSpent, makeUsers, okFigures, postgresAvailable, requestRuns, say, withDatabase, PG_URL, type BenchRequest } from './bench-kit'

const CONNECTIONS = 50
const DURATION = Number(process.env.BENCH_SECONDS || 10)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 2)
const SHIFTS = 1000
const HOT_CAPACITY = 100
const SPREAD_CAPACITY = 20
/** Volunteers per measured run: more than a run signs up, so that no request repeats one. */
const PER_RUN = Number(process.env.BENCH_PER_RUN || 40_000)

/** Approved volunteers of the demo community, each with a session, written in SQL. */
async function makeVolunteers(db: Db, n: number, prefix: string): Promise<string[]> {
  const users = await makeUsers(db, n, prefix, { nickname: '志愿者' })
  await db.query(
    `INSERT INTO volunteers (user_id, real_name, phone, community_code, pledge_agreed_at, status, decided_at)
     SELECT u.id, '志愿者', u.phone, $2, now(), 'approved', now() FROM users u WHERE u.id = ANY($1::bigint[])`,
    [users.map((u) => u.id), HAPPY],
  )
  return users.map((u) => u.token)
}

/** Activities of 50 shifts each (a day apart, so none overlap), published in the demo community; the shift ids. */
async function makeShifts(db: Db, n: number, capacity: number, title: string): Promise<number[]> {
  const worker = (await db.one<{ id: number }>(`SELECT id::int AS id FROM users WHERE phone = '13800000002'`))!.id
  const ids: number[] = []
  for (let a = 0; a * 50 < n; a++) {
    const act = (await db.one<{ id: number }>(
      `INSERT INTO volunteer_activities (type, title, description, lng, lat, radius_m, address, region_code, created_by)
       VALUES ('traffic', $1, '压测', 118.71, 32.005, 200, '幸福路口', $2, $3) RETURNING id::int AS id`,
      [`${title} ${a + 1}`, HAPPY, worker],
    ))!.id
    const rows = await db.query<{ id: number }>(
      `INSERT INTO volunteer_shifts (activity_id, starts_at, ends_at, capacity, signup_deadline, cancel_deadline)
       SELECT $1, t, t + interval '2 hours', $2, t - interval '1 hour', t - interval '2 hours'
         FROM (SELECT now() + make_interval(days => 10 + $3 * 50 + i) AS t FROM generate_series(1, $4::int) i) s
       RETURNING id::int AS id`,
      [act, capacity, a, Math.min(50, n - a * 50)],
    )
    ids.push(...rows.map((r) => r.id))
  }
  return ids
}

/** The rule, counted after the run: on every shift the confirmed places equal `confirmed` and never exceed capacity. */
async function checkCapacity(db: Db, shiftIds: number[]): Promise<string> {
  const r = (await db.one<{ shifts: number; over: number; drift: number; confirmed: number; waiting: number }>(
    `SELECT count(*)::int AS shifts, count(*) FILTER (WHERE n > capacity)::int AS over, count(*) FILTER (WHERE n <> confirmed)::int AS drift,
            coalesce(sum(n), 0)::int AS confirmed, coalesce(sum(w), 0)::int AS waiting
       FROM (SELECT sh.capacity, sh.confirmed,
                    (SELECT count(*) FROM volunteer_signups su WHERE su.shift_id = sh.id AND su.status = 'confirmed') AS n,
                    (SELECT count(*) FROM volunteer_signups su WHERE su.shift_id = sh.id AND su.status = 'waitlisted') AS w
               FROM volunteer_shifts sh WHERE sh.id = ANY($1::bigint[])) x`,
    [shiftIds],
  ))!
  const ok = r.over === 0 && r.drift === 0
  return `${ok ? 'OK' : 'BROKEN'}: ${r.shifts} shift(s), ${r.confirmed} confirmed, ${r.waiting} waitlisted, ${r.over} over capacity, ${r.drift} count drift`
}

async function benchOn(kind: string, db: Db) {
  await migrate(db)
  const config = { ...loadConfig({}), demo: true, rateLimitPerMinute: 100_000_000, logLevel: process.env.BENCH_LOG_LEVEL || 'warn' }
  const runtime = await createRuntime(config, db)
  await seedDemo(runtime.ctx)
  await db.exec('CREATE TABLE IF NOT EXISTS bench_signups (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, shift_id bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now())')
  const app = await buildApp(runtime.ctx)
  app.post('/bench/insert/:id', { schema: { params: IdParams } }, async (req) => {
    const { id } = req.params as { id: number }
    return db.one('INSERT INTO bench_signups (shift_id) VALUES ($1) RETURNING id::int AS id', [id])
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })

  const runs = ROUNDS * 2 + 2
  say(`\n[${kind}] making ${runs * PER_RUN} volunteers and ${SHIFTS + runs} shifts…`)
  const tokens = await makeVolunteers(db, runs * PER_RUN, kind === 'postgres' ? '17' : '18')
  await db.exec('VACUUM ANALYZE')

  const cannon = requestRuns(url, CONNECTIONS, DURATION)
  const runWith = async (name: string, requests: BenchRequest[], duration = DURATION) => {
    const before = await cpuNow(db)
    const r = await cannon.run(name, requests, duration)
    return { ...r, cpu: cpuSpent(before, await cpuNow(db)) }
  }
  type Run = Awaited<ReturnType<typeof runWith>>
  let slice = 0
  const volunteersFor = () => tokens.slice(slice * PER_RUN, ++slice * PER_RUN)
  const signups = (shiftOf: (i: number) => number) =>
    volunteersFor().map((token, i) => ({ path: `/api/v1/volunteers/shifts/${shiftOf(i)}/signup`, headers: { authorization: `Bearer ${token}` }, body: '' }))
  const bare = (shiftOf: (i: number) => number) =>
    Array.from({ length: 5000 }, (_, i) => ({ path: `/bench/insert/${shiftOf(i)}`, headers: {}, body: '' }))

  const figures = okFigures(DURATION, 34)
  const rate = figures.mean
  const perRequest = (r: Run, s: number) => ((1000 * s) / Math.max(1, r['2xx'])).toFixed(2)
  const walOf = (r: Run) => r.cpu.walBytes === null ? '' : `, WAL ${(r.cpu.walBytes / Math.max(1, r['2xx'])).toFixed(0)} B (${(r.cpu.walFpi! / Math.max(1, r['2xx'])).toFixed(2)} full pages)`
  const line = (name: string, r: Run) => `${figures.line(name, r)}   CPU/request: node ${perRequest(r, r.cpu.node)} ms, db ${perRequest(r, r.cpu.db)} ms${walOf(r)}`

  const shapes = (process.env.BENCH_SHAPES || 'hot,spread').split(',')
  for (const shape of (['hot', 'spread'] as const).filter((s) => shapes.includes(s))) {
    // a fresh set of shifts per run, so that each run starts with open places and its check counts its own sign-ups
    const shiftSets: number[][] = []
    const newSet = async () => {
      const s = shape === 'hot' ? await makeShifts(db, 1, HOT_CAPACITY, '热门班次') : await makeShifts(db, SHIFTS, SPREAD_CAPACITY, '分散班次')
      shiftSets.push(s)
      return s
    }
    const warm = await newSet()
    await runWith(`${shape}-bare-warm`, bare((i) => warm[i % warm.length]), 2)
    await runWith(`${shape}-warm`, signups((i) => warm[i % warm.length]), 2)
    const checks = [await checkCapacity(db, warm)]
    const bares: Run[] = []
    const real: Run[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const set = await newSet()
      bares.push(await runWith(`${shape}-bare-${round}`, bare((i) => set[i % set.length])))
      real.push(await runWith(`${shape}-${round}`, signups((i) => set[i % set.length])))
      checks.push(await checkCapacity(db, set))
    }
    say(`\n[${kind}] sign-up, ${shape === 'hot' ? `one hot shift of ${HOT_CAPACITY} places (the rest waitlisted)` : `spread over ${SHIFTS} shifts of ${SPREAD_CAPACITY} places`}, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s, in turns`)
    for (let round = 0; round < ROUNDS; round++) {
      say(line(`bare validated insert #${round + 1}`, bares[round]))
      say(line(`sign-up #${round + 1}`, real[round]))
    }
    say(`  sign-up / bare = ${((100 * rate(real)) / rate(bares)).toFixed(0)}% (mean ${rate(real).toFixed(0)} / ${rate(bares).toFixed(0)} req/s)   goal ≥ 50%${shape === 'spread' ? ', p99 < 50 ms on PostgreSQL' : ''}`)
    checks.forEach((c, i) => say(`  capacity check after ${i === 0 ? 'warm-up' : `run #${i}`}: ${c}`))
  }
  cannon.done()
  await app.close()
  await runtime.close()
}

async function main() {
  say(`文明共建 — volunteer sign-up benchmark (${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`)
  const only = (process.env.BENCH_ONLY || 'pglite,postgres').split(',')
  if (only.includes('pglite')) {
    const lite = await openPGlite(undefined)
    await benchOn('pglite', lite)
    await lite.close()
  }
  if (only.includes('postgres')) {
    if (!(await postgresAvailable())) say(`\n[postgres] skipped: no PostgreSQL at ${PG_URL.replace(/:[^:@/]*@/, ':***@')}`)
    else {
      await withDatabase('civiclink_volunteer_bench', async (url) => {
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

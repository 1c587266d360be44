// What the benchmark scripts share: a throw-away PostgreSQL database, residents with sessions in bulk, autocannon
// runs (each request its own path, token and body, read from a file), percentiles and the "ok/s p50 p99" lines.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import pg from 'pg'
import { spawn } from 'node:child_process'
import { Worker } from 'node:worker_threads'
import { hashSecret, newToken } from '../server/lib/tokens'
import { httpWechatAdapter, type WechatAdapter } from '../server/platform/wechat'

/** The PostgreSQL server the benchmarks use: DATABASE_URL, or a local one. */
export const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
/** 幸福里社区 of the demo city */
export const HAPPY = '329901001001'

export const say = (s: string) => process.stdout.write(`${s}\n`)

/** The p-th percentile (nearest rank); NaN for no values. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN
}

export async function postgresAvailable(url = PG_URL): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await c.connect()
    await c.end()
    return true
  } catch {
    return false
  }
}

async function admin(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

/**
 * Runs `fn` with the URL of a new empty database `name` on the server at `url`, dropped afterwards (and before, if a
 * run before was killed) unless `keep` (to EXPLAIN against it).
 */
export async function withDatabase<T>(name: string, fn: (url: string) => Promise<T>, { url = PG_URL, keep = false } = {}): Promise<T> {
  await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await admin(url, `CREATE DATABASE ${name}`)
  const u = new URL(url)
  u.pathname = `/${name}`
  try {
    return await fn(u.toString())
  } finally {
    if (!keep) await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
}

/**
 * n residents of `community` with a bearer token each, written straight in SQL (thousands; signing in is not what is
 * measured). Phones are `prefix` padded to 11 digits.
 */
export async function makeUsers(
  db: { query<T>(sql: string, params: unknown[]): Promise<T[]> }, n: number, prefix: string, { nickname = '居民', community = HAPPY } = {},
): Promise<Array<{ id: number; token: string }>> {
  const users = await db.query<{ id: number }>(
    `INSERT INTO users (phone, nickname, community_code)
     SELECT $1 || lpad(i::text, 11 - length($1), '0'), $2 || i, $3 FROM generate_series(1, $4::int) AS i RETURNING id::int AS id`,
    [prefix, nickname, community, n],
  )
  const out = users.map((u) => ({ id: u.id, token: newToken() }))
  for (let i = 0; i < out.length; i += 1000) {
    const chunk = out.slice(i, i + 1000).map((u) => ({ h: hashSecret(u.token), u: u.id }))
    await db.query(
      `INSERT INTO sessions (token_hash, user_id, channel, expires_at) SELECT x.h, x.u, 'sms', now() + interval '1 day'
         FROM jsonb_to_recordset($1::jsonb) AS x(h text, u bigint)`,
      [JSON.stringify(chunk)],
    )
  }
  return out
}

/** One autocannon run; the load generator runs in a worker thread, its own event loop, not the server's. */
export function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ workers: 1, ...opts }, (err, r) => (err ? reject(err) : resolve(r)))
  })
}

export interface BenchRequest {
  path: string
  headers: Record<string, string>
  body: string
}

/**
 * autocannon runs against `url` whose POST requests come from a list, sent in turn (bench-requests.cjs reads them
 * in the worker thread from a file): every resident with their own token, every attempt submitted once.
 */
export function requestRuns(url: string, connections: number, seconds: number) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-bench-'))
  return {
    /** Writes a list for a later run: what it costs falls outside that run's CPU figures. */
    prepare(name: string, requests: BenchRequest[]): PreparedRequests {
      const file = path.join(tmp, `${name}.json`)
      fs.writeFileSync(file, JSON.stringify(requests))
      return { file }
    },
    run(name: string, requests: BenchRequest[] | PreparedRequests, duration = seconds, conns = connections): Promise<autocannon.Result> {
      process.env.BENCH_REQUESTS_FILE = Array.isArray(requests) ? this.prepare(name, requests).file : requests.file
      return cannon({
        url, connections: conns, duration,
        requests: [{ setupRequest: path.join(__dirname, 'bench-requests.cjs') }] as unknown as autocannon.Request[],
      })
    },
    done: () => fs.rmSync(tmp, { recursive: true, force: true }),
  }
}

export interface PreparedRequests {
  file: string
}

/** Requests of a prepared list sent at an even `rate` per second for `seconds` (bench-paced.cjs, in a worker thread). */
export function pacedRun(url: string, list: PreparedRequests, rate: number, seconds: number, connections: number): Promise<PacedResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, 'bench-paced.cjs'), { workerData: { url, file: list.file, rate, seconds, connections } })
    w.once('message', (m: { times: number[]; failed: number }) => {
      const t = m.times
      resolve({ ok: t.length, failed: m.failed, p50: percentile(t, 50), p99: percentile(t, 99), max: t.reduce((a, b) => Math.max(a, b), 0) })
    })
    w.once('error', reject)
  })
}

export interface PacedResult {
  ok: number
  failed: number
  p50: number
  p99: number
  max: number
}

/**
 * Figures of runs `seconds` long, counting only what succeeded (a refused request is cheap): successes per second,
 * their mean over runs, and a line of a table (`width` for the name; `codes` adds the status codes when some failed).
 */
export function okFigures(seconds: number, width: number, { codes = false } = {}) {
  const ok = (r: autocannon.Result) => r['2xx'] / seconds
  const statusCodes = (r: autocannon.Result) => (r.non2xx ? JSON.stringify(Object.keys((r as unknown as { statusCodeStats: object }).statusCodeStats)) : '')
  return {
    ok,
    mean: (rs: autocannon.Result[]) => rs.reduce((n, r) => n + ok(r), 0) / rs.length,
    line: (name: string, r: autocannon.Result) =>
      `  ${name.padEnd(width)} ${ok(r).toFixed(0).padStart(6)} ok/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   2xx ${r['2xx']}  non-2xx ${r.non2xx}${codes ? ` ${statusCodes(r)}` : ''}`,
  }
}

/** CPU seconds so far of this process, and of each client backend of `db`'s database (from /proc; none where it cannot
 * be); and the WAL the whole server has written (pg_stat_wal, PostgreSQL 14+: on a quiet server, this run's own). */
export async function cpuNow(db: { kind: string; query<T>(sql: string, params?: unknown[]): Promise<T[]> }): Promise<{ node: number; backends: Map<number, number>; wal: { bytes: number; fpi: number } | null }> {
  const usage = process.cpuUsage()
  const backends = new Map<number, number>()
  let wal: { bytes: number; fpi: number } | null = null
  if (db.kind === 'postgres') {
    wal = (await db.query<{ bytes: number; fpi: number }>('SELECT wal_bytes::float8 AS bytes, wal_fpi::float8 AS fpi FROM pg_stat_wal').catch(() => []))[0] ?? null
  }
  if (db.kind === 'postgres' && process.platform === 'linux') {
    const pids = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`)
    for (const { pid } of pids) {
      try {
        const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
        backends.set(pid, (Number(f[11]) + Number(f[12])) / 100)
      } catch {
        // a backend on another host, or gone
      }
    }
  }
  return { node: (usage.user + usage.system) / 1e6, backends, wal }
}

/** CPU seconds spent between two readings: a backend that ended in between is left out, one that began counts whole
 * (the reading's own backend is counted too, or it would count whole in the next reading that another one takes);
 * and the WAL bytes and full-page images written in between (null without pg_stat_wal). */
export function cpuSpent(a: Awaited<ReturnType<typeof cpuNow>>, b: Awaited<ReturnType<typeof cpuNow>>): { node: number; db: number; walBytes: number | null; walFpi: number | null } {
  let db = 0
  for (const [pid, s] of b.backends) db += s - (a.backends.get(pid) ?? 0)
  const wal = a.wal && b.wal ? { walBytes: b.wal.bytes - a.wal.bytes, walFpi: b.wal.fpi - a.wal.fpi } : { walBytes: null, walFpi: null }
  return { node: b.node - a.node, db, ...wal }
}

/**
 * The WeChat stand-in in a process of its own (scripts/fake-wechat-process.ts), as WeChat is in production: the
 * adapter that talks to it, its CPU seconds so far (from /proc; 0 where there is none) and a stop.
 */
export async function fakeWechatProcess(): Promise<{ adapter: WechatAdapter; cpu: () => number; stop: () => void }> {
  const credentials = { appId: 'wxbench000000000', secret: 'bench-secret' }
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fake-wechat-process.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, FAKE_WECHAT_APPID: credentials.appId, FAKE_WECHAT_SECRET: credentials.secret },
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString()
      if (out.includes('\n')) resolve(out.split('\n')[0].trim())
    })
    child.once('exit', (code) => reject(new Error(`the WeChat stand-in exited (${code})`)))
  })
  const cpu = () => {
    try {
      const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
      return (Number(f[11]) + Number(f[12])) / 100
    } catch {
      return 0
    }
  }
  return { adapter: httpWechatAdapter({ baseUrl: url, ...credentials }), cpu, stop: () => child.stdin!.end() }
}

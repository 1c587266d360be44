// npm run bench -- faults: API processes on a PostgreSQL and a Redis of its own, under write load, while things break.
// Prints figures (not a test). Needs PostgreSQL 15's binaries (/usr/lib/postgresql/*/bin) and redis-server.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import pg from 'pg'
import sharp from 'sharp'
import { ensureServerBuilt } from './server-build.mjs'

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const PG_PORT = 55_400 + Math.floor(Math.random() * 500)
const REDIS_PORT = PG_PORT + 1000
const API_PORTS = [PG_PORT + 2000, PG_PORT + 2001, PG_PORT + 2002]
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 12)
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-faults-'))
const say = (s: string) => process.stdout.write(`${s}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---------------------------------------------------------------- engines
const pgBin = fs.readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => fs.existsSync(`${d}/pg_ctl`))
if (!pgBin) throw new Error('pg_ctl not found under /usr/lib/postgresql/*/bin')
const pgData = path.join(work, 'pg')
const asPostgres = (cmd: string, args: string[]) => {
  const full = [`${pgBin}/${cmd}`, ...args]
  // initdb and pg_ctl refuse to run as root
  return process.getuid?.() === 0 ? execFileSync('runuser', ['-u', 'postgres', '--', ...full], { stdio: 'pipe' }) : execFileSync(full[0], full.slice(1), { stdio: 'pipe' })
}
function pgStart() {
  asPostgres('pg_ctl', ['-D', pgData, '-l', path.join(pgData, 'log'), '-w', '-o', `-p ${PG_PORT} -k ${work} -c listen_addresses=127.0.0.1 -c max_connections=200`, 'start'])
}
const pgStop = () => asPostgres('pg_ctl', ['-D', pgData, '-m', 'fast', '-w', 'stop'])
let redis: ChildProcess | null = null
async function redisStart() {
  redis = spawn('redis-server', ['--port', String(REDIS_PORT), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('redis-cli', ['-p', String(REDIS_PORT), 'ping'], { stdio: 'pipe' })
      return
    } catch {
      await sleep(50)
    }
  }
  throw new Error('redis-server did not start')
}
async function redisStop() {
  const r = redis
  redis = null
  if (!r) return
  const gone = new Promise((res) => r.once('exit', res))
  r.kill('SIGKILL')
  await gone
}

// ---------------------------------------------------------------- API processes
const DB_URL = `postgres://postgres@127.0.0.1:${PG_PORT}/civiclink`
const api: Array<ChildProcess | null> = [null, null, null]
let mainJs = ''
async function apiStart(i: number) {
  const env = {
    ...process.env, PORT: String(API_PORTS[i]), HOST: '127.0.0.1', DATABASE_URL: DB_URL, REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`, DEMO: '1',
    DATA_DIR: path.join(work, 'data'), PHOTO_URL_SECRET: 'bench', VOLUNTEER_CODE_SECRET: 'bench', LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '10000000', AUTH_RATE_LIMIT_PER_MINUTE: '10000000', DATABASE_POOL_SIZE: '20', DATABASE_CONNECT_TIMEOUT_MS: '1000',
  }
  const child = spawn(process.execPath, [mainJs], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] })
  api[i] = child
  for (let k = 0; k < 600; k++) {
    if (child.exitCode !== null) throw new Error(`API process ${i} exited ${child.exitCode}`)
    if (await fetch(`http://127.0.0.1:${API_PORTS[i]}/api/v1/ready`).then((r) => r.ok, () => false)) return
    await sleep(100)
  }
  throw new Error(`API process ${i} not ready`)
}
async function apiStop(i: number, signal: NodeJS.Signals = 'SIGTERM') {
  const c = api[i]
  api[i] = null
  if (!c || c.exitCode !== null) return
  const gone = new Promise((r) => c.once('exit', r))
  c.kill(signal)
  await gone
}

// ---------------------------------------------------------------- load: a resident sends a 随手拍 (photo, then the report)
interface Tally { ok: number; s503: number; otherStatus: number; neterr: number; acked: number[]; last503?: number; okAt: number[] }
const tally = (): Tally => ({ ok: 0, s503: 0, otherStatus: 0, neterr: 0, acked: [], okAt: [] })
let photo: Buffer
const tokens: string[] = []

/** As nginx with proxy_next_upstream error: a connection refused goes to the next process. */
async function call(alive: number[], n: number, pathname: string, init: RequestInit): Promise<Response> {
  let lastErr: unknown
  for (let k = 0; k < alive.length; k++) {
    const i = alive[(n + k) % alive.length]
    if (!api[i]) continue
    try {
      return await fetch(`http://127.0.0.1:${API_PORTS[i]}${pathname}`, init)
    } catch (err) {
      lastErr = err
      // only a refused connection is safe to send elsewhere (the request never arrived); anything else is the client's error
      if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') throw err
    }
  }
  throw lastErr
}

async function signIn(phone: string): Promise<string> {
  for (;;) {
    const sent = await call([0, 1, 2], 0, '/api/v1/auth/sms/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone }) })
    if (sent.status !== 200) throw new Error(`send ${sent.status} ${await sent.text()}`)
    const code = (await sent.json()).demoCode
    const v = await call([0, 1, 2], 0, '/api/v1/auth/sms/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, code }) })
    if (v.status === 200) return (await v.json()).token
    throw new Error(`verify ${v.status} ${await v.text()}`)
  }
}

async function oneReport(alive: number[], n: number, t: Tally): Promise<void> {
  const token = tokens[n % tokens.length]
  const auth = { authorization: `Bearer ${token}` }
  const note = (status: number) => {
    const now = performance.now()
    if (status === 503) {
      t.s503++
      t.last503 = now
    } else if (status >= 200 && status < 300) {
      t.ok++
      t.okAt.push(now)
    } else t.otherStatus++
  }
  try {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'p.jpg')
    const up = await call(alive, n, '/api/v1/reports/photos', { method: 'POST', headers: auth, body: form })
    note(up.status)
    if (up.status !== 201) return void (await up.arrayBuffer())
    const id = (await up.json()).id
    const body = JSON.stringify({ categoryCode: 'littering', lng: 118.71, lat: 32.005, address: '幸福里 3 号楼旁', description: `压测 ${n}`, anonymous: false, photoIds: [id] })
    const r = await call(alive, n + 1, '/api/v1/reports', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body })
    note(r.status)
    if (r.status === 201) t.acked.push((await r.json()).id)
    else await r.arrayBuffer()
  } catch {
    t.neterr++
  }
}

async function load(alive: number[], ms: number, during?: (elapsed: () => number) => Promise<void>): Promise<Tally & { seconds: number }> {
  const t = tally()
  const start = performance.now()
  let stop = false
  let n = 0
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (!stop) await oneReport(alive, n++, t)
  })
  if (during) await during(() => performance.now() - start)
  while (performance.now() - start < ms) await sleep(50)
  stop = true
  await Promise.all(workers)
  return { ...t, seconds: (performance.now() - start) / 1000 }
}

async function missing(acked: number[]): Promise<number> {
  const c = new pg.Client({ connectionString: DB_URL })
  await c.connect()
  const r = await c.query('SELECT count(*)::int AS n FROM reports WHERE id = ANY($1::bigint[])', [acked])
  await c.end()
  return acked.length - r.rows[0].n
}

// ---------------------------------------------------------------- CPU seconds used: API processes vs PostgreSQL
function cpuOf(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) / 100 // utime + stime, clock ticks of 1/100 s
  } catch {
    return 0
  }
}
function cpuSplit(): { api: number; db: number } {
  const postmaster = Number(fs.readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0])
  let db = cpuOf(postmaster)
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      if (fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(postmaster)) db += cpuOf(Number(d))
    } catch {
      // gone meanwhile
    }
  }
  return { api: api.reduce((n, c) => n + (c?.pid ? cpuOf(c.pid) : 0), 0), db }
}

// ---------------------------------------------------------------- run
async function main() {
  say(`工作目录 ${work}；PostgreSQL ${pgBin} 端口 ${PG_PORT}；Redis 端口 ${REDIS_PORT}；并发 ${CONCURRENCY}；机器 ${os.cpus().length} 核`)
  fs.chownSync(work, 0, 0)
  fs.mkdirSync(pgData)
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', work])
  asPostgres('initdb', ['-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'])
  pgStart()
  execFileSync(`${pgBin}/psql`, ['-h', '127.0.0.1', '-p', String(PG_PORT), '-U', 'postgres', '-c', 'CREATE DATABASE civiclink'], { stdio: 'pipe' })
  await redisStart()
  mainJs = await ensureServerBuilt()
  photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#6688aa' } }).jpeg().toBuffer()
  await apiStart(0)
  await Promise.all([apiStart(1), apiStart(2)])
  for (let i = 0; i < 40; i++) tokens.push(await signIn(`1390000${String(i).padStart(4, '0')}`))

  say('\n## 吞吐（同样的负载：每次 = 上传一张照片 + 提交一条随手拍，两个请求）')
  for (const k of [1, 2, 3]) {
    const before = cpuSplit()
    const r = await load([0, 1, 2].slice(0, k), 15_000)
    const after = cpuSplit()
    const cores = (x: number) => (x / r.seconds).toFixed(2)
    say(`${k} 个 API 进程：${(r.acked.length / r.seconds).toFixed(1)} 条随手拍/秒（${((r.ok) / r.seconds).toFixed(0)} 请求/秒），503 ${r.s503}，其他错误 ${r.otherStatus + r.neterr}；` +
      `CPU：API 进程合计 ${cores(after.api - before.api)} 核，PostgreSQL ${cores(after.db - before.db)} 核（机器共 ${os.cpus().length} 核，负载 ${os.loadavg()[0].toFixed(1)}）`)
  }

  say('\n## kill -9 一个 API 进程（3 个进程，负载中第 4 秒）')
  {
    const r = await load([0, 1, 2], 12_000, async (el) => {
      while (el() < 4000) await sleep(20)
      api[1]?.kill('SIGKILL')
      api[1] = null
    })
    say(`确认写入 ${r.acked.length} 条，库里缺 ${await missing(r.acked)} 条；连接中断的请求 ${r.neterr} 个（客户端收到错误、未被确认），其余进程继续：成功 ${r.ok}`)
    await apiStart(1)
  }

  say('\n## PostgreSQL 停止 3 秒再启动（2 个进程，负载中）')
  {
    let stoppedAt = 0
    let startedAt = 0
    const r = await load([0, 2], 25_000, async (el) => {
      while (el() < 3000) await sleep(20)
      stoppedAt = performance.now()
      pgStop()
      await sleep(3000)
      pgStart()
      startedAt = performance.now()
    })
    const lastFail = r.last503 ?? startedAt
    const firstOk = r.okAt.find((at) => at >= startedAt) ?? NaN
    const after = r.okAt.filter((at) => at > lastFail).length
    say(`从 pg_ctl stop 到 pg_ctl start 完成 ${((startedAt - stoppedAt) / 1000).toFixed(1)} 秒：503 共 ${r.s503} 个，其他错误 ${r.otherStatus + r.neterr}；` +
      `起来后第一个成功 ${((firstOk - startedAt) / 1000).toFixed(2)} 秒，最后一个 503 在起来后 ${((lastFail - startedAt) / 1000).toFixed(2)} 秒，之后 ${after} 个请求全部成功`)
    say(`确认写入 ${r.acked.length} 条，库里缺 ${await missing(r.acked)} 条`)
  }

  say('\n## Redis 停止 3 秒再启动（2 个进程，负载中）')
  {
    let downAt = 0
    let upAt = 0
    let readyBack = 0
    const r = await load([0, 2], 12_000, async (el) => {
      while (el() < 3000) await sleep(20)
      downAt = performance.now()
      await redisStop()
      await sleep(1500)
      const during = await fetch(`http://127.0.0.1:${API_PORTS[0]}/api/v1/ready`).then((x) => x.json())
      say(`停机中 /ready：${JSON.stringify(during)}`)
      await sleep(1500)
      await redisStart()
      upAt = performance.now()
      for (;;) {
        const ok = await Promise.all([0, 2].map((i) => fetch(`http://127.0.0.1:${API_PORTS[i]}/api/v1/ready`).then((x) => x.ok, () => false)))
        if (ok.every(Boolean)) break
        await sleep(20)
      }
      readyBack = performance.now()
    })
    say(`停机 ${((upAt - downAt) / 1000).toFixed(1)} 秒：随手拍照常（限流跳过 Redis）成功 ${r.ok}，503 ${r.s503}，其他错误 ${r.otherStatus + r.neterr}；` +
      `Redis 起来后两个进程 /ready 恢复用时 ${((readyBack - upAt) / 1000).toFixed(2)} 秒；确认写入缺 ${await missing(r.acked)} 条`)
  }
}

main()
  .catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`)
    process.exitCode = 1
  })
  .finally(async () => {
    await Promise.all([0, 1, 2].map((i) => apiStop(i)))
    await redisStop()
    try {
      pgStop()
    } catch {
      // already stopped
    }
    fs.rmSync(work, { recursive: true, force: true })
  })

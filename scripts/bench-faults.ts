// npm run bench -- faults: API processes on a PostgreSQL and a Redis of its own, under mixed load (reports, quiz starts,
// survey answers, dashboard reads), while things break; and a live quiz over WebSocket while Redis goes away.
// Prints figures (not a test). Needs PostgreSQL 15's binaries (/usr/lib/postgresql/*/bin) and redis-server.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import pg from 'pg'
import sharp from 'sharp'
import WebSocket from 'ws'
import { ensureServerBuilt } from './server-build.mjs'
import { HAPPY, makeUsers, percentile, say } from './bench-kit'
import { LIVE_WS_PROTOCOL } from '../types/live-protocol'

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const PG_PORT = 55_400 + Math.floor(Math.random() * 500)
const REDIS_PORT = PG_PORT + 1000
const API_PORTS = [PG_PORT + 2000, PG_PORT + 2001, PG_PORT + 2002]
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 12)
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-faults-'))
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
    ...process.env, PORT: String(API_PORTS[i]), HOST: '127.0.0.1', DATABASE_URL: DB_URL, REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`, DEMO: '1', DEMO_HISTORY: '0',
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

// ---------------------------------------------------------------- load: what residents and the office do at once
// A 随手拍 (photo, then the report), a quiz (start, then submit), a survey answer, a volunteer sign-up (each resident
// once: fresh residents for each, every one an approved volunteer) and the office's dashboard — writes and reads mixed,
// each acknowledged write checked in the database afterwards.
const KINDS = ['report', 'quiz', 'survey', 'signup', 'dashboard'] as const
type Kind = (typeof KINDS)[number]
type WriteKind = Exclude<Kind, 'dashboard'>
const KIND_NAMES: Record<Kind, string> = { report: '随手拍（照片+提交）', quiz: '答题（开始+交卷）', survey: '提交问卷', signup: '志愿报名', dashboard: '看板读取' }
interface KindTally { ok: number; s503: number; otherStatus: number; neterr: number; acked: Array<number | string>; codes: Map<string, number> }
interface Tally { kinds: Record<Kind, KindTally>; last503?: number; okAt: number[] }
const tally = (): Tally => ({
  kinds: Object.fromEntries(KINDS.map((k): [Kind, KindTally] => [k, { ok: 0, s503: 0, otherStatus: 0, neterr: 0, acked: [], codes: new Map() }])) as Tally['kinds'],
  okAt: [],
})
const sum = (t: Tally, f: (k: KindTally) => number) => KINDS.reduce((n, k) => n + f(t.kinds[k]), 0)
let photo: Buffer
const tokens: string[] = []
let officeToken = ''
/** Residents who have not yet started the campaign nor answered the survey: each is used once. */
const fresh: Array<{ id: number; token: string }> = []
let campaignId = 0
let shiftIds: number[] = []
let surveyId = 0
const CITY = '3299'

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
  const sent = await call([0, 1, 2], 0, '/api/v1/auth/sms/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone }) })
  if (sent.status !== 200) throw new Error(`send ${sent.status} ${await sent.text()}`)
  const code = (await sent.json()).demoCode
  const v = await call([0, 1, 2], 0, '/api/v1/auth/sms/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, code }) })
  if (v.status === 200) return (await v.json()).token
  throw new Error(`verify ${v.status} ${await v.text()}`)
}

/** Residents of the demo community, volunteers too, with a session each (thousands; the SMS flow is not what is measured). */
async function makeResidents(n: number, prefix: string): Promise<Array<{ id: number; token: string }>> {
  const c = new pg.Client({ connectionString: DB_URL })
  await c.connect()
  try {
    const out = await makeUsers({ query: async <T>(sql: string, params: unknown[]) => (await c.query(sql, params)).rows as T[] }, n, prefix)
    await c.query(
      `INSERT INTO volunteers (user_id, real_name, phone, community_code, pledge_agreed_at, status, decided_at)
       SELECT u.id, '志愿者', u.phone, $2, now(), 'approved', now() FROM users u WHERE u.id = ANY($1::bigint[])`,
      [out.map((u) => u.id), HAPPY],
    )
    return out
  } finally {
    await c.end()
  }
}

async function oneRequest(alive: number[], n: number, t: Tally): Promise<void> {
  const kind = KINDS[n % KINDS.length]
  const k = t.kinds[kind]
  const note = async (r: Response): Promise<boolean> => {
    const now = performance.now()
    if (r.status === 503) {
      k.s503++
      t.last503 = now
      const code = ((await r.json().catch(() => ({}))) as { code?: string }).code ?? '?'
      k.codes.set(code, (k.codes.get(code) ?? 0) + 1)
      return false
    }
    if (r.status >= 200 && r.status < 300) {
      k.ok++
      t.okAt.push(now)
      return true
    }
    k.otherStatus++
    const code = `${r.status} ${((await r.json().catch(() => ({}))) as { code?: string }).code ?? ''}`
    k.codes.set(code, (k.codes.get(code) ?? 0) + 1)
    return false
  }
  const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })
  try {
    if (kind === 'report') {
      const token = tokens[n % tokens.length]
      const form = new FormData()
      form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'p.jpg')
      const up = await call(alive, n, '/api/v1/reports/photos', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
      if (!(await note(up.clone()))) return
      const id = (await up.json()).id
      const body = JSON.stringify({ categoryCode: 'littering', lng: 118.71, lat: 32.005, address: '幸福里 3 号楼旁', description: `压测 ${n}`, anonymous: false, photoIds: [id] })
      const r = await call(alive, n + 1, '/api/v1/reports', { method: 'POST', headers: json(token), body })
      if (await note(r.clone())) k.acked.push((await r.json()).id)
    } else if (kind === 'quiz') {
      const u = fresh.pop()!
      const started = await call(alive, n, `/api/v1/quiz/campaigns/${campaignId}/attempts`, { method: 'POST', headers: { authorization: `Bearer ${u.token}` } })
      if (!(await note(started.clone()))) return
      const a = (await started.json()) as { id: number; questions: Array<{ id: number }> }
      const answers = a.questions.map((q) => ({ questionId: q.id, choice: [0] }))
      const r = await call(alive, n + 1, `/api/v1/quiz/attempts/${a.id}/submit`, { method: 'POST', headers: json(u.token), body: JSON.stringify({ answers }) })
      if (await note(r.clone())) k.acked.push(a.id)
    } else if (kind === 'signup') {
      const u = fresh.pop()!
      const shift = shiftIds[n % shiftIds.length]
      const r = await call(alive, n, `/api/v1/volunteers/shifts/${shift}/signup`, { method: 'POST', headers: json(u.token), body: '{}' })
      if (await note(r.clone())) k.acked.push(`${shift}:${u.id}`)
    } else if (kind === 'survey') {
      const u = fresh.pop()!
      const answers = {
        age: { choice: 'a30_44' }, residence: { choice: 'gt3y' }, aware: { choice: 'yes' }, support: { choice: n % 7 === 0 ? 'no' : 'yes' },
        overall: { value: 1 + (n % 5) }, areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } },
        // asked only of those not satisfied (overall 1 or 2), and then required
        ...(n % 5 < 2 ? { reasons: { choices: ['sanitation', 'traffic'] } } : {}),
      }
      const r = await call(alive, n, `/api/v1/surveys/${surveyId}/responses`, { method: 'POST', headers: json(u.token), body: JSON.stringify({ answers }) })
      if (await note(r.clone())) k.acked.push(u.id)
    } else {
      const r = await call(alive, n, `/api/v1/rates/dashboard?region=${CITY}&period=day`, { headers: { authorization: `Bearer ${officeToken}` } })
      await note(r.clone())
      await r.arrayBuffer()
    }
  } catch {
    k.neterr++
  }
}

async function load(alive: number[], ms: number, during?: (elapsed: () => number) => Promise<void>): Promise<Tally & { seconds: number }> {
  const t = tally()
  const start = performance.now()
  let stop = false
  let n = 0
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (!stop) {
      if (fresh.length < CONCURRENCY * 2) await refill()
      await oneRequest(alive, n++, t)
    }
  })
  if (during) await during(() => performance.now() - start)
  while (performance.now() - start < ms) await sleep(50)
  stop = true
  await Promise.all(workers)
  return { ...t, seconds: (performance.now() - start) / 1000 }
}
let residentBatch = 0
let refilling: Promise<void> | null = null
/** One batch at a time, whoever notices first (the other workers wait for it). */
function refill(): Promise<void> {
  refilling ??= makeResidents(2000, `17${String(++residentBatch).padStart(3, '0')}`).then((us) => {
    fresh.push(...us)
    refilling = null
  })
  return refilling
}

/** Acknowledged writes not found in the database, per kind. */
async function missing(t: Tally): Promise<Record<WriteKind, number>> {
  const c = new pg.Client({ connectionString: DB_URL })
  await c.connect()
  try {
    const count = async (sql: string, ids: unknown[]) => (await c.query(sql, [ids])).rows[0].n as number
    const r = t.kinds.report.acked
    const q = t.kinds.quiz.acked
    const s = t.kinds.survey.acked
    const v = t.kinds.signup.acked
    return {
      report: r.length - (await count('SELECT count(*)::int AS n FROM reports WHERE id = ANY($1::bigint[])', r)),
      // a submission acknowledged: the attempt is submitted
      quiz: q.length - (await count('SELECT count(*)::int AS n FROM quiz_attempts WHERE id = ANY($1::bigint[]) AND submitted_at IS NOT NULL', q)),
      signup: v.length - (await count(
        `SELECT count(*)::int AS n FROM volunteer_signups su JOIN unnest($1::text[]) AS x(k) ON su.shift_id = split_part(x.k, ':', 1)::bigint
            AND su.user_id = split_part(x.k, ':', 2)::bigint WHERE su.status IN ('confirmed', 'waitlisted')`, v)),
      survey: s.length - (await count(`SELECT count(*)::int AS n FROM survey_responses WHERE survey_id = ${surveyId} AND user_id = ANY($1::bigint[])`, s)),
    }
  } finally {
    await c.end()
  }
}

/** Per kind: ok / 503 (codes) / other errors (codes) / connection errors; and the acknowledged writes missing. */
async function report(t: Tally): Promise<void> {
  const lost = await missing(t)
  for (const kind of KINDS) {
    const k = t.kinds[kind]
    const codes = [...k.codes].map(([c, n]) => `${c}×${n}`).join(' ')
    const gone = kind === 'dashboard' ? '' : `；确认 ${k.acked.length}，库里缺 ${lost[kind]}`
    say(`  ${KIND_NAMES[kind].padEnd(10)} 成功 ${k.ok}，503 ${k.s503}，其他状态 ${k.otherStatus}，连接错误 ${k.neterr}${codes ? `（${codes}）` : ''}${gone}`)
  }
}

// ---------------------------------------------------------------- a live quiz while Redis goes away and comes back
const LIVE_PARTICIPANTS = Number(process.env.BENCH_FAULTS_LIVE_PARTICIPANTS ?? 200)

/**
 * A participant as the mini-program's LiveSocket (src/services/live-socket.ts) behaves: reconnects at once (0.25–0.5 s)
 * after 1012, with back-off after anything else, gives up on 4xxx but 4503; renders from each snapshot, and taps the
 * answer again when a snapshot shows the open question unanswered though they had answered it.
 */
class Participant {
  ws: WebSocket | null = null
  closes = new Map<number, number>()
  closedAt: number[] = []
  errors = new Map<string, number>()
  acked = new Set<number>()
  /** question index → the choice they mean to give */
  intended = new Map<number, number[]>()
  snapshots: Array<{ at: number; m: LiveSnap }> = []
  reveals = new Map<number, number>()
  questions = new Map<number, string[]>()
  gaveUp = ''
  private retries = 0
  private stopped = false

  constructor(readonly userId: number, readonly token: string, readonly port: number, readonly code: string) {}

  connect(): void {
    if (this.stopped) return
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}/api/v1/live/${this.code}/ws`, [LIVE_WS_PROTOCOL, this.token])
    this.ws = ws
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString())
      if (m.type === 'snapshot') {
        this.retries = 0
        this.snapshots.push({ at: performance.now(), m })
        if (m.question && !m.you.answered && this.intended.has(m.question.index)) this.send(m.question.index)
      } else if (m.type === 'answer_ack') this.acked.add(m.questionIndex)
      else if (m.type === 'question') this.questions.set(m.index, m.question.options)
      else if (m.type === 'reveal') this.reveals.set(m.reveal.index, performance.now())
      else if (m.type === 'error') this.errors.set(m.code, (this.errors.get(m.code) ?? 0) + 1)
    })
    ws.on('error', () => undefined)
    ws.on('close', (code) => {
      if (this.ws !== ws) return
      this.closes.set(code, (this.closes.get(code) ?? 0) + 1)
      this.closedAt.push(performance.now())
      if (this.stopped) return
      if (code >= 4000 && code < 5000 && code !== 4503) return void (this.gaveUp = String(code))
      const exp = code === 1012 && this.retries === 0 ? 500 : Math.min(10_000, 500 * 2 ** this.retries)
      this.retries++
      setTimeout(() => this.connect(), exp / 2 + (Math.random() * exp) / 2)
    })
  }

  answer(index: number, choice: number[]): void {
    this.intended.set(index, choice)
    this.send(index)
  }

  private send(index: number): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'answer', questionIndex: index, choice: this.intended.get(index) }))
  }

  stop(): void {
    this.stopped = true
    this.ws?.terminate()
  }
}
interface LiveSnap { state: string; currentIndex: number; question: { index: number } | null; you: { answered: boolean }; participantCount: number }

async function waitFor(what: string, check: () => boolean, ms = 30_000): Promise<boolean> {
  const until = performance.now() + ms
  while (performance.now() < until) {
    if (check()) return true
    await sleep(20)
  }
  say(`  （等待超时 ${ms / 1000} 秒：${what}）`)
  return false
}
const ms = (x: number) => `${Math.round(x)} ms`

/** Two API processes (0 and 2), participants half on each, the host on process 0; Redis stopped mid-question for 3 s. */
async function liveQuizRedisOutage(): Promise<void> {
  const [A, B] = [0, 2]
  const worker = await signIn('13800000002')
  const c = new pg.Client({ connectionString: DB_URL })
  await c.connect()
  const qs = (await c.query<{ id: number; answer: number[]; options: string[] }>(`SELECT id::int AS id, answer, options FROM quiz_questions WHERE kind = 'single' AND active ORDER BY id LIMIT 3`)).rows
  const hostCall = (p: string) => fetch(`http://127.0.0.1:${API_PORTS[A]}/api/v1${p}`, { method: 'POST', headers: { authorization: `Bearer ${worker}`, 'content-type': 'application/json' }, body: '{}' })
  const created = await fetch(`http://127.0.0.1:${API_PORTS[A]}/api/v1/live/sessions`, {
    method: 'POST', headers: { authorization: `Bearer ${worker}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: '故障演练现场赛', questionIds: qs.map((q) => q.id), questionSeconds: 300 }),
  })
  if (created.status !== 201) throw new Error(`live session: ${created.status} ${await created.text()}`)
  const session = (await created.json()) as { id: number; code: string }
  const people = await makeResidents(LIVE_PARTICIPANTS, '15500')
  const players = people.map((u, i) => new Participant(u.id, u.token, API_PORTS[i % 2 === 0 ? A : B], session.code))
  await Promise.all(players.map(async (p) => {
    const r = await fetch(`http://127.0.0.1:${p.port}/api/v1/live/${session.code}/join`, { method: 'POST', headers: { authorization: `Bearer ${p.token}` } })
    if (!r.ok) throw new Error(`join ${r.status} ${await r.text()}`)
    p.connect()
  }))
  await waitFor('every participant has its snapshot', () => players.every((p) => p.snapshots.length > 0))
  const state = async () => (await c.query(`SELECT state, current_index AS i FROM quiz_live_sessions WHERE id = $1`, [session.id])).rows[0] as { state: string; i: number }
  // the option shown at position k is the bank's options[k'] (the session's own order): the right one where it is shown
  const right = (qi: number) => {
    const shown = players[0].questions.get(qi)!
    return [shown.indexOf(qs[qi].options[qs[qi].answer[0]])]
  }

  say(`\n## 现场答题：Redis 在答题中停止 3 秒再启动（${LIVE_PARTICIPANTS} 名参与者，两个 API 进程各一半，WebSocket）`)
  const adv = await hostCall(`/live/sessions/${session.id}/advance`)
  if (!adv.ok) throw new Error(`advance ${adv.status}`)
  await waitFor('question 1 reaches everyone', () => players.every((p) => p.questions.has(0)))
  const half = Math.floor(players.length / 2)
  for (const p of players.slice(0, half)) p.answer(0, right(0))
  await waitFor('the first half acknowledged', () => players.slice(0, half).every((p) => p.acked.has(0)))

  const downAt = performance.now()
  await redisStop()
  await sleep(300)
  // the other half but one answer while Redis is away; the last stays out so that the question stays open
  for (const p of players.slice(half, -1)) p.answer(0, right(0))
  const during = players.slice(half, -1)
  await waitFor('answers during the outage are answered (ack or error)', () => during.every((p) => p.acked.has(0) || p.errors.size > 0), 10_000)
  const duringAcked = during.filter((p) => p.acked.has(0)).length
  const duringRefused = new Map<string, number>()
  for (const p of during) for (const [code, n] of p.errors) duringRefused.set(code, (duringRefused.get(code) ?? 0) + n)
  const before = await state()
  const hostTry = await hostCall(`/live/sessions/${session.id}/advance`)
  const hostBody = (await hostTry.json().catch(() => ({}))) as { code?: string }
  const afterTry = await state()
  say(`  停机中作答 ${during.length} 个：确认 ${duringAcked}，拒绝 ${[...duringRefused].map(([k, n]) => `${k}×${n}`).join(' ') || '0'}`)
  say(`  停机中主持人点「下一步」：${hostTry.status} ${hostBody.code ?? ''}；场次状态 ${before.state}#${before.i} → ${afterTry.state}#${afterTry.i}${before.state === afterTry.state && before.i === afterTry.i ? '（未改变）' : '（已改变！）'}`)
  await sleep(Math.max(0, 3000 - (performance.now() - downAt)))

  const snapsBefore = players.map((p) => p.snapshots.length)
  const upAt = performance.now()
  await redisStart()
  const allBack = await waitFor('every participant reconnected with a fresh snapshot', () => players.every((p, i) => p.snapshots.length > snapsBefore[i]))
  const told = players.map((p) => p.closedAt.find((at) => at >= upAt)).filter((x): x is number => x !== undefined).map((at) => at - upAt)
  const backAt = players.map((p, i) => (p.snapshots.length > snapsBefore[i] ? p.snapshots[snapsBefore[i]].at - upAt : NaN)).filter((x) => !Number.isNaN(x))
  const closes = new Map<number, number>()
  for (const p of players) for (const [code, n] of p.closes) closes.set(code, (closes.get(code) ?? 0) + n)
  say(`  Redis 起来后：连接关闭 ${[...closes].map(([k, n]) => `${k}×${n}`).join(' ')}；重连并拿到新快照 ${backAt.length}/${players.length} 人` +
    `；1012 在 Redis 起来后 p50 ${ms(percentile(told, 50))} / 最慢 ${ms(Math.max(...told))} 到达，新快照 p50 ${ms(percentile(backAt, 50))} / p95 ${ms(percentile(backAt, 95))} / 最慢 ${ms(Math.max(...backAt))}${allBack ? '' : '（有人没回来）'}；放弃重连 ${players.filter((p) => p.gaveUp).length} 人`)
  const wrongSnap = players.filter((p) => {
    const s = p.snapshots.at(-1)!.m
    return s.question?.index === 0 && s.you.answered !== p.acked.has(0)
  }).length
  say(`  快照里「已作答」与收到的确认不一致：${wrongSnap} 人`)

  // the rest answer (and whoever was refused taps again): the question closes, the leaderboard reaches everyone
  for (const p of players) if (!p.acked.has(0)) p.answer(0, right(0))
  const sentAt = performance.now()
  const revealed = await waitFor('reveal of question 1 reaches everyone', () => players.every((p) => p.reveals.has(0)))
  const lat = players.filter((p) => p.reveals.has(0)).map((p) => p.reveals.get(0)! - sentAt)
  say(`  恢复后最后一批作答 → 排行榜到达每人：p50 ${ms(percentile(lat, 50))} / p95 ${ms(percentile(lat, 95))}${revealed ? '' : '（有人没收到）'}`)
  // one more question through the bus, to show the fan-out is whole again
  await hostCall(`/live/sessions/${session.id}/advance`)
  const q2 = await waitFor('question 2 reaches everyone', () => players.every((p) => p.questions.has(1)))
  for (const p of players) p.answer(1, right(1))
  const r2 = await waitFor('reveal of question 2 reaches everyone', () => players.every((p) => p.reveals.has(1)))
  say(`  第 2 题：题目到达 ${players.filter((p) => p.questions.has(1)).length}/${players.length} 人，排行榜到达 ${players.filter((p) => p.reveals.has(1)).length}/${players.length} 人${q2 && r2 ? '' : '（不完整）'}`)
  await hostCall(`/live/sessions/${session.id}/finish`)

  const acked = players.flatMap((p) => [...p.acked].map((qi) => ({ u: p.userId, qi })))
  const stored = (await c.query(
    `SELECT count(*)::int AS n FROM quiz_live_answers a JOIN jsonb_to_recordset($2::jsonb) AS x(u bigint, qi int) ON a.user_id = x.u AND a.question_index = x.qi WHERE a.session_id = $1`,
    [session.id, JSON.stringify(acked)],
  )).rows[0].n as number
  say(`  确认过的作答 ${acked.length} 个，库里缺 ${acked.length - stored} 个；收到的错误 ${[...new Map(players.flatMap((p) => [...p.errors])).keys()].join('、') || '无'}`)
  for (const p of players) p.stop()
  await c.end()
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
  officeToken = await signIn('13800000003')
  await setupCampaignAndSurvey()
  await refill()

  say('\n## 吞吐（同样的混合负载：随手拍 = 上传一张照片 + 提交；答题 = 开始 + 交卷；提交问卷；志愿报名；看板读取，五类轮流）')
  for (const k of [1, 2, 3]) {
    const before = cpuSplit()
    const r = await load([0, 1, 2].slice(0, k), 15_000)
    const after = cpuSplit()
    const cores = (x: number) => (x / r.seconds).toFixed(2)
    const per = KINDS.map((kind) => `${KIND_NAMES[kind]} ${(r.kinds[kind].ok / r.seconds / (kind === 'report' || kind === 'quiz' ? 2 : 1)).toFixed(1)}`).join('，')
    say(`${k} 个 API 进程：每秒 ${per}（共 ${(sum(r, (x) => x.ok) / r.seconds).toFixed(0)} 请求/秒），503 ${sum(r, (x) => x.s503)}，其他错误 ${sum(r, (x) => x.otherStatus + x.neterr)}；` +
      `CPU：API 进程合计 ${cores(after.api - before.api)} 核，PostgreSQL ${cores(after.db - before.db)} 核（机器共 ${os.cpus().length} 核，负载 ${os.loadavg()[0].toFixed(1)}）`)
  }

  say('\n## kill -9 一个 API 进程（3 个进程，负载中第 4 秒）')
  {
    const r = await load([0, 1, 2], 12_000, async (el) => {
      while (el() < 4000) await sleep(20)
      api[1]?.kill('SIGKILL')
      api[1] = null
    })
    await report(r)
    say(`  连接中断的请求（客户端收到错误、未被确认）${sum(r, (x) => x.neterr)} 个，其余进程继续`)
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
    say(`从 pg_ctl stop 到 pg_ctl start 完成 ${((startedAt - stoppedAt) / 1000).toFixed(1)} 秒；起来后第一个成功 ${((firstOk - startedAt) / 1000).toFixed(2)} 秒，` +
      `最后一个 503 在起来后 ${((lastFail - startedAt) / 1000).toFixed(2)} 秒，之后 ${after} 个请求全部成功`)
    await report(r)
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
    say(`停机 ${((upAt - downAt) / 1000).toFixed(1)} 秒（限流跳过 Redis）；Redis 起来后两个进程 /ready 恢复用时 ${((readyBack - upAt) / 1000).toFixed(2)} 秒`)
    await report(r)
  }

  // the live quiz with the mixed load going on beside it
  {
    let done = false
    const r = await load([0, 2], 0, async () => {
      await liveQuizRedisOutage().finally(() => {
        done = true
      })
    })
    if (!done) throw new Error('live quiz scenario did not finish')
    say('  同时的混合负载：')
    await report(r)
  }
}

/** A quiz campaign every resident may start once, and the standard survey, both for the demo community. */
async function setupCampaignAndSurvey(): Promise<void> {
  const c = new pg.Client({ connectionString: DB_URL })
  await c.connect()
  const w = await c.query<{ id: number }>(`SELECT id::int AS id FROM users WHERE phone = '13800000002'`)
  campaignId = (await c.query<{ id: number }>(
    `INSERT INTO quiz_campaigns (region_code, title, starts_at, ends_at, question_count, time_limit_seconds, pass_score, max_attempts, created_by)
     VALUES ($1, '故障演练答题', now() - interval '1 hour', now() + interval '1 day', 5, 600, 60, 1, $2) RETURNING id::int AS id`,
    [HAPPY, w.rows[0].id],
  )).rows[0].id
  // one activity of 50 shifts a day apart (none overlap), room for every sign-up of a run
  const act = (await c.query<{ id: number }>(
    `INSERT INTO volunteer_activities (type, title, description, lng, lat, radius_m, address, region_code, created_by)
     VALUES ('traffic', '故障演练志愿岗', '压测', 118.71, 32.005, 200, '幸福路口', $1, $2) RETURNING id::int AS id`,
    [HAPPY, w.rows[0].id],
  )).rows[0].id
  shiftIds = (await c.query<{ id: number }>(
    `INSERT INTO volunteer_shifts (activity_id, starts_at, ends_at, capacity, signup_deadline, cancel_deadline)
     SELECT $1, t, t + interval '2 hours', 10000, t - interval '1 hour', t - interval '2 hours'
       FROM (SELECT now() + make_interval(days => 10 + i) AS t FROM generate_series(1, 50) i) s
     RETURNING id::int AS id`,
    [act],
  )).rows.map((r) => r.id)
  await c.end()
  const headers = { authorization: `Bearer ${officeToken}`, 'content-type': 'application/json' }
  const created = await call([0], 0, '/api/v1/surveys/admin', {
    method: 'POST', headers,
    body: JSON.stringify({
      template: 'chuangwen_standard', title: '故障演练问卷', regionCode: HAPPY, audience: 'residents', anonymous: false,
      startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 86400_000).toISOString(),
    }),
  })
  if (created.status !== 201) throw new Error(`survey: ${created.status} ${await created.text()}`)
  surveyId = (await created.json()).id
  const pub = await call([0], 0, `/api/v1/surveys/admin/${surveyId}/publish`, { method: 'POST', headers: { authorization: `Bearer ${officeToken}` } })
  if (pub.status !== 200) throw new Error(`publish: ${pub.status} ${await pub.text()}`)
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

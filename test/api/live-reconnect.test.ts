import crypto from 'node:crypto'
import net from 'node:net'
import type { FastifyInstance } from 'fastify'
import WebSocket from 'ws'
import { buildApp } from '../../server/app'
import { createRuntime, stopGracefully, type Runtime } from '../../server/bootstrap'
import { loadConfig, type Config } from '../../server/config'
import type { Db } from '../../server/db/types'
import { demoSms } from '../../server/platform/sms'
import { DEMO_ACCOUNTS, seedDemo } from '../../server/seed/demo'
import { LIVE_WS_PROTOCOL } from '../../types/live-protocol'
import { createTestDb } from '../helpers/db'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy'

/**
 * A live quiz's WebSocket is closed with 1012 (service restart) when its process stops (SIGTERM → stopGracefully) and
 * when the process's Redis link comes back (messages published meanwhile were lost). The mini-program's own client
 * (src/services/live-socket.ts, with Taro's connectSocket over a real WebSocket) reconnects and resumes from the snapshot.
 */

// the client under test, as the mini-program runs it: Taro.connectSocket is the only platform call it makes
jest.mock('@tarojs/taro', () => {
  const WS = jest.requireActual('ws')
  return {
    __esModule: true,
    default: {
      getStorageSync: (key: string) => (key === 'civiclink.token' ? (globalThis as { liveToken?: string }).liveToken ?? '' : ''),
      connectSocket: async ({ url, protocols }: { url: string; protocols: string[] }) => {
        const ws = new WS(url, protocols)
        ws.on('error', () => undefined)
        return {
          onOpen: (cb: () => void) => ws.on('open', cb),
          onMessage: (cb: (ev: { data: string }) => void) => ws.on('message', (raw: Buffer) => cb({ data: raw.toString() })),
          onClose: (cb: (res: { code: number; reason: string }) => void) => ws.on('close', (code: number, reason: Buffer) => cb({ code, reason: reason.toString() })),
          onError: (cb: (err: { errMsg: string }) => void) => ws.on('error', (e: Error) => cb({ errMsg: e.message })),
          send: ({ data }: { data: string }) => ws.send(data),
          close: () => ws.close(),
        }
      },
    },
  }
})

const NO_JOBS: Config['jobs'] = { outboxMs: 0, photoSweepMs: 0, quizSweepMs: 0, ratesMs: 0, volunteerReminderMs: 0, bulletinMs: 0, surveyOpeningMs: 0, surveyCountsMs: 0 }
const HAPPY = '329901001001'

async function until(what: string, check: () => boolean | Promise<boolean>, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`gave up waiting for: ${what}`)
}

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as net.AddressInfo
    s.close(() => resolve(port))
  })
})

interface Proc { app: FastifyInstance; runtime: Runtime }
async function apiProcess(db: Db, over: Partial<Config> = {}): Promise<Proc> {
  const config: Config = { ...loadConfig({}), demo: true, rateLimitPerMinute: 100_000, authRateLimitPerMinute: 100_000, jobs: NO_JOBS, ...over }
  const runtime = await createRuntime(config, db, { sms: demoSms() })
  const app = await buildApp(runtime.ctx)
  await app.ready()
  return { app, runtime }
}
async function login(app: FastifyInstance, phone: string): Promise<string> {
  const sent = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone } })
  const v = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/verify', payload: { phone, code: sent.json().demoCode } })
  if (v.statusCode !== 200) throw new Error(v.body)
  return v.json().token
}
const as = (app: FastifyInstance, token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } })

/** A session with one question open, a resident who joined; returns what the sockets need. */
async function openQuestion(p: Proc) {
  const worker = await login(p.app, DEMO_ACCOUNTS.worker.phone)
  const resident = await login(p.app, `137${String(crypto.randomInt(0, 1e8)).padStart(8, '0')}`)
  expect((await p.app.inject({ method: 'PATCH', url: '/api/v1/me', payload: { communityCode: HAPPY, nickname: '重连选手' }, headers: { authorization: `Bearer ${resident}` } })).statusCode).toBe(200)
  const qs = await p.runtime.ctx.db.query<{ id: number }>(`SELECT id::int AS id FROM quiz_questions WHERE kind = 'single' ORDER BY id LIMIT 2`)
  const created = await as(p.app, worker, 'POST', '/api/v1/live/sessions', { title: '重连测试', questionIds: qs.map((q) => q.id), questionSeconds: 300 })
  expect(created.statusCode).toBe(201)
  const session = created.json() as { id: number; code: string }
  expect((await as(p.app, resident, 'POST', `/api/v1/live/${session.code}/join`)).statusCode).toBe(200)
  expect((await as(p.app, worker, 'POST', `/api/v1/live/sessions/${session.id}/advance`)).statusCode).toBe(200)
  return { worker, resident, session }
}

/** A bare ws client: every message and the close (code, reason). */
function rawSocket(url: string, token: string) {
  const messages: Array<Record<string, any>> = []
  let closed: { code: number; reason: string } | null = null
  const ws = new WebSocket(url, [LIVE_WS_PROTOCOL, token])
  ws.on('message', (raw) => messages.push(JSON.parse(raw.toString())))
  ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() }
  })
  ws.on('error', () => undefined)
  return { ws, messages, closed: () => closed }
}

async function liveSocketClass() {
  // config.ts reads the API base when first imported
  const mod = await import('../../src/services/live-socket')
  return mod.LiveSocket
}

describe('graceful shutdown (the SIGTERM path)', () => {
  let db: Db
  let drop: () => Promise<void>
  let a: Proc
  let b: Proc | null = null
  let port: number

  beforeAll(async () => {
    ;({ db, drop } = await createTestDb())
    a = await apiProcess(db)
    await seedDemo(a.runtime.ctx)
    port = await freePort()
    await a.app.listen({ port, host: '127.0.0.1' })
    process.env.TARO_APP_API_BASE = `http://127.0.0.1:${port}`
  })
  afterAll(async () => {
    if (b) {
      await b.app.close()
      await b.runtime.close()
    }
    await drop()
  })

  it('closes every live socket with 1012 "server restarting"; the mini-program client reconnects to the process that takes over and resumes', async () => {
    const { resident, session } = await openQuestion(a)
    const raw = rawSocket(`ws://127.0.0.1:${port}/api/v1/live/${session.code}/ws`, resident)
    await until('the raw socket has its snapshot', () => raw.messages.some((m) => m.type === 'snapshot'))

    ;(globalThis as { liveToken?: string }).liveToken = resident
    const LiveSocket = await liveSocketClass()
    const got: Array<Record<string, any>> = []
    const statuses: Array<{ status: string; reason?: string }> = []
    const client = new LiveSocket(session.code, {
      onMessage: (m) => got.push(m as Record<string, any>),
      onStatus: (status, info) => statuses.push({ status, reason: info.reason }),
    })
    client.start()
    await until('the client is open with a snapshot', () => client.status === 'open' && got.some((m) => m.type === 'snapshot'))

    // the same database, another process ready to take the address once this one has let go of it (a rolling restart)
    b = await apiProcess(db)
    const stopped = await stopGracefully(a.app, a.runtime, async () => undefined, 10_000)
    expect(stopped).toBe(true)
    await until('the raw socket is closed', () => raw.closed() !== null)
    expect(raw.closed()).toEqual({ code: 1012, reason: 'server restarting' })
    expect(statuses).toContainEqual({ status: 'reconnecting', reason: '服务器重启' })

    await b.app.listen({ port, host: '127.0.0.1' })
    const before = got.filter((m) => m.type === 'snapshot').length
    await until('the client resumed on the new process', () => client.status === 'open' && got.filter((m) => m.type === 'snapshot').length > before)
    const snap = got.filter((m) => m.type === 'snapshot').at(-1)!
    expect(snap).toMatchObject({ state: 'question', currentIndex: 0, you: { role: 'participant', answered: false } })
    // and it answers there
    expect(client.send({ type: 'answer', questionIndex: 0, choice: [0] })).toBe(true)
    await until('the answer is acknowledged', () => got.some((m) => m.type === 'answer_ack'))
    client.close()
  })
})

const redisUrl = process.env.REDIS_URL
;(redisUrl ? describe : describe.skip)('Redis link dropped and back', () => {
  let db: Db
  let drop: () => Promise<void>
  let proxy: TcpProxy
  let p: Proc

  beforeAll(async () => {
    ;({ db, drop } = await createTestDb())
    const target = new URL(redisUrl!)
    proxy = await startTcpProxy(target.hostname, Number(target.port || 6379))
    const via = new URL(redisUrl!)
    via.hostname = '127.0.0.1'
    via.port = String(proxy.port)
    p = await apiProcess(db, { redisUrl: via.toString() })
    await seedDemo(p.runtime.ctx)
    await p.app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(async () => {
    await p?.app.close()
    await p?.runtime.close()
    await proxy?.close()
    await drop()
  })

  it('while away: answers are still acknowledged, the host cannot step on (503, nothing changes); once back: 1012 "bus reconnected", and the resumed snapshot has it all', async () => {
    const { worker, resident, session } = await openQuestion(p)
    const port = (p.app.server.address() as net.AddressInfo).port
    const raw = rawSocket(`ws://127.0.0.1:${port}/api/v1/live/${session.code}/ws`, resident)
    await until('snapshot', () => raw.messages.some((m) => m.type === 'snapshot'))

    proxy.cut()
    await until('readiness reports Redis', async () => (await p.app.inject({ method: 'GET', url: '/api/v1/ready' })).statusCode === 503)
    raw.ws.send(JSON.stringify({ type: 'answer', questionIndex: 0, choice: [0] }))
    await until('the answer is answered', () => raw.messages.some((m) => m.type === 'answer_ack' || m.type === 'error'))
    expect(raw.messages.find((m) => m.type === 'answer_ack' || m.type === 'error')).toEqual({ type: 'answer_ack', questionIndex: 0, accepted: true })
    const step = await as(p.app, worker, 'POST', `/api/v1/live/sessions/${session.id}/advance`)
    expect(step.statusCode).toBe(503)
    expect(step.headers['retry-after']).toBe('5')
    expect(step.json().code).toBe('REDIS_UNAVAILABLE')
    const fin = await as(p.app, worker, 'POST', `/api/v1/live/sessions/${session.id}/finish`)
    expect(fin.json().code).toBe('REDIS_UNAVAILABLE')
    expect(await db.one('SELECT state, current_index AS i FROM quiz_live_sessions WHERE id = $1', [session.id])).toEqual({ state: 'question', i: 0 })
    expect(raw.closed()).toBeNull()

    proxy.restore()
    await until('the socket is told to reconnect', () => raw.closed() !== null)
    expect(raw.closed()).toEqual({ code: 1012, reason: 'bus reconnected' })
    const again = rawSocket(`ws://127.0.0.1:${port}/api/v1/live/${session.code}/ws`, resident)
    await until('snapshot after reconnecting', () => again.messages.some((m) => m.type === 'snapshot'))
    expect(again.messages.find((m) => m.type === 'snapshot')).toMatchObject({ state: 'question', currentIndex: 0, you: { answered: true } })
    // the host steps on now, and the step reaches the socket through Redis
    expect((await as(p.app, worker, 'POST', `/api/v1/live/sessions/${session.id}/advance`)).statusCode).toBe(200)
    await until('the reveal arrives', () => again.messages.some((m) => m.type === 'reveal'))
    again.ws.terminate()
  })
})

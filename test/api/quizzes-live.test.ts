import type { FastifyInstance } from 'fastify'
import WebSocket from 'ws'
import { LIVE_WS_PROTOCOL } from '../../types/live-protocol'
import { buildApp } from '../../server/app'
import { createRuntime, type Runtime } from '../../server/bootstrap'
import { redisBus } from '../../server/lib/redis-bus'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'


const HAPPY = '329901001001'

/** A WebSocket client that keeps every message and waits for the one wanted. */
class Client {
  readonly messages: Array<Record<string, any>> = []
  private waiters: Array<() => void> = []
  ws!: WebSocket
  constructor(private readonly url: string, private readonly token?: string) {}
  open(): Promise<this> {
    // as the mini-program does: the token is the second subprotocol offered, never in the URL
    this.ws = new WebSocket(this.url, this.token ? [LIVE_WS_PROTOCOL, this.token] : [])
    this.ws.on('message', (raw) => {
      this.messages.push(JSON.parse(raw.toString()))
      this.waiters.forEach((w) => w())
    })
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve(this))
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
      this.ws.once('error', reject)
    })
  }
  send(m: unknown) {
    this.ws.send(JSON.stringify(m))
  }
  async next(type: string, pred: (m: Record<string, any>) => boolean = () => true, timeoutMs = 5000): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = this.messages.findIndex((m) => m.type === type && pred(m))
      if (i >= 0) return this.messages.splice(i, 1)[0]
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no ${type} message; got ${JSON.stringify(this.messages.map((m) => m.type))}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(t); resolve() })
      })
      this.waiters = []
    }
  }
  /** For a refused join: the error message and the close code (4000 + HTTP status). */
  refused(): Promise<{ code: string; closeCode: number }> {
    return new Promise((resolve) => {
      this.ws.once('close', (closeCode) => resolve({ code: this.messages.find((m) => m.type === 'error')?.code, closeCode }))
    })
  }
  close() {
    this.ws.terminate()
  }
}

let t: TestApp
let base: string
let worker: string
let workerId: number
let seq = 0

beforeAll(async () => {
  t = await createTestApp()
  base = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws')
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  workerId = (await t.as(worker, { method: 'GET', url: '/api/v1/me' })).json().id
})
afterAll(() => t.close())

async function player(community: string | null = HAPPY): Promise<{ token: string; id: number; nickname: string }> {
  const n = ++seq // taken once: players are made concurrently
  const nickname = `选手${n}`
  const token = await t.login(`1370000${String(n).padStart(4, '0')}`)
  if (community) await t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: community, nickname } })
  return { token, id: (await t.as(token, { method: 'GET', url: '/api/v1/me' })).json().id, nickname }
}

/** A participant's socket: joining is its own request (POST join); the socket only serves those who joined. */
async function joinWs(token: string, code: string): Promise<Client> {
  expect((await t.as(token, { method: 'POST', url: `/api/v1/live/${code}/join` })).statusCode).toBe(200)
  return new Client(`${base}/api/v1/live/${code}/ws`, token).open()
}

async function questionSet(n: number) {
  return t.ctx.db.query<{ id: number; answer: number[]; options: string[] }>(
    `SELECT id::int AS id, answer, options FROM quiz_questions WHERE kind = 'single' ORDER BY id LIMIT $1`, [n])
}

async function createSession(questionIds: number[], seconds = 30) {
  const r = await t.as(worker, { method: 'POST', url: '/api/v1/live/sessions', payload: { title: '社区文明知识现场赛', questionIds, questionSeconds: seconds } })
  expect(r.statusCode).toBe(201)
  return r.json() as { id: number; code: string; qrDataUrl: string; wsPath: string }
}

const wrongOf = (q: { answer: number[]; options: string[] }) => [q.options.findIndex((_, i) => !q.answer.includes(i))]
/** The question as the session shows it (its options in the session's order): the answer in those positions. */
const asShown = (q: { answer: number[]; options: string[] }, options: string[]) =>
  ({ options, answer: q.answer.map((i) => options.indexOf(q.options[i])).sort((a, b) => a - b) })

describe('live quiz', () => {
  it('only staff host; residents join by code over WebSocket and play through to a podium', async () => {
    const [q1, q2] = await questionSet(2)
    const asResident = await t.as((await player()).token, { method: 'POST', url: '/api/v1/live/sessions', payload: { title: 'x', questionIds: [q1.id] } })
    expect(asResident.statusCode).toBe(403)
    expect((await t.as(worker, { method: 'POST', url: '/api/v1/live/sessions', payload: { title: 'x', questionIds: [] } })).json().code).toBe('VALIDATION_FAILED')

    // a question another community imported is not the host's to use (as in a draw); the office may use any
    const elsewhere = await t.ctx.db.one<{ id: number }>(
      `INSERT INTO quiz_questions (kind, stem, options, answer, difficulty, region_code)
       SELECT 'judge', '别的社区导入的题', '["对","错"]', '[0]', 1, code FROM regions WHERE level = 'community' AND code <> $1 LIMIT 1
       RETURNING id::int AS id`, [HAPPY])
    const foreign = await t.as(worker, { method: 'POST', url: '/api/v1/live/sessions', payload: { title: 'x', questionIds: [q1.id, elsewhere!.id] } })
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'QUESTION_NOT_FOUND'])
    const office = await t.login(DEMO_ACCOUNTS.office.phone)
    expect((await t.as(office, { method: 'POST', url: '/api/v1/live/sessions', payload: { title: '全市赛', questionIds: [elsewhere!.id] } })).statusCode).toBe(201)

    const s = await createSession([q1.id, q2.id])
    expect(s.code).toMatch(/^\d{6}$/)
    expect(s.qrDataUrl.startsWith('data:image/png;base64,')).toBe(true)
    const png = await t.as(worker, { method: 'GET', url: `/api/v1/live/sessions/${s.id}/qr.png` })
    expect(png.headers['content-type']).toBe('image/png')

    const host = await new Client(`${base}${s.wsPath}`, worker).open()
    expect((await host.next('snapshot')).you.role).toBe('host')
    const alice = await player()
    const bob = await player()
    const a = await joinWs(alice.token, s.code)
    const lobby = await a.next('snapshot')
    expect(lobby).toMatchObject({ state: 'lobby', currentIndex: -1, question: null, you: { role: 'participant', score: 0 } })
    expect(lobby.participants.map((p: { userId: number }) => p.userId)).toEqual([alice.id])
    const b = await joinWs(bob.token, s.code)
    await b.next('snapshot')
    expect((await host.next('joined', (m) => m.participant.userId === bob.id)).participantCount).toBe(2)
    expect((await a.next('joined', (m) => m.participant.userId === bob.id)).participantCount).toBe(2)

    // a bad token or code never upgrades
    expect(await (await new Client(`${base}/api/v1/live/${s.code}/ws`, 'x'.repeat(40)).open()).refused()).toEqual({ code: 'INVALID_TOKEN', closeCode: 4401 })
    expect(await (await new Client(`${base}/api/v1/live/000000/ws`, alice.token).open()).refused()).toEqual({ code: 'LIVE_NOT_FOUND', closeCode: 4404 })
    // a token in the URL is not read (URLs end up in logs): without the subprotocol nobody is signed in
    expect(await (await new Client(`${base}/api/v1/live/${s.code}/ws?token=${alice.token}`).open()).refused()).toEqual({ code: 'UNAUTHENTICATED', closeCode: 4401 })

    // answering before any question is refused
    a.send({ type: 'answer', questionIndex: 0, choice: [0] })
    expect((await a.next('error')).code).toBe('LIVE_NOT_CURRENT_QUESTION')

    host.send({ type: 'advance' })
    const question = await a.next('question')
    expect(question).toMatchObject({ index: 0, total: 2, question: { id: q1.id } })
    expect(JSON.stringify(question)).not.toMatch(/"answer"|"explanation"/)
    await b.next('question')
    const s1 = asShown(q1, question.question.options)
    // one order of the options for the session: the host's screen shows what the participants answer to
    expect((await t.as(worker, { method: 'GET', url: `/api/v1/live/${s.code}/state` })).json().question.question.options).toEqual(s1.options)
    expect([...s1.options].sort()).toEqual([...q1.options].sort())

    a.send({ type: 'answer', questionIndex: 0, choice: s1.answer })
    expect(await a.next('answer_ack')).toMatchObject({ questionIndex: 0, accepted: true })
    a.send({ type: 'answer', questionIndex: 0, choice: wrongOf(s1) })
    expect((await a.next('error')).code).toBe('LIVE_ALREADY_ANSWERED')
    expect((await host.next('progress')).answered).toBe(1)
    const twice = await t.as(alice.token, { method: 'POST', url: `/api/v1/live/${s.code}/answer`, payload: { questionIndex: 0, choice: s1.answer } })
    expect(twice.json().code).toBe('LIVE_ALREADY_ANSWERED')
    const dbRows = await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_live_answers WHERE session_id = $1 AND user_id = $2', [s.id, alice.id])
    expect(dbRows!.n).toBe(1)

    // bob drops and comes back mid-question: the snapshot has the open question, without its answer
    b.close()
    const b2 = await new Client(`${base}/api/v1/live/${s.code}/ws`, bob.token).open()
    const resumed = await b2.next('snapshot')
    expect(resumed).toMatchObject({ state: 'question', currentIndex: 0, question: { index: 0, question: { id: q1.id } }, you: { answered: false } })
    expect(JSON.stringify(resumed)).not.toMatch(/"answer"|"explanation"/)
    b2.send({ type: 'answer', questionIndex: 0, choice: wrongOf(s1) })
    await b2.next('answer_ack')

    // all answered: the question closes and everyone gets the answer and the standings
    const reveal = await a.next('reveal')
    expect(reveal.reveal).toMatchObject({ index: 0, questionId: q1.id, answer: s1.answer })
    expect(reveal.leaderboard[0]).toMatchObject({ userId: alice.id, rank: 1 })
    expect(reveal.leaderboard[0].score).toBeGreaterThanOrEqual(500)
    expect(reveal.you).toMatchObject({ rank: 1 })
    expect((await b2.next('reveal')).you).toMatchObject({ score: 0, rank: 2 })
    await host.next('reveal')

    host.send({ type: 'advance' })
    const s2 = asShown(q2, (await a.next('question', (m) => m.index === 1)).question.options)
    // an answer to the past question is refused
    a.send({ type: 'answer', questionIndex: 0, choice: s1.answer })
    expect((await a.next('error')).code).toBe('LIVE_NOT_CURRENT_QUESTION')
    const late = await t.as(bob.token, { method: 'POST', url: `/api/v1/live/${s.code}/answer`, payload: { questionIndex: 0, choice: s1.answer } })
    expect(late.statusCode).toBe(409)
    // an outsider who never joined cannot answer over HTTP without joining (POST join makes them a participant)
    const stranger = await player(null)
    // bob answers ten seconds into the question (its clock moved back rather than waited): alice, quicker on hers, stays ahead
    await t.ctx.db.query(`UPDATE quiz_live_sessions SET question_started_at = question_started_at - interval '10 seconds', question_ends_at = question_ends_at - interval '10 seconds' WHERE id = $1`, [s.id])
    b2.send({ type: 'answer', questionIndex: 1, choice: s2.answer })
    await b2.next('answer_ack')
    // the host closes the question before alice answers; her answer after that is refused
    host.send({ type: 'advance' })
    await a.next('reveal', (m) => m.reveal.index === 1)
    a.send({ type: 'answer', questionIndex: 1, choice: s2.answer })
    expect((await a.next('error')).code).toBe('LIVE_QUESTION_CLOSED')
    const r2 = await t.as(stranger.token, { method: 'POST', url: `/api/v1/live/${s.code}/answer`, payload: { questionIndex: 1, choice: s2.answer } })
    expect(r2.json().code).toBe('LIVE_NOT_JOINED')

    host.send({ type: 'advance' }) // after the last question: finished
    const fin = await a.next('finished').catch((e) => { throw new Error(e.message + JSON.stringify(host.messages)) })
    expect(fin.podium.map((p: { userId: number }) => p.userId)).toEqual([alice.id, bob.id])
    expect(fin.you.rank).toBe(1)
    await b2.next('finished')
    // a reconnect after the end gets the final state
    a.close()
    const a2 = await new Client(`${base}/api/v1/live/${s.code}/ws`, alice.token).open()
    expect(await a2.next('snapshot')).toMatchObject({ state: 'finished', leaderboard: [{ userId: alice.id }, { userId: bob.id }] })
    // a newcomer cannot join a finished session
    expect(await (await new Client(`${base}/api/v1/live/${s.code}/ws`, stranger.token).open()).refused()).toEqual({ code: 'LIVE_FINISHED', closeCode: 4409 })
    // results are in the participants' records and 错题本
    const records = (await t.as(bob.token, { method: 'GET', url: '/api/v1/quiz/attempts' })).json().items
    expect(records[0]).toMatchObject({ kind: 'live', title: '社区文明知识现场赛', status: 'submitted', score: 50 })
    const wrong = (await t.as(bob.token, { method: 'GET', url: '/api/v1/quiz/wrong-answers' })).json().items
    expect(wrong.map((w: { question: { id: number } }) => w.question.id)).toEqual([q1.id])
    for (const c of [host, a2, b2]) c.close()
    void workerId
  })

  it('GET state and the WebSocket change nothing: someone who has not joined is told to join, and joining twice is joining once', async () => {
    const [q1] = await questionSet(1)
    const s = await createSession([q1.id])
    const host = await new Client(`${base}${s.wsPath}`, worker).open()
    await host.next('snapshot')
    const count = async () => (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_live_participants WHERE session_id = $1', [s.id]))!.n
    const outsider = await player()
    const state = await t.as(outsider.token, { method: 'GET', url: `/api/v1/live/${s.code}/state` })
    expect([state.statusCode, state.json().code]).toEqual([403, 'LIVE_NOT_JOINED'])
    expect(await (await new Client(`${base}/api/v1/live/${s.code}/ws`, outsider.token).open()).refused()).toEqual({ code: 'LIVE_NOT_JOINED', closeCode: 4403 })
    expect(await count()).toBe(0)
    expect((await t.as(worker, { method: 'GET', url: `/api/v1/live/${s.code}/state` })).json()).toMatchObject({ participantCount: 0, you: { role: 'host' } })

    const joins = await Promise.all([0, 1, 2].map(() => t.as(outsider.token, { method: 'POST', url: `/api/v1/live/${s.code}/join` })))
    for (const j of joins) expect(j.json()).toMatchObject({ participantCount: 1, you: { role: 'participant' } })
    expect((await t.as(outsider.token, { method: 'POST', url: `/api/v1/live/${s.code}/join` })).json().participantCount).toBe(1)
    expect(await count()).toBe(1)
    await host.next('joined', (m) => m.participant.userId === outsider.id)
    await expect(host.next('joined', () => true, 300)).rejects.toThrow(/no joined message/)
    // now joined: state and socket serve them
    expect((await t.as(outsider.token, { method: 'GET', url: `/api/v1/live/${s.code}/state` })).json().you.role).toBe('participant')
    const c = await new Client(`${base}/api/v1/live/${s.code}/ws`, outsider.token).open()
    expect((await c.next('snapshot')).participants.map((p: { userId: number }) => p.userId)).toEqual([outsider.id])
    for (const x of [host, c]) x.close()
  })

  it('scores and ranks change only when the question closes: a second account learns nothing while it is open', async () => {
    const [q1, q2] = await questionSet(2)
    const s = await createSession([q1.id, q2.id])
    const host = await new Client(`${base}${s.wsPath}`, worker).open()
    await host.next('snapshot')
    const [right, wrong, second] = await Promise.all([player(), player(), player()])
    const sockets = await Promise.all([right, wrong, second].map((p) => joinWs(p.token, s.code)))
    for (const c of sockets) await c.next('snapshot')
    host.send({ type: 'advance' })
    const shown = asShown(q1, (await sockets[0].next('question')).question.options)
    for (const c of sockets.slice(1)) await c.next('question')
    const rightChoice = shown.answer
    const wrongChoice = wrongOf(shown)

    const view = async (token: string) => {
      const v = (await t.as(token, { method: 'GET', url: `/api/v1/live/${s.code}/state` })).json()
      return { leaderboard: v.leaderboard, score: v.you.score, rank: v.you.rank, participants: v.participants, state: v.state }
    }
    const before = await view(right.token)
    const ackRight = await t.as(right.token, { method: 'POST', url: `/api/v1/live/${s.code}/answer`, payload: { questionIndex: 0, choice: rightChoice } })
    const ackWrong = await t.as(wrong.token, { method: 'POST', url: `/api/v1/live/${s.code}/answer`, payload: { questionIndex: 0, choice: wrongChoice } })
    // the acks, the states and the standings of the one who was right and the one who was wrong say the same
    expect(ackRight.json()).toEqual(ackWrong.json())
    expect(await view(right.token)).toEqual(before)
    expect(await view(wrong.token)).toEqual(before)
    expect(await view(second.token)).toEqual(before)
    expect((await t.as(worker, { method: 'GET', url: `/api/v1/live/${s.code}/state` })).json().leaderboard).toEqual([])
    const points = await t.as(right.token, { method: 'GET', url: '/api/v1/quiz/points' })
    expect(points.json()).toMatchObject({ total: 0, today: 0 })
    // nothing on the sockets says who was right
    for (const c of sockets) {
      expect(c.messages.filter((m) => m.type !== 'joined')).toEqual([])
    }
    // the close: now the score moves, for everyone at once
    host.send({ type: 'advance' })
    const reveals = await Promise.all(sockets.map((c) => c.next('reveal')))
    expect(reveals[0].you.score).toBeGreaterThanOrEqual(500)
    expect(reveals[0].you.rank).toBe(1)
    expect(reveals[1].you).toEqual({ score: 0, rank: 2 })
    expect((await view(right.token)).score).toBe(reveals[0].you.score)

    // ended while a question is open: its answers count once, as at a reveal
    host.send({ type: 'advance' })
    for (const c of sockets) await c.next('question', (m) => m.index === 1)
    const right2 = asShown(q2, (await t.as(second.token, { method: 'GET', url: `/api/v1/live/${s.code}/state` })).json().question.question.options).answer
    expect((await t.as(second.token, { method: 'POST', url: `/api/v1/live/${s.code}/answer`, payload: { questionIndex: 1, choice: right2 } })).statusCode).toBe(200)
    expect((await view(second.token)).score).toBe(0)
    host.send({ type: 'finish' })
    const fin = await sockets[2].next('finished')
    expect(fin.you.score).toBeGreaterThanOrEqual(500)
    const rows = await t.ctx.db.query<{ userId: number; correctCount: number }>(
      'SELECT user_id::int AS "userId", correct_count AS "correctCount" FROM quiz_live_participants WHERE session_id = $1 ORDER BY user_id', [s.id])
    expect(rows.map((r) => [r.userId, r.correctCount])).toEqual([[right.id, 1], [wrong.id, 0], [second.id, 1]].sort((a, b) => a[0] - b[0]))
    for (const c of [host, ...sockets]) c.close()
  })

  it('a burst of answers that reach the database together: each gets its own answer, each person is counted once, the question closes once', async () => {
    const [q1] = await questionSet(1)
    const s = await createSession([q1.id])
    const host = await new Client(`${base}${s.wsPath}`, worker).open()
    await host.next('snapshot')
    const people = await Promise.all(Array.from({ length: 10 }, () => player()))
    for (const p of people) expect((await t.as(p.token, { method: 'POST', url: `/api/v1/live/${s.code}/join` })).statusCode).toBe(200)
    const stranger = await player()
    host.send({ type: 'advance' })
    await host.next('question')
    const shown = asShown(q1, (await t.as(people[0].token, { method: 'GET', url: `/api/v1/live/${s.code}/state` })).json().question.question.options)
    const answer = (token: string, questionIndex: number, choice: number[]) =>
      t.as(token, { method: 'POST', url: `/api/v1/live/${s.code}/answer`, payload: { questionIndex, choice } })
    const shots: Array<{ who: number; send: () => ReturnType<typeof answer>; code?: string }> = [
      // each answers twice at the same moment, right or wrong; the stranger, a wrong index and a choice that is no option
      ...people.flatMap((p, i) => [0, 1].map(() => ({ who: i, send: () => answer(p.token, 0, i % 2 ? wrongOf(shown) : shown.answer) }))),
      { who: -1, send: () => answer(stranger.token, 0, shown.answer), code: 'LIVE_NOT_JOINED' },
      { who: -1, send: () => answer(people[0].token, 3, shown.answer), code: 'LIVE_NOT_CURRENT_QUESTION' },
      { who: -1, send: () => answer(people[1].token, 0, [shown.options.length]), code: 'INVALID_CHOICE' },
    ]
    const replies = await Promise.all(shots.map((x) => x.send()))
    shots.forEach((x, k) => { if (x.who < 0) expect(replies[k].json().code).toBe(x.code) })
    for (let who = 0; who < people.length; who++) {
      const mine = shots.map((x, k) => ({ x, r: replies[k] })).filter(({ x }) => x.who === who).map(({ r }) => r.json().code ?? 'ok')
      expect(mine.sort()).toEqual(['LIVE_ALREADY_ANSWERED', 'ok'])
    }
    const stored = await t.ctx.db.query<{ userId: number; correct: boolean }>(
      'SELECT user_id::int AS "userId", correct FROM quiz_live_answers WHERE session_id = $1 ORDER BY user_id', [s.id])
    expect(stored.map((r) => r.userId)).toEqual(people.map((p) => p.id).sort((a, b) => a - b))
    // everyone answered: the question closed by itself, once, with every answer settled
    const reveal = await host.next('reveal')
    expect(reveal.leaderboard.filter((x: { score: number }) => x.score > 0).length).toBe(5)
    expect(host.messages.filter((m) => m.type === 'reveal')).toEqual([])
    // a tap after the close is told the truth about that person: their answer is in
    expect((await answer(people[0].token, 0, shown.answer)).json().code).toBe('LIVE_ALREADY_ANSWERED')
    host.close()
  })

  it('cuts off a connection that floods messages', async () => {
    const [q1] = await questionSet(1)
    const s = await createSession([q1.id], 30)
    const p = await player()
    const c = await joinWs(p.token, s.code)
    await c.next('snapshot')
    const closed = c.refused()
    for (let i = 0; i < 60; i++) c.send({ type: 'ping' })
    expect(await closed).toEqual({ code: 'RATE_LIMITED', closeCode: 4429 })
  })

  it('closes a question on the server clock when its time is up', async () => {
    const [q1] = await questionSet(1)
    const s = await createSession([q1.id], 5)
    const p = await player()
    const c = await joinWs(p.token, s.code)
    await c.next('snapshot')
    await t.as(worker, { method: 'POST', url: `/api/v1/live/sessions/${s.id}/advance` })
    await c.next('question')
    // time passes: move the clock of the question back rather than wait
    await t.ctx.db.query(`UPDATE quiz_live_sessions SET question_started_at = now() - interval '20 seconds', question_ends_at = now() - interval '10 seconds' WHERE id = $1`, [s.id])
    const r = await t.as(p.token, { method: 'POST', url: `/api/v1/live/${s.code}/answer`, payload: { questionIndex: 0, choice: q1.answer } })
    expect(r.json().code).toBe('LIVE_QUESTION_CLOSED')
    const other = await player()
    expect((await t.as(other.token, { method: 'POST', url: `/api/v1/live/sessions/${s.id}/advance` })).statusCode).toBe(403)
    c.close()
  })
})

/**
 * Plays a session over HTTP: each player answers question i right when right[i], wrong otherwise (or not at all when
 * null). Returns each question as the session showed it.
 */
async function playOverHttp(s: { id: number; code: string }, qs: Array<{ answer: number[]; options: string[] }>, players: Array<{ token: string; right: Array<boolean | null> }>) {
  const seen: Array<ReturnType<typeof asShown>> = []
  for (const p of players) expect((await t.as(p.token, { method: 'POST', url: `/api/v1/live/${s.code}/join` })).statusCode).toBe(200)
  for (let i = 0; i < qs.length; i++) {
    const open = (await t.as(worker, { method: 'POST', url: `/api/v1/live/sessions/${s.id}/advance` })).json()
    expect(open.state).toBe('question')
    const shown = asShown(qs[i], open.question.question.options)
    seen.push(shown)
    for (const p of players) {
      if (p.right[i] === null) continue
      const r = await t.as(p.token, { method: 'POST', url: `/api/v1/live/${s.code}/answer`, payload: { questionIndex: i, choice: p.right[i] ? shown.answer : wrongOf(shown) } })
      expect(r.statusCode).toBe(200)
    }
    // closes the question when someone did not answer (otherwise the last answer closed it)
    const state = (await t.as(worker, { method: 'GET', url: `/api/v1/live/${s.code}/state` })).json().state
    if (state === 'question') await t.as(worker, { method: 'POST', url: `/api/v1/live/sessions/${s.id}/advance` })
  }
  return seen
}

const finish = (id: number) => t.as(worker, { method: 'POST', url: `/api/v1/live/sessions/${id}/finish` })

async function ledgerOf(sessionId: number) {
  return t.ctx.db.query<{ userId: number; attemptId: number; points: number; attemptPoints: number }>(
    `SELECT p.user_id::int AS "userId", p.attempt_id::int AS "attemptId", p.points, a.points AS "attemptPoints"
       FROM quiz_points p JOIN quiz_attempts a ON a.id = p.attempt_id WHERE a.live_session_id = $1 ORDER BY p.user_id`,
    [sessionId],
  )
}

/** Points already earned today by other means (a practice attempt recorded in the ledger). */
async function earnedToday(userId: number, points: number) {
  await t.ctx.db.query(
    `INSERT INTO quiz_attempts (kind, user_id, question_ids, total, expires_at, submitted_at, correct_count, score, points, points_day)
     VALUES ('practice', $1, '{}', 0, now(), now(), 0, 0, $2, (now() AT TIME ZONE 'Asia/Shanghai')::date)`,
    [userId, points],
  )
}

describe('live quiz results count', () => {
  it('credits each participant once when the session ends: records, points, the community board', async () => {
    const qs = await questionSet(3)
    const s = await createSession(qs.map((q) => q.id))
    const alice = await player()
    const bob = await player()
    const idle = await player() // joins, answers nothing
    const seen = await playOverHttp(s, qs, [
      { token: alice.token, right: [true, true, false] },
      { token: bob.token, right: [false, null, true] },
      { token: idle.token, right: [null, null, null] },
    ])
    // nothing is credited before the end
    expect((await t.as(alice.token, { method: 'GET', url: '/api/v1/quiz/points' })).json()).toMatchObject({ total: 0, today: 0 })
    expect((await ledgerOf(s.id))).toHaveLength(0)

    expect((await finish(s.id)).json().state).toBe('finished')
    // finishing again (a repeated tap), and the host's next step, change nothing
    expect((await finish(s.id)).statusCode).toBe(200)
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/live/sessions/${s.id}/advance` })).json().code).toBe('LIVE_FINISHED')

    const ledger = await ledgerOf(s.id)
    expect(ledger.map((l) => [l.userId, l.points, l.attemptPoints])).toEqual([[alice.id, 4, 4], [bob.id, 2, 2]].sort((a, b) => a[0] - b[0]))
    expect((await t.as(alice.token, { method: 'GET', url: '/api/v1/quiz/points' })).json()).toMatchObject({ total: 4, today: 4 })
    expect((await t.as(alice.token, { method: 'GET', url: '/api/v1/quiz/points' })).json().rules).toContain('现场答题')

    // in 我的答题记录, with the points; the result page shows the questions asked with the right answers
    const [rec] = (await t.as(alice.token, { method: 'GET', url: '/api/v1/quiz/attempts' })).json().items
    expect(rec).toMatchObject({ kind: 'live', title: '社区文明知识现场赛', status: 'submitted', score: 67, passed: null, points: 4 })
    const result = (await t.as(alice.token, { method: 'GET', url: `/api/v1/quiz/attempts/${rec.id}` })).json()
    expect(result).toMatchObject({ kind: 'live', correctCount: 2, total: 3, points: 4 })
    expect(result.questions.map((q: { id: number; correct: boolean }) => [q.id, q.correct])).toEqual([[qs[0].id, true], [qs[1].id, true], [qs[2].id, false]])
    // in the order the session showed the options, the answer and her choices marked in it
    expect(result.questions.map((q: { options: string[]; answer: number[] }) => ({ options: q.options, answer: q.answer }))).toEqual(seen)
    expect(result.questions[0].given).toEqual(seen[0].answer)
    // a question not answered counts as wrong, as in a campaign: it is in the 错题本
    const wrongOf = async (token: string) =>
      (await t.as(token, { method: 'GET', url: '/api/v1/quiz/wrong-answers' })).json().items.map((w: { question: { id: number } }) => w.question.id).sort((a: number, b: number) => a - b)
    expect(await wrongOf(idle.token)).toEqual(qs.map((q) => q.id).sort((a, b) => a - b))
    expect(await wrongOf(bob.token)).toEqual([qs[0].id, qs[1].id].sort((a, b) => a - b))
    expect(await wrongOf(alice.token)).toEqual([qs[2].id])
    // a live result cannot be "submitted" again for more points
    expect((await t.as(alice.token, { method: 'POST', url: `/api/v1/quiz/attempts/${rec.id}/submit`, payload: { answers: [] } })).json().code).toBe('ATTEMPT_ALREADY_SUBMITTED')
    const [idleRec] = (await t.as(idle.token, { method: 'GET', url: '/api/v1/quiz/attempts' })).json().items
    expect(idleRec).toMatchObject({ kind: 'live', score: 0, points: 0 })

    const board = (await t.as(alice.token, { method: 'GET', url: '/api/v1/quiz/points/leaderboard' })).json().items
    expect(board).toEqual(expect.arrayContaining([
      expect.objectContaining({ nickname: alice.nickname, points: 4, isMe: true }),
      expect.objectContaining({ nickname: bob.nickname, points: 2, isMe: false }),
    ]))
    expect(board.some((b: { nickname: string }) => b.nickname === idle.nickname)).toBe(false)
  })

  it('stops at the daily cap that campaigns and practice share', async () => {
    const qs = await questionSet(3)
    const s = await createSession(qs.map((q) => q.id))
    const p = await player()
    await earnedToday(p.id, 47)
    await playOverHttp(s, qs, [{ token: p.token, right: [true, true, true] }]) // 6 points earned, 3 left today
    await finish(s.id)
    expect((await ledgerOf(s.id)).map((l) => [l.points, l.attemptPoints])).toEqual([[3, 3]])
    expect((await t.as(p.token, { method: 'GET', url: '/api/v1/quiz/points' })).json()).toMatchObject({ total: 50, today: 50, dailyCap: 50 })

    // at the cap: the result is saved, with no points and no ledger row
    const s2 = await createSession([qs[0].id])
    await playOverHttp(s2, [qs[0]], [{ token: p.token, right: [true] }])
    await finish(s2.id)
    expect(await ledgerOf(s2.id)).toEqual([])
    const [rec] = (await t.as(p.token, { method: 'GET', url: '/api/v1/quiz/attempts' })).json().items
    expect(rec).toMatchObject({ kind: 'live', score: 100, points: 0 })
  })

  it('the cap holds when a live session ends while the same person submits a practice', async () => {
    const qs = await questionSet(3)
    const s = await createSession(qs.map((q) => q.id))
    const p = await player()
    await earnedToday(p.id, 45)
    await playOverHttp(s, qs, [{ token: p.token, right: [true, true, true] }]) // 6 from the session
    const practice = (await t.as(p.token, { method: 'POST', url: '/api/v1/quiz/practice' })).json()
    const keys = await t.ctx.db.query<{ id: number; answer: number[]; options: string[] }>('SELECT id::int AS id, answer, options FROM quiz_questions WHERE id = ANY($1::bigint[])', [practice.questions.map((q: { id: number }) => q.id)])
    const shownOf = (id: number) => practice.questions.find((q: { id: number }) => q.id === id).options as string[]
    const answers = keys.map((k) => ({ questionId: k.id, choice: asShown(k, shownOf(k.id)).answer })) // 5 from the practice
    const [submitted, finished] = await Promise.all([
      t.as(p.token, { method: 'POST', url: `/api/v1/quiz/attempts/${practice.id}/submit`, payload: { answers } }),
      finish(s.id),
    ])
    expect(submitted.statusCode).toBe(200)
    expect(finished.statusCode).toBe(200)
    // 45 + 6 + 5 asked for; 5 fit under the cap, whichever came first
    expect((await t.as(p.token, { method: 'GET', url: '/api/v1/quiz/points' })).json()).toMatchObject({ today: 50 })
    const sum = await t.ctx.db.one<{ n: number }>('SELECT sum(points)::int AS n FROM quiz_attempts WHERE user_id = $1', [p.id])
    expect(sum!.n).toBe(50)
  })

  it('two API processes finishing the same session at once credit it once', async () => {
    const rt = await createRuntime(t.ctx.config, t.ctx.db, { sms: t.ctx.sms, wechat: t.ctx.wechat })
    const appB = await buildApp(rt.ctx)
    await appB.ready()
    try {
      const qs = await questionSet(2)
      const s = await createSession(qs.map((q) => q.id))
      const players = await Promise.all([0, 1, 2].map(() => player()))
      await playOverHttp(s, qs, players.map((p, i) => ({ token: p.token, right: [true, i !== 2] })))
      const onB = () => appB.inject({ method: 'POST', url: `/api/v1/live/sessions/${s.id}/finish`, headers: { authorization: `Bearer ${worker}` } })
      const results = await Promise.all([finish(s.id), onB(), finish(s.id), onB(), t.as(worker, { method: 'POST', url: `/api/v1/live/sessions/${s.id}/advance` })])
      // every finish answers with the final state; the extra advance is refused as finished (or, if first, finished it)
      for (const r of results.slice(0, 4)) expect(r.json().state).toBe('finished')
      expect([200, 409]).toContain(results[4].statusCode)
      const attempts = await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_attempts WHERE live_session_id = $1', [s.id])
      expect(attempts!.n).toBe(3)
      expect((await ledgerOf(s.id)).map((l) => l.points).sort()).toEqual([2, 4, 4])
      const audits = await t.ctx.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'quiz.live.finish' AND target = $1`, [`quiz_live:${s.id}`])
      expect(audits!.n).toBe(1)
    } finally {
      await appB.close()
      await rt.close()
    }
  })
})

// Two API processes: one PostgreSQL, Redis in between. Host on A, participants on B.
const twoProcesses = process.env.DATABASE_URL && process.env.REDIS_URL ? describe : describe.skip
twoProcesses('live quiz across two API processes (PostgreSQL + Redis)', () => {
  let runtimeB: Runtime
  let appB: FastifyInstance
  let baseB: string
  let runtimeA: Runtime
  let appA: FastifyInstance
  let baseA: string
  beforeAll(async () => {
    const make = async () => {
      const rt = await createRuntime(t.ctx.config, t.ctx.db, { bus: redisBus(process.env.REDIS_URL!), sms: t.ctx.sms, wechat: t.ctx.wechat })
      const app = await buildApp(rt.ctx)
      const url = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws')
      return { rt, app, url }
    }
    ;({ rt: runtimeA, app: appA, url: baseA } = await make())
    ;({ rt: runtimeB, app: appB, url: baseB } = await make())
  })
  afterAll(async () => {
    await appA.close(); await runtimeA.close()
    await appB.close(); await runtimeB.close()
  })

  it('answers on B reach the host on A, and the leaderboard reaches everyone', async () => {
    const [q1] = await questionSet(1)
    const s = await createSession([q1.id], 30)
    const host = await new Client(`${baseA}/api/v1/live/${s.code}/ws`, worker).open()
    await host.next('snapshot')
    const players = await Promise.all([0, 1, 2].map(() => player()))
    const clients = await Promise.all(players.map(async (p) => {
      // joined on B: the joined message goes over Redis to the host on A
      const joined = await appB.inject({ method: 'POST', url: `/api/v1/live/${s.code}/join`, headers: { authorization: `Bearer ${p.token}` } })
      expect(joined.statusCode).toBe(200)
      return new Client(`${baseB}/api/v1/live/${s.code}/ws`, p.token).open()
    }))
    for (const c of clients) await c.next('snapshot')
    await host.next('joined', (m) => m.participantCount === 3)
    host.send({ type: 'advance' })
    const shown = asShown(q1, (await clients[0].next('question')).question.options)
    for (const c of clients.slice(1)) await c.next('question')
    clients.forEach((c, i) => c.send({ type: 'answer', questionIndex: 0, choice: i === 2 ? wrongOf(shown) : shown.answer }))
    expect((await host.next('progress', (m) => m.answered === 3)).participantCount).toBe(3)
    const reveals = await Promise.all([host, ...clients].map((c) => c.next('reveal')))
    for (const r of reveals) expect(r.leaderboard).toHaveLength(3)
    expect(reveals[3].you).toMatchObject({ score: 0, rank: 3 })
    // B's participant drops and reconnects to A: the snapshot carries the state
    clients[0].close()
    const again = await new Client(`${baseA}/api/v1/live/${s.code}/ws`, players[0].token).open()
    expect(await again.next('snapshot')).toMatchObject({ state: 'reveal', reveal: { questionId: q1.id } })
    host.send({ type: 'finish' })
    await Promise.all([again, clients[1], clients[2]].map((c) => c.next('finished')))
    for (const c of [host, again, clients[1], clients[2]]) c.close()
  })
})

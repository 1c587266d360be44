import crypto from 'node:crypto'
import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { pgCode, UNIQUE_VIOLATION } from '../../db/types'
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import { loadQRCode } from '../../lib/lazy-packages'
import type { CreateLiveBody, LiveSessionView, LiveSnapshot, LiveStanding } from '../../../types/quizzes'
import { assertQuizStaff } from './policy'
import * as q from './queries'
import * as lq from './live-queries'
import type { SessionRow } from './live-queries'
import { liveScope, optionKey, optionOrder, shownQuestion, toBank } from './option-order'
import { questionCache } from './question-cache'
import { checkChoice, forAnswering, sameChoice } from './service'
import { POINTS } from './grading'
import { StatementBatcher } from '../../lib/statement-batch'

/** Answers sent just before the question closed still count if they arrive within this. */
export const LIVE_GRACE_MS = 1500
const DEFAULT_SECONDS = 20
export const liveChannel = (sessionId: number) => `quiz-live:${sessionId}`

/** Messages on the bus: the same for every process; each process makes per-socket messages from them. */
export type LiveBusMessage =
  | { type: 'joined'; participant: { userId: number; nickname: string }; participantCount: number }
  | { type: 'question'; index: number; total: number; question: ReturnType<typeof forAnswering>; startedAt: string; endsAt: string }
  | { type: 'progress'; index: number; answered: number; participantCount: number }
  | { type: 'reveal'; reveal: { index: number; questionId: number; answer: number[]; explanation: string }; standings: LiveStanding[] }
  | { type: 'finished'; standings: LiveStanding[] }

const iso = (d: Date | string) => new Date(d).toISOString()

/** The session a join code names: the one not finished, else the latest finished (to show its results). */
async function sessionByCode(db: Queryable, code: string): Promise<SessionRow> {
  const s = await lq.sessionByCode(db, code)
  if (!s) throw notFound('LIVE_NOT_FOUND', '没有找到这个现场答题，请核对 6 位数字邀请码')
  return s
}

async function standings(db: Queryable, sessionId: number): Promise<LiveStanding[]> {
  const rows = await lq.standingRows(db, sessionId)
  let rank = 0
  let prev = -1
  return rows.map((r, i) => {
    if (r.score !== prev) rank = i + 1
    prev = r.score
    return { rank, ...r }
  })
}

export async function qrDataUrl(code: string): Promise<string> {
  return (await loadQRCode()).toDataURL(`civiclink://live?code=${code}`, { margin: 1, width: 320 })
}

export async function qrPng(code: string): Promise<Buffer> {
  return (await loadQRCode()).toBuffer(`civiclink://live?code=${code}`, { margin: 1, width: 480, type: 'png' })
}

async function view(s: SessionRow): Promise<LiveSessionView> {
  return {
    id: s.id,
    code: s.code,
    title: s.title,
    state: s.state,
    questionCount: s.questionIds.length,
    questionSeconds: s.questionSeconds,
    qrDataUrl: await qrDataUrl(s.code),
    wsPath: `/api/v1/live/${s.code}/ws`,
  }
}

export class LiveService {
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(private readonly ctx: AppContext) {}

  close(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  /**
   * A live session reads the same few questions again and again: from the per-process cache that edits clear.
   * As the session shows it: one order of the options for the host's screen and every participant (the host reads
   * the options out); `order` maps shown positions to the bank's.
   */
  private async question(sessionId: number, id: number): Promise<{ shown: q.QuestionRow; bank: q.QuestionRow; order: number[] }> {
    const [r, key] = await Promise.all([questionCache(this.ctx).get([id]).then((m) => m.get(id)), optionKey(this.ctx)])
    if (!r) throw notFound('QUESTION_NOT_FOUND', '题目不存在')
    const order = optionOrder(key, liveScope(sessionId), r)
    return { shown: shownQuestion(r, order), bank: r, order }
  }

  private publish(sessionId: number, m: LiveBusMessage) {
    return this.ctx.bus.publish(liveChannel(sessionId), m)
  }

  async create(caller: Caller, body: CreateLiveBody): Promise<LiveSessionView> {
    assertQuizStaff(caller)
    const dir = await this.ctx.regions.get()
    const region = caller.office ? null : caller.workerRegions[0]
    const chain = region ? dir.chain(region).map((r) => r.code) : []
    const difficulties = body.difficulties ?? [1, 2, 3]
    let ids: number[]
    if (body.questionIds) {
      if (body.tag || body.count) throw badRequest('LIVE_QUESTIONS_AMBIGUOUS', '请指定题目编号，或按标签抽题，二者选一')
      // the same questions a draw could take: the city bank and the host's own region and those above it
      const rows = (await q.questionStates(this.ctx.db, body.questionIds)).filter((r) => caller.office || r.regionCode === null || chain.includes(r.regionCode))
      const missing = body.questionIds.filter((id) => !rows.some((r) => r.id === id))
      if (missing.length) throw notFound('QUESTION_NOT_FOUND', `题目不存在：${missing.join('、')}`)
      const retired = rows.filter((r) => !r.active).map((r) => r.id)
      if (retired.length) throw badRequest('QUESTION_RETIRED', `题目已停用，不能用于现场答题：${retired.join('、')}`)
      ids = body.questionIds
    } else {
      const count = body.count ?? 10
      ids = await q.drawIds(this.ctx.db, chain, difficulties, body.tag ?? null, [], count)
      if (ids.length < count) throw badRequest('NOT_ENOUGH_QUESTIONS', `题库中符合条件的题目只有 ${ids.length} 道，不足 ${count} 道`)
    }
    for (let tries = 0; ; tries++) {
      const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0')
      try {
        const row = await this.ctx.db.transaction(async (tx) => {
          const id = await lq.insertSession(tx, {
            code, title: body.title.trim(), hostId: caller.userId, regionCode: region, questionIds: ids, questionSeconds: body.questionSeconds ?? DEFAULT_SECONDS,
          })
          await audit(tx, caller.userId, 'quiz.live.create', `quiz_live:${id}`, { code })
          return (await lq.sessionById(tx, id))!
        })
        return view(row)
      } catch (err) {
        if (pgCode(err) === UNIQUE_VIOLATION && tries < 20) continue
        throw err
      }
    }
  }

  async hostView(caller: Caller, id: number): Promise<LiveSessionView> {
    return view(await this.hostSession(this.ctx.db, caller, id))
  }

  async hostSession(db: Queryable, caller: Caller, id: number, lock: '' | ' FOR UPDATE' = ''): Promise<SessionRow> {
    const s = await lq.sessionById(db, id, lock)
    if (!s) throw notFound('LIVE_NOT_FOUND', '现场答题不存在')
    if (s.hostId !== caller.userId) throw forbidden('LIVE_NOT_HOST', '只有主持人可以进行此操作')
    return s
  }

  /** Joins as a participant (the host is the host). Late joiners are welcome until the end; joining twice is joining once. */
  async join(caller: Caller, code: string): Promise<{ session: SessionRow; role: 'host' | 'participant' }> {
    const s = await sessionByCode(this.ctx.db, code)
    if (s.hostId === caller.userId) return { session: s, role: 'host' }
    if (await this.isParticipant(s.id, caller.userId)) return { session: s, role: 'participant' }
    if (s.state === 'finished') throw conflict('LIVE_FINISHED', '这场现场答题已经结束')
    const joined = await lq.addParticipant(this.ctx.db, s.id, caller.userId)
    if (joined) {
      // counted after the insert committed: of concurrent joins, the last one sees them all
      const n = await lq.participantCount(this.ctx.db, s.id)
      // the join is in: with Redis away the others learn of it from the snapshot they get when it returns (hub.ts),
      // so a lost announcement is no reason to tell this participant that joining failed
      await this.publish(s.id, { type: 'joined', participant: { userId: caller.userId, nickname: joined.nickname }, participantCount: n }).catch(() => undefined)
    }
    return { session: s, role: 'participant' }
  }

  /**
   * The session as the host or a participant who joined (POST join) sees it — for GET state and the WebSocket,
   * which change nothing: someone who has not joined is told to join first.
   */
  async attach(caller: Caller, code: string): Promise<{ session: SessionRow; role: 'host' | 'participant' }> {
    const s = await sessionByCode(this.ctx.db, code)
    if (s.hostId === caller.userId) return { session: s, role: 'host' }
    if (await this.isParticipant(s.id, caller.userId)) return { session: s, role: 'participant' }
    if (s.state === 'finished') throw conflict('LIVE_FINISHED', '这场现场答题已经结束')
    throw forbidden('LIVE_NOT_JOINED', '请先加入这场现场答题')
  }

  private isParticipant(sessionId: number, userId: number): Promise<boolean> {
    return lq.isParticipant(this.ctx.db, sessionId, userId)
  }

  async snapshot(sessionId: number, userId: number): Promise<LiveSnapshot> {
    const db = this.ctx.db
    const s = (await lq.sessionById(db, sessionId))!
    const role = s.hostId === userId ? 'host' : 'participant'
    // the top ten and the caller's own place, not the whole board: every socket takes a snapshot when it (re)connects,
    // and a whole room reconnects at once after a restart or a Redis outage — 2,000 boards of 2,000 rows each
    const [participants, count, board, me] = await Promise.all([
      lq.firstParticipants(db, s.id, 200),
      lq.participantCount(db, s.id),
      s.state === 'reveal' || s.state === 'finished' ? lq.topStandings(db, s.id, 10) : Promise.resolve([]),
      lq.placeOf(db, s.id, userId),
    ])
    let question: LiveSnapshot['question'] = null
    let reveal: LiveSnapshot['reveal'] = null
    let answered = false
    if (s.currentIndex >= 0 && s.currentIndex < s.questionIds.length) {
      const qr = (await this.question(s.id, s.questionIds[s.currentIndex])).shown
      if (s.state === 'question') {
        question = { index: s.currentIndex, total: s.questionIds.length, question: forAnswering(qr), startedAt: iso(s.questionStartedAt!), endsAt: iso(s.questionEndsAt!) }
        answered = await lq.hasAnswered(db, s.id, s.currentIndex, userId)
      } else if (s.state === 'reveal' || s.state === 'finished') {
        reveal = { index: s.currentIndex, questionId: qr.id, answer: qr.answer, explanation: qr.explanation }
      }
    }
    return {
      code: s.code,
      sessionId: s.id,
      title: s.title,
      state: s.state,
      questionCount: s.questionIds.length,
      currentIndex: s.currentIndex,
      serverNow: iso(s.serverNow),
      participantCount: count,
      participants,
      question,
      reveal,
      leaderboard: board,
      you: { role, score: me?.score ?? 0, rank: me?.rank ?? null, answered },
    }
  }

  /** Host: lobby → question → reveal → next question … → finished. */
  async advance(caller: Caller, sessionId: number): Promise<void> {
    const s = await this.hostSession(this.ctx.db, caller, sessionId)
    if (s.state === 'finished') throw conflict('LIVE_FINISHED', '这场现场答题已经结束')
    // Without Redis the participants on other processes would not see the step: refused (503 REDIS_UNAVAILABLE) before
    // anything changes, rather than a question opened, or closed, that the host was told had failed and taps again
    await this.ctx.bus.ping()
    if (s.state === 'question') return void (await this.reveal(sessionId, s.currentIndex))
    if (s.currentIndex + 1 >= s.questionIds.length) return this.finish(caller, sessionId)
    const next = await this.ctx.db.transaction(async (tx) => {
      const cur = (await lq.sessionById(tx, sessionId, ' FOR UPDATE'))!
      if (cur.state !== s.state || cur.currentIndex !== s.currentIndex) return null // someone else advanced first
      return lq.openNextQuestion(tx, sessionId)
    })
    if (!next) return
    // closes the question when its time is up (whichever process gets there first; reveal is idempotent) — set before
    // publishing, so that a question is closed on time even when Redis went away after the ping above
    const ms = new Date(next.questionEndsAt!).getTime() - new Date(next.serverNow).getTime() + LIVE_GRACE_MS
    const t = setTimeout(() => {
      this.timers.delete(t)
      this.reveal(sessionId, next.currentIndex).catch(() => undefined)
    }, Math.max(0, ms))
    t.unref()
    this.timers.add(t)
    const qr = (await this.question(sessionId, next.questionIds[next.currentIndex])).shown
    await this.publish(sessionId, {
      type: 'question', index: next.currentIndex, total: next.questionIds.length, question: forAnswering(qr),
      startedAt: iso(next.questionStartedAt!), endsAt: iso(next.questionEndsAt!),
    })
  }

  /** Closes question `index` (once) and pushes its answer and the standings. */
  async reveal(sessionId: number, index: number): Promise<boolean> {
    const out = await this.ctx.db.transaction(async (tx) => {
      // waits for answers in flight (they hold a share lock on the session row)
      if (!(await lq.closeQuestion(tx, sessionId, index))) return null
      await lq.settle(tx, sessionId, index)
      const session = (await lq.sessionById(tx, sessionId))!
      return { session, board: await standings(tx, sessionId) }
    })
    if (!out) return false
    const qr = (await this.question(sessionId, out.session.questionIds[index])).shown
    await this.publish(sessionId, { type: 'reveal', reveal: { index, questionId: qr.id, answer: qr.answer, explanation: qr.explanation }, standings: out.board })
    return true
  }

  /**
   * Host ends the session: standings are final, each participant's result is saved to their records (a 'live'
   * attempt: in 我的答题记录, the 错题本 and the points ledger). Exactly once: the session row is locked and its
   * state checked, so a second finish — a repeated tap, the last advance, another API process — finds it finished.
   */
  async finish(caller: Caller, sessionId: number): Promise<void> {
    // as advance: the final standings must reach everyone, so without Redis nothing changes (503 REDIS_UNAVAILABLE)
    await this.ctx.bus.ping()
    const board = await this.ctx.db.transaction(async (tx) => {
      const s = await this.hostSession(tx, caller, sessionId, ' FOR UPDATE')
      if (s.state === 'finished') return null
      await lq.markFinished(tx, sessionId)
      // ended while a question was open: it closes now, and its answers count as at a reveal
      if (s.state === 'question') await lq.settle(tx, sessionId, s.currentIndex)
      const asked = s.state === 'lobby' ? 0 : s.currentIndex + 1
      if (asked > 0) {
        // in 我的答题记录, the 错题本 and the points ledger; an asked question without an answer counts as wrong
        await lq.recordLiveAttempts(tx, sessionId, s.questionIds.slice(0, asked), POINTS)
        await q.grantLivePoints(tx, sessionId, POINTS)
      }
      await audit(tx, caller.userId, 'quiz.live.finish', `quiz_live:${sessionId}`, { asked })
      return standings(tx, sessionId)
    })
    if (board) await this.publish(sessionId, { type: 'finished', standings: board })
  }

  /**
   * A participant's answer to the current question: once, in time, scored by correctness and speed. Answers that
   * arrive together (everyone answering the same question) are recorded together: one transaction and one insert
   * per session for the batch (statement-batch.ts), and each is acknowledged only after that commit.
   */
  async answer(caller: Caller, code: string, questionIndex: number, choice: number[]): Promise<{ questionIndex: number; accepted: true }> {
    const s0 = await sessionByCode(this.ctx.db, code)
    this.questionIds.set(s0.id, s0.questionIds)
    return this.answerIn(caller, s0.id, questionIndex, choice)
  }

  /** The same, over the WebSocket: its session is known since it connected. */
  async answerIn(caller: Caller, sessionId: number, questionIndex: number, choice: number[]): Promise<{ questionIndex: number; accepted: true }> {
    // A session's questions are fixed when it is created: kept per process, the index names the same question.
    let ids = this.questionIds.get(sessionId)
    if (!ids) {
      ids = (await lq.sessionById(this.ctx.db, sessionId))!.questionIds
      if (this.questionIds.size >= 1000) this.questionIds.delete(this.questionIds.keys().next().value as number)
      this.questionIds.set(sessionId, ids)
    }
    // before the transaction: the cache reads through ctx.db, which on PGlite waits for an open transaction to end
    const qr = questionIndex >= 0 && questionIndex < ids.length ? await this.question(sessionId, ids[questionIndex]) : null
    await this.answers.write({ sessionId, userId: caller.userId, questionIndex, choice, question: qr })
    return { questionIndex, accepted: true }
  }

  private readonly questionIds = new Map<number, number[]>()

  private readonly answers = new StatementBatcher<LiveAnswer, true>((items) => this.recordAnswers(items), this.ctx.db.kind === 'pglite' ? 1 : 4, 1000)

  /** Records a batch of answers (per session: one transaction); outcomes in the order given, refusals as errors. */
  private async recordAnswers(items: readonly LiveAnswer[]): Promise<Array<true | Error>> {
    const out: Array<true | Error> = new Array(items.length)
    const bySession = new Map<number, number[]>()
    items.forEach((a, i) => bySession.set(a.sessionId, [...(bySession.get(a.sessionId) ?? []), i]))
    for (const [sessionId, idx] of bySession) {
      const write = () => this.ctx.db.transaction(async (tx) => {
        // a share lock: answers go in side by side, but the reveal waits until they are in
        const s = (await lq.sessionById(tx, sessionId, ' FOR SHARE'))!
        const joined = await lq.joinedAmong(tx, sessionId, idx.map((i) => items[i].userId))
        const rows: Array<{ i: number; uid: number; qi: number; qid: number; given: number[]; correct: boolean; points: number; elapsed: number }> = []
        for (const i of idx) {
          const a = items[i]
          try {
            if (!joined.has(a.userId)) throw forbidden('LIVE_NOT_JOINED', '请先加入这场现场答题')
            rows.push({ i, uid: a.userId, qi: a.questionIndex, ...scoreAnswer(s, a) })
          } catch (err) {
            out[i] = err as Error
          }
        }
        // a second tap that arrives after the question closed (everyone had answered) is told what is true for that
        // person: their answer is in
        const closedFor = idx.filter((i) => out[i] instanceof AppError && (out[i] as AppError).code === 'LIVE_QUESTION_CLOSED')
        if (closedFor.length > 0) {
          const answered = await lq.answeredAmong(tx, sessionId, s.currentIndex, closedFor.map((i) => items[i].userId))
          for (const i of closedFor) if (answered.has(items[i].userId)) out[i] = conflict('LIVE_ALREADY_ANSWERED', '本题已经作答，不能修改')
        }
        // the same person twice in one batch: the first one counts, the others are answers given twice
        const firstOf = new Map<number, number>()
        const unique = rows.filter((r) => (firstOf.has(r.uid) ? false : (firstOf.set(r.uid, r.i), true)))
        const inserted = await lq.insertAnswers(tx, sessionId, unique.map(({ i: _, ...r }) => r))
        return { rows, firstOf, inserted }
      })
      let recorded: Awaited<ReturnType<typeof write>>
      try {
        recorded = await write()
      } catch (err) {
        // alone, the batcher tries each answer on its own; beside another session's committed answers, these fail
        if (bySession.size === 1) throw err
        for (const i of idx) out[i] = err as Error
        continue
      }
      for (const r of recorded.rows) {
        if (!recorded.inserted.has(r.uid) || recorded.firstOf.get(r.uid) !== r.i) out[r.i] = conflict('LIVE_ALREADY_ANSWERED', '本题已经作答，不能修改')
        else out[r.i] = true
      }
      const indexes = new Set(recorded.rows.filter((r) => out[r.i] === true).map((r) => r.qi))
      // the answers are in: a failed count or reveal is left to the question's timer, not turned into refusals
      for (const questionIndex of indexes) await this.progress(sessionId, questionIndex).catch(() => undefined)
    }
    return out
  }

  /** After answers committed: how many answered, to everyone; when all have, the question closes without waiting for the clock. */
  private async progress(sessionId: number, questionIndex: number): Promise<void> {
    const c = await lq.answerProgress(this.ctx.db, sessionId, questionIndex)
    await this.publish(sessionId, { type: 'progress', index: questionIndex, answered: c.answered, participantCount: c.participants })
    if (c.answered >= c.participants) await this.reveal(sessionId, questionIndex)
  }
}

interface LiveAnswer {
  sessionId: number
  userId: number
  questionIndex: number
  /** in shown positions */
  choice: number[]
  question: { bank: q.QuestionRow; order: number[] } | null
}

/** An answer checked against the session as it is now (its state, current question, clock) and scored; or why not. */
function scoreAnswer(s: SessionRow, a: LiveAnswer) {
  if (s.state === 'finished') throw conflict('LIVE_FINISHED', '这场现场答题已经结束')
  if (a.questionIndex !== s.currentIndex || s.state === 'lobby') throw conflict('LIVE_NOT_CURRENT_QUESTION', '这道题不是当前题目')
  const now = new Date(s.serverNow).getTime()
  const started = new Date(s.questionStartedAt!).getTime()
  const ends = new Date(s.questionEndsAt!).getTime()
  if (s.state !== 'question' || now > ends + LIVE_GRACE_MS) throw conflict('LIVE_QUESTION_CLOSED', '本题作答时间已结束')
  if (!a.question) throw conflict('LIVE_NOT_CURRENT_QUESTION', '这道题不是当前题目')
  checkChoice(a.question.bank, a.choice, '本题')
  // the choice is in shown positions; kept in the bank's, as a submission keeps it
  const given = toBank(a.question.order, a.choice)
  const correct = sameChoice(a.question.bank.answer, given)
  const elapsed = Math.max(0, Math.min(now - started, ends - started))
  // 500 for being right, up to 500 more for being quick; the score waits for the reveal (settle): a score that
  // moved now would tell the right option while it still counts
  const points = correct ? 500 + Math.round(500 * (1 - elapsed / Math.max(1, ends - started))) : 0
  return { qid: a.question.bank.id, given, correct, points, elapsed }
}

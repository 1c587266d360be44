import Taro from '@tarojs/taro'
import type { LiveClientMessage, LiveServerMessage } from '@contract/quizzes'
import { LIVE_WS_PROTOCOL } from '@contract/live-protocol'
import { API_BASE, API_PREFIX } from './config'
import { getToken } from './session'

/**
 * The live quiz's WebSocket (现场答题), for weapp and H5 alike (Taro.connectSocket).
 *
 *   const socket = new LiveSocket(code, { onMessage, onStatus })
 *   socket.start(); socket.send({ type: 'answer', questionIndex, choice }); socket.close()
 *
 * Reconnects by itself with exponential back-off (0.5 s, 1 s, 2 s … capped at 10 s, with jitter) whenever
 * the connection drops or goes silent; the server answers every (re)connection with a `snapshot`, which is
 * the whole state — the page renders from it, so a resumed session needs nothing else from us.
 * It gives up only on errors that another try cannot fix (unknown code, signed out, replaced).
 */

export type LiveSocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface LiveSocketHandlers {
  onMessage: (msg: LiveServerMessage) => void
  onStatus?: (status: LiveSocketStatus, info: { retries: number; reason?: string }) => void
}

export interface LiveSocketOptions {
  baseDelayMs?: number
  maxDelayMs?: number
  /** ping this often; reconnect when nothing at all arrived for 2.5× as long */
  heartbeatMs?: number
}

/** Error codes (from an `error` message) after which reconnecting is pointless. */
const FATAL_CODES = new Set(['LIVE_NOT_FOUND', 'LIVE_FINISHED', 'LIVE_NOT_JOINED', 'UNAUTHENTICATED', 'SESSION_EXPIRED', 'FORBIDDEN', 'FORBIDDEN_ROLE'])

export function reconnectDelay(retries: number, base = 500, max = 10_000, random = Math.random): number {
  const exp = Math.min(max, base * 2 ** retries)
  return Math.round(exp / 2 + (random() * exp) / 2)
}

export function liveSocketUrl(code: string): string {
  let base = API_BASE
  if (!base && process.env.TARO_ENV === 'h5' && typeof location !== 'undefined') base = location.origin
  base = base.replace(/^http/, 'ws')
  return `${base}${API_PREFIX}/live/${encodeURIComponent(code)}/ws`
}

type Task = Taro.SocketTask

export class LiveSocket {
  private task: Task | null = null
  private retries = 0
  private stopped = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private heartbeat: ReturnType<typeof setInterval> | null = null
  private lastHeard = 0
  private generation = 0
  private readonly base: number
  private readonly max: number
  private readonly beat: number

  constructor(
    private readonly code: string,
    private readonly handlers: LiveSocketHandlers,
    opts: LiveSocketOptions = {},
  ) {
    this.base = opts.baseDelayMs ?? 500
    this.max = opts.maxDelayMs ?? 10_000
    this.beat = opts.heartbeatMs ?? 20_000
  }

  start(): void {
    this.stopped = false
    this.open()
  }

  /** Sends a message when connected; false when not (the caller may fall back to HTTP). */
  send(msg: LiveClientMessage): boolean {
    if (!this.task || this.status !== 'open') return false
    try {
      const r = this.task.send({ data: JSON.stringify(msg) }) as unknown
      ;(r as Promise<unknown> | undefined)?.catch?.(() => undefined)
      return true
    } catch {
      return false
    }
  }

  close(): void {
    this.stopped = true
    this.clearTimers()
    this.drop()
    this.setStatus('closed')
  }

  status: LiveSocketStatus = 'closed'

  private setStatus(s: LiveSocketStatus, reason?: string) {
    this.status = s
    this.handlers.onStatus?.(s, { retries: this.retries, reason })
  }

  private clearTimers() {
    if (this.timer) clearTimeout(this.timer)
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.timer = null
    this.heartbeat = null
  }

  private drop() {
    const t = this.task
    this.task = null
    this.generation++
    if (t) {
      try {
        const r = t.close({}) as unknown
        ;(r as Promise<unknown> | undefined)?.catch?.(() => undefined)
      } catch {
        // already closed
      }
    }
  }

  private open() {
    if (this.stopped) return
    this.clearTimers()
    this.drop()
    const gen = this.generation
    this.setStatus(this.retries === 0 ? 'connecting' : 'reconnecting')
    let p: Promise<Task>
    try {
      // the token rides as the second subprotocol: never in the URL, where logs would keep it
      p = Taro.connectSocket({ url: liveSocketUrl(this.code), protocols: [LIVE_WS_PROTOCOL, getToken()] }) as unknown as Promise<Task>
    } catch (e) {
      this.scheduleReconnect(String(e))
      return
    }
    Promise.resolve(p)
      .then((task) => {
        if (gen !== this.generation || this.stopped) {
          try {
            task.close({})
          } catch {
            /* ignore */
          }
          return
        }
        this.task = task
        task.onOpen(() => {
          if (gen !== this.generation) return
          this.lastHeard = Date.now()
          this.setStatus('open')
          this.heartbeat = setInterval(() => {
            if (Date.now() - this.lastHeard > this.beat * 2.5) {
              this.scheduleReconnect('heartbeat timeout')
              return
            }
            this.send({ type: 'ping' })
          }, this.beat)
        })
        task.onMessage((ev) => {
          if (gen !== this.generation) return
          this.lastHeard = Date.now()
          let msg: LiveServerMessage
          try {
            msg = JSON.parse(typeof ev.data === 'string' ? ev.data : '') as LiveServerMessage
          } catch {
            return
          }
          if (msg.type === 'snapshot') this.retries = 0 // a resumed session: start the back-off afresh next time
          if (msg.type === 'pong') return
          this.handlers.onMessage(msg)
          if (msg.type === 'error' && FATAL_CODES.has(msg.code)) this.giveUp(msg.message)
        })
        task.onClose((res) => {
          if (gen !== this.generation) return
          const code = (res as { code?: number })?.code ?? 0
          // 4000–4999: the server closed on purpose (unknown code, replaced by a newer connection…): do not loop —
          // except 4503, the database or Redis briefly out of reach, which another try after the back-off fixes
          if (code >= 4000 && code < 5000 && code !== 4503) this.giveUp((res as { reason?: string })?.reason || `closed ${code}`)
          // 1012 (service restart): this process is stopping or lost its Redis link; another one takes the socket at once
          else if (code === 1012) this.scheduleReconnect('服务器重启', true)
          else this.scheduleReconnect(`closed ${code}`)
        })
        task.onError((err) => {
          if (gen !== this.generation) return
          this.scheduleReconnect((err as { errMsg?: string })?.errMsg ?? 'error')
        })
      })
      .catch((err) => {
        if (gen === this.generation) this.scheduleReconnect((err as { errMsg?: string })?.errMsg ?? 'connect failed')
      })
  }

  private giveUp(reason: string) {
    this.stopped = true
    this.clearTimers()
    this.drop()
    this.setStatus('closed', reason)
  }

  private scheduleReconnect(reason: string, soon = false) {
    if (this.stopped) return
    this.clearTimers()
    this.drop()
    // soon: the first try at once-ish (jitter spreads a whole room over 0.5 s), the back-off as usual after that
    const delay = soon && this.retries === 0 ? reconnectDelay(0, this.base, this.base) : reconnectDelay(this.retries, this.base, this.max)
    this.retries++
    this.setStatus('reconnecting', reason)
    this.timer = setTimeout(() => this.open(), delay)
  }
}

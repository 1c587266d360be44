import type { WebSocket } from 'ws'
import type { Bus } from '../../lib/bus'
import type { LiveStanding } from '../../../types/quizzes'
import { liveChannel, type LiveBusMessage } from './live'

/** 1012 "service restart": the client reconnects at once (src/services/live-socket.ts), to this or another process. */
const RECONNECT = 1012

interface Client {
  ws: WebSocket
  userId: number
  role: 'host' | 'participant'
}

interface Room {
  clients: Set<Client>
  unsubscribe: Promise<() => Promise<void>>
}

/**
 * The WebSockets of one API process, by live session. Each process subscribes to a session's bus channel
 * while it has sockets for it, and turns each bus message into what each of its sockets should see.
 */
export class LiveHub {
  private readonly rooms = new Map<number, Room>()

  constructor(private readonly bus: Bus) {
    // messages published while Redis was away never arrived: every socket reconnects and gets a fresh snapshot
    bus.onResubscribed(() => {
      for (const room of this.rooms.values()) for (const c of room.clients) c.ws.close(RECONNECT, 'bus reconnected')
    })
  }

  /** Resolves once this process receives the session's messages (so that a snapshot taken after it misses nothing). */
  async attach(sessionId: number, client: Client): Promise<void> {
    let room = this.rooms.get(sessionId)
    if (!room) {
      room = { clients: new Set(), unsubscribe: this.bus.subscribe(liveChannel(sessionId), (m) => this.dispatch(sessionId, m as LiveBusMessage)) }
      this.rooms.set(sessionId, room)
    }
    room.clients.add(client)
    await room.unsubscribe
  }

  detach(sessionId: number, client: Client): void {
    const room = this.rooms.get(sessionId)
    if (!room) return
    room.clients.delete(client)
    if (room.clients.size === 0) {
      this.rooms.delete(sessionId)
      room.unsubscribe.then((off) => off()).catch(() => undefined)
    }
  }

  get socketCount(): number {
    let n = 0
    for (const r of this.rooms.values()) n += r.clients.size
    return n
  }

  async close(): Promise<void> {
    for (const [id, room] of this.rooms) {
      for (const c of room.clients) c.ws.close(RECONNECT, 'server restarting')
      this.rooms.delete(id)
      await room.unsubscribe.then((off) => off()).catch(() => undefined)
    }
  }

  private dispatch(sessionId: number, m: LiveBusMessage): void {
    const room = this.rooms.get(sessionId)
    if (!room) return
    const send = (c: Client, data: string) => {
      if (c.ws.readyState === c.ws.OPEN) c.ws.send(data)
    }
    switch (m.type) {
      case 'joined':
      case 'question': {
        const data = JSON.stringify(m)
        for (const c of room.clients) send(c, data)
        return
      }
      case 'progress': {
        const data = JSON.stringify(m)
        for (const c of room.clients) if (c.role === 'host') send(c, data)
        return
      }
      case 'reveal':
      case 'finished': {
        const mine = new Map<number, LiveStanding>(m.standings.map((s) => [s.userId, s]))
        const top = m.standings.slice(0, 10)
        // the shared part once; each socket gets its own rank appended
        const head = m.type === 'reveal'
          ? JSON.stringify({ type: 'reveal', reveal: m.reveal, leaderboard: top }).slice(0, -1)
          : JSON.stringify({ type: 'finished', podium: m.standings.filter((s) => s.rank <= 3).slice(0, 3), leaderboard: top }).slice(0, -1)
        for (const c of room.clients) {
          const s = mine.get(c.userId)
          send(c, `${head},"you":${JSON.stringify({ score: s?.score ?? 0, rank: s?.rank ?? null })}}`)
        }
      }
    }
  }
}

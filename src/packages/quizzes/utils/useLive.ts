import { useCallback, useEffect, useRef, useState } from 'react'
import type { LiveServerMessage, LiveSnapshot, LiveStanding } from '@contract/quizzes'
import { LiveSocket, type LiveSocketStatus } from '@/services/live-socket'
import { serverOffset } from './clock'

export interface LiveView {
  snap: LiveSnapshot
  /** server clock − local clock, from the last snapshot */
  offset: number
  podium: LiveStanding[]
  /** host: how many answered the current question */
  answered: number | null
}

/** Applies one server message to the view. A snapshot replaces everything (that is how a reconnect resumes). */
export function applyLive(view: LiveView | null, msg: LiveServerMessage): LiveView | null {
  if (msg.type === 'snapshot') {
    const { type: _t, ...snap } = msg
    return { snap, offset: serverOffset(snap.serverNow), podium: snap.state === 'finished' ? snap.leaderboard.slice(0, 3) : [], answered: null }
  }
  if (!view) return view
  const s = view.snap
  switch (msg.type) {
    case 'joined': {
      const participants = s.participants.some((p) => p.userId === msg.participant.userId) ? s.participants : [...s.participants, msg.participant]
      return { ...view, snap: { ...s, participants, participantCount: msg.participantCount } }
    }
    case 'question': {
      const { type: _t, ...q } = msg
      return { ...view, answered: 0, snap: { ...s, state: 'question', currentIndex: q.index, question: q, reveal: null, you: { ...s.you, answered: false } } }
    }
    case 'progress':
      return msg.index === s.currentIndex ? { ...view, answered: msg.answered, snap: { ...s, participantCount: msg.participantCount } } : view
    case 'answer_ack':
      return msg.questionIndex === s.currentIndex ? { ...view, snap: { ...s, you: { ...s.you, answered: true } } } : view
    case 'reveal':
      return { ...view, snap: { ...s, state: 'reveal', reveal: msg.reveal, leaderboard: msg.leaderboard, you: { ...s.you, score: msg.you.score, rank: msg.you.rank } } }
    case 'finished':
      return { ...view, podium: msg.podium, snap: { ...s, state: 'finished', leaderboard: msg.leaderboard, you: { ...s.you, score: msg.you.score, rank: msg.you.rank } } }
    case 'error':
      return msg.code === 'LIVE_ALREADY_ANSWERED' ? { ...view, snap: { ...s, you: { ...s.you, answered: true } } } : view
    default:
      return view
  }
}

/** The live session behind a code: a socket that reconnects by itself, and the view built from its messages. */
export function useLive(code: string | null, onError?: (code: string, message: string) => void) {
  const [view, setView] = useState<LiveView | null>(null)
  const [status, setStatus] = useState<LiveSocketStatus>('closed')
  const socket = useRef<LiveSocket | null>(null)
  const errorRef = useRef(onError)
  errorRef.current = onError

  useEffect(() => {
    if (!code) return undefined
    const s = new LiveSocket(code, {
      onMessage: (msg) => {
        if (msg.type === 'error') errorRef.current?.(msg.code, msg.message)
        setView((v) => applyLive(v, msg))
      },
      onStatus: (st) => setStatus(st),
    })
    socket.current = s
    s.start()
    return () => {
      s.close()
      socket.current = null
    }
  }, [code])

  const apply = useCallback((msg: LiveServerMessage) => setView((v) => applyLive(v, msg)), [])
  const send = useCallback((msg: Parameters<LiveSocket['send']>[0]) => socket.current?.send(msg) ?? false, [])
  return { view, status, apply, send }
}

export const STATUS_TEXT: Record<LiveSocketStatus, string> = {
  connecting: '正在连接…',
  open: '已连接',
  reconnecting: '网络中断，正在重连…',
  closed: '连接已关闭',
}

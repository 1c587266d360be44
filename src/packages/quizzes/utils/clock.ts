import { ROUTES } from '@/routes'

/**
 * The server's clock, as seen from this phone: offset = serverNow − local time when the answer arrived.
 * Countdowns use expiresAt/endsAt against (Date.now() + offset), so a phone whose clock is wrong still
 * shows the time the server will enforce.
 */
export function serverOffset(serverNow: string, receivedAt = Date.now()): number {
  const t = Date.parse(serverNow)
  return Number.isFinite(t) ? t - receivedAt : 0
}

export function remainingMs(endsAt: string, offset: number, now = Date.now()): number {
  return Math.max(0, Date.parse(endsAt) - (now + offset))
}

/** 125000 → "02:05"; an hour or more → "1:02:05" */
export function formatClock(ms: number): string {
  const s = Math.ceil(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${pad(m)}:${pad(sec)}`
}

export const KIND_LABEL: Record<string, string> = { single: '单选题', multiple: '多选题', judge: '判断题' }
export const DIFFICULTY_LABEL: Record<number, string> = { 1: '易', 2: '中', 3: '难' }
export const LETTERS = 'ABCDEF'

export function choiceText(options: string[], choice: number[]): string {
  if (!choice.length) return '未作答'
  return choice
    .slice()
    .sort((a, b) => a - b)
    .map((i) => `${LETTERS[i] ?? i + 1}. ${options[i] ?? ''}`)
    .join('；')
}

export const PAGES = ROUTES.quizzes

/** Reads the code from what the join QR code holds (`civiclink://live?code=123456`), or a bare 6-digit code. */
export function codeFromScan(text: string): string | null {
  const m = /[?&]code=(\d{6})/.exec(text) ?? /^\s*(\d{6})\s*$/.exec(text)
  return m ? m[1] : null
}


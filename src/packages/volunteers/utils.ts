import type { ShiftView } from '@contract/volunteers'
import { formatDateTime, toShanghai } from '@/utils/time'

/** 11月30日 08:00–10:00 (Beijing time). */
export function shiftTime(s: { startsAt: string; endsAt: string }): string {
  const start = toShanghai(s.startsAt)
  const end = toShanghai(s.endsAt)
  return `${start.format('M月D日 HH:mm')}–${end.isSame(start, 'day') ? end.format('HH:mm') : end.format('M月D日 HH:mm')}`
}

export function placesText(s: ShiftView): string {
  const left = s.capacity - s.confirmed
  return left > 0 ? `余 ${left}/${s.capacity} 个名额` : `已满 ${s.capacity} 人${s.waitlisted ? `，候补 ${s.waitlisted} 人` : ''}`
}

export function mineText(s: ShiftView): string | null {
  if (!s.mine) return null
  return s.mine.status === 'confirmed' ? '已报名' : `候补第 ${s.mine.waitlistPosition} 位`
}

export const deadlineText = (at: string) => `报名截止 ${formatDateTime(at, 'M月D日 HH:mm')}`

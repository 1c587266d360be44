import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc'
import timezone from 'dayjs/plugin/timezone'
import relativeTime from 'dayjs/plugin/relativeTime'
import 'dayjs/locale/zh-cn'

dayjs.extend(utc)
dayjs.extend(timezone)
dayjs.extend(relativeTime)
dayjs.locale('zh-cn')

export const TIME_ZONE = 'Asia/Shanghai'

/** The server stores and sends UTC; people read Beijing time. */
export function toShanghai(input: string | number | Date): dayjs.Dayjs {
  const d = dayjs.utc(input)
  try {
    return d.tz(TIME_ZONE)
  } catch {
    // A runtime without Intl time zones (some older WebViews): Shanghai has been UTC+8 without DST since 1991.
    return d.utcOffset(8 * 60)
  }
}

export function formatDateTime(input: string | number | Date, format = 'YYYY-MM-DD HH:mm'): string {
  return toShanghai(input).format(format)
}

export function fromNow(input: string | number | Date): string {
  return dayjs.utc(input).fromNow()
}

export { dayjs }

import Taro from '@tarojs/taro'
import { REPORT_SUBSCRIBE_TEMPLATE_IDS } from '../config'

/**
 * Asks WeChat for the report-progress subscribe message. A one-time subscription allows one message per consent,
 * so it is asked at submit time and again whenever the person wants the next change. Never blocks: refusal,
 * failure, H5 or a missing template just go on. True when the person accepted.
 */
export async function askSubscribe(): Promise<boolean> {
  if (process.env.TARO_ENV !== 'weapp' || REPORT_SUBSCRIBE_TEMPLATE_IDS.length === 0) return false
  try {
    const res = (await Promise.race([
      Taro.requestSubscribeMessage({ tmplIds: REPORT_SUBSCRIBE_TEMPLATE_IDS } as any),
      new Promise((resolve) => setTimeout(() => resolve(null), 15000)),
    ])) as Record<string, string> | null
    return !!res && REPORT_SUBSCRIBE_TEMPLATE_IDS.some((t) => res[t] === 'accept')
  } catch {
    return false
  }
}

export const canSubscribe = () => process.env.TARO_ENV === 'weapp' && REPORT_SUBSCRIBE_TEMPLATE_IDS.length > 0

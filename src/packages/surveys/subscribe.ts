import Taro from '@tarojs/taro'
import { SURVEY_SUBSCRIBE_TEMPLATE_IDS } from './config'

/**
 * On weapp, WeChat's own subscribe prompt for the opening notice, asked from the tap on the switch (WeChat allows it
 * only from a tap). True when accepted — only then is the consent saved. H5 has no such prompt: the consent is saved
 * as given (messages go to accounts bound to WeChat only).
 */
export async function askSurveyNotices(): Promise<boolean> {
  if (process.env.TARO_ENV !== 'weapp') return true
  if (SURVEY_SUBSCRIBE_TEMPLATE_IDS.length === 0) return false
  try {
    const res = (await Taro.requestSubscribeMessage({ tmplIds: SURVEY_SUBSCRIBE_TEMPLATE_IDS } as never)) as unknown as Record<string, string>
    return SURVEY_SUBSCRIBE_TEMPLATE_IDS.some((t) => res[t] === 'accept')
  } catch {
    return false
  }
}

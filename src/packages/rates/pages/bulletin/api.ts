import Taro from '@tarojs/taro'
import type { Bulletin, BulletinPage, BulletinSubscription } from '@contract/rates-bulletin'
import { api, buildUrl } from '@/services/api'
import { downloadXlsx } from '@/services/download'

/** 每日通报 API calls (types/rates-bulletin.ts), kept in the subpackage. */
export const listBulletins = (cursor?: string) => api.get<BulletinPage>('/rates/bulletins', { cursor, limit: 20 })
export const getBulletin = (day: string) => api.get<Bulletin>(`/rates/bulletins/${day}`)
/** 403 for anyone but a worker: the page then shows no subscribe switch. */
export const getSubscription = () => api.get<BulletinSubscription>('/rates/bulletin-subscription', undefined, { silent: true })
export const setSubscription = (subscribed: boolean) => api.put<BulletinSubscription>('/rates/bulletin-subscription', { subscribed }, { silent: true })

/** The bulletin as Excel (services/download.ts). */
export const downloadBulletin = (day: string) => downloadXlsx(buildUrl(`/rates/bulletins/${day}/export.xlsx`), `创文每日通报-${day}.xlsx`)

/**
 * WeChat's own prompt for the bulletin's subscribe message, asked before the consent is saved. True only when the
 * person allowed it; refusal, failure or a missing template is false (and nothing is saved).
 */
export async function askWechatConsent(templateId: string): Promise<boolean> {
  if (process.env.TARO_ENV !== 'weapp' || !templateId) return false
  try {
    const res = (await Taro.requestSubscribeMessage({ tmplIds: [templateId] } as never)) as unknown as Record<string, string>
    return res?.[templateId] === 'accept'
  } catch {
    return false
  }
}

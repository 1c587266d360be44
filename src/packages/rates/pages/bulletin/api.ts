import Taro from '@tarojs/taro'
import type { Bulletin, BulletinPage, BulletinSubscription } from '@contract/rates-bulletin'
import { api, ApiError, buildUrl } from '@/services/api'
import { getToken } from '@/services/session'

/** 每日通报 API calls (types/rates-bulletin.ts), kept in the subpackage. */
export const listBulletins = (cursor?: string) => api.get<BulletinPage>('/rates/bulletins', { cursor, limit: 20 })
export const getBulletin = (day: string) => api.get<Bulletin>(`/rates/bulletins/${day}`)
/** 403 for anyone but a worker: the page then shows no subscribe switch. */
export const getSubscription = () => api.get<BulletinSubscription>('/rates/bulletin-subscription', undefined, { silent: true })
export const setSubscription = (subscribed: boolean) => api.put<BulletinSubscription>('/rates/bulletin-subscription', { subscribed }, { silent: true })

/** The bulletin as Excel: a download on H5; on weapp downloadFile + openDocument (its menu forwards or saves). */
export async function downloadBulletin(day: string): Promise<void> {
  const url = buildUrl(`/rates/bulletins/${day}/export.xlsx`)
  const token = getToken()
  if (process.env.TARO_ENV === 'h5') {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } })
    if (!res.ok) {
      const body = await res.json().catch(() => null)
      throw new ApiError(body?.code ?? `HTTP_${res.status}`, body?.message ?? '下载失败', res.status)
    }
    const a = document.createElement('a')
    a.href = URL.createObjectURL(await res.blob())
    a.download = `创文每日通报-${day}.xlsx`
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
    return
  }
  const res = await Taro.downloadFile({ url, header: { Authorization: `Bearer ${token}` } })
  if (res.statusCode !== 200) throw new ApiError(`HTTP_${res.statusCode}`, '下载失败', res.statusCode)
  await Taro.openDocument({ filePath: res.tempFilePath, fileType: 'xlsx', showMenu: true } as never)
}

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

import Taro from '@tarojs/taro'
import type { Me } from '@contract/accounts'
import { ApiError, toast } from './api'
import { locate, updateMe } from './accounts'
import { currentGcj02 } from '../utils/position'
import { isPrivacyRefusal, PRIVACY_REFUSED } from './privacy'

/**
 * 使用我的位置: asks for the GCJ-02 position, finds the community it lies in, asks the user to confirm, and
 * saves it. Returns the updated Me, or undefined if the user cancelled or something failed (already told).
 */
export async function chooseCommunityByLocation(): Promise<Me | undefined> {
  let position: { lng: number; lat: number }
  try {
    Taro.showLoading({ title: '正在定位…', mask: true })
    position = await currentGcj02()
  } catch (e) {
    Taro.hideLoading()
    toast(isPrivacyRefusal(e) ? `${PRIVACY_REFUSED}，无法定位；可点「我的社区」手动选择` : '无法获取位置，请在设置中允许使用位置信息后重试')
    return undefined
  }
  try {
    const hit = await locate(position.lng, position.lat)
    Taro.hideLoading()
    const where = [hit.district.name, hit.street.name, hit.community.name].join(' ')
    const { confirm } = await Taro.showModal({ title: '定位结果', content: `您在 ${where}，设为我的社区？`, confirmText: '确定', cancelText: '取消' })
    if (!confirm) return undefined
    const me = await updateMe({ communityCode: hit.community.code })
    toast(`已设为 ${hit.community.name}`)
    return me
  } catch (e) {
    Taro.hideLoading()
    if (e instanceof ApiError && e.code === 'OUTSIDE_CITY') toast(e.message || '该位置不在本市服务范围内')
    else if (e instanceof ApiError && e.status === 0) toast(e.message)
    else if (e instanceof ApiError && !e.message) toast('定位失败，请手动选择社区')
    else if (e instanceof ApiError) toast(e.message)
    return undefined
  }
}

import Taro from '@tarojs/taro'
import gcoord from 'gcoord'

/**
 * The current position in GCJ-02, the system WeChat and our server use. WeChat returns it directly; a browser
 * (Taro's H5 getLocation accepts only WGS-84) gives WGS-84, converted here.
 */
export async function currentGcj02(): Promise<{ lng: number; lat: number }> {
  if (process.env.TARO_ENV === 'h5') {
    const pos = await Taro.getLocation({ type: 'wgs84' })
    const [lng, lat] = gcoord.transform([pos.longitude, pos.latitude], gcoord.WGS84, gcoord.GCJ02)
    return { lng, lat }
  }
  const pos = await Taro.getLocation({ type: 'gcj02' })
  return { lng: pos.longitude, lat: pos.latitude }
}

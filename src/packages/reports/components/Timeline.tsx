import { Image, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import type { TimelineEvent } from '@contract/reports'
import { photoUrl } from '@/services/reports'
import { formatDateTime } from '@/utils/time'
import './Timeline.scss'

const ROLE_LABELS: Record<TimelineEvent['actor']['role'], string> = {
  reporter: '上报人',
  worker: '网格员',
  office: '创文办',
  system: '系统',
  open311: '城市管理平台',
}

/** The 台账 of one report: every step with who, when, the note and the photos; newest first. */
export default function Timeline({ events }: { events: TimelineEvent[] }) {
  const list = [...events].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.id - a.id))
  return (
    <View className='rp-tl'>
      {list.map((e, i) => {
        const role = ROLE_LABELS[e.actor.role] ?? e.actor.role
        const who = e.actor.name && e.actor.name !== role ? `${role} · ${e.actor.name}` : role
        return (
          <View key={e.id} className={`rp-tl__item ${i === 0 ? 'rp-tl__item--latest' : ''}`}>
            <View className='rp-tl__dot' />
            <View className='rp-tl__body'>
              <View className='rp-tl__head'>
                <View className='rp-tl__label'>{e.label}</View>
                <View className='rp-tl__time'>{formatDateTime(e.at)}</View>
              </View>
              <View className='rp-tl__actor'>{who}</View>
              {e.note ? <View className='rp-tl__note'>{e.note}</View> : null}
              {e.photos.length > 0 ? (
                <View className='rp-tl__photos'>
                  {e.photos.map((p, i) => (
                    <Image
                      key={p.id}
                      className='rp-tl__photo'
                      nativeProps={{ alt: `照片${i + 1}` }}
                      src={photoUrl(p.thumbUrl)}
                      mode='aspectFill'
                      onClick={() => Taro.previewImage({ current: photoUrl(p.url), urls: e.photos.map((x) => photoUrl(x.url)) }).catch(() => undefined)}
                    />
                  ))}
                </View>
              ) : null}
            </View>
          </View>
        )
      })}
    </View>
  )
}

import { Image, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Tag } from '@nutui/nutui-react-taro'
import type { ReportDetail } from '@contract/reports'
import Card from '@/components/Card'
import { photoUrl, stateTagType } from '@/services/reports'
import { formatDateTime, fromNow } from '@/utils/time'
import { categoryIcon } from './icons'
import './ReportHead.scss'
import { isOpen } from '@contract/report-lifecycle'
import { ROUTES, withQuery } from '@/routes'


/** Photos, status, category, place, due time of one report. */
export default function ReportHead({ r }: { r: ReportDetail }) {
  const open = isOpen(r.state)
  const urls = r.photos.map((p) => photoUrl(p.url))
  return (
    <Card className='rp-head'>
      <View className='rp-head__top'>
        <View className='rp-head__cat'>
          <View className='rp-head__icon'>{categoryIcon(r.category.icon)}</View>
          <View className='rp-head__name'>{r.category.name}</View>
        </View>
        <Tag className='rp-head__state' type={stateTagType(r.state)}>
          {r.stateLabel}
        </Tag>
      </View>
      <View className='rp-head__num'>{`编号 ${r.number}`}</View>
      {r.photos.length > 0 ? (
        <View className='rp-head__photos'>
          {r.photos.map((p, i) => (
            <Image
              key={p.id}
              className='rp-head__photo'
              nativeProps={{ alt: `现场照片${i + 1}` }}
              src={photoUrl(p.thumbUrl)}
              mode='aspectFill'
              onClick={() => Taro.previewImage({ current: photoUrl(p.url), urls }).catch(() => undefined)}
            />
          ))}
        </View>
      ) : null}
      {r.description ? <View className='rp-head__desc'>{r.description}</View> : null}
      <View className='rp-head__row'>
        <View className='rp-head__k'>位置</View>
        <View className='rp-head__v'>{r.address}</View>
      </View>
      <View className='rp-head__row'>
        <View className='rp-head__k'>社区</View>
        <View className='rp-head__v'>{r.grid ? `${r.community.name} · ${r.grid.name}` : r.community.name}</View>
      </View>
      <View className='rp-head__row'>
        <View className='rp-head__k'>上报时间</View>
        <View className='rp-head__v'>{formatDateTime(r.createdAt)}</View>
      </View>
      {open ? (
        <View className='rp-head__row'>
          <View className='rp-head__k'>办理时限</View>
          <View className={`rp-head__v ${r.overdue ? 'rp-head__overdue' : ''}`}>
            {r.overdue ? `已超期（应于 ${formatDateTime(r.dueAt)} 前办结）` : `${formatDateTime(r.dueAt)} 前（${fromNow(r.dueAt)}）`}
          </View>
        </View>
      ) : r.closedAt ? (
        <View className='rp-head__row'>
          <View className='rp-head__k'>办结时间</View>
          <View className='rp-head__v'>{formatDateTime(r.closedAt)}</View>
        </View>
      ) : null}
      <View className='rp-head__row'>
        <View className='rp-head__k'>责任部门</View>
        <View className='rp-head__v'>{r.assignee ? `${r.department} · ${r.assignee.name}` : r.department}</View>
      </View>
      {r.coReporters > 0 ? (
        <View className='rp-head__row'>
          <View className='rp-head__k'>共同反映</View>
          <View className='rp-head__v'>{`另有 ${r.coReporters} 人也遇到了`}</View>
        </View>
      ) : null}
      {r.reporter && !r.isMine ? (
        <View className='rp-head__row'>
          <View className='rp-head__k'>上报人</View>
          <View className='rp-head__v'>{[r.reporter.name, r.reporter.phoneMasked].filter(Boolean).join(' ')}{r.anonymous ? '（对公众匿名）' : ''}</View>
        </View>
      ) : r.isMine && r.anonymous ? (
        <View className='rp-head__row'>
          <View className='rp-head__k'>公开方式</View>
          <View className='rp-head__v'>对公众匿名</View>
        </View>
      ) : null}
      {r.filedFor ? (
        <View className='rp-head__row'>
          <View className='rp-head__k'>代为提交</View>
          <View className='rp-head__v'>
            {`${r.filedFor.system}：${[r.filedFor.name, r.filedFor.phoneMasked, r.filedFor.email].filter(Boolean).join(' ')}`}
          </View>
        </View>
      ) : null}
      {r.mergedInto ? (
        <View className='rp-head__row'>
          <View className='rp-head__k'>已合并到</View>
          <View className='rp-head__v rp-head__link' onClick={() => Taro.redirectTo({ url: withQuery(ROUTES.reports.detail, { id: r.mergedInto! }) })}>
            {`问题 #${r.mergedInto}`}
          </View>
        </View>
      ) : null}
      {r.held && r.holdReason ? <View className='rp-head__held'>{`待审核：${r.holdReason}`}</View> : null}
    </Card>
  )
}

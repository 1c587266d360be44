import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Button, Cell, CellGroup, Tag } from '@nutui/nutui-react-taro'
import type { StaffSurveyList } from '@contract/surveys'
import PageShell from '@/components/PageShell'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { formatDateTime } from '@/utils/time'
import { listStaffSurveys } from '../../api'
import { STATUS } from '../../staff'
import '../../components/wide.scss'
import './index.scss'
import { ROUTES } from '@/routes'

type Item = StaffSurveyList['items'][number]
export const EDIT_PAGE = ROUTES.surveys.edit
export const MANAGE_PAGE = ROUTES.surveys.manage

/** 问卷管理 (workers, the office): the surveys of my area with their status and responses; new from the template or blank. */
export default function SurveyAdminPage() {
  const signedIn = useRequireSignIn()
  const list = useRemote(listStaffSurveys, [], signedIn)
  useReloadOnShow(list.reload, signedIn)
  usePullDownRefresh(async () => {
    await list.reload()
    Taro.stopPullDownRefresh()
  })

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (list.loading) return <PageShell><LoadingState /></PageShell>
  if (list.error || !list.data) return <PageShell><ErrorState error={list.error} onRetry={list.reload} /></PageShell>

  const items = list.data.items
  const row = (s: Item) => (
    <Cell
      key={s.id}
      className='sv-admin__item'
      clickable
      onClick={() => Taro.navigateTo({ url: `${MANAGE_PAGE}?id=${s.id}` })}
      title={
        <View className='sv-admin__title'>
          <View className='sv-admin__name'>{s.title}</View>
          <Tag type={STATUS[s.status].type}>{STATUS[s.status].text}</Tag>
        </View>
      }
      description={`${s.regionName}${s.anonymous ? ' · 匿名' : ''} · ${formatDateTime(s.startsAt)} 至 ${formatDateTime(s.endsAt)}`}
      extra={<View className='sv-admin__count'>{s.responses} 份</View>}
    />
  )
  return (
    <PageShell className='sv-admin sv-wide'>
      <View className='sv-admin__actions'>
        <Button type='primary' className='sv-admin__new' onClick={() => Taro.navigateTo({ url: `${EDIT_PAGE}?template=chuangwen_standard` })}>
          用创文标准问卷新建
        </Button>
        <Button fill='outline' className='sv-admin__new' onClick={() => Taro.navigateTo({ url: EDIT_PAGE })}>
          从空白新建
        </Button>
      </View>
      {items.length === 0 ? (
        <EmptyState title='还没有问卷' description='新建的问卷先是草稿：预览无误后发布，居民即可填写。' />
      ) : (
        <View className='sv-admin__groups'>
          {(['published', 'draft', 'closed'] as const).map((st) => {
            const of = items.filter((s) => s.status === st)
            return of.length ? <CellGroup key={st} title={`${STATUS[st].text}（${of.length}）`}>{of.map(row)}</CellGroup> : null
          })}
        </View>
      )}
    </PageShell>
  )
}

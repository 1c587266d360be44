import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Cell, CellGroup, Tag } from '@nutui/nutui-react-taro'
import type { ResidentSurveyList } from '@contract/surveys'
import PageShell from '@/components/PageShell'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { toast } from '@/services/api'
import { formatDateTime } from '@/utils/time'
import { listSurveys } from '../../api'
import './index.scss'

export const ANSWER_PAGE = '/packages/surveys/pages/answer/index'
type Item = ResidentSurveyList['items'][number]

function state(s: Item): { text: string; type: 'success' | 'default' | 'warning' | 'primary' } {
  if (s.answered) return { text: '已填写', type: 'success' }
  if (s.quotaFull) return { text: '名额已满', type: 'default' }
  if (s.hasDraft) return { text: '继续填写', type: 'warning' }
  return { text: '待填写', type: 'primary' }
}

/** 问卷: the open surveys for my community, answered ones marked. */
export default function SurveyListPage() {
  const signedIn = useRequireSignIn()
  const list = useRemote(listSurveys, [], signedIn)
  useReloadOnShow(list.reload, signedIn)
  usePullDownRefresh(async () => {
    await list.reload()
    Taro.stopPullDownRefresh()
  })

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (list.loading) return <PageShell><LoadingState /></PageShell>
  if (list.error || !list.data) return <PageShell><ErrorState error={list.error} onRetry={list.reload} /></PageShell>

  const open = (s: Item) => {
    if (s.answered) return toast('您已经填写过这份问卷，感谢参与')
    if (s.quotaFull) return toast('本社区的名额已满，感谢您的关注')
    Taro.navigateTo({ url: `${ANSWER_PAGE}?id=${s.id}` })
  }
  const items = list.data.items
  return (
    <PageShell className='sv-list'>
      {items.length === 0 ? (
        <EmptyState title='暂时没有问卷' description='社区或创文办发布面向您所在社区的问卷后，会显示在这里。' />
      ) : (
        <CellGroup title='正在进行的问卷'>
          {items.map((s) => {
            const st = state(s)
            return (
              <Cell
                key={s.id}
                className='sv-list__item'
                clickable
                onClick={() => open(s)}
                title={
                  <View className='sv-list__title'>
                    <View className='sv-list__name'>{s.title}</View>
                    <Tag type={st.type} className='sv-list__tag'>{st.text}</Tag>
                  </View>
                }
                description={`${s.regionName} · ${s.questionCount} 题${s.anonymous ? ' · 匿名' : ''} · 截止 ${formatDateTime(s.endsAt)}`}
                extra='›'
              />
            )
          })}
        </CellGroup>
      )}
      {list.refreshing ? <View className='sv-muted'>正在刷新…</View> : null}
    </PageShell>
  )
}

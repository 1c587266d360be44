import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Cell, CellGroup, Switch, Tag } from '@nutui/nutui-react-taro'
import type { ResidentSurveyList, SurveyNoticeConsent } from '@contract/surveys'
import PageShell from '@/components/PageShell'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { ApiError, toast } from '@/services/api'
import { formatDateTime } from '@/utils/time'
import { getNoticeConsent, listClosedSurveys, listSurveys, setNoticeConsent } from '../../api'
import { askSurveyNotices } from '../../subscribe'
import '../../components/wide.scss'
import './index.scss'
import { ROUTES } from '@/routes'

export const ANSWER_PAGE = ROUTES.surveys.answer
export const OUTCOME_PAGE = ROUTES.surveys.outcome
type Item = ResidentSurveyList['items'][number]

function state(s: Item): { text: string; type: 'success' | 'default' | 'warning' | 'primary' } {
  if (s.answered) return { text: '已填写', type: 'success' }
  if (s.quotaFull) return { text: '名额已满', type: 'default' }
  if (s.hasDraft) return { text: '继续填写', type: 'warning' }
  return { text: '待填写', type: 'primary' }
}

async function load(): Promise<{ open: ResidentSurveyList; closed: ResidentSurveyList; notices: SurveyNoticeConsent }> {
  const [open, closed, notices] = await Promise.all([listSurveys(), listClosedSurveys(), getNoticeConsent()])
  return { open, closed, notices }
}

/**
 * "有新问卷时通知我": on weapp WeChat's subscribe prompt comes first (from this tap), and the consent is saved only if
 * it was accepted; turning it off is saved at once.
 * NutUI's Switch keeps its own spinner state and clears it only when `checked` changes: after a refusal or a failed
 * save `checked` stays as it was, so left to itself the switch would ignore every later tap. `loading` is ours.
 */
function NoticeSwitch({ initial }: { initial: SurveyNoticeConsent }) {
  const [agreed, setAgreed] = useState(initial.agreed)
  const [busy, setBusy] = useState(false)
  const change = async (on: boolean) => {
    setBusy(true)
    try {
      if (on && !(await askSurveyNotices())) return toast('未开启：需要在微信的提示中选择“允许”')
      setAgreed((await setNoticeConsent(on)).agreed)
      toast(on ? '已开启：有面向您社区的新问卷时会通知您' : '已关闭新问卷通知')
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '设置失败，请稍后重试')
    } finally {
      setBusy(false)
    }
  }
  return (
    <CellGroup>
      <Cell
        title='有新问卷时通知我'
        description='面向您所在社区的问卷开始时，发一条微信订阅消息'
        extra={<Switch ariaLabel='有新问卷时通知我' checked={agreed} loading={busy} disabled={busy} onChange={change} />}
      />
    </CellGroup>
  )
}

/** 问卷: the open surveys for my community, answered ones marked; closed ones whose results are public; notices. */
export default function SurveyListPage() {
  const signedIn = useRequireSignIn()
  const list = useRemote(load, [], signedIn)
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
  const items = list.data.open.items
  const closed = list.data.closed.items
  return (
    <PageShell className='sv-list sv-wide'>
      <NoticeSwitch initial={list.data.notices} />
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
      {closed.length > 0 ? (
        <CellGroup title='已结束的问卷（可查看结果）'>
          {closed.map((s) => (
            <Cell
              key={s.id}
              className='sv-list__item'
              clickable
              onClick={() => Taro.navigateTo({ url: `${OUTCOME_PAGE}?id=${s.id}` })}
              title={
                <View className='sv-list__title'>
                  <View className='sv-list__name'>{s.title}</View>
                  <Tag type='default' className='sv-list__tag'>查看结果</Tag>
                </View>
              }
              description={`${s.regionName}${s.answered ? ' · 您参与过' : ''} · ${formatDateTime(s.endsAt)} 截止`}
              extra='›'
            />
          ))}
        </CellGroup>
      ) : null}
      {list.refreshing ? <View className='sv-muted'>正在刷新…</View> : null}
    </PageShell>
  )
}

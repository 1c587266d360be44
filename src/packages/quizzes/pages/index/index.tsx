import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Button, Cell, CellGroup, Tag } from '@nutui/nutui-react-taro'
import type { AttemptList, CampaignView } from '@contract/quizzes'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { ApiError, toast } from '@/services/api'
import { listAttempts, listCampaigns, startAttempt, startPractice } from '@/services/quizzes'
import { formatDateTime } from '@/utils/time'
import { PAGES } from '../../utils/clock'
import './index.scss'
import { ROUTES } from '@/routes'
import PageGate from '@/components/PageGate'

const STATUS: Record<CampaignView['status'], { text: string; type: 'primary' | 'success' | 'default' | 'warning' }> = {
  open: { text: '进行中', type: 'success' },
  upcoming: { text: '未开始', type: 'warning' },
  ended: { text: '已结束', type: 'default' },
  cancelled: { text: '已取消', type: 'default' },
}

const KIND_TEXT: Record<AttemptList['items'][number]['kind'], string> = { campaign: '答题活动', practice: '每日一练', live: '现场答题' }
const RECORDS_SHOWN = 5

/** What a record says on its right: the score and points once over, or that it can be continued. */
function recordExtra(r: AttemptList['items'][number]): string {
  if (r.status === 'in_progress') return '继续答题 ›'
  if (r.status === 'expired') return '超时未交卷 ›'
  return `${r.score ?? 0} 分${r.points > 0 ? ` · +${r.points} 积分` : ''} ›`
}

/** Messages for the refusals a resident may meet when starting; the server's message otherwise. */
function startError(e: unknown): string {
  if (!(e instanceof ApiError)) return '出错了，请稍后重试'
  switch (e.code) {
    case 'COMMUNITY_REQUIRED':
      return '请先在“我的”中选择所在社区'
    case 'ATTEMPTS_EXHAUSTED':
      return '答题次数已用完'
    case 'CAMPAIGN_NOT_STARTED':
      return '活动尚未开始'
    case 'CAMPAIGN_ENDED':
      return '活动已结束'
    case 'PRACTICE_LIMIT_REACHED':
      return '今天的练习次数已用完，明天再来吧'
    default:
      return e.message
  }
}

/**
 * 答题: campaigns open for my community, with 每日一练 / 错题本 / 积分排行 / 现场答题 entries, and 我的答题记录 —
 * campaigns, practice and live quizzes alike (a live quiz lands there when its host ends it).
 */
export default function QuizHomePage() {
  const signedIn = useRequireSignIn()
  const list = useRemote(listCampaigns, [], signedIn)
  const records = useRemote(() => listAttempts(), [], signedIn)
  const [allRecords, setAllRecords] = useState(false)
  const [olderRecords, setOlderRecords] = useState<AttemptList['items']>([])
  const [recordsCursor, setRecordsCursor] = useState<string | null | undefined>(undefined)
  const [loadingOlder, setLoadingOlder] = useState(false)
  const [starting, setStarting] = useState<number | 'practice' | null>(null)
  const reloadAll = async () => {
    setOlderRecords([])
    setRecordsCursor(undefined)
    await Promise.all([list.reload(), records.reload()])
  }
  const olderCursor = recordsCursor === undefined ? records.data?.nextCursor : recordsCursor
  const loadOlder = async () => {
    if (!olderCursor || loadingOlder) return
    setLoadingOlder(true)
    try {
      const page = await listAttempts(olderCursor)
      setOlderRecords((m) => [...m, ...page.items])
      setRecordsCursor(page.nextCursor)
    } catch {
      // toasted
    } finally {
      setLoadingOlder(false)
    }
  }
  useReloadOnShow(reloadAll, signedIn)
  usePullDownRefresh(async () => {
    await reloadAll()
    Taro.stopPullDownRefresh()
  })

  const start = async (c: CampaignView) => {
    if (c.mine?.openAttemptId) {
      Taro.navigateTo({ url: `${PAGES.answer}?id=${c.mine.openAttemptId}` })
      return
    }
    setStarting(c.id)
    try {
      const attempt = await startAttempt(c.id)
      Taro.navigateTo({ url: `${PAGES.answer}?id=${attempt.id}` })
    } catch (e) {
      toast(startError(e))
      if (e instanceof ApiError && e.code === 'COMMUNITY_REQUIRED') Taro.navigateTo({ url: ROUTES.accounts.region })
    } finally {
      setStarting(null)
    }
  }

  const practice = async () => {
    setStarting('practice')
    try {
      const attempt = await startPractice()
      Taro.navigateTo({ url: `${PAGES.answer}?id=${attempt.id}` })
    } catch (e) {
      toast(startError(e))
    } finally {
      setStarting(null)
    }
  }

  if (!signedIn) return <PageGate signedIn={false} />

  return (
    <PageShell className='qz-home'>
      <View className='qz-home__entries'>
        <View className='qz-home__entry' onClick={practice}>
          <View className='qz-home__entry-icon'>练</View>
          <View>{starting === 'practice' ? '出题中…' : '每日一练'}</View>
        </View>
        <View className='qz-home__entry' onClick={() => Taro.navigateTo({ url: PAGES.wrong })}>
          <View className='qz-home__entry-icon'>错</View>
          <View>错题本</View>
        </View>
        <View className='qz-home__entry' onClick={() => Taro.navigateTo({ url: PAGES.board })}>
          <View className='qz-home__entry-icon'>榜</View>
          <View>积分排行</View>
        </View>
        <View className='qz-home__entry' onClick={() => Taro.navigateTo({ url: PAGES.liveJoin })}>
          <View className='qz-home__entry-icon'>现</View>
          <View>现场答题</View>
        </View>
      </View>

      <View className='cl-section-title'>答题活动</View>
      {list.loading ? (
        <LoadingState />
      ) : list.error || !list.data ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title='暂无答题活动' description='社区发布答题活动后会显示在这里，先来每日一练吧。' actionText='每日一练' onAction={practice} />
      ) : (
        list.data.items.map((c) => {
          const st = STATUS[c.status]
          const mine = c.mine
          const canStart = c.status === 'open' && (!!mine?.openAttemptId || (mine ? mine.attemptsLeft > 0 : true))
          return (
            <Card key={c.id} className='qz-campaign' title={c.title} extra={<Tag type={st.type}>{st.text}</Tag>}>
              {c.description ? <View className='qz-campaign__desc'>{c.description}</View> : null}
              <View className='qz-campaign__meta'>
                <View>时间：{formatDateTime(c.startsAt, 'M月D日 HH:mm')} – {formatDateTime(c.endsAt, 'M月D日 HH:mm')}</View>
                <View>
                  {c.questionCount} 题 · 限时 {Math.round(c.timeLimitSeconds / 60)} 分钟 · {c.passScore} 分及格 · {c.regionName}
                </View>
                {mine ? (
                  <View>
                    剩余次数 {mine.attemptsLeft}/{c.maxAttempts}
                    {mine.bestScore !== null ? ` · 最好成绩 ${mine.bestScore} 分${mine.passed ? '（已通过）' : ''}` : ''}
                  </View>
                ) : (
                  <View>可答 {c.maxAttempts} 次</View>
                )}
              </View>
              <Button
                className='qz-campaign__start'
                type='primary'
                size='small'
                disabled={!canStart || starting !== null}
                loading={starting === c.id}
                onClick={() => void start(c)}
              >
                {mine?.openAttemptId ? '继续答题' : c.status === 'open' ? (canStart ? '开始答题' : '次数已用完') : st.text}
              </Button>
            </Card>
          )
        })
      )}

      <CellGroup className='qz-home__more'>
        <Cell title='现场答题' description='输入主持人给出的 6 位口令加入' clickable onClick={() => Taro.navigateTo({ url: PAGES.liveJoin })} />
      </CellGroup>

      <View className='cl-section-title'>我的答题记录</View>
      {records.loading ? (
        <LoadingState />
      ) : records.error || !records.data ? (
        <ErrorState error={records.error} onRetry={records.reload} />
      ) : records.data.items.length === 0 ? (
        <EmptyState title='还没有答题记录' description='参加答题活动、每日一练或现场答题后，成绩会记在这里。' />
      ) : (
        <CellGroup className='qz-home__records'>
          {(allRecords ? [...records.data.items, ...olderRecords] : records.data.items.slice(0, RECORDS_SHOWN)).map((r) => (
            <Cell
              key={r.id}
              title={r.title}
              description={`${KIND_TEXT[r.kind]} · ${formatDateTime(r.startedAt, 'M月D日 HH:mm')}`}
              extra={recordExtra(r)}
              clickable
              onClick={() => Taro.navigateTo({ url: `${r.status === 'in_progress' ? PAGES.answer : PAGES.result}?id=${r.id}` })}
            />
          ))}
          {!allRecords && records.data.items.length > RECORDS_SHOWN ? (
            <Cell title='查看更多记录' clickable onClick={() => setAllRecords(true)} />
          ) : allRecords && olderCursor ? (
            <Cell title={loadingOlder ? '加载中…' : '加载更早的记录'} clickable onClick={() => void loadOlder()} />
          ) : null}
        </CellGroup>
      )}
      {list.refreshing ? <View className='cl-muted'>正在刷新…</View> : null}
    </PageShell>
  )
}

import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro'
import { Button, Rate, TextArea } from '@nutui/nutui-react-taro'
import type { ReportDetail } from '@contract/reports'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { ApiError, toast } from '@/services/api'
import { getReport, rateReport, transition } from '@/services/reports'
import { formatDateTime } from '@/utils/time'
import { MODERATION_LABELS } from '@contract/moderation-constants'
import FlagSheet from '../../components/FlagSheet'
import ReportHead from '../../components/ReportHead'
import Timeline from '../../components/Timeline'
import { PAGES } from '../../config'
import { askSubscribe, canSubscribe } from '../../components/subscribe'
import './index.scss'
import { isOpen } from '@contract/report-lifecycle'
import PageGate from '@/components/PageGate'

const WORKER_ACTIONS = ['accept', 'reject', 'merge', 'dispatch', 'rectify', 'close', 'close_not_fixed', 'release']
const SCORE_TEXT = ['', '很不满意', '不满意', '一般', '满意', '非常满意']

/** 随手拍详情: photos, place, state, due time, the timeline; reopen (reporter, 7 days) and rating (once, after closing). */
export default function ReportDetailPage() {
  const signedIn = useRequireSignIn()
  const { params } = useRouter()
  const id = params.id ?? ''
  const remote = useRemote(() => getReport(id), [id], signedIn && !!id)
  const [override, setOverride] = useState<ReportDetail>()
  const r = override ?? remote.data
  useReloadOnShow(() => {
    setOverride(undefined)
    return remote.reload()
  }, signedIn)
  usePullDownRefresh(async () => {
    setOverride(undefined)
    await remote.reload()
    Taro.stopPullDownRefresh()
  })

  const [reopening, setReopening] = useState(false)
  const [reason, setReason] = useState('')
  const [score, setScore] = useState(0)
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState(false)
  const [flagging, setFlagging] = useState(false)

  const fail = async (e: unknown) => {
    toast(e instanceof ApiError ? e.message : '操作失败，请稍后重试')
    setOverride(undefined)
    await remote.reload()
  }

  const onReopen = async () => {
    if (!r) return
    if (!reason.trim()) {
      toast('请说明问题仍未解决的情况')
      return
    }
    setBusy(true)
    try {
      setOverride(await transition(r.id, { action: 'reopen', note: reason.trim() }))
      setReopening(false)
      setReason('')
      toast('已重新打开，将由网格员继续处理')
    } catch (e) {
      await fail(e)
    } finally {
      setBusy(false)
    }
  }

  const onRate = async () => {
    if (!r) return
    if (score < 1) {
      toast('请选择评分')
      return
    }
    setBusy(true)
    try {
      setOverride(await rateReport(r.id, comment.trim() ? { score, comment: comment.trim() } : { score }))
      toast('感谢您的评价')
    } catch (e) {
      await fail(e)
    } finally {
      setBusy(false)
    }
  }

  if (!signedIn) return <PageGate signedIn={false} />
  if (!id) return <PageShell><ErrorState error={new Error('缺少随手拍编号')} /></PageShell>
  if (remote.loading && !r) return <PageShell><LoadingState /></PageShell>
  if (!r) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>

  const canReopen = r.isMine && r.actions.includes('reopen')
  const canHandle = r.actions.some((a) => WORKER_ACTIONS.includes(a))
  const following = (r.isMine || r.meToo) && isOpen(r.state) && canSubscribe()
  const onSubscribe = async () => {
    toast((await askSubscribe()) ? '已订阅，下一次进度变化会通过微信通知您' : '未订阅，可随时再点此订阅')
  }

  return (
    <PageShell className='rp-detail'>
      <ReportHead r={r} />

      {canHandle ? (
        <Button className='rp-detail__handle' type='primary' block onClick={() => Taro.navigateTo({ url: `${PAGES.handle}?id=${r.id}` })}>
          处理此工单
        </Button>
      ) : null}

      {following ? (
        <Card title='办理进度提醒'>
          <View className='cl-muted'>按微信的规则，每订阅一次可收到一条进度通知。</View>
          <Button className='rp-detail__subscribe' type='default' block onClick={onSubscribe}>
            订阅下一条进度提醒
          </Button>
        </Card>
      ) : null}

      {r.rating ? (
        <Card title='我的评价' className='rp-detail__rating'>
          <View className='rp-detail__rated'>
            <Rate value={r.rating.score} readOnly />
            <View className='rp-detail__score'>{SCORE_TEXT[r.rating.score] ?? ''}</View>
          </View>
          {r.rating.comment ? <View className='rp-detail__comment'>{r.rating.comment}</View> : null}
          <View className='cl-muted'>{`评价于 ${formatDateTime(r.rating.ratedAt)}`}</View>
        </Card>
      ) : r.canRate ? (
        <Card title='评价处理结果' className='rp-detail__rating'>
          <View className='rp-detail__rated'>
            <Rate value={score} onChange={setScore} />
            <View className='rp-detail__score'>{SCORE_TEXT[score] ?? ''}</View>
          </View>
          <TextArea value={comment} placeholder='说说处理得怎么样（选填）' maxLength={300} showCount onChange={setComment} />
          <Button className='rp-detail__rate-btn' type='primary' block loading={busy} onClick={onRate}>
            提交评价
          </Button>
          <View className='cl-muted'>每个问题只能评价一次</View>
        </Card>
      ) : null}

      {canReopen ? (
        <Card title='问题没有解决？'>
          {reopening ? (
            <View>
              <TextArea value={reason} placeholder='请说明问题仍然存在的情况' maxLength={500} showCount onChange={setReason} />
              <View className='rp-detail__row-btns'>
                <Button type='default' onClick={() => setReopening(false)}>
                  取消
                </Button>
                <Button type='primary' loading={busy} onClick={onReopen}>
                  确认重新打开
                </Button>
              </View>
            </View>
          ) : (
            <View>
              <View className='cl-muted rp-detail__hint'>办结后 7 天内，如问题仍然存在，可申请网格员继续处理。</View>
              <Button type='primary' fill='outline' block onClick={() => setReopening(true)}>
                重新打开
              </Button>
            </View>
          )}
        </Card>
      ) : null}

      <Card title='处理进度'>
        <Timeline events={r.timeline} />
      </Card>

      {r.moderation !== 'visible' && (r.isMine || canHandle) ? (
        <View className='rp-detail__moderation'>{`内容审核：${MODERATION_LABELS[r.moderation]}`}</View>
      ) : null}
      {r.flaggedByMe ? (
        <View className='rp-detail__flagged'>您已举报该内容，正在等待审核</View>
      ) : r.canFlag ? (
        <Button className='rp-detail__flag' fill='none' size='small' onClick={() => setFlagging(true)}>
          举报
        </Button>
      ) : null}
      <FlagSheet
        reportId={r.id}
        visible={flagging}
        onClose={() => setFlagging(false)}
        onFlagged={() => {
          setFlagging(false)
          setOverride({ ...r, canFlag: false, flaggedByMe: true })
        }}
      />
    </PageShell>
  )
}

import { useEffect, useState } from 'react'
import { Image, Picker, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Cell, CellGroup, Input, Tag } from '@nutui/nutui-react-taro'
import NumberInput from '@/components/NumberInput'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { advanceLive, createLive, finishLive, getLive, listTags } from '@/services/quizzes'
import { Leaderboard, Podium } from '../../components/Standings'
import { PAGES, formatClock, remainingMs } from '../../utils/clock'
import { STATUS_TEXT, useLive } from '../../utils/useLive'
import '../live-join/index.scss'
import PageGate from '@/components/PageGate'

/** The form to open a session: a title, questions drawn from a tag, seconds per question. */
function CreateLiveForm() {
  const tags = useRemote(listTags, [])
  const [title, setTitle] = useState('')
  const [tagIdx, setTagIdx] = useState(0)
  const [count, setCount] = useState(5)
  const [seconds, setSeconds] = useState(20)
  const [saving, setSaving] = useState(false)
  const tagNames = ['全部标签', ...(tags.data?.items.map((t) => t.tag) ?? [])]

  const submit = async () => {
    if (!title.trim()) {
      toast('请填写标题')
      return
    }
    setSaving(true)
    try {
      const s = await createLive({ title: title.trim(), count, questionSeconds: seconds, ...(tagIdx > 0 ? { tag: tagNames[tagIdx] } : {}) })
      Taro.redirectTo({ url: `${PAGES.liveHost}?id=${s.id}` })
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '创建失败')
    } finally {
      setSaving(false)
    }
  }
  return (
    <PageShell className='qz-live'>
      <CellGroup title='发起现场答题'>
        <Cell title='标题'>
          <Input nativeProps={{ 'aria-label': '标题' }} placeholder='如：幸福里社区文明知识抢答' value={title} maxLength={60} onChange={setTitle} />
        </Cell>
        <Picker mode='selector' range={tagNames} value={tagIdx} onChange={(e) => setTagIdx(Number(e.detail.value))}>
          <Cell title='题目来源' extra={`${tagNames[tagIdx]} ›`} />
        </Picker>
        <Cell title='题数' extra={<NumberInput label='题数' value={count} min={1} max={50} onChange={(v) => setCount(Number(v) || 1)} />} />
        <Cell title='每题秒数' extra={<NumberInput label='每题秒数' value={seconds} min={5} max={300} step={5} onChange={(v) => setSeconds(Number(v) || 20)} />} />
      </CellGroup>
      <Button type='primary' block loading={saving} disabled={saving} onClick={submit}>
        创建并显示口令
      </Button>
    </PageShell>
  )
}

/**
 * 现场答题 (host): the join code and QR code, the lobby as people join, 开始/下一题, answers coming in,
 * the leaderboard after each question and the podium at the end. The host's socket gets the same
 * snapshot-then-messages stream; advancing goes over HTTP and its snapshot is applied at once.
 */
export default function LiveHostPage() {
  const signedIn = useRequireSignIn()
  const id = useRouter().params.id ?? ''
  const session = useRemote(() => getLive(id), [id], signedIn && !!id)
  const live = useLive(session.data?.code ?? null, (_c, message) => toast(message))
  const [busy, setBusy] = useState(false)
  const [now, setNow] = useState(Date.now())
  const snap = live.view?.snap

  useEffect(() => {
    if (snap?.state !== 'question') return undefined
    const t = setInterval(() => setNow(Date.now()), 500)
    return () => clearInterval(t)
  }, [snap?.state])

  if (!signedIn) return <PageGate signedIn={false} />
  if (!id) return <CreateLiveForm />
  if (session.loading) return <PageShell><LoadingState /></PageShell>
  if (session.error || !session.data) return <PageShell><ErrorState error={session.error} onRetry={session.reload} /></PageShell>

  const s = session.data
  const act = async (what: 'advance' | 'finish') => {
    if (what === 'finish') {
      const { confirm } = await Taro.showModal({ title: '结束答题', content: '提前结束后将直接公布最终排名，确定吗？', confirmText: '结束', cancelText: '取消' })
      if (!confirm) return
    }
    setBusy(true)
    try {
      const next = what === 'advance' ? await advanceLive(s.id) : await finishLive(s.id)
      live.apply({ type: 'snapshot', ...next })
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '操作失败')
    } finally {
      setBusy(false)
    }
  }

  const state = snap?.state ?? s.state
  const index = snap?.currentIndex ?? -1
  const last = index >= s.questionCount - 1
  const left = snap?.question ? remainingMs(snap.question.endsAt, live.view!.offset, now) : 0
  const nextLabel = state === 'lobby' ? '开始第 1 题' : state === 'question' ? '结束本题，公布答案' : last ? '公布最终排名' : `下一题（第 ${index + 2} 题）`

  return (
    <PageShell className='qz-live'>
      <View className='qz-live__top'>
        <View className='qz-live__title'>{s.title}</View>
        <Tag type={live.status === 'open' ? 'success' : 'warning'}>{STATUS_TEXT[live.status]}</Tag>
      </View>

      {state === 'lobby' ? (
        <Card title='扫码或输入口令加入'>
          <View className='qz-live__code'>{s.code}</View>
          {s.qrDataUrl ? <Image className='qz-live__qr' nativeProps={{ alt: `加入二维码，口令 ${s.code}` }} src={s.qrDataUrl} mode='aspectFit' /> : null}
          <View className='cl-muted' style={{ textAlign: 'center' }}>
            在“答题 › 现场答题”中输入口令，共 {s.questionCount} 题，每题 {s.questionSeconds} 秒
          </View>
        </Card>
      ) : (
        <View className='cl-muted'>口令 {s.code} · 共 {s.questionCount} 题</View>
      )}

      {state === 'lobby' ? (
        <Card title={`已加入 ${snap?.participantCount ?? 0} 人`}>
          <View className='qz-live__names'>
            {(snap?.participants ?? []).map((p) => (
              <Tag key={p.userId} className='qz-live__name' type='default' plain>
                {p.nickname}
              </Tag>
            ))}
            {!snap?.participants.length ? <View className='cl-muted'>等待参与者加入…</View> : null}
          </View>
        </Card>
      ) : null}

      {state === 'question' && snap?.question ? (
        <Card title={`第 ${snap.question.index + 1}/${snap.question.total} 题`} extra={left > 0 ? formatClock(left) : '时间到'}>
          <View className='qz-live__lobby-count'>{snap.question.question.stem}</View>
          {snap.question.question.options.map((o, i) => (
            <View key={i} className='cl-muted'>
              {'ABCDEF'[i]}. {o}
            </View>
          ))}
          <View className='qz-live__done'>
            已作答 {live.view?.answered ?? 0}/{snap.participantCount} 人
          </View>
        </Card>
      ) : null}

      {state === 'reveal' && snap?.reveal ? (
        <Card title={`第 ${snap.reveal.index + 1} 题答案：${snap.reveal.answer.map((i) => 'ABCDEF'[i]).join('、')}`}>
          <View className='cl-muted'>{snap.reveal.explanation}</View>
        </Card>
      ) : null}

      {state === 'finished' ? (
        <>
          <View className='cl-section-title'>颁奖台</View>
          <Podium podium={live.view?.podium.length ? live.view.podium : (snap?.leaderboard ?? []).slice(0, 3)} />
        </>
      ) : null}

      {(state === 'reveal' || state === 'finished') && snap ? (
        <>
          <View className='cl-section-title'>排行榜</View>
          <Leaderboard rows={snap.leaderboard} />
        </>
      ) : null}

      {state !== 'finished' ? (
        <View className='qz-live__host-actions'>
          <Button style={{ flex: 2 }} type='primary' loading={busy} disabled={busy} onClick={() => void act('advance')}>
            {nextLabel}
          </Button>
          <Button style={{ flex: 1 }} fill='outline' disabled={busy || state === 'lobby'} onClick={() => void act('finish')}>
            结束
          </Button>
        </View>
      ) : null}
    </PageShell>
  )
}

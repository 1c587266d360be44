import { useEffect, useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Input, Tag } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { answerLive, joinLive } from '@/services/quizzes'
import QuestionCard from '../../components/QuestionCard'
import { Leaderboard, Podium } from '../../components/Standings'
import { codeFromScan, formatClock, remainingMs } from '../../utils/clock'
import { STATUS_TEXT, useLive } from '../../utils/useLive'
import './index.scss'
import PageGate from '@/components/PageGate'

const JOIN_ERRORS: Record<string, string> = {
  LIVE_NOT_FOUND: '口令不存在，请核对主持人给出的 6 位数字',
  LIVE_FINISHED: '该现场答题已经结束',
  LIVE_NOT_JOINED: '请重新输入口令加入',
}

/**
 * 现场答题 (participant): enter the code (or scan the host's QR code on weapp) → lobby → each question with
 * a countdown on the server's clock → answer once → the answer and the leaderboard after each question →
 * the podium. Everything is drawn from the socket's snapshot and messages; a dropped connection reconnects
 * by itself and the fresh snapshot puts the page back where the session is.
 */
export default function LiveJoinPage() {
  const signedIn = useRequireSignIn()
  const params = useRouter().params
  const [input, setInput] = useState(params.code ?? '')
  const [code, setCode] = useState<string | null>(null)
  const [joining, setJoining] = useState(false)
  const [joinError, setJoinError] = useState('')
  const [choice, setChoice] = useState<number[]>([])
  const [sending, setSending] = useState(false)
  const [now, setNow] = useState(Date.now())
  const live = useLive(code, (c, message) => {
    if (c === 'LIVE_NOT_FOUND' || c === 'LIVE_FINISHED') setJoinError(JOIN_ERRORS[c])
    else if (c === 'LIVE_NOT_JOINED') {
      // the socket only serves those who joined (POST join): back to the code form
      setJoinError(JOIN_ERRORS[c])
      setCode(null)
    } else if (c !== 'LIVE_ALREADY_ANSWERED') toast(message)
  })
  const view = live.view
  const snap = view?.snap

  const join = async (raw: string) => {
    const c = raw.trim()
    if (!/^\d{6}$/.test(c)) {
      setJoinError('请输入 6 位数字口令')
      return
    }
    setJoining(true)
    setJoinError('')
    try {
      const first = await joinLive(c)
      live.apply({ type: 'snapshot', ...first })
      setCode(c)
    } catch (e) {
      setJoinError(e instanceof ApiError ? JOIN_ERRORS[e.code] ?? e.message : '加入失败，请重试')
    } finally {
      setJoining(false)
    }
  }

  useEffect(() => {
    if (signedIn && params.code) void join(params.code)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signedIn])

  // a new question: clear the previous choice
  const qIndex = snap?.question?.index ?? -1
  useEffect(() => setChoice([]), [qIndex])

  useEffect(() => {
    if (snap?.state !== 'question') return undefined
    const t = setInterval(() => setNow(Date.now()), 500)
    return () => clearInterval(t)
  }, [snap?.state])

  const scan = async () => {
    try {
      const res = await Taro.scanCode({ onlyFromCamera: false, scanType: ['qrCode'] })
      const c = codeFromScan(res.result)
      if (!c) {
        toast('不是现场答题的二维码')
        return
      }
      setInput(c)
      await join(c)
    } catch {
      // cancelled
    }
  }

  const sendAnswer = async () => {
    if (!snap?.question || !code || !choice.length) return
    const questionIndex = snap.question.index
    setSending(true)
    try {
      if (!live.send({ type: 'answer', questionIndex, choice })) {
        // no socket right now: the same rules over HTTP
        await answerLive(code, questionIndex, choice)
        live.apply({ type: 'answer_ack', questionIndex, accepted: true })
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === 'LIVE_ALREADY_ANSWERED') live.apply({ type: 'answer_ack', questionIndex, accepted: true })
      else toast(e instanceof ApiError ? e.message : '提交失败')
    } finally {
      setSending(false)
    }
  }

  if (!signedIn) return <PageGate signedIn={false} />

  if (!code || !snap) {
    return (
      <PageShell className='qz-live'>
        <Card title='加入现场答题'>
          <View className='cl-muted qz-live__tip'>输入主持人屏幕上的 6 位口令{process.env.TARO_ENV === 'weapp' ? '，或扫描二维码' : ''}</View>
          <Input className='qz-live__code-input' type='number' placeholder='6 位口令' maxLength={6} value={input} onChange={setInput} />
          {joinError ? <View className='qz-live__error'>{joinError}</View> : null}
          <Button type='primary' block loading={joining} disabled={joining} onClick={() => void join(input)}>
            进入答题
          </Button>
          {process.env.TARO_ENV === 'weapp' ? (
            <Button className='qz-live__scan' block fill='outline' onClick={scan}>
              扫码加入
            </Button>
          ) : null}
        </Card>
      </PageShell>
    )
  }

  const left = snap.question ? remainingMs(snap.question.endsAt, view!.offset, now) : 0
  const closed = snap.state === 'question' && left <= 0
  return (
    <PageShell className='qz-live'>
      <View className='qz-live__top'>
        <View className='qz-live__title'>{snap.title}</View>
        <Tag type={live.status === 'open' ? 'success' : live.status === 'closed' ? 'default' : 'warning'}>{STATUS_TEXT[live.status]}</Tag>
      </View>
      <View className='cl-muted qz-live__me'>
        我的得分 {snap.you.score}
        {snap.you.rank ? ` · 第 ${snap.you.rank} 名` : ''} · 共 {snap.participantCount} 人参加
      </View>
      {joinError ? <View className='qz-live__error'>{joinError}</View> : null}

      {snap.state === 'lobby' ? (
        <Card title='等待主持人开始'>
          <View className='qz-live__lobby-count'>已有 {snap.participantCount} 人加入</View>
          <View className='qz-live__names'>
            {snap.participants.map((p) => (
              <Tag key={p.userId} className='qz-live__name' type='default' plain>
                {p.nickname}
              </Tag>
            ))}
          </View>
        </Card>
      ) : null}

      {snap.state === 'question' && snap.question ? (
        <>
          <View className='qz-live__bar'>
            <View>
              第 {snap.question.index + 1}/{snap.question.total} 题
            </View>
            <View className={`qz-live__clock ${left <= 5000 ? 'qz-live__clock--urgent' : ''}`}>{closed ? '时间到' : formatClock(left)}</View>
          </View>
          <QuestionCard key={snap.question.index} question={snap.question.question} value={choice} onChange={setChoice} disabled={snap.you.answered || closed} />
          {snap.you.answered ? (
            <View className='qz-live__done'>已提交，等待公布答案…</View>
          ) : closed ? (
            <View className='qz-live__done'>本题已结束</View>
          ) : (
            <Button type='primary' block loading={sending} disabled={!choice.length || sending} onClick={sendAnswer}>
              提交答案
            </Button>
          )}
        </>
      ) : null}

      {snap.state === 'reveal' && snap.reveal ? (
        <>
          {snap.question && snap.question.index === snap.reveal.index ? (
            <QuestionCard question={snap.question.question} value={choice} reveal={{ answer: snap.reveal.answer, explanation: snap.reveal.explanation }} heading={`第 ${snap.reveal.index + 1} 题 · 答案揭晓`} />
          ) : (
            <Card title={`第 ${snap.reveal.index + 1} 题 · 答案揭晓`}>
              <View>解析：{snap.reveal.explanation}</View>
            </Card>
          )}
          <View className='cl-section-title'>排行榜</View>
          <Leaderboard rows={snap.leaderboard} />
          <View className='cl-muted qz-live__wait'>等待下一题…</View>
        </>
      ) : null}

      {snap.state === 'finished' ? (
        <>
          <View className='cl-section-title'>最终排名</View>
          <Podium podium={view!.podium.length ? view!.podium : snap.leaderboard.slice(0, 3)} />
          <Leaderboard rows={snap.leaderboard} />
          {snap.you.role === 'participant' ? (
            <View className='cl-muted' style={{ textAlign: 'center', marginTop: '16px' }}>本场成绩已记入“我的答题记录”，答对的题计入答题积分</View>
          ) : null}
          <Button className='qz-live__scan' block fill='outline' onClick={() => Taro.navigateBack().catch(() => undefined)}>
            返回
          </Button>
        </>
      ) : null}
    </PageShell>
  )
}

import { useCallback, useEffect, useRef, useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Progress } from '@nutui/nutui-react-taro'
import type { AttemptStarted } from '@contract/quizzes'
import PageShell from '@/components/PageShell'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, newIdempotencyKey, toast } from '@/services/api'
import { getAttempt, isSubmitted, submitAttempt } from '@/services/quizzes'
import QuestionCard from '../../components/QuestionCard'
import { PAGES, formatClock, remainingMs, serverOffset } from '../../utils/clock'
import './index.scss'
import PageGate from '@/components/PageGate'

type Answers = Record<number, number[]>
const draftKey = (id: string) => `civiclink.quiz.draft.${id}`
/** Submit this long before the server's expiry, so that the request arrives in time. */
const AUTO_SUBMIT_MARGIN_MS = 1000

function loadDraft(id: string): { answers: Answers; key: string } {
  try {
    const v = Taro.getStorageSync(draftKey(id))
    if (v && typeof v === 'object' && v.answers && typeof v.key === 'string') return v
  } catch {
    // no storage
  }
  return { answers: {}, key: newIdempotencyKey() }
}

/**
 * 答题: one question at a time, a countdown on the server's clock (expiresAt − serverNow, not a local
 * timer alone), 第 n/N 题, 交卷 — and an automatic submit when the time is up. The attempt holds stems and
 * options only; the answers exist on the server alone until the result comes back.
 */
export default function AnswerPage() {
  const signedIn = useRequireSignIn()
  const id = useRouter().params.id ?? ''
  const remote = useRemote(
    async () => {
      const a = await getAttempt(id)
      if (isSubmitted(a)) {
        Taro.redirectTo({ url: `${PAGES.result}?id=${id}` })
        return null
      }
      return { attempt: a, offset: serverOffset(a.serverNow) }
    },
    [id],
    signedIn && !!id,
  )
  const attempt: AttemptStarted | undefined = remote.data?.attempt
  const offset = remote.data?.offset ?? 0

  const draft = useRef(loadDraft(id))
  const [answers, setAnswers] = useState<Answers>(draft.current.answers)
  const [index, setIndex] = useState(0)
  const [now, setNow] = useState(Date.now())
  const [submitting, setSubmitting] = useState(false)
  const [expired, setExpired] = useState(false)
  const [submitError, setSubmitError] = useState<ApiError>()
  const done = useRef(false)

  useEffect(() => {
    if (!attempt) return undefined
    const t = setInterval(() => setNow(Date.now()), 500)
    return () => clearInterval(t)
  }, [attempt])

  const choose = (questionId: number, choice: number[]) => {
    const next = { ...answers, [questionId]: choice }
    setAnswers(next)
    draft.current = { ...draft.current, answers: next }
    try {
      Taro.setStorageSync(draftKey(id), draft.current)
    } catch {
      // kept in memory
    }
  }

  const submit = useCallback(
    async (auto: boolean) => {
      if (!attempt || done.current) return
      done.current = true
      setSubmitting(true)
      setSubmitError(undefined)
      const body = {
        answers: attempt.questions
          .filter((q) => (answers[q.id] ?? []).length > 0)
          .map((q) => ({ questionId: q.id, choice: answers[q.id] })),
      }
      try {
        await submitAttempt(attempt.id, body, draft.current.key)
        try {
          Taro.removeStorageSync(draftKey(id))
        } catch {
          // nothing to remove
        }
        if (auto) toast('时间到，已自动交卷')
        Taro.redirectTo({ url: `${PAGES.result}?id=${attempt.id}` })
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError('CLIENT_ERROR', '交卷失败，请重试', 0)
        if (err.code === 'ATTEMPT_EXPIRED') {
          setExpired(true)
        } else if (err.code === 'ATTEMPT_ALREADY_SUBMITTED') {
          Taro.redirectTo({ url: `${PAGES.result}?id=${attempt.id}` })
        } else {
          done.current = false
          setSubmitError(err)
          toast(err.message)
        }
      } finally {
        setSubmitting(false)
      }
    },
    [attempt, answers, id],
  )

  const left = attempt ? remainingMs(attempt.expiresAt, offset, now) : 0
  useEffect(() => {
    if (attempt && !done.current && !expired && left <= AUTO_SUBMIT_MARGIN_MS) void submit(true)
  }, [attempt, left, expired, submit])

  const onSubmit = async () => {
    if (!attempt) return
    const unanswered = attempt.questions.filter((q) => !(answers[q.id] ?? []).length).length
    const { confirm } = await Taro.showModal({
      title: '确认交卷',
      content: unanswered ? `还有 ${unanswered} 题未作答，未答的题按答错计。确定交卷吗？` : '交卷后不能再修改答案，确定交卷吗？',
      confirmText: '交卷',
      cancelText: '再看看',
    })
    if (confirm) await submit(false)
  }

  if (!signedIn) return <PageGate signedIn={false} />
  if (!id) return <PageShell><ErrorState error={new Error('缺少答题编号')} /></PageShell>
  if (remote.loading || remote.data === null) return <PageShell><LoadingState /></PageShell>
  if (remote.error || !attempt) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>

  if (expired) {
    return (
      <PageShell className='qz-answer'>
        <View className='qz-answer__expired'>
          <View className='qz-answer__expired-mark'>!</View>
          <View className='qz-answer__expired-title'>答题时间已到，本次作答未能提交</View>
          <View className='cl-muted'>服务器在截止时间之后才收到答卷（ATTEMPT_EXPIRED），本次作答按超时处理。</View>
          <Button type='primary' block className='qz-answer__expired-btn' onClick={() => Taro.redirectTo({ url: `${PAGES.result}?id=${attempt.id}` })}>
            查看本次结果
          </Button>
          <Button block fill='outline' className='qz-answer__expired-btn' onClick={() => Taro.navigateBack().catch(() => Taro.redirectTo({ url: PAGES.home }))}>
            返回答题活动
          </Button>
        </View>
      </PageShell>
    )
  }

  const total = attempt.questions.length
  const q = attempt.questions[Math.min(index, total - 1)]
  const answered = attempt.questions.filter((x) => (answers[x.id] ?? []).length > 0).length
  const urgent = left <= 60_000
  return (
    <PageShell className='qz-answer'>
      <View className='qz-answer__bar'>
        <View className='qz-answer__progress'>
          第 {index + 1}/{total} 题 <View className='cl-muted qz-answer__answered'>已答 {answered}</View>
        </View>
        <View className={`qz-answer__clock ${urgent ? 'qz-answer__clock--urgent' : ''}`}>剩余 {formatClock(left)}</View>
      </View>
      <Progress percent={Math.round(((index + 1) / total) * 100)} color='#cc2c21' />
      {q ? <QuestionCard key={q.id} question={q} value={answers[q.id] ?? []} onChange={(c) => choose(q.id, c)} disabled={submitting} /> : null}

      <View className='qz-answer__dots'>
        {attempt.questions.map((x, i) => (
          <View
            key={x.id}
            className={`qz-answer__dot ${i === index ? 'qz-answer__dot--on' : ''} ${(answers[x.id] ?? []).length ? 'qz-answer__dot--done' : ''}`}
            onClick={() => setIndex(i)}
          >
            {i + 1}
          </View>
        ))}
      </View>

      <View className='qz-answer__nav'>
        <Button className='qz-answer__btn' disabled={index === 0} onClick={() => setIndex(index - 1)}>
          上一题
        </Button>
        {index < total - 1 ? (
          <Button className='qz-answer__btn' type='primary' onClick={() => setIndex(index + 1)}>
            下一题
          </Button>
        ) : (
          <Button className='qz-answer__btn' type='primary' loading={submitting} disabled={submitting} onClick={onSubmit}>
            交卷
          </Button>
        )}
      </View>
      {index < total - 1 ? (
        <View className='qz-answer__early' onClick={onSubmit}>
          提前交卷
        </View>
      ) : null}
      {submitError ? <View className='qz-answer__error'>交卷失败：{submitError.message}，请重试</View> : null}
    </PageShell>
  )
}

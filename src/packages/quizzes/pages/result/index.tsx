import { View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Tag } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { getAttempt, isSubmitted } from '@/services/quizzes'
import QuestionCard from '../../components/QuestionCard'
import { PAGES, choiceText } from '../../utils/clock'
import './index.scss'
import PageGate from '@/components/PageGate'

/**
 * 答题结果: score, pass/fail, and each question with my choice, the right answer and the explanation —
 * all from the server's AttemptResult. An attempt still in progress has no result: back to answering.
 */
export default function ResultPage() {
  const signedIn = useRequireSignIn()
  const id = useRouter().params.id ?? ''
  const remote = useRemote(
    async () => {
      const a = await getAttempt(id)
      if (!isSubmitted(a)) {
        Taro.redirectTo({ url: `${PAGES.answer}?id=${id}` })
        return null
      }
      return a
    },
    [id],
    signedIn && !!id,
  )

  if (!signedIn) return <PageGate signedIn={false} />
  if (remote.loading || remote.data === null) return <PageShell><LoadingState /></PageShell>
  if (remote.error || !remote.data) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>

  const r = remote.data
  const expired = r.status === 'expired'
  const wrong = r.questions.filter((q) => !q.correct).length
  return (
    <PageShell className='qz-result'>
      <View className={`qz-result__score-card ${r.passed === false ? 'qz-result__score-card--fail' : ''}`}>
        <View className='qz-result__score'>
          {r.score}
          <View className='qz-result__unit'>分</View>
        </View>
        <View className='qz-result__verdict'>
          {expired ? '超时未交卷' : r.kind === 'live' ? '现场答题成绩' : r.passed === null ? '练习完成' : r.passed ? '恭喜，通过！' : '未通过，再接再厉'}
        </View>
        <View className='qz-result__meta'>
          答对 {r.correctCount}/{r.total} 题{r.passScore !== null ? ` · ${r.passScore} 分及格` : ''}
          {r.points > 0 ? ` · 积分 +${r.points}` : ''}
        </View>
      </View>

      <View className='cl-section-title qz-inline'>
        <View>答题详情</View>
        {wrong ? <Tag type='danger'>错 {wrong} 题</Tag> : <Tag type='success'>全对</Tag>}
      </View>
      {r.questions.map((q, i) => (
        <View key={q.id} className={`qz-result__item ${q.correct ? '' : 'qz-result__item--wrong'}`}>
          <QuestionCard
            question={q}
            value={q.given}
            heading={`第 ${i + 1} 题 · ${q.correct ? '答对' : q.given.length ? '答错' : '未作答'}`}
            reveal={{ answer: q.answer, explanation: q.explanation, withheld: !q.revealed }}
          />
          {!q.correct && q.given.length ? <View className='qz-result__given'>我的答案：{choiceText(q.options, q.given)}</View> : null}
        </View>
      ))}

      <View className='qz-result__actions'>
        <Button className='qz-result__btn' fill='outline' type='primary' onClick={() => Taro.redirectTo({ url: PAGES.wrong })}>
          错题本
        </Button>
        <Button className='qz-result__btn' type='primary' onClick={() => Taro.navigateBack().catch(() => Taro.redirectTo({ url: PAGES.home }))}>
          返回
        </Button>
      </View>
    </PageShell>
  )
}

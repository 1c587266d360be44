import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useReachBottom } from '@tarojs/taro'
import { Button, Tag } from '@nutui/nutui-react-taro'
import type { WrongAnswerList } from '@contract/quizzes'
import PageShell from '@/components/PageShell'
import { EmptyState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { listWrongAnswers } from '@/services/quizzes'
import { formatDateTime } from '@/utils/time'
import QuestionCard from '../../components/QuestionCard'
import { PAGES, choiceText } from '../../utils/clock'
import PageGate, { ready } from '@/components/PageGate'

/** 错题本: questions I got wrong, with the right answer and the explanation; paged by cursor. */
export default function WrongAnswersPage() {
  const signedIn = useRequireSignIn()
  const first = useRemote(() => listWrongAnswers(), [], signedIn)
  const [more, setMore] = useState<WrongAnswerList['items']>([])
  const [cursor, setCursor] = useState<string | null | undefined>(undefined)
  const [loadingMore, setLoadingMore] = useState(false)
  const [hideCorrected, setHideCorrected] = useState(false)

  usePullDownRefresh(async () => {
    setMore([])
    setCursor(undefined)
    await first.reload()
    Taro.stopPullDownRefresh()
  })
  const next = cursor === undefined ? first.data?.nextCursor : cursor
  const loadMore = async () => {
    if (!next || loadingMore) return
    setLoadingMore(true)
    try {
      const page = await listWrongAnswers(next)
      setMore((m) => [...m, ...page.items])
      setCursor(page.nextCursor)
    } catch {
      // toasted
    } finally {
      setLoadingMore(false)
    }
  }
  useReachBottom(() => void loadMore())

  if (!signedIn || !ready(first)) return <PageGate signedIn={signedIn} remote={first} />

  const items = [...first.data.items, ...more].filter((w) => !hideCorrected || !w.correctedSince)
  return (
    <PageShell className='qz-wrong'>
      {first.data.items.length === 0 ? (
        <EmptyState title='还没有错题' description='答错的题会收进这里，方便复习。' actionText='去答题' onAction={() => Taro.redirectTo({ url: PAGES.home })} />
      ) : (
        <>
          <View className='cl-muted' style={{ marginBottom: '12px' }} onClick={() => setHideCorrected(!hideCorrected)}>
            {hideCorrected ? '显示全部错题' : '只看未掌握的题'}
          </View>
          {items.map((w) => (
            <View key={w.question.id}>
              <QuestionCard
                question={w.question}
                value={w.lastGiven}
                heading={`错 ${w.wrongTimes} 次 · ${formatDateTime(w.lastWrongAt, 'M月D日')}`}
                reveal={{ answer: w.question.answer, explanation: w.question.explanation, withheld: !w.revealed }}
              />
              <View className='cl-muted' style={{ margin: '-8px 16px 24px' }}>
                上次答案：{choiceText(w.question.options, w.lastGiven)} {w.correctedSince ? <Tag type='success'>已答对过</Tag> : null}
              </View>
            </View>
          ))}
          {next ? (
            <Button block fill='none' loading={loadingMore} onClick={loadMore}>
              加载更多
            </Button>
          ) : (
            <View className='cl-muted' style={{ textAlign: 'center' }}>没有更多了</View>
          )}
        </>
      )}
    </PageShell>
  )
}

import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Button, Tag } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import { EmptyState } from '@/components/StateView'
import { usePagedRemote } from '@/hooks/usePagedRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { listWrongAnswers } from '@/services/quizzes'
import { formatDateTime } from '@/utils/time'
import QuestionCard from '../../components/QuestionCard'
import { PAGES, choiceText } from '../../utils/clock'
import PageGate, { ready } from '@/components/PageGate'

/** 错题本: questions I got wrong, with the right answer and the explanation; paged by cursor. */
export default function WrongAnswersPage() {
  const signedIn = useRequireSignIn()
  const list = usePagedRemote((cursor) => listWrongAnswers(cursor), [], signedIn)
  const [hideCorrected, setHideCorrected] = useState(false)

  usePullDownRefresh(async () => {
    await list.reload()
    Taro.stopPullDownRefresh()
  })

  if (!signedIn || !ready(list)) return <PageGate signedIn={signedIn} remote={list} />

  const items = (list.items ?? []).filter((w) => !hideCorrected || !w.correctedSince)
  return (
    <PageShell className='qz-wrong'>
      {list.data.items.length === 0 ? (
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
          {list.hasMore ? (
            <Button block fill='none' loading={list.loadingMore} onClick={list.loadMore}>
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

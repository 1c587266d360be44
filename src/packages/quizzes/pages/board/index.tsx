import { useState } from 'react'
import { View } from '@tarojs/components'
import { Cell, CellGroup } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { getPoints, getPointsBoard, getRegionBoard } from '@/services/quizzes'
import './index.scss'
import PageGate from '@/components/PageGate'

type TabKey = 'people' | 'community' | 'street'
const TABS: { key: TabKey; label: string }[] = [
  { key: 'people', label: '社区积分榜' },
  { key: 'community', label: '社区排行' },
  { key: 'street', label: '街道排行' },
]
const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`)

/** 积分与排行: my points, the people of my community by points, communities and streets by pass rate. */
export default function BoardPage() {
  const signedIn = useRequireSignIn()
  const [tab, setTab] = useState<TabKey>('people')
  const points = useRemote(getPoints, [], signedIn)
  const board = useRemote(
    async () => (tab === 'people' ? { kind: 'people' as const, data: await getPointsBoard() } : { kind: 'region' as const, data: await getRegionBoard(tab) }),
    [tab],
    signedIn,
  )

  if (!signedIn) return <PageGate signedIn={false} />
  return (
    <PageShell className='qz-board'>
      <Card className='qz-board__points'>
        {points.loading ? (
          <LoadingState />
        ) : points.error || !points.data ? (
          <ErrorState error={points.error} onRetry={points.reload} />
        ) : (
          <>
            <View className='qz-board__total'>{points.data.total}</View>
            <View className='qz-board__label'>我的答题积分 · 今日 +{points.data.today}（上限 {points.data.dailyCap}）</View>
            {points.data.rules ? <View className='qz-board__rules'>{points.data.rules}</View> : null}
          </>
        )}
      </Card>

      <View className='qz-board__tabs'>
        {TABS.map((t) => (
          <View key={t.key} className={`qz-board__tab ${tab === t.key ? 'qz-board__tab--on' : ''}`} onClick={() => setTab(t.key)}>
            {t.label}
          </View>
        ))}
      </View>

      {board.loading ? (
        <LoadingState />
      ) : board.error || !board.data ? (
        <ErrorState error={board.error} onRetry={board.reload} />
      ) : board.data.kind === 'people' ? (
        board.data.data.items.length === 0 ? (
          <EmptyState title='暂无积分' description='答题即可获得积分。' />
        ) : (
          <CellGroup>
            {board.data.data.items.map((p) => (
              <Cell
                key={`${p.rank}-${p.nickname}`}
                className={p.isMe ? 'qz-board__me' : ''}
                title={`${p.rank}. ${p.nickname}${p.isMe ? '（我）' : ''}`}
                extra={`${p.points} 分`}
              />
            ))}
          </CellGroup>
        )
      ) : board.data.data.items.length === 0 ? (
        <EmptyState title='暂无排行' description='有居民参与答题后即可排行。' />
      ) : (
        <CellGroup>
          {board.data.data.items.map((r) => (
            <Cell
              key={r.regionCode}
              title={`${r.rank}. ${r.regionName}`}
              description={`参与 ${r.participants} 人 · 通过 ${r.passed} 人 · 平均 ${r.averageScore === null ? '—' : Math.round(r.averageScore)} 分`}
              extra={`通过率 ${pct(r.passRate)}`}
            />
          ))}
        </CellGroup>
      )}
    </PageShell>
  )
}

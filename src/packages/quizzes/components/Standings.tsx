import { View } from '@tarojs/components'
import type { LiveStanding } from '@contract/quizzes'
import './Standings.scss'

const MEDALS = ['冠军', '亚军', '季军']

/** The podium (first three) of a finished live quiz. */
export function Podium({ podium }: { podium: LiveStanding[] }) {
  if (!podium.length) return <View className='cl-muted'>没有人上榜</View>
  const order = [podium[1], podium[0], podium[2]].filter(Boolean) as LiveStanding[]
  return (
    <View className='qz-podium'>
      {order.map((p) => (
        <View key={p.userId} className={`qz-podium__col qz-podium__col--${p.rank}`}>
          <View className='qz-podium__medal'>{MEDALS[p.rank - 1] ?? p.rank}</View>
          <View className='qz-podium__name'>{p.nickname}</View>
          <View className='qz-podium__score'>{p.score} 分</View>
          <View className='qz-podium__block'>{p.rank}</View>
        </View>
      ))}
    </View>
  )
}

/** The live leaderboard (top 10). */
export function Leaderboard({ rows, meId }: { rows: LiveStanding[]; meId?: number }) {
  if (!rows.length) return <View className='cl-muted'>暂无排名</View>
  return (
    <View className='qz-board-list'>
      {rows.map((r) => (
        <View key={r.userId} className={`qz-board-list__row ${r.userId === meId ? 'qz-board-list__row--me' : ''}`}>
          <View className='qz-board-list__rank'>{r.rank}</View>
          <View className='qz-board-list__name'>{r.nickname}</View>
          <View className='qz-board-list__score'>
            {r.score} 分 · 对 {r.correctCount}
          </View>
        </View>
      ))}
    </View>
  )
}

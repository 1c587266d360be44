import { View } from '@tarojs/components'
import type { Ranking } from '@contract/rates'
import type { RegionLevel } from '@contract/common'
import { CHILD_LEVEL, pct } from '../figures'

type Entry = Ranking['top'][number]

function Column({ title, list }: { title: string; list: Entry[] }) {
  return (
    <View className='rt-rank__col'>
      <View className='rt-rank__title'>{title}</View>
      {list.map((e, i) => (
        <View key={e.regionCode} className='rt-rank__item'>
          <View className='rt-rank__no'>{i + 1}</View>
          <View className='rt-rank__name'>{e.name}</View>
          <View className='rt-rank__rate'>{pct(e.rate)}</View>
          <View className='rt-rank__ci'>[{pct(e.lower)}, {pct(e.upper)}] n={e.n}</View>
        </View>
      ))}
    </View>
  )
}

/** Best 3 and worst 3 of the chosen figure, per scope the server ranks (the children; all communities below a city or district). */
export default function Rankings({ rankings, level }: { rankings: Ranking[]; level: RegionLevel }) {
  if (rankings.length === 0) return <View className='rt-note'>社区是最小的统计单元，没有下级排名。</View>
  return (
    <View className='rt-rank'>
      {rankings.map((r) => (
        <View key={r.scope} className='rt-rank__scope'>
          <View className='rt-rank__head'>{r.scope === 'children' ? `${CHILD_LEVEL[level] ?? '下级区域'}排名` : `${level === 'city' ? '全市' : '全区'}社区排名`}</View>
          {r.top.length === 0 ? (
            <View className='rt-note'>没有可排名的区域：{r.excludedInsufficient} 个区域样本不足 30 人或本期无数据。</View>
          ) : (
            <View className='rt-rank__cols'>
              <Column title='前三' list={r.top} />
              <Column title='后三' list={r.bottom} />
            </View>
          )}
          {r.top.length > 0 && r.excludedInsufficient > 0 ? <View className='rt-note'>另有 {r.excludedInsufficient} 个区域样本不足或无数据，未参与排名。</View> : null}
        </View>
      ))}
      <View className='rt-note'>规则：{rankings[0].rule}。</View>
    </View>
  )
}

import { View } from '@tarojs/components'
import type { Figure, Sources } from '@contract/rates'
import { FIGURES } from '../figures'

/** Where a figure comes from: which surveys and quiz campaigns, how many ratings or reports, and how its interval is computed. */
export default function SourcesPanel({ f, sources }: { f: Figure; sources: Sources | undefined }) {
  const def = FIGURES.find((x) => x.key === f.figure)!
  const rows: Array<{ kind: string; title: string; n: number }> = sources
    ? [
        ...sources.surveys.map((s) => ({ kind: '问卷', title: s.title, n: s.respondents })),
        ...sources.campaigns.map((c) => ({ kind: '答题活动', title: c.title, n: c.residents })),
        ...(sources.otherQuizzes > 0 ? [{ kind: '答题', title: '其他计入知晓率的答题', n: sources.otherQuizzes }] : []),
        ...(sources.ratings > 0 ? [{ kind: '随手拍评价', title: '办结后居民的评价', n: sources.ratings }] : []),
        ...(sources.reports > 0 ? [{ kind: '随手拍', title: '居民上报的随手拍', n: sources.reports }] : []),
        ...(sources.volunteerService > 0 ? [{ kind: '志愿服务', title: '计入时长的志愿服务班次', n: sources.volunteerService }] : []),
      ]
    : []
  return (
    <View className='rt-src'>
      <View className='rt-src__def'>口径：{def.what}。{f.figure === 'handling' ? '每件办结并被评价的随手拍按最近一次评价计一次。' : '每位居民本期只按最近一次作答计一次。'}</View>
      <View className='rt-src__def'>区间：{f.intervalMethod}。</View>
      {!sources ? null : rows.length === 0 ? (
        <View className='rt-note'>本期没有计入{f.name}的来源。</View>
      ) : (
        <View className='rt-src__list'>
          {rows.map((r) => (
            <View key={`${r.kind}-${r.title}`} className='rt-src__row'>
              <View className='rt-src__kind'>{r.kind}</View>
              <View className='rt-src__title'>{r.title}</View>
              <View className='rt-src__n'>{r.n} 人</View>
            </View>
          ))}
          <View className='rt-src__row rt-src__row--total'>
            <View className='rt-src__kind'>合计</View>
            <View className='rt-src__title'>计入的居民（每人一次，归入最近一次作答的来源）</View>
            <View className='rt-src__n'>{sources.counted} 人</View>
          </View>
        </View>
      )}
    </View>
  )
}

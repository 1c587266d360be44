import { View } from '@tarojs/components'
import type { Trend } from '@contract/rates'
import { pct } from '../figures'
import UChart from './UChart'

// told apart by more than colour: the legend names each line, and the figures are in the export
const COLORS = ['#1a5fb4', '#2f8f5b', '#b5650d', '#6b4fa0', '#cc2c21']

/** The daily rate of each figure over the last 30 or 90 days (a day without respondents is a gap in the line). */
export default function TrendChart({ trend }: { trend: Trend }) {
  const hasData = trend.series.some((s) => s.points.some((p) => p.rate !== null))
  if (!hasData) return <View className='rt-note rt-trend__empty'>近 {trend.days.length} 天暂无数据：这段时间没有居民作答、答题或评价。</View>
  const latest = trend.series.map((s) => {
    const i = s.points.map((p) => p.rate !== null).lastIndexOf(true)
    return `${s.name}${i >= 0 ? ` ${pct(s.points[i].rate)}（${trend.days[i].slice(5)}）` : ' 无数据'}`
  })
  const step = Math.max(1, Math.ceil(trend.days.length / 6))
  return (
    <View className='rt-trend'>
      <UChart
        id={`rt-trend-${trend.days.length}`}
        className='rt-trend__chart'
        options={{
          type: 'line',
          categories: trend.days.map((d) => d.slice(5)),
          series: trend.series.map((s, i) => ({ name: s.name, data: s.points.map((p) => (p.rate === null ? null : Math.round(p.rate * 1000) / 10)), color: COLORS[i] })),
          dataLabel: false,
          dataPointShape: false,
          fontSize: 11,
          padding: [16, 16, 8, 8],
          legend: { show: true, position: 'top', fontColor: '#1f2329' },
          xAxis: { disableGrid: true, labelCount: Math.ceil(trend.days.length / step), fontColor: '#1f2329', boundaryGap: 'justify' },
          yAxis: { data: [{ min: 0, max: 100, unit: '%', fontColor: '#1f2329' }], gridType: 'dash' },
          extra: { line: { type: 'straight', width: 2 } },
        }}
        label={`近 ${trend.days.length} 天每日比率折线图。最近一天有数据的：${latest.join('；')}`}
      />
      <View className='rt-note'>每日比率；单日人数常不足 30 人，区间较宽，看趋势请结合周、月数据。</View>
    </View>
  )
}

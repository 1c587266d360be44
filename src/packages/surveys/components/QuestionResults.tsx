import type { ReactNode } from 'react'
import { View } from '@tarojs/components'
import type { SurveyResults } from '@contract/surveys'
import Card from '@/components/Card'
import DistributionChart from './DistributionChart'
import './QuestionResults.scss'

type QResult = SurveyResults['questions'][number]

function Figures({ options }: { options: QResult['options'] }) {
  return (
    <View className='sv-res__figures'>
      {options.map((o) => (
        <View key={o.value} className='sv-res__fig'>
          <View className='sv-res__fig-label'>{o.label}</View>
          <View className='sv-res__fig-n'>{o.count} 人</View>
          <View className='sv-res__fig-p'>{o.percent}%</View>
        </View>
      ))}
    </View>
  )
}

/**
 * One question's distribution: a chart (stacked for a matrix) and its counts and percentages. The staff results page
 * and the residents' page after close show the same; `children` adds what only staff read (the text answers).
 */
export function QuestionResult({ q, no, children }: { q: QResult; no: number; children?: ReactNode }) {
  const chartId = `sv-chart-${q.key}`
  return (
    <Card title={`${no}. ${q.title}`} className='sv-res__q'>
      <View className='sv-res__meta'>
        {q.rows ? `${q.rows[0]?.answered ?? 0} 人作答` : `${q.answered} 人作答`}
        {q.mean !== undefined && q.mean !== null ? ` · 平均 ${q.mean}` : ''}
        {q.otherTexts ? ` · ${q.otherTexts} 人填写“其他”` : ''}
      </View>
      {q.rows ? (
        <>
          <DistributionChart
            id={chartId}
            stacked
            categories={q.rows.map((r) => r.label)}
            series={(q.rows[0]?.options ?? []).map((o, i) => ({ name: o.label, data: q.rows!.map((r) => r.options[i].count) }))}
            label={`${q.title}：各项的满意度分布（堆叠柱状图），数字见下表`}
          />
          {q.rows.map((r) => (
            <View key={r.key} className='sv-res__row'>
              <View className='sv-res__row-title'>{r.label}（{r.answered} 人）</View>
              <Figures options={r.options} />
            </View>
          ))}
        </>
      ) : q.options.length ? (
        <>
          <DistributionChart
            id={chartId}
            categories={q.options.map((o) => o.label)}
            series={[{ name: '人数', data: q.options.map((o) => o.count) }]}
            label={`${q.title}：各选项人数（柱状图），数字见下表`}
          />
          <Figures options={q.options} />
        </>
      ) : null}
      {children}
    </Card>
  )
}

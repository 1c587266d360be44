import { useMemo, useState } from 'react'
import { Picker, View } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import type { CrossTab, SurveyDefinition } from '@contract/surveys'
import { ApiError, toast } from '@/services/api'
import { getCrossTab } from '../api'
import { allQuestions, domainOf } from '../staff'

interface Target { question: string; row?: string; label: string }

/** Cross-tab of a question (a matrix: one of its rows) by community, street or another question; small cells "<5". */
export default function CrossTabView({ surveyId, definition }: { surveyId: number | string; definition: SurveyDefinition }) {
  const targets = useMemo<Target[]>(() => allQuestions(definition).filter((q) => domainOf(q).length > 0).flatMap((q) =>
    q.type === 'matrix' ? q.rows!.map((r) => ({ question: q.key, row: r.key, label: `${q.title.slice(0, 14)}—${r.label}` })) : [{ question: q.key, label: q.title.slice(0, 20) }]),
  [definition])
  const bys = useMemo(() => [{ by: 'community', label: '按社区' }, { by: 'street', label: '按街道' }, ...targets.map((t) => ({ by: 'question', target: t, label: `按“${t.label}”` }))], [targets])
  const [ti, setTi] = useState(0)
  const [bi, setBi] = useState(0)
  const [tab, setTab] = useState<CrossTab | null>(null)
  const [loading, setLoading] = useState(false)
  if (targets.length === 0) return null
  const run = async () => {
    const t = targets[ti]
    const b = bys[bi] as { by: string; target?: Target }
    setLoading(true)
    try {
      setTab(await getCrossTab(surveyId, { question: t.question, row: t.row, by: b.by, byQuestion: b.target?.question, byRow: b.target?.row }))
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '加载失败，请稍后重试')
    } finally {
      setLoading(false)
    }
  }
  return (
    <View className='sv-xtab'>
      <Picker mode='selector' range={targets.map((t) => t.label)} value={ti} onChange={(e) => setTi(Number(e.detail.value))}>
        <View className='sv-xtab__pick'>分析的题目：{targets[ti].label} ›</View>
      </Picker>
      <Picker mode='selector' range={bys.map((b) => b.label)} value={bi} onChange={(e) => setBi(Number(e.detail.value))}>
        <View className='sv-xtab__pick'>分组：{bys[bi].label} ›</View>
      </Picker>
      <Button size='small' type='primary' loading={loading} disabled={loading} onClick={run}>开始分析</Button>
      {tab ? (
        <View className='sv-xtab__table' role='table' aria-label='交叉分析结果'>
          <View className='sv-xtab__tr sv-xtab__tr--head' role='row'>
            <View className='sv-xtab__th' role='columnheader'>分组</View>
            <View className='sv-xtab__th' role='columnheader'>人数</View>
            {tab.columns.map((c) => <View key={c.value} className='sv-xtab__th' role='columnheader'>{c.label}</View>)}
          </View>
          {tab.groups.map((g) => (
            <View key={g.key} className='sv-xtab__tr' role='row'>
              <View className='sv-xtab__td sv-xtab__td--name' role='rowheader'>{g.label}</View>
              <View className='sv-xtab__td' role='cell'>{g.display}</View>
              {g.cells.map((c) => <View key={c.value} className={`sv-xtab__td ${c.suppressed ? 'sv-xtab__td--hidden' : ''}`} role='cell'>{c.display}</View>)}
            </View>
          ))}
          <View className='sv-xtab__note'>少于 5 人的格子显示“&lt;5”（能由合计推算出的格子也一并隐藏），以免小群体被识别。</View>
        </View>
      ) : null}
    </View>
  )
}

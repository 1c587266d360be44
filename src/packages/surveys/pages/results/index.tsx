import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro'
import { Button, Tag } from '@nutui/nutui-react-taro'
import type { StaffSurvey, SurveyResults } from '@contract/surveys'
import Card from '@/components/Card'
import PageShell from '@/components/PageShell'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { downloadExport, getStaffResults, getStaffSurvey } from '../../api'
import CrossTabView from '../../components/CrossTabView'
import { QuestionResult } from '../../components/QuestionResults'
import TextAnswers from '../../components/TextAnswers'
import { STATUS, allQuestions } from '../../staff'
import '../../components/wide.scss'
import './index.scss'

async function load(id: string): Promise<{ survey: StaffSurvey; results: SurveyResults }> {
  const [survey, results] = await Promise.all([getStaffSurvey(id), getStaffResults(id)])
  return { survey, results }
}

/** 问卷结果 (staff; live while open): each question's distribution as a chart with its figures, cross-tabs, texts, exports. */
export default function SurveyResultsPage() {
  const signedIn = useRequireSignIn()
  const id = useRouter().params.id ?? ''
  const remote = useRemote(() => load(id), [id], signedIn && !!id)
  const [exporting, setExporting] = useState('')
  usePullDownRefresh(async () => {
    await remote.reload()
    Taro.stopPullDownRefresh()
  })

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (!id) return <PageShell><ErrorState error={new Error('缺少问卷编号')} /></PageShell>
  if (remote.loading) return <PageShell><LoadingState /></PageShell>
  if (remote.error || !remote.data) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>
  const { survey, results } = remote.data
  const defs = new Map(allQuestions(survey.definition).map((q) => [q.key, q]))

  const exportFile = async (what: 'responses' | 'summary', format: 'xlsx' | 'csv') => {
    setExporting(`${what}.${format}`)
    try {
      await downloadExport(id, what, format)
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '导出失败，请稍后重试')
    } finally {
      setExporting('')
    }
  }
  const exportButton = (what: 'responses' | 'summary', format: 'xlsx' | 'csv', text: string) => (
    <Button size='small' fill='outline' loading={exporting === `${what}.${format}`} disabled={!!exporting} onClick={() => exportFile(what, format)}>{text}</Button>
  )
  return (
    <PageShell className='sv-res sv-wide'>
      <View className='sv-res__head'>
        <View className='sv-res__title'>{results.title}</View>
        <Tag type={STATUS[results.status].type}>{STATUS[results.status].text}</Tag>
        <View className='sv-res__total'>共 {results.responses} 份答卷{results.status === 'published' ? '（实时）' : ''}</View>
      </View>
      <View className='sv-res__exports'>
        {exportButton('responses', 'xlsx', '导出答卷 Excel')}
        {exportButton('responses', 'csv', '导出答卷 CSV')}
        {exportButton('summary', 'xlsx', '导出汇总 Excel')}
        {exportButton('summary', 'csv', '导出汇总 CSV')}
      </View>
      {survey.anonymous ? <View className='sv-res__note'>匿名问卷：导出的答卷不含任何个人信息，也不含社区，只有提交日期。</View> : null}
      <View className='sv-res__grid'>
        {results.questions.map((q, i) => {
          const d = defs.get(q.key)
          const hasText = q.type === 'short_text' || q.type === 'long_text' || !!d?.options?.some((o) => o.other)
          return (
            <QuestionResult key={q.key} q={q} no={i + 1}>
              {hasText ? <TextAnswers surveyId={id} question={q.key} title={q.title} /> : null}
            </QuestionResult>
          )
        })}
      </View>
      <Card title='交叉分析' className='sv-res__xtab'>
        <CrossTabView surveyId={id} definition={survey.definition} />
      </Card>
    </PageShell>
  )
}

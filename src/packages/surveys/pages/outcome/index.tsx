import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro'
import PageShell from '@/components/PageShell'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError } from '@/services/api'
import { getResidentResults } from '../../api'
import { QuestionResult } from '../../components/QuestionResults'
import '../../components/wide.scss'
import './index.scss'

const NOT_SHOWN = ['RESULTS_NOT_YET', 'RESULTS_NOT_PUBLIC', 'SURVEY_NOT_FOR_YOU', 'SURVEY_NOT_FOUND']

/**
 * 问卷结果 for residents: once a survey has closed, and only if it publishes its results — each question's chart and
 * figures as staff see them, without the text answers. The server refuses it before then (RESULTS_NOT_YET) or for a
 * survey that keeps its results (RESULTS_NOT_PUBLIC); the page shows that refusal's words.
 */
export default function SurveyOutcomePage() {
  const signedIn = useRequireSignIn()
  const id = useRouter().params.id ?? ''
  const remote = useRemote(() => getResidentResults(id), [id], signedIn && !!id)
  usePullDownRefresh(async () => {
    await remote.reload()
    Taro.stopPullDownRefresh()
  })
  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (!id) return <PageShell><ErrorState error={new Error('缺少问卷编号')} /></PageShell>
  if (remote.loading) return <PageShell><LoadingState /></PageShell>
  // not yet, or not for residents: the server's words, without a retry that cannot help
  if (remote.error instanceof ApiError && NOT_SHOWN.includes(remote.error.code)) {
    return <PageShell><EmptyState title='暂不能查看结果' description={remote.error.message} /></PageShell>
  }
  if (remote.error || !remote.data) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>
  const r = remote.data
  const countable = r.questions.filter((q) => q.options.length > 0 || q.rows)
  return (
    <PageShell className='sv-out sv-wide'>
      <View className='sv-out__head'>
        <View className='sv-out__title'>{r.title}</View>
        <View className='sv-out__total'>已结束 · 共 {r.responses} 份答卷</View>
        <View className='sv-out__note'>感谢参与。以下为各题的统计结果；文字回答不公开。</View>
      </View>
      <View className='sv-out__grid'>
        {countable.map((q, i) => <QuestionResult key={q.key} q={q} no={i + 1} />)}
      </View>
    </PageShell>
  )
}

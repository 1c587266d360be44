import { useEffect, useRef, useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Progress } from '@nutui/nutui-react-taro'
import type { AnswerValue, Answers, ResidentSurvey } from '@contract/surveys'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, newIdempotencyKey, toast } from '@/services/api'
import { formatDateTime } from '@/utils/time'
import { getSurvey, getSurveyDraft, previewSurvey, saveSurveyDraft, submitSurvey } from '../../api'
import QuestionView from '../../components/QuestionView'
import { answersToSend, describeAnswer, problemOf, visibleSections } from '../../visibility'
import '../../components/wide.scss'
import './index.scss'
import { ROUTES } from '@/routes'

const LIST_PAGE = ROUTES.surveys.index
const keyStorage = (id: string) => `civiclink.survey.key.${id}`

/** One Idempotency-Key per survey on this device, kept until the submit is acknowledged. */
function submitKey(id: string): string {
  try {
    const k = Taro.getStorageSync(keyStorage(id))
    if (typeof k === 'string' && k) return k
    const fresh = newIdempotencyKey()
    Taro.setStorageSync(keyStorage(id), fresh)
    return fresh
  } catch {
    return newIdempotencyKey()
  }
}

async function load(id: string, preview: boolean): Promise<{ survey: ResidentSurvey; answers: Answers; page: number }> {
  if (preview) return { survey: await previewSurvey(id), answers: {}, page: 0 }
  const survey = await getSurvey(id)
  if (!survey.hasDraft || survey.answered) return { survey, answers: {}, page: 0 }
  try {
    const d = await getSurveyDraft(id)
    return { survey, answers: d.answers, page: d.page }
  } catch (e) {
    if (e instanceof ApiError && e.code === 'SURVEY_DRAFT_NOT_FOUND') return { survey, answers: {}, page: 0 }
    throw e
  }
}

/**
 * 填写问卷: one question group (section) per screen with a progress bar, 上一步/下一步, 保存进度 (on the server, so
 * another device continues where this one stopped), then a summary of every answer before 提交. Questions whose
 * condition does not hold are not shown and their answers are not sent — the server applies the same rule.
 */
export default function SurveyAnswerPage() {
  const signedIn = useRequireSignIn()
  const { id = '', preview: previewParam } = useRouter().params
  // its builders' preview (drafts too): the same screens, nothing saved or sent
  const preview = previewParam === '1'
  const remote = useRemote(() => load(id, preview), [id, preview], signedIn && !!id)
  const [answers, setAnswers] = useState<Answers>({})
  const [page, setPage] = useState(0)
  const [saving, setSaving] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  const [done, setDone] = useState(false)
  const restored = useRef(false)

  useEffect(() => {
    if (!remote.data || restored.current) return
    restored.current = true
    setAnswers(remote.data.answers)
    setPage(remote.data.page)
  }, [remote.data])

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (!id) return <PageShell><ErrorState error={new Error('缺少问卷编号')} /></PageShell>
  if (remote.loading) return <PageShell><LoadingState /></PageShell>
  if (remote.error || !remote.data) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>

  const survey = remote.data.survey
  const backToList = () => Taro.navigateBack().catch(() => Taro.redirectTo({ url: LIST_PAGE }))

  if (done || survey.answered) {
    return (
      <PageShell className='sv-answer sv-wide'>
        <EmptyState
          title={done ? '提交成功，感谢您的参与' : '您已经填写过这份问卷'}
          description={survey.anonymous ? '这是一份匿名问卷：您的答卷不与您的账号关联。' : '感谢您对文明城市创建的关心。'}
          actionText='返回问卷列表'
          onAction={backToList}
        />
      </PageShell>
    )
  }
  if (survey.status !== 'published' && !preview) {
    return <PageShell className='sv-answer sv-wide'><EmptyState title='问卷已结束' description='感谢您的关注。' actionText='返回问卷列表' onAction={backToList} /></PageShell>
  }
  if (survey.quotaFull) {
    return <PageShell className='sv-answer sv-wide'><EmptyState title='本社区的名额已满' description='感谢您的关注，这份问卷在您所在社区收集的份数已经够了。' actionText='返回问卷列表' onAction={backToList} /></PageShell>
  }

  const sections = visibleSections(survey.definition, answers)
  const total = sections.length
  const current = Math.min(page, total) // total = the summary screen
  const onSummary = current === total
  const numberOf = new Map(sections.flatMap((s) => s.questions).map((q, i) => [q.key, i + 1]))

  // from the latest answers, not this render's: two quick taps before a re-render must both count
  const change = (key: string, v: AnswerValue | undefined) => {
    setAnswers((prev) => {
      const next = { ...prev }
      if (v === undefined) delete next[key]
      else next[key] = v
      return next
    })
  }

  const save = async (to: number, quiet: boolean) => {
    if (preview) return
    setSaving(true)
    try {
      await saveSurveyDraft(id, { answers: answersToSend(survey.definition, answers), page: to })
      if (!quiet) toast('已保存，可稍后在任意设备继续填写')
    } catch (e) {
      // moving on does not wait for the network: the answers stay on this screen
      if (!quiet) toast(e instanceof ApiError ? e.message : '保存失败，请稍后重试')
    } finally {
      setSaving(false)
    }
  }

  const next = () => {
    const problem = sections[current].questions.map((q) => problemOf(q, answers[q.key])).find((p) => p !== null)
    if (problem) return toast(problem)
    void save(current + 1, true)
    setPage(current + 1)
    Taro.pageScrollTo({ scrollTop: 0, duration: 0 }).catch(() => undefined)
  }

  const submit = async () => {
    setSubmitting(true)
    try {
      await submitSurvey(id, answersToSend(survey.definition, answers), submitKey(id))
      try {
        Taro.removeStorageSync(keyStorage(id))
      } catch {
        // nothing to remove
      }
      setDone(true)
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('CLIENT_ERROR', '提交失败，请重试', 0)
      if (err.code === 'SURVEY_ALREADY_ANSWERED') {
        setDone(true)
        return
      }
      toast(err.message)
      // an answer the server refused: back to the screen holding that question
      const question = (err.details as { question?: string } | undefined)?.question
      const at = sections.findIndex((s) => s.questions.some((q) => q.key === question))
      if (at >= 0) setPage(at)
    } finally {
      setSubmitting(false)
    }
  }

  const progress = Math.round(((current + 1) / (total + 1)) * 100) // the summary is the last step
  return (
    <PageShell className='sv-answer sv-wide'>
      {preview ? <View className='sv-answer__preview' role='note'>预览：这是居民看到的样子，答案不会保存或提交</View> : null}
      <View className='sv-answer__head'>
        <View className='sv-answer__title'>{survey.title}</View>
        <View className='sv-muted sv-answer__meta'>
          {survey.anonymous ? '匿名问卷 · ' : ''}截止 {formatDateTime(survey.endsAt)}
        </View>
      </View>
      <View className='sv-answer__bar'>
        <View className='sv-answer__step'>{onSummary ? '确认提交' : `第 ${current + 1}/${total} 部分：${sections[current].section.title}`}</View>
      </View>
      <Progress percent={progress} color='#d93026' />

      {onSummary ? (
        <Card title='请确认您的回答' className='sv-answer__summary'>
          {sections.map((s, i) => (
            <View key={s.section.key} className='sv-answer__sum-section'>
              <View className='sv-answer__sum-head'>
                <View className='sv-answer__sum-title'>{s.section.title}</View>
                <Button size='small' fill='outline' className='sv-answer__sum-edit' onClick={() => setPage(i)}>
                  修改
                </Button>
              </View>
              {s.questions.map((q) => (
                <View key={q.key} className='sv-answer__sum-item'>
                  <View className='sv-answer__sum-q'>{numberOf.get(q.key)}. {q.title}</View>
                  <View className='sv-answer__sum-a'>{describeAnswer(q, answers[q.key])}</View>
                </View>
              ))}
            </View>
          ))}
        </Card>
      ) : (
        sections[current].questions.map((q) => (
          <QuestionView key={q.key} question={q} index={numberOf.get(q.key) ?? 0} value={answers[q.key]} onChange={(v) => change(q.key, v)} />
        ))
      )}

      <View className='sv-answer__nav'>
        {current > 0 ? (
          <Button className='sv-answer__btn' disabled={submitting} onClick={() => setPage(current - 1)}>
            上一步
          </Button>
        ) : (
          <View className='sv-answer__btn' />
        )}
        {onSummary ? (
          <Button className='sv-answer__btn' type='primary' loading={submitting} disabled={submitting || preview} onClick={submit}>
            {preview ? '预览不能提交' : '提交'}
          </Button>
        ) : (
          <Button className='sv-answer__btn' type='primary' onClick={next}>
            {current === total - 1 ? '查看并提交' : '下一步'}
          </Button>
        )}
      </View>
      {!onSummary && !preview ? (
        <Button className='sv-answer__save' block fill='outline' loading={saving} disabled={saving} onClick={() => save(current, false)}>
          保存进度，稍后继续
        </Button>
      ) : null}
    </PageShell>
  )
}

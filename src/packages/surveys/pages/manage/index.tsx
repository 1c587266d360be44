import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Cell, CellGroup, Dialog, Tag } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { ApiError, toast } from '@/services/api'
import { formatDateTime } from '@/utils/time'
import { closeSurvey, getStaffSurvey, publishSurvey } from '../../api'
import { FIGURE_LABELS, STATUS, TYPE_LABELS, allQuestions } from '../../staff'
import '../../components/wide.scss'
import './index.scss'
import { ROUTES } from '@/routes'

const EDIT_PAGE = ROUTES.surveys.edit
const RESULTS_PAGE = ROUTES.surveys.results
const PREVIEW_PAGE = ROUTES.surveys.answer

/** One survey for its builders: settings, questions with their markings, and draft → preview → publish → close. */
export default function SurveyManagePage() {
  const signedIn = useRequireSignIn()
  const id = useRouter().params.id ?? ''
  const remote = useRemote(() => getStaffSurvey(id), [id], signedIn && !!id)
  useReloadOnShow(remote.reload, signedIn && !!id)
  const [busy, setBusy] = useState(false)
  const [confirm, setConfirm] = useState<'publish' | 'close' | null>(null)

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (!id) return <PageShell><ErrorState error={new Error('缺少问卷编号')} /></PageShell>
  if (remote.loading) return <PageShell><LoadingState /></PageShell>
  if (remote.error || !remote.data) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>
  const s = remote.data

  const act = async (what: 'publish' | 'close') => {
    setConfirm(null)
    setBusy(true)
    try {
      await (what === 'publish' ? publishSurvey(id) : closeSurvey(id))
      toast(what === 'publish' ? '已发布，居民现在可以填写' : '问卷已结束')
      await remote.reload()
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '操作失败，请稍后重试')
    } finally {
      setBusy(false)
    }
  }
  const questions = allQuestions(s.definition)
  return (
    <PageShell className='sv-manage sv-wide'>
      <View className='sv-manage__head'>
        <View className='sv-manage__title'>{s.title}</View>
        <Tag type={STATUS[s.status].type}>{STATUS[s.status].text}</Tag>
      </View>
      <View className='sv-manage__cols'>
        <View>
          <CellGroup title='设置'>
            <Cell title='范围' extra={s.regionName} />
            <Cell title='时间' description={`${formatDateTime(s.startsAt)} 至 ${formatDateTime(s.endsAt)}`} />
            <Cell title='谁可以填写' extra={s.audience === 'residents' ? '社区在范围内的居民' : '所有登录用户'} />
            <Cell title='匿名' extra={s.anonymous ? '是（只保留日期）' : '否'} />
            <Cell title='每个社区限额' extra={s.quotaPerCommunity === null ? '不限' : `${s.quotaPerCommunity} 份`} />
            <Cell title='结束后公开结果' extra={s.resultsPublic ? '是' : '否'} />
            <Cell title='答卷' extra={`${s.responses} 份`} />
          </CellGroup>
          <View className='sv-manage__actions'>
            <Button fill='outline' onClick={() => Taro.navigateTo({ url: `${PREVIEW_PAGE}?id=${s.id}&preview=1` })}>预览</Button>
            {s.status !== 'closed' ? <Button fill='outline' onClick={() => Taro.navigateTo({ url: `${EDIT_PAGE}?id=${s.id}` })}>{s.responses > 0 ? '修改文字' : '编辑'}</Button> : null}
            {s.status === 'draft' ? <Button type='primary' loading={busy} disabled={busy} onClick={() => setConfirm('publish')}>发布</Button> : null}
            {s.status === 'published' ? <Button type='danger' fill='outline' loading={busy} disabled={busy} onClick={() => setConfirm('close')}>结束问卷</Button> : null}
            {s.status !== 'draft' ? <Button type='primary' onClick={() => Taro.navigateTo({ url: `${RESULTS_PAGE}?id=${s.id}` })}>查看结果</Button> : null}
          </View>
        </View>
        <CellGroup title={`题目（${questions.length}）`}>
          {questions.map((q, i) => (
            <Cell
              key={q.key}
              title={`${i + 1}. ${q.title}`}
              description={[
                TYPE_LABELS[q.type],
                q.required ? '必答' : '选答',
                q.showWhen?.length ? '有显示条件' : '',
                q.figure ? `计入${FIGURE_LABELS[q.figure]}` : '',
              ].filter(Boolean).join(' · ')}
            />
          ))}
        </CellGroup>
      </View>
      {s.wordingChanges.length ? (
        <CellGroup title='文字修改记录'>
          {s.wordingChanges.map((c) => (
            <Cell key={c.at} title={`${formatDateTime(c.at)} ${c.by}`} description={c.changes.map((x) => `“${x.from}”→“${x.to}”`).join('；')} />
          ))}
        </CellGroup>
      ) : null}
      <Dialog
        visible={confirm !== null}
        title={confirm === 'publish' ? '发布问卷' : '结束问卷'}
        content={confirm === 'publish' ? '发布后，范围内的居民即可填写；有答卷后题目和选项不能再改。' : '结束后居民不能再提交，未提交的草稿会被删除。'}
        onConfirm={() => act(confirm!)}
        onCancel={() => setConfirm(null)}
      />
    </PageShell>
  )
}

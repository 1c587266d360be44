import { useState } from 'react'
import { Picker, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Cell, CellGroup, Input, Radio, Switch, TextArea } from '@nutui/nutui-react-taro'
import type { StaffSurvey, SurveyDefinition, SurveyTemplateList } from '@contract/surveys'
import NumberInput from '@/components/NumberInput'
import PageShell from '@/components/PageShell'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { getMe, listRegions } from '@/services/accounts'
import { ApiError, toast } from '@/services/api'
import { dayjs, toShanghai } from '@/utils/time'
import { createSurvey, getStaffSurvey, listTemplates, updateSurvey } from '../../api'
import SurveyEditor from '../../components/SurveyEditor'
import { blankQuestion, definitionProblem } from '../../staff'
import '../../components/wide.scss'
import './index.scss'
import { ROUTES } from '@/routes'

const MANAGE_PAGE = ROUTES.surveys.manage
const shanghaiIso = (date: string, time: string) => dayjs(`${date}T${time}+08:00`).toISOString()
const dayOf = (iso: string) => toShanghai(iso).format('YYYY-MM-DD')

interface Area { code: string; name: string }
interface Loaded { survey: StaffSurvey | null; templates: SurveyTemplateList; areas: Area[] }

/**
 * The regions I may address: each region of my worker grants and the streets or communities in it; for the office
 * the city and its districts (the server checks coverage again).
 */
async function myAreas(): Promise<Area[]> {
  const me = await getMe()
  const grants = me.roles.filter((r) => r.role === 'worker' && r.regionCode).map((r) => ({ code: r.regionCode!, name: r.regionName ?? r.regionCode! }))
  const tops = me.roles.some((r) => r.role === 'office') ? (await listRegions()).map((r) => ({ code: r.code, name: r.name })) : []
  const out: Area[] = []
  for (const top of [...tops, ...grants]) {
    out.push(top)
    const below = await listRegions(top.code)
    out.push(...below.filter((r) => r.level !== 'grid').map((r) => ({ code: r.code, name: `${top.name} · ${r.name}` })))
  }
  return out.filter((a, i) => out.findIndex((b) => b.code === a.code) === i)
}

async function load(id: string | undefined): Promise<Loaded> {
  const [survey, templates, areas] = await Promise.all([id ? getStaffSurvey(id) : Promise.resolve(null), listTemplates(), myAreas()])
  // a survey of a region outside the list (built by the office for a street, say) keeps its region
  if (survey && !areas.some((a) => a.code === survey.regionCode)) areas.unshift({ code: survey.regionCode, name: survey.regionName })
  return { survey, templates, areas }
}

/**
 * 新建 / 编辑问卷: the settings (title, region within my area, window, who may answer, anonymous, quota) and the
 * questions. From the template its questions come filled in; once a survey has responses only wording may change.
 */
export default function SurveyEditPage() {
  const signedIn = useRequireSignIn()
  const { id, template } = useRouter().params
  const remote = useRemote(() => load(id), [id], signedIn)
  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (remote.loading) return <PageShell><LoadingState /></PageShell>
  if (remote.error || !remote.data) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>
  return <SurveyForm loaded={remote.data} template={template} />
}

/** The form, mounted once what it edits has arrived: its fields start from the survey, the template or blank. */
function SurveyForm({ loaded, template }: { loaded: Loaded; template: string | undefined }) {
  const { survey: s, areas: regions } = loaded
  const fromTemplate = s ? undefined : loaded.templates.items.find((t) => t.key === template)
  const today = toShanghai(Date.now()).format('YYYY-MM-DD')
  const [title, setTitle] = useState(s?.title ?? fromTemplate?.title ?? '')
  const [description, setDescription] = useState(s?.description ?? fromTemplate?.description ?? '')
  const [regionIdx, setRegionIdx] = useState(s ? Math.max(0, regions.findIndex((r) => r.code === s.regionCode)) : 0)
  const [startDate, setStartDate] = useState(s ? dayOf(s.startsAt) : today)
  const [endDate, setEndDate] = useState(s ? dayOf(s.endsAt) : toShanghai(Date.now()).add(14, 'day').format('YYYY-MM-DD'))
  const [audience, setAudience] = useState<'residents' | 'signed_in'>(s?.audience ?? 'residents')
  const [anonymous, setAnonymous] = useState(s?.anonymous ?? true)
  const [resultsPublic, setResultsPublic] = useState(s?.resultsPublic ?? false)
  const [quota, setQuota] = useState<number | null>(s?.quotaPerCommunity ?? null)
  const [def, setDef] = useState<SurveyDefinition>(
    s?.definition ?? fromTemplate?.definition ?? { sections: [{ key: 's1', title: '第 1 部分', questions: [blankQuestion('q1', 'single')] }] },
  )
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState('')

  const existing = s
  const wordingOnly = (existing?.responses ?? 0) > 0

  const save = async () => {
    setError('')
    const region = regions[regionIdx]
    if (!title.trim()) return setError('请填写问卷标题')
    if (!region) return setError('您没有可以发布问卷的区域')
    if (endDate < startDate) return setError('结束日期不能早于开始日期')
    const problem = definitionProblem(def)
    if (problem) return setError(problem)
    const settings = {
      title: title.trim(),
      description: description.trim(),
      regionCode: region.code,
      audience,
      anonymous,
      resultsPublic,
      quotaPerCommunity: quota,
      startsAt: existing && dayOf(existing.startsAt) === startDate ? existing.startsAt : startDate === today ? new Date().toISOString() : shanghaiIso(startDate, '00:00:00'),
      endsAt: shanghaiIso(endDate, '23:59:59'),
    }
    setSaving(true)
    try {
      // the template's own questions, unchanged, keep the survey linked to it
      const unchanged = fromTemplate && JSON.stringify(fromTemplate.definition) === JSON.stringify(def)
      const saved = existing
        ? await updateSurvey(existing.id, { ...settings, definition: def })
        : await createSurvey({ ...settings, ...(unchanged ? { template: fromTemplate!.key } : { definition: def }) })
      toast(existing ? '已保存' : '已保存为草稿')
      Taro.redirectTo({ url: `${MANAGE_PAGE}?id=${saved.id}` })
    } catch (e) {
      const msg = e instanceof ApiError ? e.message : '保存失败，请稍后重试'
      setError(msg)
      toast(msg)
    } finally {
      setSaving(false)
    }
  }

  return (
    <PageShell className='sv-edit sv-wide'>
      <View className='sv-edit__cols'>
        <View className='sv-edit__side'>
          <CellGroup title={fromTemplate && !existing ? `基本设置（模板：${fromTemplate.title}）` : '基本设置'}>
            <Cell>
              <View className='sv-edit__label'>标题</View>
              <Input className='sv-edit__input' nativeProps={{ 'aria-label': '问卷标题' }} placeholder='如：幸福里社区居民满意度调查' value={title} maxLength={100} onChange={setTitle} />
            </Cell>
            <Cell>
              <View className='sv-edit__label'>说明</View>
              <TextArea className='sv-edit__input' nativeProps={{ 'aria-label': '问卷说明' }} placeholder='向居民说明问卷的用途（可不填）' value={description} maxLength={1000} autoSize onChange={setDescription} />
            </Cell>
            <Picker mode='selector' range={regions.map((r) => r.name)} value={regionIdx} disabled={wordingOnly} onChange={(e) => setRegionIdx(Number(e.detail.value))}>
              <Cell title='范围' description='只能面向您负责的区域' extra={`${regions[regionIdx]?.name ?? '无可选区域'} ›`} />
            </Picker>
            <Picker mode='date' value={startDate} onChange={(e) => setStartDate(String(e.detail.value))}>
              <Cell title='开始日期' extra={`${startDate === today && !existing ? `${startDate}（立即开始）` : startDate} ›`} />
            </Picker>
            <Picker mode='date' value={endDate} start={startDate} onChange={(e) => setEndDate(String(e.detail.value))}>
              <Cell title='结束日期' extra={`${endDate} 23:59 ›`} />
            </Picker>
            <Cell>
              <View className='sv-edit__label'>谁可以填写</View>
              <Radio.Group className='sv-edit__radios' value={audience} disabled={wordingOnly} onChange={(v) => setAudience(v as 'residents' | 'signed_in')}>
                <Radio value='residents'>社区在范围内的居民</Radio>
                <Radio value='signed_in'>所有登录用户</Radio>
              </Radio.Group>
            </Cell>
            <Cell title='匿名问卷' description='答卷不与账号关联，只保留日期' extra={<Switch ariaLabel='匿名问卷' checked={anonymous} disabled={wordingOnly} onChange={setAnonymous} />} />
            <Cell title='结束后向居民公开结果' extra={<Switch ariaLabel='结束后向居民公开结果' checked={resultsPublic} onChange={setResultsPublic} />} />
            <Cell
              title='每个社区限额'
              description={quota === null ? '不限' : `每个社区收满 ${quota} 份即停止`}
              extra={
                <View className='sv-edit__quota'>
                  <Switch ariaLabel='每个社区限额' checked={quota !== null} onChange={(v) => setQuota(v ? 25 : null)} />
                  {quota !== null ? <NumberInput label='每个社区份数' value={quota} min={1} max={100000} step={5} onChange={(v) => setQuota(Number(v) || 1)} /> : null}
                </View>
              }
            />
          </CellGroup>
        </View>
        <View className='sv-edit__main'>
          {wordingOnly ? <View className='sv-edit__notice'>已有 {existing!.responses} 份答卷：只能修改文字错误，修改会被记录。</View> : null}
          <SurveyEditor value={def} onChange={setDef} wordingOnly={wordingOnly} />
        </View>
      </View>
      {error ? <View className='sv-edit__error' role='alert'>{error}</View> : null}
      <Button className='sv-edit__save' type='primary' block loading={saving} disabled={saving} onClick={save}>
        {existing ? '保存修改' : '保存为草稿'}
      </Button>
    </PageShell>
  )
}

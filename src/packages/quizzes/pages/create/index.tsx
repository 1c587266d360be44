import { useMemo, useState } from 'react'
import { Picker, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Cell, CellGroup, Checkbox, Input, TextArea } from '@nutui/nutui-react-taro'
import type { CreateCampaignBody } from '@contract/quizzes'
import NumberInput from '@/components/NumberInput'
import PageShell from '@/components/PageShell'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { getMe } from '@/services/accounts'
import { ApiError, toast } from '@/services/api'
import { createCampaign, listTags } from '@/services/quizzes'
import { dayjs, toShanghai } from '@/utils/time'
import './index.scss'
import PageGate, { ready } from '@/components/PageGate'

const ERRORS: Record<string, string> = {
  REGION_NOT_COVERED: '您不负责该区域',
  REGION_LEVEL_NOT_ALLOWED: '只能为社区或街道创建活动',
  INVALID_WINDOW: '结束时间需晚于开始时间',
  TAG_MIX_TOO_LARGE: '各标签题数之和超过了每次题数',
  NOT_ENOUGH_QUESTIONS: '题库中符合条件的题目不够，请减少题数或放宽难度',
  FORBIDDEN_ROLE: '只有社区工作者可以创建答题活动',
}

/** Beijing date 'YYYY-MM-DD' + time → ISO UTC. */
const shanghaiIso = (date: string, time: string) => dayjs(`${date}T${time}+08:00`).toISOString()

/** 新建答题活动: a plain form; the server checks everything again (region coverage, window, question supply). */
export default function CreateCampaignPage() {
  const signedIn = useRequireSignIn()
  const me = useRemote(getMe, [], signedIn)
  const tags = useRemote(listTags, [], signedIn)
  const today = toShanghai(Date.now()).format('YYYY-MM-DD')
  const [title, setTitle] = useState('')
  const [description, setDescription] = useState('')
  const [regionIdx, setRegionIdx] = useState(0)
  const [regionCode, setRegionCode] = useState('')
  const [startDate, setStartDate] = useState(today)
  const [endDate, setEndDate] = useState(toShanghai(Date.now()).add(7, 'day').format('YYYY-MM-DD'))
  const [questionCount, setQuestionCount] = useState(10)
  const [mix, setMix] = useState<Record<string, number>>({})
  const [difficulties, setDifficulties] = useState<string[]>(['1', '2', '3'])
  const [minutes, setMinutes] = useState(10)
  const [passScore, setPassScore] = useState(60)
  const [maxAttempts, setMaxAttempts] = useState(3)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState('')

  const regions = useMemo(
    () => (me.data?.roles ?? []).filter((r) => (r.role === 'worker' || r.role === 'office') && r.regionCode).map((r) => ({ code: r.regionCode!, name: r.regionName ?? r.regionCode! })),
    [me.data],
  )
  const mixTotal = Object.values(mix).reduce((s, n) => s + n, 0)

  const submit = async () => {
    setError('')
    const code = regions.length ? regions[regionIdx]?.code : regionCode.trim()
    if (!title.trim()) return setError('请填写活动标题')
    if (!code) return setError('请选择活动区域')
    if (endDate < startDate) return setError('结束日期不能早于开始日期')
    if (mixTotal > questionCount) return setError(`各标签题数之和（${mixTotal}）超过了每次题数（${questionCount}）`)
    if (!difficulties.length) return setError('至少选择一个难度')
    const body: CreateCampaignBody = {
      title: title.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      regionCode: code,
      startsAt: startDate === today ? new Date().toISOString() : shanghaiIso(startDate, '00:00:00'),
      endsAt: shanghaiIso(endDate, '23:59:59'),
      questionCount,
      tagMix: Object.entries(mix)
        .filter(([, n]) => n > 0)
        .map(([tag, count]) => ({ tag, count })),
      difficulties: difficulties.map(Number).sort(),
      timeLimitSeconds: minutes * 60,
      passScore,
      maxAttempts,
    }
    setSaving(true)
    try {
      await createCampaign(body)
      toast('答题活动已创建')
      setTimeout(() => Taro.navigateBack().catch(() => undefined), 600)
    } catch (e) {
      const msg = e instanceof ApiError ? ERRORS[e.code] ?? e.message : '创建失败，请稍后重试'
      setError(msg)
      toast(msg)
    } finally {
      setSaving(false)
    }
  }

  if (!signedIn || !ready(me)) return <PageGate signedIn={signedIn} remote={me} />

  const num = (v: string | number) => Number(v) || 0
  return (
    <PageShell className='qz-create'>
      <CellGroup title='基本信息'>
        <Cell>
          <View className='qz-create__label'>标题</View>
          <Input className='qz-create__input' nativeProps={{ 'aria-label': '标题' }} placeholder='如：垃圾分类知识竞答' value={title} maxLength={60} onChange={setTitle} />
        </Cell>
        <Cell>
          <View className='qz-create__label'>说明</View>
          <TextArea className='qz-create__input' nativeProps={{ 'aria-label': '说明' }} placeholder='活动说明（可不填）' value={description} maxLength={1000} onChange={setDescription} />
        </Cell>
        {regions.length ? (
          <Picker mode='selector' range={regions.map((r) => r.name)} value={regionIdx} onChange={(e) => setRegionIdx(Number(e.detail.value))}>
            <Cell title='区域' extra={`${regions[regionIdx]?.name ?? '请选择'} ›`} />
          </Picker>
        ) : (
          <Cell>
            <View className='qz-create__label'>区域编码</View>
            <Input className='qz-create__input' nativeProps={{ 'aria-label': '区域编码' }} placeholder='社区或街道编码' value={regionCode} onChange={setRegionCode} />
          </Cell>
        )}
        <Picker mode='date' value={startDate} start={today} onChange={(e) => setStartDate(String(e.detail.value))}>
          <Cell title='开始日期' extra={`${startDate === today ? `${startDate}（立即开始）` : startDate} ›`} />
        </Picker>
        <Picker mode='date' value={endDate} start={startDate} onChange={(e) => setEndDate(String(e.detail.value))}>
          <Cell title='结束日期' extra={`${endDate} 23:59 ›`} />
        </Picker>
      </CellGroup>

      <CellGroup title='出题规则'>
        <Cell title='每次题数' extra={<NumberInput label='每次题数' value={questionCount} min={1} max={100} onChange={(v) => setQuestionCount(num(v))} />} />
        <Cell>
          <View className='qz-create__label'>难度</View>
          <Checkbox.Group className='qz-create__diff' direction='horizontal' value={difficulties} onChange={setDifficulties}>
            <Checkbox value='1' label='易' />
            <Checkbox value='2' label='中' />
            <Checkbox value='3' label='难' />
          </Checkbox.Group>
        </Cell>
        {tags.data?.items.map((t) => (
          <Cell
            key={t.tag}
            title={t.tag}
            description={`题库 ${t.total} 题`}
            extra={<NumberInput label={`${t.tag}题数`} value={mix[t.tag] ?? 0} min={0} max={Math.min(100, t.total)} onChange={(v) => setMix({ ...mix, [t.tag]: num(v) })} />}
          />
        ))}
        <Cell
          title='题目构成'
          description={mixTotal ? `按标签抽 ${mixTotal} 题，其余 ${Math.max(0, questionCount - mixTotal)} 题从全部标签随机抽取` : '不指定标签时，从全部标签随机抽题'}
        />
      </CellGroup>

      <CellGroup title='答题要求'>
        <Cell title='限时（分钟）' extra={<NumberInput label='限时（分钟）' value={minutes} min={1} max={120} onChange={(v) => setMinutes(num(v))} />} />
        <Cell title='及格分（百分制）' extra={<NumberInput label='及格分（百分制）' value={passScore} min={0} max={100} step={5} onChange={(v) => setPassScore(num(v))} />} />
        <Cell title='可答次数' extra={<NumberInput label='可答次数' value={maxAttempts} min={1} max={20} onChange={(v) => setMaxAttempts(num(v))} />} />
      </CellGroup>

      {error ? <View className='qz-create__error'>{error}</View> : null}
      <Button className='qz-create__submit' type='primary' block loading={saving} disabled={saving} onClick={submit}>
        创建活动
      </Button>
    </PageShell>
  )
}

import { useMemo, useState } from 'react'
import { Picker, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Cell, CellGroup, Input, TextArea } from '@nutui/nutui-react-taro'
import type { ActivityBody, ActivityType } from '@contract/volunteers'
import { ACTIVITY_TYPES } from '@contract/volunteers-constants'
import NumberInput from '@/components/NumberInput'
import PageShell from '@/components/PageShell'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { getMe } from '@/services/accounts'
import { ApiError, toast } from '@/services/api'
import { isPrivacyRefusal, PRIVACY_REFUSED } from '@/services/privacy'
import { createActivity, PAGES } from '@/services/volunteers'
import { currentGcj02 } from '@/utils/position'
import { dayjs, toShanghai } from '@/utils/time'
import '../../styles.scss'

const TYPES = Object.entries(ACTIVITY_TYPES) as Array<[ActivityType, string]>
interface ShiftDraft { date: string; start: string; end: string; capacity: number }
/** Beijing date + time → ISO UTC. */
const at = (date: string, time: string) => dayjs(`${date}T${time}:00+08:00`)

/** 发布志愿活动: what, where (point and radius for location check-in), region, and one or more shifts. */
export default function CreateActivityPage() {
  const signedIn = useRequireSignIn()
  const me = useRemote(getMe, [], signedIn)
  const tomorrow = toShanghai(Date.now()).add(1, 'day').format('YYYY-MM-DD')
  const [typeIdx, setTypeIdx] = useState(0)
  const [title, setTitle] = useState('')
  const [description, setDescription] = useState('')
  const [address, setAddress] = useState('')
  const [place, setPlace] = useState<{ lng: number; lat: number } | null>(null)
  const [radius, setRadius] = useState(200)
  const [regionIdx, setRegionIdx] = useState(0)
  const [requirements, setRequirements] = useState('')
  const [shifts, setShifts] = useState<ShiftDraft[]>([{ date: tomorrow, start: '08:00', end: '10:00', capacity: 10 }])
  const [signupHours, setSignupHours] = useState(2)
  const [cancelHours, setCancelHours] = useState(12)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState('')

  const regions = useMemo(
    () => (me.data?.roles ?? []).filter((r) => r.role === 'worker' && r.regionCode).map((r) => ({ code: r.regionCode!, name: r.regionName ?? r.regionCode! })),
    [me.data],
  )
  const setShift = (i: number, patch: Partial<ShiftDraft>) => setShifts(shifts.map((s, j) => (j === i ? { ...s, ...patch } : s)))

  const pickOnMap = async () => {
    try {
      const res = await Taro.chooseLocation(place ? { latitude: place.lat, longitude: place.lng } : ({} as never))
      if (!res || (!res.latitude && !res.longitude)) return
      setPlace({ lng: res.longitude, lat: res.latitude })
      if (!address.trim()) setAddress([res.address, res.name].filter(Boolean).join(' '))
    } catch (e) {
      if (isPrivacyRefusal(e)) toast(`${PRIVACY_REFUSED}，请用当前位置`)
    }
  }
  const useHere = async () => {
    try {
      setPlace(await currentGcj02())
    } catch (e) {
      toast(isPrivacyRefusal(e) ? `${PRIVACY_REFUSED}，无法定位` : '无法获取位置')
    }
  }

  const submit = async () => {
    setError('')
    const region = regions[regionIdx] ?? (me.data?.community && me.data.roles.some((r) => r.role === 'office') ? { code: me.data.community.code } : undefined)
    if (!title.trim()) return setError('请填写活动标题')
    if (!description.trim()) return setError('请填写活动内容')
    if (!address.trim()) return setError('请填写集合地点')
    if (!place) return setError('请在地图上选择活动地点（用于定位签到）')
    if (!region) return setError('请选择活动区域')
    const drafts = shifts.map((s) => ({ s, start: at(s.date, s.start), end: at(s.date, s.end) }))
    const bad = drafts.findIndex((d) => !d.end.isAfter(d.start))
    if (bad >= 0) return setError(`第 ${bad + 1} 个班次的结束时间须晚于开始时间`)
    const body: ActivityBody = {
      type: TYPES[typeIdx][0], title: title.trim(), description: description.trim(), lng: place.lng, lat: place.lat, radiusM: radius,
      address: address.trim(), regionCode: region.code, requirements: requirements.trim(),
      shifts: drafts.map((d) => ({
        startsAt: d.start.toISOString(), endsAt: d.end.toISOString(), capacity: d.s.capacity,
        signupDeadline: d.start.subtract(signupHours, 'hour').toISOString(), cancelDeadline: d.start.subtract(cancelHours, 'hour').toISOString(),
      })),
    }
    setSaving(true)
    try {
      const a = await createActivity(body)
      toast('活动已发布')
      setTimeout(() => Taro.redirectTo({ url: `${PAGES.activity}?id=${a.id}` }).catch(() => undefined), 600)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '发布失败，请稍后重试')
    } finally {
      setSaving(false)
    }
  }

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (me.loading) return <PageShell><LoadingState /></PageShell>
  if (me.error || !me.data) return <PageShell><ErrorState error={me.error} onRetry={me.reload} /></PageShell>

  return (
    <PageShell className='vl'>
      <CellGroup title='活动'>
        <Picker mode='selector' range={TYPES.map((t) => t[1])} value={typeIdx} onChange={(e) => setTypeIdx(Number(e.detail.value))}>
          <Cell title='类型' extra={`${TYPES[typeIdx][1]} ›`} />
        </Picker>
        <Cell title='标题'>
          <Input nativeProps={{ 'aria-label': '标题' }} placeholder='如：幸福路口早高峰文明交通劝导' maxLength={40} value={title} onChange={setTitle} />
        </Cell>
        <TextArea nativeProps={{ 'aria-label': '活动内容' }} placeholder='活动内容' maxLength={2000} value={description} onChange={setDescription} />
        <TextArea nativeProps={{ 'aria-label': '要求' }} placeholder='要求（如：穿志愿者马甲，提前 10 分钟到岗）' maxLength={500} value={requirements} onChange={setRequirements} />
        {regions.length ? (
          <Picker mode='selector' range={regions.map((r) => r.name)} value={regionIdx} onChange={(e) => setRegionIdx(Number(e.detail.value))}>
            <Cell title='区域' extra={`${regions[regionIdx]?.name ?? ''} ›`} />
          </Picker>
        ) : null}
      </CellGroup>
      <CellGroup title='地点'>
        <Cell title='集合地点'>
          <Input nativeProps={{ 'aria-label': '集合地点' }} placeholder='如：幸福路与和平路交叉口东北角' maxLength={200} value={address} onChange={setAddress} />
        </Cell>
        <Cell title='位置' extra={place ? `${place.lat.toFixed(5)}, ${place.lng.toFixed(5)}` : '未选择'} />
        <View className='vl__actions'>
          <Button size='small' type='primary' fill='outline' onClick={pickOnMap}>地图选点</Button>
          <Button size='small' fill='outline' onClick={useHere}>使用当前位置</Button>
        </View>
        <Cell title='定位签到范围（米）' extra={<NumberInput label='定位签到范围（米）' value={radius} min={10} max={5000} step={50} onChange={(v) => setRadius(Number(v) || 200)} />} />
      </CellGroup>
      {shifts.map((s, i) => (
        <CellGroup key={i} title={`班次 ${i + 1}`}>
          <Picker mode='date' value={s.date} start={toShanghai(Date.now()).format('YYYY-MM-DD')} onChange={(e) => setShift(i, { date: String(e.detail.value) })}>
            <Cell title='日期' extra={`${s.date} ›`} />
          </Picker>
          <Picker mode='time' value={s.start} onChange={(e) => setShift(i, { start: String(e.detail.value) })}>
            <Cell title='开始' extra={`${s.start} ›`} />
          </Picker>
          <Picker mode='time' value={s.end} onChange={(e) => setShift(i, { end: String(e.detail.value) })}>
            <Cell title='结束' extra={`${s.end} ›`} />
          </Picker>
          <Cell title='人数' extra={<NumberInput label={`班次 ${i + 1} 人数`} value={s.capacity} min={1} max={10000} onChange={(v) => setShift(i, { capacity: Number(v) || 1 })} />} />
          {shifts.length > 1 ? <Button size='small' fill='none' onClick={() => setShifts(shifts.filter((_, j) => j !== i))}>删除此班次</Button> : null}
        </CellGroup>
      ))}
      <View className='vl__actions'>
        <Button size='small' fill='outline' onClick={() => setShifts([...shifts, { ...shifts[shifts.length - 1] }])}>添加班次</Button>
      </View>
      <CellGroup title='截止时间'>
        <Cell title='报名截止（开始前小时）' extra={<NumberInput label='报名截止（开始前小时）' value={signupHours} min={0} max={72} onChange={(v) => setSignupHours(Number(v) || 0)} />} />
        <Cell title='取消截止（开始前小时）' extra={<NumberInput label='取消截止（开始前小时）' value={cancelHours} min={0} max={72} onChange={(v) => setCancelHours(Number(v) || 0)} />} />
      </CellGroup>
      {error ? <View className='vl__error' role='alert'>{error}</View> : null}
      <Button type='primary' block loading={saving} disabled={saving} onClick={submit}>发布活动</Button>
    </PageShell>
  )
}

import { useEffect, useMemo, useRef, useState } from 'react'
import { Picker, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Cell, CellGroup, Input, TextArea } from '@nutui/nutui-react-taro'
import type { ActivityBody, ActivityType, ActivityView } from '@contract/volunteers'
import { ACTIVITY_TYPES } from '@contract/volunteers-constants'
import NumberInput from '@/components/NumberInput'
import PageShell from '@/components/PageShell'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { getMe } from '@/services/accounts'
import { ApiError, toast } from '@/services/api'
import { isPrivacyRefusal, PRIVACY_REFUSED } from '@/services/privacy'
import { createActivity, getActivity, PAGES } from '@/services/volunteers'
import { currentGcj02 } from '@/utils/position'
import { dayjs, toShanghai } from '@/utils/time'
import { editActivity } from '../../api'
import '../../styles.scss'

const TYPES = Object.entries(ACTIVITY_TYPES) as Array<[ActivityType, string]>
interface ShiftDraft {
  date: string
  start: string
  end: string
  capacity: number
  /** An existing shift (edit mode), as loaded: its id, the places taken, and the times it had. */
  was?: {
    id: number; held: boolean; confirmed: number; people: number; started: boolean
    startsAt: string; endsAt: string; signupDeadline: string; cancelDeadline: string
    /** The pickers' values it was shown with: unchanged, the exact times are sent back (seconds, a shift past midnight). */
    shown: string
  }
}
/** Beijing date + time → ISO UTC. */
const at = (date: string, time: string) => dayjs(`${date}T${time}:00+08:00`)
const hoursBefore = (start: string, deadline: string) => Math.max(0, Math.min(72, Math.round((Date.parse(start) - Date.parse(deadline)) / 3600_000)))

const REGION_LOCKED = '已有志愿者报名，活动区域不能再修改'
/** What the server refuses an edit for, said as a headline above its own detail (which names the shift and the numbers). */
const REFUSALS: Record<string, string> = {
  ACTIVITY_REGION_LOCKED: '区域不能修改',
  SHIFT_HAS_SIGNUPS: '有人报名的班次不能删除',
  CAPACITY_BELOW_CONFIRMED: '名额少于已报名人数',
  SHIFT_CHANGE_OVERLAPS: '改期会使志愿者的班次时间重叠',
  SHIFT_IN_PAST: '班次时间已过',
  SHIFT_TIME_INVALID: '班次时间有误',
  SHIFT_TOO_LONG: '班次过长',
  SHIFT_DEADLINE_INVALID: '截止时间有误',
  SHIFT_NOT_IN_ACTIVITY: '班次已不存在，请重新打开本页',
  SHIFT_LISTED_TWICE: '班次重复',
  ACTIVITY_CANCELLED: '活动已取消，不能修改',
  ACTIVITY_NOT_FOUND: '活动不存在',
  FORBIDDEN: '您不是该活动所在区域的工作人员',
}
const refusalText = (e: unknown, fallback: string) => {
  if (!(e instanceof ApiError)) return fallback
  if (e.status === 0) return `${fallback}：网络不通，请检查网络后重试`
  const head = REFUSALS[e.code]
  return head ? `不能保存（${head}）：${e.message}` : e.message
}

function fromActivity(a: ActivityView): ShiftDraft[] {
  const now = Date.now()
  return a.shifts.map((s) => {
    const start = toShanghai(s.startsAt)
    const [date, from, to] = [start.format('YYYY-MM-DD'), start.format('HH:mm'), toShanghai(s.endsAt).format('HH:mm')]
    return {
      date, start: from, end: to, capacity: s.capacity,
      was: {
        shown: `${date} ${from} ${to}`,
        id: s.id, held: s.held, confirmed: s.confirmed, people: s.confirmed + s.waitlisted, started: Date.parse(s.startsAt) <= now,
        startsAt: s.startsAt, endsAt: s.endsAt, signupDeadline: s.signupDeadline, cancelDeadline: s.cancelDeadline,
      },
    }
  })
}

/**
 * 发布志愿活动: what, where (point and radius for location check-in), region, and one or more shifts. With ?id= it
 * edits a published activity, prefilled; once someone has signed up, what the server would refuse (the region, removing
 * a held shift, fewer places than confirmed, moving a shift under way) is shown disabled with the reason, and a change
 * of time or place asks first, naming how many volunteers will be told.
 */
export default function CreateActivityPage() {
  const signedIn = useRequireSignIn()
  const id = Number(useRouter().params.id) || 0
  const me = useRemote(getMe, [], signedIn)
  const loaded = useRemote(() => getActivity(id), [id], signedIn && id > 0)
  const original = loaded.data
  const tomorrow = toShanghai(Date.now()).add(1, 'day').format('YYYY-MM-DD')
  const [typeIdx, setTypeIdx] = useState(0)
  const [title, setTitle] = useState('')
  const [description, setDescription] = useState('')
  const [address, setAddress] = useState('')
  const [place, setPlace] = useState<{ lng: number; lat: number } | null>(null)
  const [radius, setRadius] = useState(200)
  const [regionCode, setRegionCode] = useState<string | null>(null)
  const [requirements, setRequirements] = useState('')
  const [shifts, setShifts] = useState<ShiftDraft[]>([{ date: tomorrow, start: '08:00', end: '10:00', capacity: 10 }])
  const [signupHours, setSignupHours] = useState(2)
  const [cancelHours, setCancelHours] = useState(12)
  /** Edit mode: the deadlines of shifts whose time stays are kept as they were unless these hours were changed. */
  const [deadlinesTouched, setDeadlinesTouched] = useState(false)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState('')

  const prefilled = useRef(false)
  /** Edit mode: the form shows once it holds the activity, never empty first. */
  const [filled, setFilled] = useState(false)
  useEffect(() => {
    if (!original) return
    if (prefilled.current) {
      // reloaded after a refusal: the places taken now, under the drafts being edited
      const fresh = new Map(fromActivity(original).map((d) => [d.was!.id, d.was]))
      setShifts((drafts) => drafts.map((d) => (d.was && fresh.has(d.was.id) ? { ...d, was: fresh.get(d.was.id) } : d)))
      return
    }
    prefilled.current = true
    setFilled(true)
    void Taro.setNavigationBarTitle({ title: '编辑志愿活动' }).catch(() => undefined)
    setTypeIdx(Math.max(0, TYPES.findIndex(([t]) => t === original.type)))
    setTitle(original.title)
    setDescription(original.description)
    setRequirements(original.requirements)
    setAddress(original.address)
    setPlace({ lng: original.lng, lat: original.lat })
    setRadius(original.radiusM)
    setRegionCode(original.regionCode)
    setShifts(fromActivity(original))
    const first = original.shifts[0]
    if (first) {
      setSignupHours(hoursBefore(first.startsAt, first.signupDeadline))
      setCancelHours(hoursBefore(first.startsAt, first.cancelDeadline))
    }
  }, [original])

  const regions = useMemo(() => {
    const own = (me.data?.roles ?? []).filter((r) => r.role === 'worker' && r.regionCode).map((r) => ({ code: r.regionCode!, name: r.regionName ?? r.regionCode! }))
    // an office user, or a region of the activity not among the worker's own: still shown, by its name
    if (original && !own.some((r) => r.code === original.regionCode)) own.unshift({ code: original.regionCode, name: original.regionName })
    return own
  }, [me.data, original])
  const regionIdx = Math.max(0, regions.findIndex((r) => r.code === regionCode))
  const locked = !!original?.editLocked
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

  /** Who the server will tell of this change, and the confirmation it needs (null: nobody is told). */
  const noticeOf = (body: ActivityBody, drafts: Array<{ s: ShiftDraft; start: dayjs.Dayjs; end: dayjs.Dayjs }>): string | null => {
    if (!original || !locked) return null
    const placeChanged = body.lng !== original.lng || body.lat !== original.lat || body.radiusM !== original.radiusM || body.address !== original.address
    const moved = drafts.filter((d) => d.s.was && (d.start.valueOf() !== Date.parse(d.s.was.startsAt) || d.end.valueOf() !== Date.parse(d.s.was.endsAt)))
    const people = moved.reduce((n, d) => n + d.s.was!.people, 0)
    if (placeChanged && original.signedUp > 0) {
      return `活动地点${moved.length ? '和班次时间' : ''}已修改，保存后将通知已报名（含候补）的 ${original.signedUp} 位志愿者。确定保存吗？`
    }
    if (people > 0) {
      // one volunteer may hold places on two moved shifts: then the sum counts them twice
      const n = moved.filter((d) => d.s.was!.people > 0).length > 1 ? `至多 ${Math.min(people, original.signedUp)}` : String(people)
      return `${moved.length} 个班次的时间已修改，保存后将通知这些班次已报名（含候补）的 ${n} 位志愿者。确定保存吗？`
    }
    return null
  }

  const submit = async () => {
    setError('')
    const office = me.data?.community && me.data.roles.some((r) => r.role === 'office') ? { code: me.data.community.code } : undefined
    const region = regions[regionIdx] ?? office
    if (!title.trim()) return setError('请填写活动标题')
    if (!description.trim()) return setError('请填写活动内容')
    if (!address.trim()) return setError('请填写集合地点')
    if (!place) return setError('请在地图上选择活动地点（用于定位签到）')
    if (!region) return setError('请选择活动区域')
    const drafts = shifts.map((s) => (s.was?.shown === `${s.date} ${s.start} ${s.end}`
      ? { s, start: dayjs(s.was.startsAt), end: dayjs(s.was.endsAt) }
      : { s, start: at(s.date, s.start), end: at(s.date, s.end) }))
    const bad = drafts.findIndex((d) => !d.end.isAfter(d.start))
    if (bad >= 0) return setError(`第 ${bad + 1} 个班次的结束时间须晚于开始时间`)
    const below = drafts.findIndex((d) => d.s.was && d.s.capacity < d.s.was.confirmed)
    if (below >= 0) return setError(`第 ${below + 1} 个班次已有 ${drafts[below].s.was!.confirmed} 人报名，名额不能少于此数`)
    const body: ActivityBody = {
      type: TYPES[typeIdx][0], title: title.trim(), description: description.trim(), lng: place.lng, lat: place.lat, radiusM: radius,
      address: address.trim(), regionCode: region.code, requirements: requirements.trim(),
      shifts: drafts.map((d) => {
        const was = d.s.was
        const kept = was && !deadlinesTouched && d.start.valueOf() === Date.parse(was.startsAt)
        return {
          ...(was ? { id: was.id } : {}),
          startsAt: d.start.toISOString(), endsAt: d.end.toISOString(), capacity: d.s.capacity,
          signupDeadline: kept ? was.signupDeadline : d.start.subtract(signupHours, 'hour').toISOString(),
          cancelDeadline: kept ? was.cancelDeadline : d.start.subtract(cancelHours, 'hour').toISOString(),
        }
      }),
    }
    const notice = noticeOf(body, drafts)
    if (notice) {
      const { confirm } = await Taro.showModal({ title: '将通知志愿者', content: notice, confirmText: '确定保存', cancelText: '再想想' })
      if (!confirm) return
    }
    setSaving(true)
    try {
      if (original) {
        await editActivity(original.id, body)
        toast(notice ? '已保存，已通知报名的志愿者' : '已保存')
        setTimeout(() => {
          const back = Taro.getCurrentPages().length > 1
          ;(back ? Taro.navigateBack() : Taro.redirectTo({ url: `${PAGES.activity}?id=${original.id}` })).catch(() => undefined)
        }, 600)
      } else {
        const a = await createActivity(body)
        toast('活动已发布')
        setTimeout(() => Taro.redirectTo({ url: `${PAGES.activity}?id=${a.id}` }).catch(() => undefined), 600)
      }
    } catch (e) {
      setError(refusalText(e, original ? '保存失败，请稍后重试' : '发布失败，请稍后重试'))
      // sign-ups may have come in since the page opened: show the places as they are now
      if (original && e instanceof ApiError && e.status === 409) void loaded.reload()
    } finally {
      setSaving(false)
    }
  }

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (me.loading || (id > 0 && loaded.loading && !original)) return <PageShell><LoadingState /></PageShell>
  if (me.error || !me.data) return <PageShell><ErrorState error={me.error} onRetry={me.reload} /></PageShell>
  if (id > 0 && (loaded.error || !original)) return <PageShell><ErrorState error={loaded.error} onRetry={loaded.reload} /></PageShell>
  if (original && !original.editable) {
    const why = original.status !== 'published' ? '该活动已取消，不能再修改' : '只有活动所在区域的工作人员可以修改'
    return <PageShell><ErrorState error={new Error(why)} /></PageShell>
  }
  if (original && !filled) return <PageShell><LoadingState /></PageShell>

  return (
    <PageShell className='vl'>
      {locked ? (
        <View className='vl__note' role='note'>
          已有志愿者报名：区域不能修改，有人报名过的班次不能删除，名额不能少于已报名人数；修改时间或地点会通知报名的志愿者。
        </View>
      ) : null}
      <CellGroup title='活动'>
        <Picker mode='selector' range={TYPES.map((t) => t[1])} value={typeIdx} onChange={(e) => setTypeIdx(Number(e.detail.value))}>
          <Cell title='类型' extra={`${TYPES[typeIdx][1]} ›`} />
        </Picker>
        <Cell title='标题'>
          <Input nativeProps={{ 'aria-label': '标题' }} placeholder='如：幸福路口早高峰文明交通劝导' maxLength={40} value={title} onChange={setTitle} />
        </Cell>
        <TextArea nativeProps={{ 'aria-label': '活动内容' }} placeholder='活动内容' maxLength={2000} value={description} onChange={setDescription} />
        <TextArea nativeProps={{ 'aria-label': '要求' }} placeholder='要求（如：穿志愿者马甲，提前 10 分钟到岗）' maxLength={500} value={requirements} onChange={setRequirements} />
        {locked ? (
          <Cell title='区域' description={REGION_LOCKED} extra={regions[regionIdx]?.name ?? ''} className='vl__locked' />
        ) : regions.length ? (
          <Picker mode='selector' range={regions.map((r) => r.name)} value={regionIdx} onChange={(e) => setRegionCode(regions[Number(e.detail.value)]?.code ?? null)}>
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
      {shifts.map((s, i) => {
        const was = locked ? s.was : undefined
        const timeFixed = !!s.was?.started
        return (
          <CellGroup key={s.was?.id ?? `new-${i}`} title={`班次 ${i + 1}${s.was ? '' : original ? '（新增）' : ''}`}>
            {timeFixed ? <View className='vl__meta'>班次已开始，时间不能再修改</View> : null}
            <Picker mode='date' disabled={timeFixed} value={s.date} start={toShanghai(Date.now()).format('YYYY-MM-DD')} onChange={(e) => setShift(i, { date: String(e.detail.value) })}>
              <Cell title='日期' extra={timeFixed ? s.date : `${s.date} ›`} />
            </Picker>
            <Picker mode='time' disabled={timeFixed} value={s.start} onChange={(e) => setShift(i, { start: String(e.detail.value) })}>
              <Cell title='开始' extra={timeFixed ? s.start : `${s.start} ›`} />
            </Picker>
            <Picker mode='time' disabled={timeFixed} value={s.end} onChange={(e) => setShift(i, { end: String(e.detail.value) })}>
              <Cell title='结束' extra={timeFixed ? s.end : `${s.end} ›`} />
            </Picker>
            <Cell
              title='人数'
              description={was && was.confirmed > 0 ? `已报名 ${was.confirmed} 人，名额不能少于 ${was.confirmed}` : undefined}
              extra={<NumberInput label={`班次 ${i + 1} 人数`} value={s.capacity} min={Math.max(1, was?.confirmed ?? 1)} max={10000} onChange={(v) => setShift(i, { capacity: Number(v) || 1 })} />}
            />
            {was?.people ? <View className='vl__meta'>已报名 {was.confirmed} 人{was.people > was.confirmed ? `，候补 ${was.people - was.confirmed} 人` : ''}；改时间会通知他们</View> : null}
            {was?.held ? (
              <View className='vl__meta'>已有志愿者报名，此班次不能删除（如需停办请在活动页取消活动）</View>
            ) : shifts.length > 1 ? (
              <Button size='small' fill='none' onClick={() => setShifts(shifts.filter((_, j) => j !== i))}>删除此班次</Button>
            ) : null}
          </CellGroup>
        )
      })}
      <View className='vl__actions'>
        <Button size='small' fill='outline' onClick={() => setShifts([...shifts, { ...shifts[shifts.length - 1], was: undefined }])}>添加班次</Button>
      </View>
      <CellGroup title='截止时间' description={original ? '修改这两项会重新计算每个班次的截止时间；不改则改期的班次按此计算，其余保持原样' : undefined}>
        <Cell title='报名截止（开始前小时）' extra={<NumberInput label='报名截止（开始前小时）' value={signupHours} min={0} max={72} onChange={(v) => { setSignupHours(Number(v) || 0); setDeadlinesTouched(true) }} />} />
        <Cell title='取消截止（开始前小时）' extra={<NumberInput label='取消截止（开始前小时）' value={cancelHours} min={0} max={72} onChange={(v) => { setCancelHours(Number(v) || 0); setDeadlinesTouched(true) }} />} />
      </CellGroup>
      {error ? <View className='vl__error' role='alert'>{error}</View> : null}
      <Button type='primary' block loading={saving} disabled={saving} onClick={submit}>{original ? '保存修改' : '发布活动'}</Button>
    </PageShell>
  )
}

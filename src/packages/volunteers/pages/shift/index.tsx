import { useEffect, useState } from 'react'
import { Image, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { Button, Input, Tag } from '@nutui/nutui-react-taro'
import type { CheckCode, Roster } from '@contract/volunteers'
import { SIGNUP_STATUS_LABELS } from '@contract/volunteers-constants'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { getCode, getRoster, markAttendance } from '@/services/volunteers'
import { rosterPage } from '../../api'
import { formatDateTime } from '@/utils/time'
import '../../styles.scss'

/** The rotating code: fetched again when the shown one's step ends (the server signs; nothing is computed here). */
function useRotatingCode(shiftId: string, enabled: boolean) {
  const [code, setCode] = useState<CheckCode>()
  const [error, setError] = useState<string>()
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    if (!enabled) return undefined
    let stop = false
    let timer: ReturnType<typeof setTimeout>
    const load = async () => {
      try {
        const c = await getCode(shiftId)
        if (stop) return
        setCode(c)
        setError(undefined)
        timer = setTimeout(load, Math.max(1000, Date.parse(c.expiresAt) - Date.now() + 200))
      } catch (e) {
        if (stop) return
        setError(e instanceof ApiError ? e.message : '签到码加载失败')
        timer = setTimeout(load, 5000)
      }
    }
    void load()
    const tick = setInterval(() => setNow(Date.now()), 1000)
    return () => {
      stop = true
      clearTimeout(timer)
      clearInterval(tick)
    }
  }, [shiftId, enabled])
  return { code, error, secondsLeft: code ? Math.max(0, Math.ceil((Date.parse(code.expiresAt) - now) / 1000)) : 0 }
}

function RosterList({ shiftId, roster, onChange }: { shiftId: number; roster: Roster; onChange: () => void }) {
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  // pages after the first (a shift may hold hundreds); a reload of the first starts over
  const [more, setMore] = useState<Roster | null>(null)
  useEffect(() => setMore(null), [roster])
  const items = [...roster.items, ...(more?.items ?? [])]
  const cursor = more ? more.nextCursor : roster.nextCursor
  const loadMore = async () => {
    if (!cursor) return
    setBusy(true)
    try {
      const page = await rosterPage(shiftId, cursor)
      setMore((prev) => (prev ? { ...page, items: [...prev.items, ...page.items] } : page))
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '加载失败')
    } finally {
      setBusy(false)
    }
  }
  const mark = async (userId: number, attendance: 'attended' | 'no_show') => {
    if (!reason.trim()) return toast('请先填写登记原因')
    setBusy(true)
    try {
      const r = await markAttendance(shiftId, userId, { attendance, reason: reason.trim() })
      toast(attendance === 'no_show' ? '已登记缺席' : r.creditedMinutes !== null ? `已登记到岗，记 ${r.creditedMinutes} 分钟` : r.notCreditedReason ?? '已登记')
      onChange()
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '登记失败')
    } finally {
      setBusy(false)
    }
  }
  return (
    <Card title={`名单（${roster.confirmed}/${roster.capacity}）`} extra={`已签到 ${roster.checkedIn} · 已签退 ${roster.checkedOut}`}>
      <Input className='vl__input' nativeProps={{ 'aria-label': '补登记原因' }} placeholder='补登记原因（如：手机没电，现场核实到岗）' maxLength={200} value={reason} onChange={setReason} />
      {items.length === 0 ? <View className='vl__meta'>还没有人报名</View> : null}
      {items.map((r) => (
        <View key={r.signupId} className='vl__shift'>
          <View className='vl__row'>
            <View className='vl__title'>{r.realName ?? '（已注销）'}</View>
            <Tag type={r.status === 'confirmed' ? 'success' : 'warning'}>{r.status === 'waitlisted' ? `候补第 ${r.waitlistPosition} 位` : SIGNUP_STATUS_LABELS.confirmed}</Tag>
          </View>
          <View className='vl__meta'>
            {r.checkedInAt ? `签到 ${formatDateTime(r.checkedInAt, 'HH:mm')}` : '未签到'}
            {r.checkedOutAt ? ` · 签退 ${formatDateTime(r.checkedOutAt, 'HH:mm')}` : ''}
            {r.creditedMinutes !== null ? ` · 记 ${r.creditedMinutes} 分钟` : r.attendance === 'no_show' ? ' · 缺席' : ''}
          </View>
          {r.status === 'confirmed' && r.creditedMinutes === null ? (
            <View className='vl__actions'>
              <Button size='small' fill='outline' disabled={busy} onClick={() => mark(r.userId, 'attended')}>登记到岗</Button>
              <Button size='small' fill='outline' disabled={busy} onClick={() => mark(r.userId, 'no_show')}>登记缺席</Button>
            </View>
          ) : null}
        </View>
      ))}
      {cursor ? <Button block fill='none' disabled={busy} onClick={loadMore}>加载更多</Button> : null}
    </Card>
  )
}

/** 签到码与名单 (worker): the QR code that changes every 30 s, its 6 digits for typing, and the roster. */
export default function ShiftPage() {
  const signedIn = useRequireSignIn()
  const id = useRouter().params.id ?? ''
  const roster = useRemote(() => getRoster(id), [id], signedIn && !!id)
  const { code, error, secondsLeft } = useRotatingCode(id, signedIn && !!id && !!roster.data)

  useEffect(() => {
    if (!roster.data) return undefined
    const t = setInterval(() => void roster.reload(), 15_000)
    return () => clearInterval(t)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [!!roster.data])

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (!id) return <PageShell><ErrorState error={new Error('缺少班次编号')} /></PageShell>
  if (roster.loading) return <PageShell><LoadingState /></PageShell>
  if (roster.error || !roster.data) return <PageShell><ErrorState error={roster.error} onRetry={roster.reload} /></PageShell>

  return (
    <PageShell className='vl'>
      <Card title='签到二维码' extra={code ? `${secondsLeft} 秒后更换` : null}>
        {error ? <View className='vl__error'>{error}</View> : null}
        {code ? (
          <>
            <Image className='vl__qr' nativeProps={{ alt: `签到二维码，签到码 ${code.code}` }} src={code.qrDataUrl} mode='aspectFit' />
            <View className='vl__code' aria-label={`签到码 ${code.code.split('').join(' ')}`}>{code.code}</View>
            <View className='vl__meta vl__center'>志愿者扫码，或在活动页输入 6 位签到码；签到和签退都用它</View>
          </>
        ) : !error ? <LoadingState text='正在生成签到码…' /> : null}
      </Card>
      <RosterList shiftId={Number(id)} roster={roster.data} onChange={roster.reload} />
    </PageShell>
  )
}

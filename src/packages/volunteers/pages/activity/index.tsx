import { useRef, useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { Button, Input, Tag } from '@nutui/nutui-react-taro'
import type { ActivityView, ShiftView } from '@contract/volunteers'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { isPrivacyRefusal, PRIVACY_REFUSED } from '@/services/privacy'
import { attend, cancelActivity, cancelSignup, getActivity, PAGES, signUp, tokenFromScan } from '@/services/volunteers'
import { currentGcj02 } from '@/utils/position'
import { withQuery } from '@/routes'
import { formatDateTime } from '@/utils/time'
import { deadlineText, mineText, placesText, shiftTime } from '../../utils'
import '../../styles.scss'

const message = (e: unknown, fallback: string) => (e instanceof ApiError ? e.message : fallback)
const CHECK_IN_EARLY_MS = 30 * 60_000

/** 签到/签退 for a confirmed place on a shift under way: scan the worker's QR code, type its 6 digits, or by location. */
function CheckIn({ shift, onDone }: { shift: ShiftView; onDone: () => void }) {
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const [action, setAction] = useState<'in' | 'out'>('in')
  const send = async (proof: { token?: string; code?: string; lng?: number; lat?: number }) => {
    setBusy(true)
    try {
      const r = await attend(shift.id, { action, ...proof })
      if (action === 'in') toast('签到成功')
      else toast(r.creditedMinutes !== null ? `签退成功，记 ${r.creditedMinutes} 分钟` : r.notCreditedReason ?? '签退成功')
      setCode('')
      onDone()
    } catch (e) {
      toast(message(e, '签到失败，请稍后重试'))
    } finally {
      setBusy(false)
    }
  }
  const scan = async () => {
    let result: string
    try {
      result = (await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] })).result
    } catch {
      return // cancelled, or no camera (H5): the 6-digit code below
    }
    const token = tokenFromScan(result)
    if (!token) toast('这不是志愿服务的签到二维码')
    else await send({ token })
  }
  const locate = async () => {
    try {
      const p = await currentGcj02()
      await send(p)
    } catch (e) {
      toast(isPrivacyRefusal(e) ? `${PRIVACY_REFUSED}，请改用扫码或签到码` : '无法获取位置，请改用扫码或签到码')
    }
  }
  return (
    <View className='vl__checkin'>
      <View className='vl__row'>
        <Button size='small' type={action === 'in' ? 'primary' : 'default'} onClick={() => setAction('in')}>签到</Button>
        <Button size='small' type={action === 'out' ? 'primary' : 'default'} onClick={() => setAction('out')}>签退</Button>
      </View>
      {process.env.TARO_ENV === 'h5' ? (
        <View className='vl__meta'>浏览器中不能扫码：请输入网格员手机上二维码下方的 6 位签到码，或使用定位</View>
      ) : (
        <Button block type='primary' disabled={busy} onClick={scan}>扫描网格员的二维码{action === 'in' ? '签到' : '签退'}</Button>
      )}
      <Input
        className='vl__input'
        nativeProps={{ 'aria-label': '6 位签到码' }}
        type='digit'
        maxLength={6}
        placeholder='或输入二维码下方的 6 位签到码'
        value={code}
        onChange={setCode}
      />
      <View className='vl__actions'>
        <Button size='small' type='primary' fill='outline' disabled={busy || !/^\d{6}$/.test(code)} onClick={() => send({ code })}>用签到码{action === 'in' ? '签到' : '签退'}</Button>
        <Button size='small' fill='outline' disabled={busy} onClick={locate}>定位{action === 'in' ? '签到' : '签退'}</Button>
      </View>
    </View>
  )
}

function Shift({ a, s, onChange }: { a: ActivityView; s: ShiftView; onChange: () => void }) {
  const [busy, setBusy] = useState(false)
  const now = Date.now()
  const mine = mineText(s)
  const open = a.status === 'published' && now < Date.parse(s.signupDeadline)
  const underway = s.mine?.status === 'confirmed' && now >= Date.parse(s.startsAt) - CHECK_IN_EARLY_MS && now <= Date.parse(s.endsAt) + 2 * 3600_000
  const run = async (what: 'signup' | 'cancel') => {
    if (what === 'cancel') {
      const { confirm } = await Taro.showModal({ title: '取消报名', content: s.mine?.status === 'confirmed' ? '名额将让给候补的志愿者，确定取消吗？' : '确定退出候补吗？', confirmText: '取消报名', cancelText: '再想想' })
      if (!confirm) return
    }
    setBusy(true)
    try {
      if (what === 'signup') {
        const r = await signUp(s.id)
        toast(r.status === 'confirmed' ? '报名成功' : `名额已满，您是候补第 ${r.waitlistPosition} 位`)
      } else {
        await cancelSignup(s.id)
        toast('已取消报名')
      }
      onChange()
    } catch (e) {
      toast(message(e, '操作失败，请稍后重试'))
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='vl__shift'>
      <View className='vl__row'>
        <View className='vl__title'>{shiftTime(s)}</View>
        {mine ? <Tag type={s.mine?.status === 'confirmed' ? 'success' : 'warning'}>{mine}</Tag> : null}
      </View>
      <View className='vl__meta'>{placesText(s)} · {deadlineText(s.signupDeadline)} · 取消截止 {formatDateTime(s.cancelDeadline, 'M月D日 HH:mm')}</View>
      <View className='vl__actions'>
        {!s.mine && open ? <Button type='primary' size='small' loading={busy} disabled={busy} onClick={() => run('signup')}>{s.confirmed < s.capacity ? '立即报名' : '报名候补'}</Button> : null}
        {!s.mine && !open && a.status === 'published' ? <Tag type='default'>报名已截止</Tag> : null}
        {s.mine && now < Date.parse(s.startsAt) ? <Button size='small' fill='outline' disabled={busy} onClick={() => run('cancel')}>取消报名</Button> : null}
      </View>
      {underway ? <CheckIn shift={s} onDone={onChange} /> : null}
    </View>
  )
}

/** 活动详情: what, where, the shifts with places left and my place (or my waitlist position); staff: codes, cancel. */
export default function ActivityPage() {
  const signedIn = useRequireSignIn()
  const id = useRouter().params.id ?? ''
  const remote = useRemote(() => getActivity(id), [id], signedIn && !!id)
  const [reason, setReason] = useState('')
  const [cancelling, setCancelling] = useState(false)
  // back from the edit page (or anywhere): what changed there shows here
  const shown = useRef(false)
  useDidShow(() => {
    if (shown.current && signedIn && id) void remote.reload()
    shown.current = true
  })

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (!id) return <PageShell><ErrorState error={new Error('缺少活动编号')} /></PageShell>
  if (remote.loading) return <PageShell><LoadingState /></PageShell>
  if (remote.error || !remote.data) return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>
  const a = remote.data

  const doCancel = async () => {
    if (!reason.trim()) return toast('请填写取消原因')
    const { confirm } = await Taro.showModal({ title: '取消活动', content: '所有报名和候补都将释放并通知志愿者，确定取消吗？', confirmText: '取消活动', cancelText: '再想想' })
    if (!confirm) return
    setCancelling(true)
    try {
      await cancelActivity(a.id, reason.trim())
      toast('活动已取消')
      await remote.reload()
    } catch (e) {
      toast(message(e, '取消失败'))
    } finally {
      setCancelling(false)
    }
  }

  return (
    <PageShell className='vl'>
      <Card title={a.title} extra={<Tag type='primary' plain>{a.typeLabel}</Tag>}>
        {a.status === 'cancelled' ? <Tag type='danger'>活动已取消</Tag> : null}
        <View className='vl__meta'>地点：{a.address}（签到范围 {a.radiusM} 米）</View>
        <View className='vl__meta'>区域：{a.regionName}</View>
        <View className='vl__text'>{a.description}</View>
        {a.requirements ? <View className='vl__meta'>要求：{a.requirements}</View> : null}
      </Card>
      <Card title='班次'>
        {a.shifts.map((s) => <Shift key={s.id} a={a} s={s} onChange={remote.reload} />)}
      </Card>
      {a.manages ? <StaffTools a={a} reason={reason} setReason={setReason} cancelling={cancelling} onCancel={doCancel} /> : null}
    </PageShell>
  )
}

function StaffTools(p: { a: ActivityView; reason: string; setReason: (v: string) => void; cancelling: boolean; onCancel: () => void }) {
  const [open, setOpen] = useState(false)
  const { a } = p
  if (a.status !== 'published') return null
  return (
    <Card title='工作人员'>
      <View className='vl__actions'>
        {a.editable ? (
          <Button size='small' type='primary' onClick={() => Taro.navigateTo({ url: withQuery(PAGES.create, { id: a.id }) })}>编辑活动</Button>
        ) : null}
        {a.shifts.map((s) => (
          <Button key={s.id} size='small' type='primary' fill='outline' onClick={() => Taro.navigateTo({ url: `${PAGES.shift}?id=${s.id}` })}>
            {shiftTime(s)} 签到码
          </Button>
        ))}
        <Button size='small' fill='outline' onClick={() => setOpen(!open)}>取消活动…</Button>
      </View>
      {open ? (
        <View>
          <Input className='vl__input' nativeProps={{ 'aria-label': '取消原因' }} placeholder='取消原因（将通知报名的志愿者）' maxLength={200} value={p.reason} onChange={p.setReason} />
          <Button type='danger' size='small' loading={p.cancelling} disabled={p.cancelling} onClick={p.onCancel}>确认取消活动</Button>
        </View>
      ) : null}
    </Card>
  )
}

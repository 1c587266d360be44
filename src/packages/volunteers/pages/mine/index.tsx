import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Button, Cell, CellGroup, Tag } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { ApiError, toast } from '@/services/api'
import { formatHours, getMyHours, getMySignups, getMyVolunteer, leave, PAGES } from '@/services/volunteers'
import { STAR_LEVELS } from '@contract/volunteers-constants'
import { formatDateTime } from '@/utils/time'
import { shiftTime } from '../../utils'
import '../../styles.scss'

const KIND_TEXT: Record<string, string> = { credited: '服务记录', correction: '更正', honorary: '荣誉时长' }

/** 我的志愿: hours and star level from the ledger, upcoming shifts, history, every ledger entry. */
export default function MyVolunteerPage() {
  const signedIn = useRequireSignIn()
  const me = useRemote(getMyVolunteer, [], signedIn)
  const signups = useRemote(getMySignups, [], signedIn)
  const hours = useRemote(getMyHours, [], signedIn)
  const reload = async () => {
    await Promise.all([me.reload(), signups.reload(), hours.reload()])
  }
  useReloadOnShow(reload, signedIn)
  usePullDownRefresh(async () => {
    await reload()
    Taro.stopPullDownRefresh()
  })

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (me.loading || signups.loading || hours.loading) return <PageShell><LoadingState /></PageShell>
  const failed = [me, signups, hours].find((r) => r.error || !r.data)
  if (failed) return <PageShell><ErrorState error={failed.error} onRetry={reload} /></PageShell>
  const m = me.data!
  const next = STAR_LEVELS.find((s) => m.totalMinutes < s.hours * 60)

  const onLeave = async () => {
    const { confirm } = await Taro.showModal({ title: '退出志愿者', content: '退出后尚未开始的班次将让给其他志愿者，已记的时长保留。确定退出吗？', confirmText: '退出', cancelText: '取消' })
    if (!confirm) return
    try {
      await leave()
      toast('已退出志愿者')
      await reload()
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '操作失败')
    }
  }

  return (
    <PageShell className='vl'>
      <Card title='服务时长' extra={m.volunteer ? <Tag type={m.volunteer.status === 'approved' ? 'success' : 'warning'}>{m.volunteer.statusLabel}</Tag> : null}>
        <View className='vl__stats'>
          <View>
            <View className='vl__big'>{formatHours(m.totalMinutes)}</View>
            <View className='vl__stat-label'>累计时长</View>
          </View>
          <View>
            <View className='vl__big'>{m.starLabel ?? '—'}</View>
            <View className='vl__stat-label'>星级志愿者</View>
          </View>
        </View>
        {next ? <View className='vl__meta vl__center'>再服务 {formatHours(next.hours * 60 - m.totalMinutes)} 可达{next.label}</View> : null}
        {m.blockedUntil ? <View className='vl__error'>近期多次缺席，{formatDateTime(m.blockedUntil, 'M月D日')}前不能报名</View> : null}
      </Card>

      <CellGroup title='即将参加'>
        {signups.data!.upcoming.length === 0 ? <Cell title='暂无' description='去「志愿服务」报名活动' /> : null}
        {signups.data!.upcoming.map((s) => (
          <Cell
            key={s.signupId}
            title={s.title}
            description={`${shiftTime(s)} · ${s.address}`}
            extra={s.status === 'waitlisted' ? `候补第 ${s.waitlistPosition} 位` : s.checkedInAt ? '已签到' : s.statusLabel}
            clickable
            onClick={() => Taro.navigateTo({ url: `${PAGES.activity}?id=${s.activityId}` })}
          />
        ))}
      </CellGroup>

      <CellGroup title='服务记录'>
        {signups.data!.history.length === 0 ? <Cell title='暂无' /> : null}
        {signups.data!.history.map((s) => (
          <Cell
            key={s.signupId}
            title={s.title}
            description={`${s.typeLabel} · ${shiftTime(s)}`}
            extra={s.creditedMinutes !== null ? `+${formatHours(s.creditedMinutes)}` : s.status === 'confirmed' ? (s.checkedInAt ? '未达时长' : '缺席') : s.statusLabel}
          />
        ))}
      </CellGroup>

      <CellGroup title='时长台账'>
        {hours.data!.entries.length === 0 ? <Cell title='暂无' /> : null}
        {hours.data!.entries.map((e) => (
          <Cell key={e.id} title={`${KIND_TEXT[e.kind] ?? e.kind} ${e.minutes > 0 ? '+' : ''}${e.minutes} 分钟`} description={`${formatDateTime(e.createdAt)} · ${e.reason}`} />
        ))}
      </CellGroup>

      {m.volunteer && (m.volunteer.status === 'approved' || m.volunteer.status === 'pending') ? (
        <Button block fill='outline' onClick={onLeave}>退出志愿者</Button>
      ) : null}
    </PageShell>
  )
}

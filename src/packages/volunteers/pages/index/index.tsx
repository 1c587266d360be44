import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Button, Tag } from '@nutui/nutui-react-taro'
import type { ActivityView, MyVolunteer } from '@contract/volunteers'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { usePagedRemote } from '@/hooks/usePagedRemote'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { getMe } from '@/services/accounts'
import { formatHours, getMyVolunteer, listActivities, PAGES } from '@/services/volunteers'
import { mineText, placesText, shiftTime } from '../../utils'
import '../../styles.scss'

function Standing({ me }: { me: MyVolunteer }) {
  const v = me.volunteer
  if (!v || v.status === 'rejected' || v.status === 'left') {
    return (
      <Card title='成为志愿者'>
        <View className='vl__text'>
          {v?.status === 'rejected' ? `上次申请未通过：${v.decisionReason ?? ''}。可修改后重新申请。` : '参加文明交通劝导、垃圾分类督导、社区清洁等志愿服务，累计服务时长。'}
        </View>
        <Button type='primary' onClick={() => Taro.navigateTo({ url: PAGES.apply })}>申请成为志愿者</Button>
      </Card>
    )
  }
  return (
    <Card title='我的志愿' extra={<Tag type={v.status === 'approved' ? 'success' : 'warning'}>{v.statusLabel}</Tag>}>
      {v.status === 'pending' ? <View className='vl__text'>申请已提交，等待{v.communityName}的网格员审核。</View> : null}
      {v.status === 'suspended' ? <View className='vl__text'>志愿者身份已暂停：{v.decisionReason}</View> : null}
      <View className='vl__stats'>
        <View>
          <View className='vl__big'>{formatHours(me.totalMinutes)}</View>
          <View className='vl__stat-label'>累计服务时长</View>
        </View>
        <View>
          <View className='vl__big'>{me.starLabel ?? '—'}</View>
          <View className='vl__stat-label'>星级</View>
        </View>
      </View>
      <Button type='primary' fill='outline' size='small' onClick={() => Taro.navigateTo({ url: PAGES.mine })}>我的志愿 ›</Button>
    </Card>
  )
}

function ActivityCard({ a }: { a: ActivityView }) {
  const next = a.shifts.find((s) => Date.parse(s.endsAt) > Date.now()) ?? a.shifts[0]
  const mine = a.shifts.map(mineText).find(Boolean)
  return (
    <Card className='vl__activity' title={a.title} extra={<Tag type='primary' plain>{a.typeLabel}</Tag>}>
      <View onClick={() => Taro.navigateTo({ url: `${PAGES.activity}?id=${a.id}` })}>
        <View className='vl__meta'>{a.address} · {a.regionName}</View>
        {next ? <View className='vl__meta'>{shiftTime(next)} · {placesText(next)}{a.shifts.length > 1 ? ` · 共 ${a.shifts.length} 个班次` : ''}</View> : null}
        {a.status === 'cancelled' ? <Tag type='danger'>活动已取消</Tag> : null}
        {mine ? <Tag type='success'>{mine}</Tag> : null}
      </View>
      <Button size='small' fill='outline' type='primary' onClick={() => Taro.navigateTo({ url: `${PAGES.activity}?id=${a.id}` })}>查看详情并报名</Button>
    </Card>
  )
}

/** 志愿服务: my standing and hours, and the activities open to my community. */
export default function VolunteersHome() {
  const signedIn = useRequireSignIn()
  const me = useRemote(getMyVolunteer, [], signedIn)
  const account = useRemote(getMe, [], signedIn)
  // further pages on reaching the bottom or by the button; a reload starts again from the first
  const list = usePagedRemote(listActivities, [], signedIn)
  const reload = async () => {
    await Promise.all([me.reload(), list.reload()])
  }
  useReloadOnShow(reload, signedIn)
  usePullDownRefresh(async () => {
    await reload()
    Taro.stopPullDownRefresh()
  })

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (me.loading || list.loading) return <PageShell><LoadingState /></PageShell>
  if (me.error || !me.data) return <PageShell><ErrorState error={me.error} onRetry={me.reload} /></PageShell>
  if (list.error || !list.items) return <PageShell><ErrorState error={list.error} onRetry={list.reload} /></PageShell>

  const items = list.items
  const staff = (account.data?.roles ?? []).some((r) => r.role === 'worker' || r.role === 'office')

  return (
    <PageShell className='vl'>
      <Standing me={me.data} />
      {staff ? (
        <View className='vl__actions'>
          <Button type='primary' size='small' onClick={() => Taro.navigateTo({ url: PAGES.admin })}>志愿者管理</Button>
          <Button type='primary' fill='outline' size='small' onClick={() => Taro.navigateTo({ url: PAGES.create })}>发布活动</Button>
        </View>
      ) : null}
      <View className='vl__title'>志愿活动</View>
      {items.length === 0 ? (
        <EmptyState title='暂无志愿活动' description={account.data?.community ? '社区发布活动后会显示在这里。' : '请先在「我的」里选择所在社区。'} />
      ) : (
        items.map((a) => <ActivityCard key={a.id} a={a} />)
      )}
      {list.hasMore ? <Button block fill='outline' loading={list.loadingMore} onClick={() => void list.loadMore()}>加载更多</Button> : null}
    </PageShell>
  )
}

import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Input, Tag } from '@nutui/nutui-react-taro'
import type { VolunteerView } from '@contract/volunteers'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { ApiError, toast } from '@/services/api'
import { decide, listActivities, listApplications, PAGES, suspend } from '@/services/volunteers'
import { formatDateTime } from '@/utils/time'
import { placesText, shiftTime } from '../../utils'
import '../../styles.scss'

type Tab = 'pending' | 'approved' | 'activities'
const TABS: Array<[Tab, string]> = [['pending', '待审核'], ['approved', '志愿者'], ['activities', '活动']]

function Person({ v, onDone }: { v: VolunteerView; onDone: () => void }) {
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const run = async (what: 'approve' | 'reject' | 'suspend') => {
    if (what !== 'approve' && !reason.trim()) return toast(what === 'reject' ? '请填写不通过的原因' : '请填写暂停的原因')
    setBusy(true)
    try {
      if (what === 'suspend') await suspend(v.userId, reason.trim())
      else await decide(v.userId, what === 'approve' ? { decision: 'approve' } : { decision: 'reject', reason: reason.trim() })
      toast(what === 'approve' ? '已通过' : what === 'reject' ? '已驳回' : '已暂停')
      onDone()
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '操作失败')
    } finally {
      setBusy(false)
    }
  }
  return (
    <Card title={v.realName ?? '（已注销）'} extra={<Tag type={v.status === 'approved' ? 'success' : 'warning'}>{v.statusLabel}</Tag>}>
      <View className='vl__meta'>{v.phone ?? ''} · {v.communityName} · 申请于 {formatDateTime(v.appliedAt, 'M月D日 HH:mm')}</View>
      {v.skills.length ? <View className='vl__meta'>特长：{v.skills.join('、')}</View> : null}
      {v.availability ? <View className='vl__meta'>可服务时间：{v.availability}</View> : null}
      <Input className='vl__input' nativeProps={{ 'aria-label': `${v.realName ?? ''}的处理原因` }} placeholder={v.status === 'pending' ? '不通过时填写原因' : '暂停原因'} maxLength={200} value={reason} onChange={setReason} />
      <View className='vl__actions'>
        {v.status === 'pending' ? (
          <>
            <Button size='small' type='primary' disabled={busy} onClick={() => run('approve')}>通过</Button>
            <Button size='small' fill='outline' disabled={busy} onClick={() => run('reject')}>不通过</Button>
          </>
        ) : (
          <Button size='small' fill='outline' disabled={busy} onClick={() => run('suspend')}>暂停志愿者身份</Button>
        )}
      </View>
    </Card>
  )
}

/** 志愿者管理 (worker): applications to decide, the community's volunteers, and the activities with each shift's code. */
export default function VolunteerAdminPage() {
  const signedIn = useRequireSignIn()
  const [tab, setTab] = useState<Tab>('pending')
  const people = useRemote(() => listApplications(tab === 'activities' ? 'approved' : tab), [tab], signedIn && tab !== 'activities')
  const acts = useRemote(() => listActivities(), [], signedIn)
  useReloadOnShow(async () => {
    await Promise.all([tab !== 'activities' ? people.reload() : undefined, acts.reload()])
  }, signedIn)

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  const current = tab === 'activities' ? acts : people

  return (
    <PageShell className='vl'>
      <View className='vl__tabs'>
        {TABS.map(([k, label]) => (
          <Button key={k} size='small' type={tab === k ? 'primary' : 'default'} onClick={() => setTab(k)}>{label}</Button>
        ))}
      </View>
      {current.loading ? <LoadingState /> : current.error ? <ErrorState error={current.error} onRetry={current.reload} /> : null}
      {tab !== 'activities' && people.data && !people.loading ? (
        people.data.items.length === 0 ? <EmptyState title={tab === 'pending' ? '没有待审核的申请' : '还没有志愿者'} /> : people.data.items.map((v) => <Person key={v.userId} v={v} onDone={people.reload} />)
      ) : null}
      {tab === 'activities' && acts.data && !acts.loading ? (
        <>
          <Button type='primary' block onClick={() => Taro.navigateTo({ url: PAGES.create })}>发布志愿活动</Button>
          {acts.data.items.filter((a) => a.manages).map((a) => (
            <Card key={a.id} title={a.title} extra={<Tag type='primary' plain>{a.typeLabel}</Tag>}>
              <View className='vl__meta'>{a.address}{a.status === 'cancelled' ? ' · 已取消' : ''}</View>
              {a.shifts.map((s) => (
                <View key={s.id} className='vl__row'>
                  <View className='vl__meta'>{shiftTime(s)} · {placesText(s)}</View>
                  <Button size='small' fill='outline' onClick={() => Taro.navigateTo({ url: `${PAGES.shift}?id=${s.id}` })}>签到码与名单</Button>
                </View>
              ))}
              <Button size='small' fill='none' onClick={() => Taro.navigateTo({ url: `${PAGES.activity}?id=${a.id}` })}>活动详情 ›</Button>
            </Card>
          ))}
        </>
      ) : null}
    </PageShell>
  )
}

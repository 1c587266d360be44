import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Input, Tag } from '@nutui/nutui-react-taro'
import type { ApplicationList, VolunteerView } from '@contract/volunteers'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { ApiError, toast } from '@/services/api'
import { decide, listActivities, listApplications, PAGES, suspend } from '@/services/volunteers'
import { formatDateTime } from '@/utils/time'
import { applicationsPage, downloadMonthlyHours, recentMonths } from '../../api'
import { placesText, shiftTime } from '../../utils'
import '../../styles.scss'

type Tab = 'pending' | 'approved' | 'activities' | 'export'
const TABS: Array<[Tab, string]> = [['pending', '待审核'], ['approved', '志愿者'], ['activities', '活动'], ['export', '时长月报']]

/** 时长月报: the month's hours per community and per volunteer of the worker's area (the office: the city), as Excel. */
function MonthlyExport() {
  const months = recentMonths(6)
  const [month, setMonth] = useState(months[0])
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    try {
      await downloadMonthlyHours(month)
      toast('已导出')
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '导出失败')
    } finally {
      setBusy(false)
    }
  }
  return (
    <Card title='志愿服务时长月报'>
      <View className='vl__text'>导出所选月份负责区域内各社区的服务人数、人次与时长，以及每位志愿者的当月与累计时长（Excel）。</View>
      <View className='vl__actions'>
        {months.map((m) => (
          <Button key={m} size='small' type={m === month ? 'primary' : 'default'} onClick={() => setMonth(m)}>{m.replace('-', '年')}月</Button>
        ))}
      </View>
      <Button type='primary' block loading={busy} disabled={busy} onClick={run}>导出 {month.replace('-', '年')}月 时长（Excel）</Button>
    </Card>
  )
}

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
  const listed: Exclude<Tab, 'activities' | 'export'> = tab === 'pending' ? 'pending' : 'approved'
  const people = useRemote(() => listApplications(listed), [listed], signedIn && (tab === 'pending' || tab === 'approved'))
  const [more, setMore] = useState<ApplicationList | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const acts = useRemote(() => listActivities(), [], signedIn)
  useReloadOnShow(async () => {
    setMore(null)
    await Promise.all([tab === 'pending' || tab === 'approved' ? people.reload() : undefined, acts.reload()])
  }, signedIn)
  const nextCursor = more ? more.nextCursor : people.data?.nextCursor ?? null
  const loadMore = async () => {
    if (!nextCursor) return
    setLoadingMore(true)
    try {
      const page = await applicationsPage(listed, nextCursor)
      setMore((prev) => (prev ? { ...page, items: [...prev.items, ...page.items] } : page))
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '加载失败')
    } finally {
      setLoadingMore(false)
    }
  }
  const onDone = () => {
    setMore(null)
    void people.reload()
  }
  const pick = (k: Tab) => {
    setMore(null)
    setTab(k)
  }

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  const current = tab === 'activities' ? acts : tab === 'export' ? null : people
  const items = [...(people.data?.items ?? []), ...(more?.items ?? [])]

  return (
    <PageShell className='vl'>
      <View className='vl__tabs'>
        {TABS.map(([k, label]) => (
          <Button key={k} size='small' type={tab === k ? 'primary' : 'default'} onClick={() => pick(k)}>{label}</Button>
        ))}
      </View>
      {current?.loading ? <LoadingState /> : current?.error ? <ErrorState error={current.error} onRetry={current.reload} /> : null}
      {(tab === 'pending' || tab === 'approved') && people.data && !people.loading ? (
        items.length === 0 ? <EmptyState title={tab === 'pending' ? '没有待审核的申请' : '还没有志愿者'} /> : items.map((v) => <Person key={v.userId} v={v} onDone={onDone} />)
      ) : null}
      {(tab === 'pending' || tab === 'approved') && nextCursor && !people.loading ? (
        <Button block fill='none' loading={loadingMore} disabled={loadingMore} onClick={loadMore}>加载更多</Button>
      ) : null}
      {tab === 'export' ? <MonthlyExport /> : null}
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

import { useState } from 'react'
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
import type { CertificateList, HoursLedger, MySignups } from '@contract/volunteers'
import { CERT_PAGES, historyPage, issueMyCertificate, ledgerPage, myCertificates } from '../../api'
import { shiftTime } from '../../utils'
import '../../styles.scss'

const KIND_TEXT: Record<string, string> = { credited: '服务记录', correction: '更正', honorary: '荣誉时长' }

/** 我的志愿: hours and star level from the ledger, upcoming shifts, history, every ledger entry. */
export default function MyVolunteerPage() {
  const signedIn = useRequireSignIn()
  const me = useRemote(getMyVolunteer, [], signedIn)
  const signups = useRemote(getMySignups, [], signedIn)
  const hours = useRemote(getMyHours, [], signedIn)
  const certs = useRemote(() => myCertificates(), [], signedIn)
  // later pages of the history and the ledger, appended to the first (which reload() refreshes)
  const [moreHistory, setMoreHistory] = useState<MySignups | null>(null)
  const [moreLedger, setMoreLedger] = useState<HoursLedger | null>(null)
  const [moreCerts, setMoreCerts] = useState<CertificateList | null>(null)
  const [busy, setBusy] = useState(false)
  const reload = async () => {
    setMoreHistory(null)
    setMoreLedger(null)
    setMoreCerts(null)
    await Promise.all([me.reload(), signups.reload(), hours.reload(), certs.reload()])
  }
  useReloadOnShow(reload, signedIn)
  usePullDownRefresh(async () => {
    await reload()
    Taro.stopPullDownRefresh()
  })

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (me.loading || signups.loading || hours.loading || certs.loading) return <PageShell><LoadingState /></PageShell>
  const failed = [me, signups, hours, certs].find((r) => r.error || !r.data)
  if (failed) return <PageShell><ErrorState error={failed.error} onRetry={reload} /></PageShell>
  const m = me.data!
  const next = STAR_LEVELS.find((s) => m.totalMinutes < s.hours * 60)
  const history = [...signups.data!.history, ...(moreHistory?.history ?? [])]
  const historyCursor = moreHistory ? moreHistory.nextCursor : signups.data!.nextCursor
  const entries = [...hours.data!.entries, ...(moreLedger?.entries ?? [])]
  const ledgerCursor = moreLedger ? moreLedger.nextCursor : hours.data!.nextCursor
  const certificates = [...certs.data!.items, ...(moreCerts?.items ?? [])]
  const certCursor = moreCerts ? moreCerts.nextCursor : certs.data!.nextCursor
  const more = async <T,>(load: () => Promise<T>, put: (t: T) => void) => {
    setBusy(true)
    try {
      put(await load())
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '加载失败')
    } finally {
      setBusy(false)
    }
  }

  const onCertificate = async () => {
    setBusy(true)
    try {
      const c = await issueMyCertificate()
      await certs.reload()
      setMoreCerts(null)
      Taro.navigateTo({ url: `${CERT_PAGES.certificate}?no=${c.number}` })
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '申领失败')
    } finally {
      setBusy(false)
    }
  }

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

      <CellGroup title='志愿服务证书'>
        {certificates.length === 0 ? <Cell title='还没有证书' description='按当前累计时长开具，带可公开查验的编号和二维码' /> : null}
        {certificates.map((c) => (
          <Cell
            key={c.number}
            title={`${c.totalHours} 小时 · ${formatDateTime(c.issuedAt, 'YYYY年M月D日')}`}
            description={`编号 ${c.number}`}
            extra='查看 ›'
            clickable
            onClick={() => Taro.navigateTo({ url: `${CERT_PAGES.certificate}?no=${c.number}` })}
          />
        ))}
        {certCursor ? <Cell title='更多证书' clickable onClick={() => more(() => myCertificates(certCursor), (p) => setMoreCerts((prev) => (prev ? { ...p, items: [...prev.items, ...p.items] } : p)))} /> : null}
      </CellGroup>
      {m.totalMinutes > 0 && m.volunteer && (m.volunteer.status === 'approved' || m.volunteer.status === 'left') ? (
        <Button block type='primary' loading={busy} disabled={busy} onClick={onCertificate}>按当前时长申领证书</Button>
      ) : null}

      <CellGroup title='服务记录'>
        {history.length === 0 ? <Cell title='暂无' /> : null}
        {history.map((s) => (
          <Cell
            key={s.signupId}
            title={s.title}
            description={`${s.typeLabel} · ${shiftTime(s)}`}
            extra={s.creditedMinutes !== null ? `+${formatHours(s.creditedMinutes)}` : s.status === 'confirmed' ? (s.checkedInAt ? '未达时长' : '缺席') : s.statusLabel}
          />
        ))}
      </CellGroup>

      {historyCursor ? <Button block fill='none' disabled={busy} onClick={() => more(() => historyPage(historyCursor), (p) => setMoreHistory((prev) => (prev ? { ...p, history: [...prev.history, ...p.history] } : p)))}>更多服务记录</Button> : null}

      <CellGroup title='时长台账'>
        {entries.length === 0 ? <Cell title='暂无' /> : null}
        {entries.map((e) => (
          <Cell key={e.id} title={`${KIND_TEXT[e.kind] ?? e.kind} ${e.minutes > 0 ? '+' : ''}${e.minutes} 分钟`} description={`${formatDateTime(e.createdAt)} · ${e.reason}`} />
        ))}
      </CellGroup>
      {ledgerCursor ? <Button block fill='none' disabled={busy} onClick={() => more(() => ledgerPage(ledgerCursor), (p) => setMoreLedger((prev) => (prev ? { ...p, entries: [...prev.entries, ...p.entries] } : p)))}>更多台账记录</Button> : null}

      {m.volunteer && (m.volunteer.status === 'approved' || m.volunteer.status === 'pending') ? (
        <Button block fill='outline' onClick={onLeave}>退出志愿者</Button>
      ) : null}
    </PageShell>
  )
}

import { useMemo, useState } from 'react'
import { Picker, View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Button, Progress } from '@nutui/nutui-react-taro'
import type { DailyStats } from '@contract/reports'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import type { DownloadProgress } from '@/services/download'
import { dailyStats, exportLedger } from '@/services/reports'
import { dayjs, toShanghai } from '@/utils/time'
import './index.scss'
import PageGate from '@/components/PageGate'

/** The server answers at most 92 days at once. */
const MAX_DAYS = 92
const QUICK_DAYS = [7, 30, 90]
/** Days of detail rendered at first; a long range of a whole city would otherwise be thousands of rows at once. */
const DAYS_PER_STEP = 7

type Row = DailyStats['items'][number]
interface Sums {
  new: number
  closed: number
  overdue: number
}

const shift = (day: string, days: number) => dayjs(day).add(days, 'day').format('YYYY-MM-DD')
const span = (from: string, to: string) => dayjs(to).diff(dayjs(from), 'day')
const dayLabel = (day: string) => dayjs(day).format('M月D日 ddd')
const add = (s: Sums, r: Sums) => ({ new: s.new + r.new, closed: s.closed + r.closed, overdue: s.overdue + r.overdue })
const ZERO: Sums = { new: 0, closed: 0, overdue: 0 }

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`
}

function Table({ rows }: { rows: Array<Sums & { key: string; name: string }> }) {
  return (
    <View className='rp-stats__table'>
      <View className='rp-stats__row rp-stats__row--head'>
        <View className='rp-stats__name'>社区</View>
        <View className='rp-stats__cell'>新增</View>
        <View className='rp-stats__cell'>销号</View>
        <View className='rp-stats__cell'>超期</View>
      </View>
      {rows.map((r) => (
        <View key={r.key} className='rp-stats__row'>
          <View className='rp-stats__name'>{r.name}</View>
          <View className='rp-stats__cell'>{r.new}</View>
          <View className='rp-stats__cell'>{r.closed}</View>
          <View className={`rp-stats__cell ${r.overdue > 0 ? 'rp-stats__cell--overdue' : ''}`}>{r.overdue}</View>
        </View>
      ))}
    </View>
  )
}

/**
 * 每日统计 for workers (their regions) and the office (the city): new, closed (销号) and overdue reports per day and
 * community over a date range, with the 问题台账 export of the reports filed in that range. Figures come from the
 * server as they are; the page only adds them up for the totals.
 */
export default function ReportStatsPage() {
  const signedIn = useRequireSignIn()
  const today = useMemo(() => toShanghai(Date.now()).format('YYYY-MM-DD'), [])
  const [range, setRange] = useState({ from: shift(today, -6), to: today })
  const [shownDays, setShownDays] = useState(DAYS_PER_STEP)
  const [exporting, setExporting] = useState<DownloadProgress | null>(null)
  const stats = useRemote(() => dailyStats(range.from, range.to), [range.from, range.to], signedIn)
  usePullDownRefresh(async () => {
    await stats.reload()
    Taro.stopPullDownRefresh()
  })

  const apply = (from: string, to: string) => {
    if (from > to) {
      toast('开始日期不能晚于结束日期')
      return
    }
    if (span(from, to) > MAX_DAYS) {
      toast(`日期范围不能超过 ${MAX_DAYS} 天`)
      return
    }
    setRange({ from, to })
    setShownDays(DAYS_PER_STEP)
  }

  const view = useMemo(() => {
    const items = stats.data?.items ?? []
    const communities = new Map<string, Sums & { key: string; name: string }>()
    const days = new Map<string, Row[]>()
    let total = ZERO
    for (const r of items) {
      total = add(total, r)
      const c = communities.get(r.communityCode) ?? { key: r.communityCode, name: r.communityName, ...ZERO }
      communities.set(r.communityCode, { ...c, ...add(c, r) })
      days.set(r.day, [...(days.get(r.day) ?? []), r])
    }
    return {
      total,
      communities: [...communities.values()].sort((a, b) => b.new - a.new || b.overdue - a.overdue || a.name.localeCompare(b.name, 'zh-CN')),
      days: [...days.entries()].sort(([a], [b]) => (a < b ? 1 : -1)),
    }
  }, [stats.data])

  const onExport = async () => {
    if (exporting) return
    setExporting({ received: 0, total: null })
    try {
      await exportLedger({ from: range.from, to: range.to }, setExporting)
      toast(process.env.TARO_ENV === 'h5' ? '问题台账已下载' : '问题台账已打开，可在右上角菜单中转发或保存')
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '导出失败，请稍后重试')
    } finally {
      setExporting(null)
    }
  }

  if (!signedIn) return <PageGate signedIn={false} />

  const percent = exporting?.total ? Math.min(100, Math.round((exporting.received / exporting.total) * 100)) : null
  return (
    <PageShell className='rp-stats'>
      <Card title='统计时段'>
        <View className='rp-stats__quick'>
          {QUICK_DAYS.map((n) => {
            const on = range.to === today && span(range.from, range.to) === n - 1
            return (
              <Button key={n} size='small' type={on ? 'primary' : 'default'} fill={on ? 'solid' : 'outline'} onClick={() => apply(shift(today, -(n - 1)), today)}>
                {`近 ${n} 天`}
              </Button>
            )
          })}
        </View>
        <View className='rp-stats__range'>
          <Picker mode='date' value={range.from} end={today} onChange={(e) => apply(String(e.detail.value), range.to)}>
            <View className='rp-stats__date'>{range.from}</View>
          </Picker>
          <View>至</View>
          <Picker mode='date' value={range.to} end={today} onChange={(e) => apply(range.from, String(e.detail.value))}>
            <View className='rp-stats__date'>{range.to}</View>
          </Picker>
        </View>
      </Card>

      <Card title='问题台账' extra='Excel'>
        <View className='rp-stats__export-hint'>{`导出 ${range.from} 至 ${range.to} 上报的全部问题，含状态、处置时限、销号时间与处置满意度。`}</View>
        <Button type='primary' block loading={!!exporting} disabled={!!exporting} onClick={onExport}>
          {exporting ? '正在导出…' : '导出问题台账'}
        </Button>
        {exporting ? (
          <View className='rp-stats__progress'>
            {percent !== null ? <Progress percent={percent} color='#cc2c21' /> : null}
            <View className='rp-stats__progress-text'>
              {exporting.received === 0 ? '正在生成台账，请稍候…' : percent !== null ? `已下载 ${kb(exporting.received)}（${percent}%）` : `已下载 ${kb(exporting.received)}`}
            </View>
          </View>
        ) : null}
      </Card>

      {stats.loading ? (
        <LoadingState />
      ) : stats.error || !stats.data ? (
        <ErrorState error={stats.error} onRetry={stats.reload} />
      ) : (
        <View>
          <Card title='合计' extra={stats.refreshing ? '更新中…' : `${view.communities.length} 个社区`}>
            <View className='rp-stats__totals'>
              <View>
                <View className='rp-stats__num'>{view.total.new}</View>
                <View className='rp-stats__label'>新增</View>
              </View>
              <View>
                <View className='rp-stats__num rp-stats__num--closed'>{view.total.closed}</View>
                <View className='rp-stats__label'>销号</View>
              </View>
              <View>
                <View className='rp-stats__num rp-stats__num--overdue'>{view.total.overdue}</View>
                <View className='rp-stats__label'>超期</View>
              </View>
            </View>
          </Card>

          {view.days.length === 0 ? (
            <EmptyState title='该时段没有数据' description='所选时段内没有新增、销号或超期的问题。' />
          ) : (
            <View>
              <Card title='各社区合计'>
                <Table rows={view.communities} />
              </Card>
              {view.days.slice(0, shownDays).map(([day, rows]) => {
                const sum = rows.reduce<Sums>(add, ZERO)
                return (
                  <Card key={day} title={dayLabel(day)} extra={`新增 ${sum.new} · 销号 ${sum.closed} · 超期 ${sum.overdue}`}>
                    <Table rows={rows.map((r) => ({ ...r, key: r.communityCode, name: r.communityName }))} />
                  </Card>
                )
              })}
              {view.days.length > shownDays ? (
                <View className='rp-stats__more'>
                  <Button block fill='outline' type='primary' onClick={() => setShownDays((n) => n + DAYS_PER_STEP)}>
                    {`显示更早的日期（还有 ${view.days.length - shownDays} 天）`}
                  </Button>
                </View>
              ) : null}
            </View>
          )}
        </View>
      )}
    </PageShell>
  )
}

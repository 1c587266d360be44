import { useState } from 'react'
import { Picker, View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro'
import { Button, Tag } from '@nutui/nutui-react-taro'
import type { Dashboard, PeriodKind, RateFigure } from '@contract/rates'
import type { ChildGeometries, RegionDetail } from '@contract/regions'
import Card from '@/components/Card'
import PageShell from '@/components/PageShell'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { listRegions } from '@/services/accounts'
import { ApiError, toast } from '@/services/api'
import { downloadExport, getChildGeometries, getDashboard, getMe, getRegion, getSources, getTrend, type PeriodQuery } from '../../api'
import ChildList from '../../components/ChildList'
import FigureCard from '../../components/FigureCard'
import Rankings from '../../components/Rankings'
import RegionMap from '../../components/RegionMap'
import SourcesPanel from '../../components/SourcesPanel'
import TargetsForm from '../../components/TargetsForm'
import TrendChart from '../../components/TrendChart'
import { CHILD_LEVEL, FIGURES, LEVEL_NAMES, addDays, figureOf, todayShanghai } from '../../figures'
import { DASHBOARD_LINKS } from '../../links'
import { useWide } from '../../useWide'
import './index.scss'

const PERIODS: Array<{ kind: PeriodKind; text: string }> = [
  { kind: 'day', text: '日' },
  { kind: 'week', text: '周' },
  { kind: 'month', text: '月' },
  { kind: 'custom', text: '自定义' },
]

/** Who is looking: the office reads every region, a worker the regions of their grants and below. */
interface Viewer { office: boolean; areas: Array<{ code: string; name: string }>; home: string }

async function loadViewer(): Promise<Viewer> {
  const me = await getMe()
  const office = me.roles.some((r) => r.role === 'office')
  const areas = me.roles.filter((r) => r.role === 'worker' && r.regionCode).map((r) => ({ code: r.regionCode!, name: r.regionName ?? r.regionCode! }))
  const home = office ? (await listRegions())[0]?.code ?? '' : areas[0]?.code ?? ''
  return { office, areas, home }
}

interface Loaded { dash: Dashboard; detail: RegionDetail; geometry: ChildGeometries['items'] }

async function loadView(region: string, period: PeriodQuery): Promise<Loaded> {
  const [dash, detail] = await Promise.all([getDashboard(region, period), getRegion(region)])
  // a community is drawn alone, from its street's boundaries
  const geoOf = detail.level === 'community' ? detail.parentCode : region
  const geo = geoOf ? await getChildGeometries(geoOf) : { items: [] }
  return { dash, detail, geometry: detail.level === 'community' ? geo.items.filter((g) => g.code === region) : geo.items }
}

/**
 * 比率看板: the five figures of a region for a day, week, month or range — each with its interval, n, target and
 * change — a map of its children coloured against target, the ranked list, the rankings, the daily trend and the
 * sources of each figure. Tapping a region (map or list) drills down city → district → street → community; the
 * breadcrumb goes back up as far as the viewer may read. The office also sets targets; everyone can export the tables.
 * On a PC browser (H5, wide window) the same page lays out in columns.
 */
export default function RatesDashboardPage() {
  const signedIn = useRequireSignIn()
  const wide = useWide()
  const params = useRouter().params
  const viewer = useRemote(loadViewer, [], signedIn)
  const [picked, setPicked] = useState(params.region ?? '')
  const region = picked || viewer.data?.home || ''
  const [period, setPeriod] = useState<PeriodQuery>({ period: 'month', date: todayShanghai() })
  const [figure, setFigure] = useState<RateFigure>('awareness')
  const [days, setDays] = useState(30)
  const [exporting, setExporting] = useState(false)
  const periodKey = `${period.period}|${period.date}|${period.to ?? ''}`
  const view = useRemote(() => loadView(region, period), [region, periodKey], signedIn && !!region)
  const periodTo = view.data?.dash.period.to ?? ''
  const trend = useRemote(() => getTrend(region, days, periodTo), [region, days, periodTo], !!periodTo)
  const sources = useRemote(() => getSources(region, period, figure), [region, periodKey, figure], signedIn && !!region && !!view.data)
  usePullDownRefresh(async () => {
    await Promise.all([view.reload(), trend.reload(), sources.reload()])
    Taro.stopPullDownRefresh()
  })

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (viewer.loading) return <PageShell><LoadingState /></PageShell>
  if (viewer.error || !viewer.data) return <PageShell><ErrorState error={viewer.error} onRetry={viewer.reload} /></PageShell>
  if (!region) {
    return (
      <PageShell>
        <EmptyState title='没有可查看的区域' description='比率看板供社区工作人员和创文办使用：您的账号还没有负责的区域，请联系创文办授权。' />
      </PageShell>
    )
  }
  if (view.loading && !view.data) return <PageShell><LoadingState text='正在计算比率…' /></PageShell>
  if (!view.data) return <PageShell><ErrorState error={view.error} onRetry={view.reload} /></PageShell>

  const { dash, detail, geometry } = view.data
  const { office, areas } = viewer.data
  const chain = [...detail.ancestors, { code: detail.code, name: detail.name, level: detail.level }]
  // a worker may go up only as far as their own area
  const topReadable = office ? 0 : Math.min(...areas.map((a) => chain.findIndex((c) => c.code === a.code)).filter((i) => i >= 0))
  const selected = figureOf(dash.region, figure)
  const figureName = FIGURES.find((f) => f.key === figure)!.name
  const hasChildren = dash.children.length > 0
  // participation's denominator is the registered residents: nobody took part is what "no data" means for it
  const nothing = dash.region.figures.every((f) => (f.figure === 'participation' ? f.numerator : f.n) === 0)
  const drill = (code: string) => {
    if (dash.children.some((c) => c.regionCode === code)) setPicked(code)
  }
  const setKind = (kind: PeriodKind) =>
    setPeriod((p) => (kind === 'custom' ? { period: kind, date: addDays(p.date, -29), to: p.date } : { period: kind, date: p.period === 'custom' ? p.to ?? p.date : p.date }))
  const onExport = async () => {
    setExporting(true)
    try {
      await downloadExport(region, dash.region.name, period, days)
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '导出失败，请稍后重试')
    } finally {
      setExporting(false)
    }
  }
  const { period: shown } = dash

  const head = (
    <View className='rt-head'>
      <View className='rt-crumbs' ariaRole='navigation' ariaLabel='区域层级'>
        {chain.map((c, i) => (
          <View key={c.code} className='rt-crumbs__part'>
            {i > 0 ? <View className='rt-crumbs__sep'>›</View> : null}
            {i >= topReadable && i < chain.length - 1 ? (
              <View className='rt-crumbs__item rt-crumbs__item--link' ariaRole='button' onClick={() => setPicked(c.code)}>{c.name}</View>
            ) : (
              <View className={`rt-crumbs__item ${i === chain.length - 1 ? 'rt-crumbs__item--here' : ''}`}>{c.name}</View>
            )}
          </View>
        ))}
      </View>
      <View className='rt-head__title'>
        {dash.region.name}
        <Tag type='default' plain className='rt-head__level'>{LEVEL_NAMES[dash.region.level]}</Tag>
      </View>
      {!office && areas.length > 1 ? (
        <View className='rt-head__areas'>
          {areas.map((a) => (
            <Button key={a.code} size='small' type={a.code === region ? 'primary' : 'default'} onClick={() => setPicked(a.code)}>{a.name}</Button>
          ))}
        </View>
      ) : null}
      <View className='rt-period'>
        <View className='rt-period__kinds'>
          {PERIODS.map((p) => (
            <Button key={p.kind} size='small' type={period.period === p.kind ? 'primary' : 'default'} onClick={() => setKind(p.kind)}>{p.text}</Button>
          ))}
        </View>
        <Picker mode='date' value={period.date} end={todayShanghai()} onChange={(e) => setPeriod((p) => ({ ...p, date: String(e.detail.value) }))}>
          <View className='rt-period__date' ariaRole='button' ariaLabel={`${period.period === 'custom' ? '开始日期' : '日期'} ${period.date}，点按更改`}>
            {period.period === 'custom' ? '从 ' : ''}{period.date}
          </View>
        </Picker>
        {period.period === 'custom' ? (
          <Picker mode='date' value={period.to ?? period.date} start={period.date} end={todayShanghai()} onChange={(e) => setPeriod((p) => ({ ...p, to: String(e.detail.value) }))}>
            <View className='rt-period__date' ariaRole='button' ariaLabel={`结束日期 ${period.to}，点按更改`}>到 {period.to}</View>
          </Picker>
        ) : null}
        <View className='rt-period__shown'>
          {shown.from === shown.to ? shown.from : `${shown.from} 至 ${shown.to}`}（上期 {shown.previousFrom === shown.previousTo ? shown.previousFrom : `${shown.previousFrom} 至 ${shown.previousTo}`}）
          {view.refreshing ? ' · 更新中…' : ''}
        </View>
      </View>
      <View className='rt-head__actions'>
        <Button size='small' fill='outline' type='primary' loading={exporting} disabled={exporting} onClick={onExport}>导出 Excel</Button>
        {DASHBOARD_LINKS.map((l) => (
          <Button key={l.url} size='small' fill='outline' onClick={() => Taro.navigateTo({ url: l.url })}>{l.text}</Button>
        ))}
      </View>
      {dash.pendingEvents > 0 ? <View className='rt-note'>还有 {dash.pendingEvents} 条新数据正在计入（几秒内完成），下拉刷新可看到。</View> : null}
    </View>
  )

  const figuresBlock = (
    <View className='rt-figs'>
      {dash.region.figures.map((f) => (
        <FigureCard key={f.figure} f={f} region={dash.region} selected={f.figure === figure} onSelect={() => setFigure(f.figure)} />
      ))}
    </View>
  )

  const picker = (
    <View className='rt-pick' ariaRole='group' ariaLabel='选择地图、列表和来源显示的比率'>
      {FIGURES.map((f) => (
        <Button key={f.key} size='small' type={f.key === figure ? 'primary' : 'default'} onClick={() => setFigure(f.key)}>{f.name}</Button>
      ))}
    </View>
  )

  const mapCard = (
    <Card title={`${figureName}地图`} className='rt-card rt-card--map' extra={hasChildren ? `点按${CHILD_LEVEL[dash.region.level] ?? '区域'}进入下一级` : undefined}>
      <RegionMap geometry={geometry} regions={hasChildren ? dash.children : [dash.region]} figure={figure} figureName={figureName} onPick={drill} />
    </Card>
  )
  const listCard = hasChildren ? (
    <Card title={`各${CHILD_LEVEL[dash.region.level] ?? '下级区域'}${figureName}`} className='rt-card rt-card--list'>
      <ChildList children={dash.children} figure={figure} onPick={drill} />
      <View className='rt-note'>点按一行进入该区域。{dash.region.level === 'community' ? '' : '上级的比率按常住人口加权，见各卡片。'}</View>
    </Card>
  ) : null
  const rankCard = (
    <Card title={`${figureName}排名（前三 / 后三）`} className='rt-card rt-card--rank'>
      <Rankings rankings={dash.rankings.filter((r) => r.figure === figure)} level={dash.region.level} />
    </Card>
  )
  const trendCard = (
    <Card
      title={`近 ${days} 天趋势`}
      className='rt-card rt-card--trend'
      extra={(
        <View className='rt-days'>
          {[30, 90].map((d) => (
            <Button key={d} size='small' type={days === d ? 'primary' : 'default'} onClick={() => setDays(d)}>{d} 天</Button>
          ))}
        </View>
      )}
    >
      {trend.loading && !trend.data ? <LoadingState text='正在读取趋势…' /> : trend.data ? <TrendChart trend={trend.data} /> : <ErrorState error={trend.error} onRetry={trend.reload} />}
    </Card>
  )
  const sourcesCard = (
    <Card title={`${figureName}的来源`} className='rt-card rt-card--src'>
      {sources.error ? <ErrorState error={sources.error} onRetry={sources.reload} /> : <SourcesPanel f={selected} sources={sources.loading ? undefined : sources.data} />}
      {sources.loading ? <LoadingState text='正在读取来源…' /> : null}
    </Card>
  )
  const targetsCard = office ? (
    <Card title='目标值' className='rt-card rt-card--targets'>
      <TargetsForm region={dash.region} onSaved={view.reload} />
    </Card>
  ) : null

  return (
    <PageShell className={`rt ${wide ? 'rt--wide' : ''}`}>
      {head}
      {nothing ? (
        <View className='rt-empty'>
          <View className='rt-empty__title'>本期暂无数据</View>
          <View className='rt-empty__text'>
            {shown.from === shown.to ? shown.from : `${shown.from} 至 ${shown.to}`}，{dash.region.name}没有居民作答问卷、参加答题、评价随手拍或参与活动。可换一个时段（如“月”），或看下面的近期趋势。
          </View>
        </View>
      ) : null}
      {figuresBlock}
      {picker}
      {wide ? (
        <View className='rt-grid'>
          <View className='rt-grid__col'>
            {mapCard}
            {trendCard}
            {sourcesCard}
          </View>
          <View className='rt-grid__col'>
            {listCard}
            {rankCard}
            {targetsCard}
          </View>
        </View>
      ) : (
        <>
          {mapCard}
          {listCard}
          {rankCard}
          {trendCard}
          {sourcesCard}
          {targetsCard}
        </>
      )}
    </PageShell>
  )
}

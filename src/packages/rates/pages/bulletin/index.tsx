import { useEffect, useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro'
import { Button, Cell, Switch } from '@nutui/nutui-react-taro'
import type { Bulletin, BulletinRanking, BulletinRegion, BulletinSubscription } from '@contract/rates-bulletin'
import type { Figure, RateFigure } from '@contract/rates'
import Card from '@/components/Card'
import PageShell from '@/components/PageShell'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { usePagedRemote } from '@/hooks/usePagedRemote'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { askWechatConsent, downloadBulletin, getBulletin, getSubscription, listBulletins, setSubscription } from './api'
import BulletinChart from './BulletinChart'
import './index.scss'

const FIGURES: Array<[RateFigure, string]> = [
  ['awareness', '知晓率'], ['support', '支持率'], ['satisfaction', '满意率'], ['handling', '处置满意度'], ['participation', '参与率'],
]
const LEVELS: Record<BulletinRanking['level'], string> = { district: '区', street: '街道', community: '社区' }

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`)
const points = (x: number | null) => (x === null ? '—' : `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x * 100).toFixed(1)} 个百分点`)
const dayLabel = (day: string) => {
  const [y, m, d] = day.split('-').map(Number)
  return `${y}年${m}月${d}日`
}
const shanghaiTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
const figureOf = (r: BulletinRegion, f: RateFigure) => r.figures.find((x) => x.figure === f) as Figure

function FigureCard({ f }: { f: Figure }) {
  return (
    <View className='rb-fig'>
      <View className='rb-fig__name'>{f.name}</View>
      <View className='rb-fig__rate'>{pct(f.rate)}</View>
      <View className='rb-fig__meta'>
        {f.interval ? `95% 区间 ${pct(f.interval.lower)}–${pct(f.interval.upper)}` : '无人作答'}
      </View>
      <View className='rb-fig__meta'>{f.numerator}/{f.denominator}{f.figure === 'participation' ? '（参与/登记居民）' : ' 人'}</View>
      <View className={`rb-fig__change ${f.change === null ? 'rb-fig__change--none' : f.change < 0 ? 'rb-fig__change--down' : ''}`}>较前日 {points(f.change)}</View>
      <View className='rb-fig__meta'>目标 {pct(f.target)}</View>
      {f.insufficient ? <View className='rb-fig__flag'>样本不足</View> : null}
    </View>
  )
}

function Rankings({ rankings, figure }: { rankings: BulletinRanking[]; figure: RateFigure }) {
  const mine = rankings.filter((r) => r.figure === figure)
  if (mine.length === 0) return <View className='rb-note'>本市下级区域不足两个，不排名。</View>
  return (
    <View className='rb-ranks'>
      {mine.map((r) => (
        <View key={r.level} className='rb-rank'>
          <View className='rb-rank__title'>{LEVELS[r.level]}（样本不足未排名 {r.excludedInsufficient} 个）</View>
          {[['前三', r.top], ['后三', r.bottom]].map(([side, list]) => (
            <View key={side as string} className='rb-rank__side'>
              <View className='rb-rank__label'>{side as string}</View>
              {(list as BulletinRanking['top']).length === 0 ? <View className='rb-note'>无（都不足 30 人）</View> : null}
              {(list as BulletinRanking['top']).map((e, i) => (
                <View key={e.regionCode} className='rb-rank__row'>
                  <View className='rb-rank__no'>{i + 1}</View>
                  <View className='rb-rank__name'>{e.name}</View>
                  <View className='rb-rank__rate'>{pct(e.rate)}</View>
                  <View className='rb-rank__n'>{e.n} 人</View>
                </View>
              ))}
            </View>
          ))}
        </View>
      ))}
    </View>
  )
}

function BulletinView({ bulletin }: { bulletin: Bulletin }) {
  const [figure, setFigure] = useState<RateFigure>('awareness')
  const [downloading, setDownloading] = useState(false)
  const c = bulletin.content
  const name = FIGURES.find(([f]) => f === figure)![1]
  const download = async () => {
    setDownloading(true)
    try {
      await downloadBulletin(bulletin.day)
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '下载失败，请稍后重试')
    } finally {
      setDownloading(false)
    }
  }
  const streets = c.streets
  return (
    <View className='rb-view'>
      <View className='rb-view__head'>
        <View>
          <View className='rb-view__title'>{c.city.name}创文每日通报 · {dayLabel(c.day)}</View>
          <View className='rb-note'>
            生成于 {shanghaiTime(bulletin.generatedAt)}{bulletin.late ? '（服务恢复后补发）' : ''}
            {c.pendingEvents > 0 ? ` · 生成时尚有 ${c.pendingEvents} 条事件未计入` : ''}
          </View>
        </View>
        <Button type='primary' size='small' loading={downloading} disabled={downloading} onClick={download}>下载 Excel</Button>
      </View>

      <Card title='全市'>
        <View className='rb-figs'>{c.city.figures.map((f) => <FigureCard key={f.figure} f={f} />)}</View>
      </Card>

      <View className='rb-pick' role='group' aria-label='选择比率'>
        {FIGURES.map(([f, label]) => (
          <Button key={f} size='small' type={f === figure ? 'primary' : 'default'} fill={f === figure ? 'solid' : 'outline'}
            aria-pressed={f === figure} onClick={() => setFigure(f)}>{label}</Button>
        ))}
      </View>

      <View className='rb-grid'>
        <Card title={`各街道${name}（昨日与前一日）`}>
          <BulletinChart
            id={`rb-chart-figure-${figure}`}
            percent
            categories={streets.map((s) => s.name)}
            series={[
              { name: dayLabel(c.day).slice(5), data: streets.map((s) => { const r = figureOf(s, figure).rate; return r === null ? null : Math.round(r * 1000) / 10 }) },
              { name: '前一日', data: streets.map((s) => { const r = figureOf(s, figure).previousRate; return r === null ? null : Math.round(r * 1000) / 10 }) },
            ]}
            label={`各街道${name}的柱状图，昨日与前一日对比；数字见下表`}
          />
          <View className='rb-table' role='table' aria-label={`各街道${name}`}>
            <View className='rb-table__row rb-table__row--head' role='row'>
              {['街道', name, '95% 区间', '人数', '较前日'].map((h) => <View key={h} role='columnheader' className='rb-table__cell'>{h}</View>)}
            </View>
            {streets.map((s) => {
              const f = figureOf(s, figure)
              return (
                <View key={s.regionCode} className='rb-table__row' role='row'>
                  <View role='cell' className='rb-table__cell'>{s.name}</View>
                  <View role='cell' className='rb-table__cell'>{pct(f.rate)}{f.insufficient ? '（样本不足）' : ''}</View>
                  <View role='cell' className='rb-table__cell'>{f.interval ? `${pct(f.interval.lower)}–${pct(f.interval.upper)}` : '—'}</View>
                  <View role='cell' className='rb-table__cell'>{f.n}</View>
                  <View role='cell' className='rb-table__cell'>{points(f.change)}</View>
                </View>
              )
            })}
          </View>
        </Card>

        <Card title={`${name}排名（前三与后三）`}>
          <Rankings rankings={c.rankings} figure={figure} />
          <View className='rb-note'>{c.rankingRule}</View>
        </Card>

        <Card title='各街道随手拍超期与参与'>
          <BulletinChart
            id='rb-chart-overdue'
            categories={streets.map((s) => s.name)}
            series={[
              { name: '当日超期', data: streets.map((s) => s.activity.reportsNewlyOverdue) },
              { name: '超期未办结', data: streets.map((s) => s.activity.reportsOverdueOpen) },
            ]}
            label='各街道随手拍当日超期与超期未办结件数的柱状图；数字见下表'
          />
          <View className='rb-table' role='table' aria-label='各街道随手拍与参与'>
            <View className='rb-table__row rb-table__row--head' role='row'>
              {['街道', '新增', '办结', '当日超期', '超期未办结', '答题人数', '问卷答卷', '志愿服务'].map((h) => (
                <View key={h} role='columnheader' className='rb-table__cell'>{h}</View>
              ))}
            </View>
            {[...streets, c.city].map((s) => (
              <View key={s.regionCode} className='rb-table__row' role='row'>
                <View role='cell' className='rb-table__cell'>{s.level === 'city' ? '全市' : s.name}</View>
                {[s.activity.reportsNew, s.activity.reportsClosed, s.activity.reportsNewlyOverdue, s.activity.reportsOverdueOpen,
                  s.activity.quizResidents, s.activity.surveyResponses, s.activity.volunteers].map((n, i) => (
                  <View key={i} role='cell' className='rb-table__cell'>{n}</View>
                ))}
              </View>
            ))}
          </View>
        </Card>

        <Card title='口径说明'>
          {c.notes.map((n) => <View key={n} className='rb-note rb-note--item'>{n}</View>)}
        </Card>
      </View>
    </View>
  )
}

/** A worker's consent to the daily message; in WeChat the platform's own prompt comes first, then the saved opt-in. */
function SubscribeSwitch({ initial }: { initial: BulletinSubscription }) {
  const [sub, setSub] = useState(initial)
  const [busy, setBusy] = useState(false)
  const weapp = process.env.TARO_ENV === 'weapp'
  const change = async (on: boolean) => {
    if (busy) return
    setBusy(true)
    try {
      if (on && !(await askWechatConsent(sub.templateId))) {
        toast(weapp ? '未允许接收通知，未开启订阅' : '订阅消息经微信发送，请在微信小程序中开启')
        return
      }
      setSub(await setSubscription(on))
      toast(on ? '已订阅，每天生成后通知您' : '已退订')
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '保存失败，请稍后重试')
    } finally {
      setBusy(false)
    }
  }
  return (
    <Cell
      title='接收每日通报消息'
      description={`每天 ${sub.time} 生成昨日通报后，通过微信服务通知发给您${weapp ? '' : '（请在微信小程序中开启）'}`}
      extra={<Switch ariaLabel='接收每日通报消息' checked={sub.subscribed} loading={busy} disabled={busy || (!weapp && !sub.subscribed)} onChange={change} />}
    />
  )
}

/** 创文每日通报: the archive (newest first) and one bulletin as a page; the office reads it on a PC, workers on the phone. */
export default function BulletinPage() {
  const signedIn = useRequireSignIn()
  const wanted = useRouter().params.day
  const [day, setDay] = useState<string | undefined>(wanted)
  const list = usePagedRemote((cursor) => listBulletins(cursor), [], signedIn, (it) => it.day)
  const sub = useRemote(() => getSubscription().catch(() => null), [], signedIn)
  useEffect(() => {
    const newest = list.data?.items[0]?.day
    setDay((d) => d ?? newest)
  }, [list.data])
  const items = list.items ?? []
  const bulletin = useRemote(() => getBulletin(day!), [day], signedIn && !!day)
  usePullDownRefresh(async () => {
    await Promise.all([list.reload(), day ? bulletin.reload() : null])
    Taro.stopPullDownRefresh()
  })

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (list.loading) return <PageShell><LoadingState /></PageShell>
  if (list.error) return <PageShell><ErrorState error={list.error} onRetry={list.reload} /></PageShell>

  return (
    <PageShell className='rb'>
      {sub.data ? <View className='rb-sub'><SubscribeSwitch initial={sub.data} /></View> : null}
      <View className='rb-layout'>
        <View className='rb-layout__main'>
          {!day ? <EmptyState title='还没有通报' description='每天按设定的时间生成前一天的通报' />
            : bulletin.loading ? <LoadingState text='正在打开通报…' />
              : bulletin.error || !bulletin.data ? <ErrorState error={bulletin.error} onRetry={bulletin.reload} />
                : <BulletinView key={bulletin.data.day} bulletin={bulletin.data} />}
        </View>
        <View className='rb-layout__side'>
          <Card title='往期通报'>
            {items.length === 0 ? <View className='rb-note'>暂无</View> : null}
            {items.map((it) => {
              const p = it.headline.find((h) => h.figure === 'participation')
              return (
                <View key={it.day} className={`rb-item ${it.day === day ? 'rb-item--on' : ''}`} role='button' aria-current={it.day === day}
                  onClick={() => setDay(it.day)}>
                  <View className='rb-item__day'>{dayLabel(it.day)}</View>
                  <View className='rb-note'>参与率 {pct(p?.rate)} · 超期未办结 {it.reportsOverdueOpen} 件</View>
                </View>
              )
            })}
            {list.hasMore ? <Button size='small' fill='outline' loading={list.loadingMore} onClick={list.loadMore}>加载更多</Button> : null}
          </Card>
        </View>
      </View>
    </PageShell>
  )
}

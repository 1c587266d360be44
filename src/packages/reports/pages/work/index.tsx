import { useEffect, useState } from 'react'
import { Picker, ScrollView, View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Cell, Tag } from '@nutui/nutui-react-taro'
import type { ReportCategory, ReportState, WorkQuery } from '@contract/reports'
import PageShell from '@/components/PageShell'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { usePagedRemote } from '@/hooks/usePagedRemote'
import { withQuery } from '@/routes'
import { listCategories, STATE_TEXT, stateTagType, workList } from '@/services/reports'
import { formatDateTime } from '@/utils/time'
import { categoryIcon } from '../../components/icons'
import { PAGES } from '../../config'
import './index.scss'
import { REPORT_STATES } from '@contract/report-lifecycle'
import PageGate from '@/components/PageGate'

const STATES = REPORT_STATES

interface Filters {
  state?: ReportState
  categoryCode?: string
  overdue?: boolean
  from?: string
  to?: string
}

/** 工单: reports of my regions, by state (with counts), category, overdue, date; endless list by cursor. */
export default function WorkListPage() {
  const signedIn = useRequireSignIn()
  const [filters, setFilters] = useState<Filters>({ state: 'submitted' })
  const [cats, setCats] = useState<ReportCategory[]>([])

  useEffect(() => {
    if (signedIn) listCategories().then(setCats).catch(() => undefined)
  }, [signedIn])

  const query = (f: Filters, c?: string): WorkQuery => ({ ...f, overdue: f.overdue || undefined, cursor: c, limit: 20 })

  const list = usePagedRemote((cursor) => workList(query(filters, cursor)), [filters], signedIn)
  useReloadOnShow(list.reload, signedIn)
  usePullDownRefresh(async () => {
    await list.reload()
    Taro.stopPullDownRefresh()
  })
  const items = list.items ?? []
  const counts = list.data?.counts ?? {}
  const overdueCount = list.data?.overdueCount ?? 0

  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  const catIndex = cats.findIndex((c) => c.code === filters.categoryCode)
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }))

  if (!signedIn) return <PageGate signedIn={false} />

  return (
    <PageShell className='rp-work'>
      <Cell className='rp-work__stats' title='每日统计 · 导出问题台账' description='按社区看每日新增、销号、超期' extra='›' clickable onClick={() => Taro.navigateTo({ url: PAGES.stats })} />
      <ScrollView scrollX className='rp-work__states' enableFlex>
        <View className={`rp-work__chip ${!filters.state ? 'rp-work__chip--on' : ''}`} onClick={() => set({ state: undefined })}>
          {`全部 ${total}`}
        </View>
        {STATES.map((s) => (
          <View key={s} className={`rp-work__chip ${filters.state === s ? 'rp-work__chip--on' : ''}`} onClick={() => set({ state: s })}>
            {`${STATE_TEXT[s]} ${counts[s] ?? 0}`}
          </View>
        ))}
      </ScrollView>

      <View className='rp-work__filters'>
        <Picker mode='selector' range={['全部类别', ...cats.map((c) => c.name)]} value={catIndex + 1} onChange={(e) => set({ categoryCode: Number(e.detail.value) === 0 ? undefined : cats[Number(e.detail.value) - 1]?.code })}>
          <View className='rp-work__filter'>{catIndex >= 0 ? cats[catIndex].name : '全部类别'} ▾</View>
        </Picker>
        <Picker mode='date' value={filters.from ?? ''} onChange={(e) => set({ from: String(e.detail.value) })}>
          <View className='rp-work__filter'>{filters.from ? `自 ${filters.from}` : '开始日期'} ▾</View>
        </Picker>
        <Picker mode='date' value={filters.to ?? ''} onChange={(e) => set({ to: String(e.detail.value) })}>
          <View className='rp-work__filter'>{filters.to ? `至 ${filters.to}` : '结束日期'} ▾</View>
        </Picker>
        <View className={`rp-work__filter ${filters.overdue ? 'rp-work__filter--on' : ''}`} onClick={() => set({ overdue: !filters.overdue })}>
          {`仅超期 ${overdueCount}`}
        </View>
        {filters.from || filters.to || filters.categoryCode ? (
          <View className='rp-work__filter rp-work__clear' onClick={() => set({ from: undefined, to: undefined, categoryCode: undefined })}>
            清除
          </View>
        ) : null}
      </View>

      {list.loading && items.length === 0 ? (
        <LoadingState />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : items.length === 0 ? (
        <EmptyState title='暂无工单' description='当前筛选条件下没有需要处理的随手拍。' />
      ) : (
        <View>
          {items.map((i) => (
            <View key={i.id} className='rp-work__item' onClick={() => Taro.navigateTo({ url: withQuery(PAGES.handle, { id: i.id }) })}>
              <View className='rp-work__row'>
                <View className='rp-work__cat'>{`${categoryIcon(i.category.icon)} ${i.category.name}`}</View>
                <View className='rp-work__tags'>
                  {i.overdue ? <Tag type='danger' plain>超期</Tag> : null}
                  {i.held ? <Tag type='warning' plain>待审核</Tag> : null}
                  <Tag type={stateTagType(i.state)}>{i.stateLabel}</Tag>
                </View>
              </View>
              {i.description ? <View className='rp-work__desc'>{i.description}</View> : null}
              <View className='rp-work__meta'>{`${i.community.name} · ${i.address}`}</View>
              <View className='rp-work__meta'>
                {`${i.number} · ${i.reporterName} · ${formatDateTime(i.createdAt)} 上报 · ${formatDateTime(i.dueAt, 'MM-DD HH:mm')} 到期`}
                {i.coReporters > 0 ? ` · +${i.coReporters}` : ''}
              </View>
            </View>
          ))}
          <View className='rp-work__more' onClick={() => void list.loadMore()}>
            {list.loadingMore ? '加载中…' : list.hasMore ? '加载更多' : '没有更多了'}
          </View>
        </View>
      )}
    </PageShell>
  )
}

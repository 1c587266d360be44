import { useCallback, useEffect, useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro'
import { Button, Cell, CellGroup, Tag } from '@nutui/nutui-react-taro'
import type { Me } from '@contract/accounts'
import type { ReportListItem, ReportPage } from '@contract/reports'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { api, ApiError, toast } from '@/services/api'
import { flushDrafts, installOfflineSync, listDrafts, onDraftsChange, removeDraft, type ReportDraft } from '@/services/offline-queue'
import { myReports, stateTagType } from '@/services/reports'
import { formatDateTime } from '@/utils/time'
import './index.scss'
import { isOpen } from '@contract/report-lifecycle'
import { ROUTES } from '@/routes'
import PageGate from '@/components/PageGate'

/** Pages of the reports subpackage. */
const NEW_REPORT = ROUTES.reports.new
const DETAIL = ROUTES.reports.detail
const WORK = ROUTES.reports.work

installOfflineSync()


/** 随手拍 tab: the big button, 待发送 drafts, 我的随手拍 (cursor-paged), and 工单 for workers. */
export default function ReportEntryPage() {
  const signedIn = useRequireSignIn()
  const [items, setItems] = useState<ReportListItem[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [more, setMore] = useState(false)
  const [error, setError] = useState<ApiError>()
  const [drafts, setDrafts] = useState<ReportDraft[]>(listDrafts)
  const me = useRemote(() => api.get<Me>('/me', undefined, { silent: true }), [], signedIn)
  const isWorker = !!me.data?.roles.some((r) => r.role === 'worker' || r.role === 'office')

  useEffect(() => onDraftsChange(setDrafts), [])

  const load = useCallback(async () => {
    setError(undefined)
    try {
      const page: ReportPage = await myReports()
      setItems(page.items)
      setCursor(page.nextCursor)
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError('CLIENT_ERROR', '加载失败', 0))
    } finally {
      setLoading(false)
    }
  }, [])

  // every show: send what waits, then reload (a draft that went through appears in the list)
  useDidShow(() => {
    if (!signedIn) return
    setDrafts(listDrafts())
    const queued = listDrafts().some((d) => d.status === 'queued')
    void (queued ? flushDrafts().then((n) => n > 0 && toast(n > 1 ? `${n} 条待发送的随手拍已提交` : '待发送的随手拍已提交')) : Promise.resolve()).then(load)
  })

  usePullDownRefresh(async () => {
    await flushDrafts()
    await load()
    Taro.stopPullDownRefresh()
  })

  useReachBottom(async () => {
    if (!cursor || more) return
    setMore(true)
    try {
      const page = await myReports(cursor)
      setItems((prev) => [...prev, ...page.items.filter((i) => !prev.some((p) => p.id === i.id))])
      setCursor(page.nextCursor)
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '加载失败')
    } finally {
      setMore(false)
    }
  })

  const onNew = () => {
    Taro.navigateTo({ url: NEW_REPORT }).catch(() => toast('页面打开失败，请稍后重试'))
  }

  const onDraft = async (d: ReportDraft) => {
    const { confirm } = await Taro.showModal({
      title: d.status === 'failed' ? '发送失败' : '待发送',
      content: d.status === 'failed' ? `${d.lastError ?? '服务器未接受该随手拍'}。删除这条草稿？` : '联网后会自动发送。要删除这条草稿吗？',
      confirmText: '删除',
      cancelText: '保留',
    })
    if (confirm) removeDraft(d.key)
  }

  if (!signedIn) return <PageGate signedIn={false} />

  return (
    <PageShell className='report'>
      <Card>
        <Button className='report__new' type='primary' block size='xlarge' onClick={onNew}>
          📷 随手拍
        </Button>
        <View className='report__intro'>看到随地吐痰、乱扔垃圾、违规停车、占用盲道等不文明现象，拍照上报，网格员受理处置，进度随时可查。</View>
      </Card>

      {isWorker ? (
        <CellGroup>
          <Cell className='report__work' title='工单处理' description='处理我负责区域的随手拍' extra='进入' clickable onClick={() => Taro.navigateTo({ url: WORK })} />
        </CellGroup>
      ) : null}

      {drafts.length > 0 ? (
        <View>
          <View className='cl-section-title'>待发送</View>
          <CellGroup>
            {drafts.map((d) => (
              <Cell
                key={d.key}
                className='report__draft'
                title={d.categoryName}
                description={`${d.address} · ${formatDateTime(d.createdAt)}`}
                extra={<Tag type={d.status === 'failed' ? 'danger' : 'warning'}>{d.status === 'failed' ? '发送失败' : '待发送'}</Tag>}
                clickable
                onClick={() => onDraft(d)}
              />
            ))}
          </CellGroup>
        </View>
      ) : null}

      <View className='cl-section-title'>我的随手拍</View>
      {loading ? (
        <LoadingState />
      ) : error && items.length === 0 ? (
        <ErrorState error={error} onRetry={load} />
      ) : items.length === 0 ? (
        <EmptyState title='还没有上报记录' description='您上报的问题和处理进度会显示在这里。' />
      ) : (
        <View>
          {items.map((r) => (
            <View key={r.id} className='report__item' onClick={() => Taro.navigateTo({ url: `${DETAIL}?id=${r.id}` })}>
              <View className='report__row'>
                <View className='report__cat'>{r.category.name}</View>
                <Tag type={stateTagType(r.state)}>{r.stateLabel}</Tag>
              </View>
              {r.description ? <View className='report__desc'>{r.description}</View> : null}
              <View className='report__meta'>{`${formatDateTime(r.createdAt)} 上报 · ${r.address}`}</View>
              {isOpen(r.state) ? (
                <View className={`report__meta ${r.overdue ? 'report__overdue' : ''}`}>
                  {r.overdue ? `已超期（应于 ${formatDateTime(r.dueAt)} 前办结）` : `预计 ${formatDateTime(r.dueAt)} 前办结`}
                </View>
              ) : null}
            </View>
          ))}
          <View className='report__more'>{more ? '加载中…' : cursor ? '上拉加载更多' : '没有更多了'}</View>
        </View>
      )}
    </PageShell>
  )
}

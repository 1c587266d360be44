import { useEffect, useRef, useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { Button, Cell, CellGroup, Tag } from '@nutui/nutui-react-taro'
import type { Me } from '@contract/accounts'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { usePagedRemote } from '@/hooks/usePagedRemote'
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

function toastAndThrow(e: unknown): never {
  toast(e instanceof ApiError ? e.message : '加载失败')
  throw e
}

/** Sends the queued drafts, saying so when some went through; resolves to how many did. */
async function sendQueued(): Promise<number> {
  if (!listDrafts().some((d) => d.status === 'queued')) return 0
  const sent = await flushDrafts()
  if (sent > 0) toast(sent > 1 ? `${sent} 条待发送的随手拍已提交` : '待发送的随手拍已提交')
  return sent
}

/** 随手拍 tab: the big button, 待发送 drafts, 我的随手拍 (cursor-paged), and 工单 for workers. */
export default function ReportEntryPage() {
  const signedIn = useRequireSignIn()
  const [drafts, setDrafts] = useState<ReportDraft[]>(listDrafts)
  const me = useRemote(() => api.get<Me>('/me', undefined, { silent: true }), [], signedIn)
  const isWorker = !!me.data?.roles.some((r) => r.role === 'worker' || r.role === 'office')
  // myReports is silent: the first page's error is shown in the list, a further page's as a toast
  const list = usePagedRemote((cursor) => (cursor ? myReports(cursor).catch(toastAndThrow) : myReports()), [], signedIn)
  const items = list.items ?? []
  const shownOnce = useRef(false)

  useEffect(() => onDraftsChange(setDrafts), [])

  // every show: send what waits, then reload (a draft that went through appears in the list); the first show's
  // list is already on its way, so it is reloaded only when a draft went through
  useDidShow(() => {
    if (!signedIn) return
    const again = shownOnce.current
    shownOnce.current = true
    setDrafts(listDrafts())
    void sendQueued().then((sent) => {
      if (again || sent > 0) return list.reload()
    })
  })

  usePullDownRefresh(async () => {
    await flushDrafts()
    await list.reload()
    Taro.stopPullDownRefresh()
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
      {list.loading ? (
        <LoadingState />
      ) : list.error && items.length === 0 ? (
        <ErrorState error={list.error} onRetry={list.reload} />
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
          <View className='report__more'>{list.loadingMore ? '加载中…' : list.hasMore ? '上拉加载更多' : '没有更多了'}</View>
        </View>
      )}
    </PageShell>
  )
}

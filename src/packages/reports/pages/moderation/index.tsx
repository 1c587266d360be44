import { useState } from 'react'
import { Image, View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Button, Tag } from '@nutui/nutui-react-taro'
import type { ModerationItem, ReviewAction } from '@contract/moderation'
import { MODERATION_LABELS, REVIEW_LABELS } from '@contract/moderation-constants'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState } from '@/components/StateView'
import { usePagedRemote } from '@/hooks/usePagedRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { ApiError, toast } from '@/services/api'
import { moderationQueue, photoUrl, reviewReport } from '@/services/reports'
import { formatDateTime } from '@/utils/time'
import { PAGES } from '../../config'
import './index.scss'
import PageGate, { ready } from '@/components/PageGate'

const CONFIRM: Record<ReviewAction, { content: string; button: string }> = {
  restore: { content: '举报不成立，恢复向居民显示。', button: '恢复' },
  hide: { content: '隐藏后居民看不到这条随手拍，工单处理不受影响。', button: '隐藏' },
  remove_content: { content: '移除文字和照片，居民只能看到问题类别、地点和进度；工作人员仍可查看原内容。', button: '移除' },
}

/** 内容审核: reports residents flagged, in the reviewer's regions (the office: all), the hidden ones first. */
export default function ModerationPage() {
  const signedIn = useRequireSignIn()
  const remote = usePagedRemote((cursor) => moderationQueue(cursor), [], signedIn, (x) => x.reportId)
  const [done, setDone] = useState<number[]>([])
  const [busy, setBusy] = useState<number>()
  usePullDownRefresh(async () => {
    setDone([])
    await remote.reload()
    Taro.stopPullDownRefresh()
  })

  const items: ModerationItem[] = (remote.items ?? []).filter((x) => !done.includes(x.reportId))

  const decide = async (item: ModerationItem, action: ReviewAction) => {
    const c = CONFIRM[action]
    const { confirm } = await Taro.showModal({ title: `${REVIEW_LABELS[action]}：${item.number}`, content: c.content, confirmText: c.button, cancelText: '取消' })
    if (!confirm) return
    setBusy(item.reportId)
    try {
      await reviewReport(item.reportId, { action })
      setDone((d) => [...d, item.reportId])
      toast(`已${REVIEW_LABELS[action]}`)
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '操作失败，请稍后重试')
      if (e instanceof ApiError && e.code === 'NOTHING_TO_REVIEW') setDone((d) => [...d, item.reportId])
    } finally {
      setBusy(undefined)
    }
  }

  if (!signedIn || !ready(remote)) return <PageGate signedIn={signedIn} remote={remote} />

  return (
    <PageShell className='rp-mod'>
      <View className='rp-mod__muted rp-mod__intro'>居民举报的随手拍。被多人举报的已自动对居民隐藏，请尽快审核。举报人身份不向任何人显示。</View>
      {items.length === 0 ? <EmptyState title='暂无待审核的内容' description='居民举报的随手拍会出现在这里' /> : null}
      {items.map((it) => (
        <Card
          key={it.reportId}
          className='rp-mod__item'
          title={`${it.categoryName} · ${it.number}`}
          extra={<Tag type={it.moderation === 'auto_hidden' ? 'danger' : 'default'}>{MODERATION_LABELS[it.moderation]}</Tag>}
        >
          <View className='rp-mod__body' onClick={() => Taro.navigateTo({ url: `${PAGES.detail}?id=${it.reportId}` })}>
            {it.thumbUrl ? <Image className='rp-mod__thumb' src={photoUrl(it.thumbUrl)} mode='aspectFill' /> : null}
            <View className='rp-mod__text'>
              <View className='rp-mod__desc'>{it.description || '（无文字描述）'}</View>
              <View className='rp-mod__muted'>{`${it.communityName} · ${it.address}`}</View>
            </View>
          </View>
          <View className='rp-mod__reasons'>
            {it.reasons.map((r) => (
              <Tag key={r.reason} className='rp-mod__reason' type='warning' plain>{`${r.label} ×${r.count}`}</Tag>
            ))}
          </View>
          {it.notes.map((n, i) => (
            <View key={i} className='rp-mod__note'>{`“${n}”`}</View>
          ))}
          <View className='rp-mod__muted'>{`${it.pendingFlags} 人举报 · 首次举报 ${it.firstFlaggedAt ? formatDateTime(it.firstFlaggedAt) : ''}`}</View>
          <View className='rp-mod__actions'>
            <Button size='small' type='default' disabled={busy === it.reportId} onClick={() => decide(it, 'restore')}>
              恢复显示
            </Button>
            <Button size='small' type='primary' fill='outline' disabled={busy === it.reportId} onClick={() => decide(it, 'remove_content')}>
              移除内容
            </Button>
            <Button size='small' type='primary' disabled={busy === it.reportId} onClick={() => decide(it, 'hide')}>
              隐藏
            </Button>
          </View>
        </Card>
      ))}
      {remote.hasMore ? (
        <Button className='rp-mod__more' block type='default' loading={remote.loadingMore} onClick={remote.loadMore}>
          加载更多
        </Button>
      ) : null}
    </PageShell>
  )
}

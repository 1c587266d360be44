import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { Button, Cell, CellGroup } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { useReloadOnShow } from '@/hooks/useReloadOnShow'
import { api, ApiError, toast } from '@/services/api'
import { formatDateTime } from '@/utils/time'
import './index.scss'

/** The reports feature (a subpackage of its own) provides this page. */
const NEW_REPORT = '/packages/reports/pages/new/index'

interface MyReportItem {
  id: string | number
  title?: string
  categoryName?: string
  statusName?: string
  status?: string
  createdAt?: string
}

/** GET /reports/mine; until the reports capability exists on the server, a 404 simply means "none yet". */
async function loadMine(): Promise<MyReportItem[]> {
  try {
    const res = await api.get<{ items: MyReportItem[] }>('/reports/mine', undefined, { silent: true })
    return res?.items ?? []
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return []
    throw e
  }
}

export default function ReportEntryPage() {
  const signedIn = useRequireSignIn()
  const mine = useRemote(loadMine, [], signedIn)
  useReloadOnShow(mine.reload, signedIn)

  usePullDownRefresh(async () => {
    await mine.reload()
    Taro.stopPullDownRefresh()
  })

  const onNew = () => {
    Taro.navigateTo({ url: NEW_REPORT }).catch(() => toast('随手拍上报功能即将开放，敬请期待'))
  }

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>

  return (
    <PageShell className='report'>
      <Card title='随手拍'>
        <View className='report__intro'>
          看到随地吐痰、乱扔垃圾、违规停车、占用盲道等不文明现象，拍照上报，社区网格员会受理、派遣、处置，您可以随时查看进度，并在处理完成后评价。
        </View>
        <Button className='report__new' type='primary' block onClick={onNew}>
          我要随手拍
        </Button>
      </Card>

      <View className='cl-section-title'>我的上报</View>
      {mine.loading ? (
        <LoadingState />
      ) : mine.error ? (
        <ErrorState error={mine.error} onRetry={mine.reload} />
      ) : !mine.data || mine.data.length === 0 ? (
        <EmptyState title='还没有上报记录' description='您上报的问题和处理进度会显示在这里。' />
      ) : (
        <CellGroup>
          {mine.data.map((r) => (
            <Cell
              key={r.id}
              title={r.title || r.categoryName || `上报 #${r.id}`}
              description={r.createdAt ? formatDateTime(r.createdAt) : undefined}
              extra={r.statusName || r.status}
            />
          ))}
        </CellGroup>
      )}
    </PageShell>
  )
}

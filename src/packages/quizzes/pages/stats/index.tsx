import { View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Cell, CellGroup } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { EmptyState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { cancelCampaign, getCampaignStats } from '@/services/quizzes'
import { toast } from '@/services/api'
import PageGate, { ready } from '@/components/PageGate'

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`)

/** 参与情况 of one campaign: participants, passed, pass rate and average score per community (server figures). */
export default function CampaignStatsPage() {
  const signedIn = useRequireSignIn()
  const { id = '', title = '' } = useRouter().params
  const stats = useRemote(() => getCampaignStats(id), [id], signedIn && !!id)

  const onCancel = async () => {
    const { confirm } = await Taro.showModal({ title: '取消活动', content: '取消后居民不能再参加该活动，确定取消吗？', confirmText: '取消活动', cancelText: '不取消' })
    if (!confirm) return
    try {
      await cancelCampaign(id)
      toast('活动已取消')
    } catch {
      // toasted
    }
  }

  if (!signedIn || !ready(stats)) return <PageGate signedIn={signedIn} remote={stats} />

  const rows = stats.data.items
  const participants = rows.reduce((s, r) => s + r.participants, 0)
  const passed = rows.reduce((s, r) => s + r.passed, 0)
  return (
    <PageShell>
      <Card title={decodeURIComponent(title) || '答题活动'}>
        <View style={{ display: 'flex', justifyContent: 'space-around', textAlign: 'center' }}>
          <View>
            <View style={{ fontSize: '24px', fontWeight: 700 }}>{participants}</View>
            <View className='cl-muted'>参与人数</View>
          </View>
          <View>
            <View style={{ fontSize: '24px', fontWeight: 700 }}>{passed}</View>
            <View className='cl-muted'>通过人数</View>
          </View>
          <View>
            <View style={{ fontSize: '24px', fontWeight: 700 }}>{participants ? pct(passed / participants) : '—'}</View>
            <View className='cl-muted'>通过率</View>
          </View>
        </View>
      </Card>
      {rows.length === 0 ? (
        <EmptyState title='还没有人参加' />
      ) : (
        <CellGroup title='各社区'>
          {rows.map((r) => (
            <Cell
              key={r.regionCode}
              title={`${r.rank}. ${r.regionName}`}
              description={`参与 ${r.participants} 人 · 通过 ${r.passed} 人 · 平均 ${r.averageScore === null ? '—' : Math.round(r.averageScore)} 分`}
              extra={pct(r.passRate)}
            />
          ))}
        </CellGroup>
      )}
      <Button block fill='outline' type='danger' style={{ marginTop: '16px' }} onClick={onCancel}>
        取消活动
      </Button>
    </PageShell>
  )
}

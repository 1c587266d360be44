import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Cell, CellGroup } from '@nutui/nutui-react-taro'
import type { RegionLevel } from '@contract/common'
import type { RegionSummary } from '@contract/regions'
import PageShell from '@/components/PageShell'
import { EmptyState, ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { listRegions, updateMe } from '@/services/accounts'
import { toast } from '@/services/api'
import { chooseCommunityByLocation } from '@/services/location'
import './index.scss'
import { ROUTES } from '@/routes'

const LEVEL_NAMES: Record<RegionLevel, string> = { city: '市', district: '区县', street: '街道/乡镇', community: '社区', grid: '网格' }

/**
 * 选择社区: city → district → street → community, one level per step, loaded lazily
 * (GET /regions, then /regions?parent=CODE). Choosing a community saves it (PATCH /me) and goes back.
 */
export default function RegionPickerPage() {
  const signedIn = useRequireSignIn()
  const [trail, setTrail] = useState<RegionSummary[]>([])
  const [saving, setSaving] = useState('')
  const parent = trail[trail.length - 1]
  const list = useRemote(() => listRegions(parent?.code), [parent?.code], signedIn)

  const choose = async (r: RegionSummary) => {
    if (r.level === 'community') {
      setSaving(r.code)
      try {
        await updateMe({ communityCode: r.code })
        toast(`已设为 ${r.name}`)
        setTimeout(() => Taro.navigateBack().catch(() => Taro.switchTab({ url: ROUTES.mine })), 600)
      } catch {
        // shown by the API client
      } finally {
        setSaving('')
      }
      return
    }
    if (!r.hasChildren) {
      toast('该地区下暂无社区')
      return
    }
    setTrail([...trail, r])
  }

  const onLocate = async () => {
    const me = await chooseCommunityByLocation()
    if (me) setTimeout(() => Taro.navigateBack().catch(() => Taro.switchTab({ url: ROUTES.mine })), 600)
  }

  return (
    <PageShell className='region'>
      <Button className='region__locate' type='primary' fill='outline' block onClick={onLocate}>
        使用我的位置
      </Button>

      <View className='region__trail'>
        <View className={`region__crumb ${trail.length === 0 ? 'region__crumb--on' : ''}`} onClick={() => setTrail([])}>
          全部
        </View>
        {trail.map((r, i) => (
          <View key={r.code} className={`region__crumb ${i === trail.length - 1 ? 'region__crumb--on' : ''}`} onClick={() => setTrail(trail.slice(0, i + 1))}>
            {' › '}
            {r.name}
          </View>
        ))}
      </View>

      {list.loading ? (
        <LoadingState />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : !list.data || list.data.length === 0 ? (
        <EmptyState title='暂无可选地区' description='地区数据尚未导入，请联系社区工作人员。' />
      ) : (
        <CellGroup title={parent ? `请选择${LEVEL_NAMES[list.data[0].level] ?? ''}` : '请选择城市'}>
          {list.data.map((r) => (
            <Cell
              key={r.code}
              title={r.name}
              extra={saving === r.code ? '保存中…' : r.level === 'community' ? '选择' : r.hasChildren ? '›' : ''}
              clickable
              onClick={() => void choose(r)}
            />
          ))}
        </CellGroup>
      )}
    </PageShell>
  )
}

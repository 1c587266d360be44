import { useState } from 'react'
import { View } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import type { RateFigure, RegionFigures } from '@contract/rates'
import NumberInput from '@/components/NumberInput'
import { ApiError, toast } from '@/services/api'
import { setTarget } from '../api'
import { pct } from '../figures'

/** 创文办: the target of each figure for this region (its regions below without one of their own follow it). */
export default function TargetsForm({ region, onSaved }: { region: RegionFigures; onSaved: () => void }) {
  const [draft, setDraft] = useState<Partial<Record<RateFigure, number>>>({})
  const [saving, setSaving] = useState<RateFigure | null>(null)
  const save = async (figure: RateFigure, percent: number) => {
    setSaving(figure)
    try {
      await setTarget(region.regionCode, figure, Math.round(percent * 10) / 1000)
      toast('目标已保存')
      setDraft((d) => ({ ...d, [figure]: undefined }))
      onSaved()
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '保存失败，请稍后重试')
    } finally {
      setSaving(null)
    }
  }
  return (
    <View className='rt-targets'>
      <View className='rt-note'>设置{region.name}的目标（%）。下级区域没有单独设置的，沿用上级的目标；都没有设置时为 90%。</View>
      {region.figures.map((f) => {
        const value = draft[f.figure] ?? Math.round(f.target * 1000) / 10
        const changed = draft[f.figure] !== undefined && Math.abs(value - f.target * 100) > 1e-9
        return (
          <View key={f.figure} className='rt-targets__row'>
            <View className='rt-targets__name'>{f.name}</View>
            <View className='rt-targets__now'>现为 {pct(f.target)}</View>
            <NumberInput
              label={`${f.name}目标（%）`}
              value={value}
              min={1}
              max={100}
              step={1}
              digits={1}
              onChange={(v) => setDraft((d) => ({ ...d, [f.figure]: Number(v) }))}
            />
            <Button size='small' type='primary' disabled={!changed || saving !== null} loading={saving === f.figure} onClick={() => save(f.figure, value)}>
              保存
            </Button>
          </View>
        )
      })}
    </View>
  )
}

import { View } from '@tarojs/components'
import type { RateFigure, RegionFigures } from '@contract/rates'
import type { ChildGeometries } from '@contract/regions'
import { figureOf, pct, standing, STANDING, type Standing } from '../figures'
import UChart from './UChart'

type Geometry = NonNullable<ChildGeometries['items'][number]['geometry']>

/** uCharts finds the tapped area only in MultiPolygon coordinates (it reads each polygon's first ring); it draws both alike. */
const asMulti = (g: Geometry): Geometry => (g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g)

interface Props {
  geometry: ChildGeometries['items']
  /** the regions drawn, with their figures (the children; or the community itself) */
  regions: RegionFigures[]
  figure: RateFigure
  figureName: string
  onPick?: (code: string) => void
}

/**
 * The regions' boundaries, each filled by how its figure stands against its target (uCharts `type: 'map'`). A tap
 * on an area drills down into it; the list beside the map does the same for a keyboard or a screen reader.
 */
export default function RegionMap({ geometry, regions, figure, figureName, onPick }: Props) {
  const byCode = new Map(regions.map((r) => [r.regionCode, r]))
  const drawn = geometry.filter((g) => g.geometry && byCode.has(g.code))
  if (drawn.length === 0) {
    return <View className='rt-map__none'>这些区域没有导入边界，无法绘制地图；各区域的比率见列表。</View>
  }
  const series = drawn.map((g) => {
    const f = figureOf(byCode.get(g.code)!, figure)
    return {
      name: g.name,
      color: STANDING[standing(f)].color,
      geometry: asMulti(g.geometry!),
      properties: { name: `${g.name} ${pct(f.rate, 0)}`, centroid: g.center ?? undefined },
    }
  })
  const counts = new Map<Standing, number>()
  for (const g of drawn) {
    const s = standing(figureOf(byCode.get(g.code)!, figure))
    counts.set(s, (counts.get(s) ?? 0) + 1)
  }
  const summary = [...counts].map(([s, n]) => `${STANDING[s].text} ${n} 个`).join('，')
  return (
    <View className='rt-map'>
      <UChart
        id={`rt-map-${figure}`}
        className='rt-map__chart'
        options={{
          type: 'map',
          series,
          dataLabel: true,
          fontSize: 11,
          padding: [0, 0, 0, 0],
          extra: { map: { border: true, borderWidth: 1, borderColor: '#ffffff', fillOpacity: 0.85, active: false, mercator: false } },
        }}
        label={`${figureName}地图：${summary}。点按区域可进入下一级`}
        onTapIndex={(i) => {
          if (i >= 0 && i < drawn.length) onPick?.(drawn[i].code)
        }}
      />
      <View className='rt-map__legend'>
        {(Object.keys(STANDING) as Standing[]).map((s) => (
          <View key={s} className='rt-map__key'>
            <View className='rt-map__swatch' style={{ background: STANDING[s].color }} />
            {STANDING[s].text}
          </View>
        ))}
      </View>
    </View>
  )
}

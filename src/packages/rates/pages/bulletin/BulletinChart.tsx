import { useEffect } from 'react'
import { Canvas, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import UCharts from '@qiun/ucharts'

export interface Series { name: string; data: Array<number | null> }

interface Props {
  id: string
  categories: string[]
  series: Series[]
  /** what the chart shows, for screen readers (the table below it holds the figures) */
  label: string
  /** the y axis in percent (0–100) */
  percent?: boolean
}

// each reads at 4.5:1 or more on white; the table under the chart carries the figures, so colour is never the only cue
const COLORS = ['#cc2c21', '#5c626b', '#1a5fb4', '#1a7f37', '#a15c00']

function pixelRatio(): number {
  try {
    return (Taro.getWindowInfo?.() ?? Taro.getSystemInfoSync()).pixelRatio || 2
  } catch {
    return 2
  }
}

/**
 * A grouped column chart by uCharts on a 2d canvas — the same code on weapp and H5 (as src/packages/surveys draws its
 * charts). Where no 2d canvas can be had (an old client, a test runner) nothing is drawn; the table remains.
 */
export default function BulletinChart({ id, categories, series, label, percent = false }: Props) {
  const data = JSON.stringify({ categories, series })
  useEffect(() => {
    // the data as a string: a new array of the same figures on each render does not redraw
    const { categories, series } = JSON.parse(data) as { categories: string[]; series: Series[] }
    const top = Math.max(5, Math.ceil(Math.max(0, ...series.flatMap((x) => x.data.map((v) => v ?? 0))) / 5) * 5)
    let cancelled = false
    let tries = 0
    const draw = () => {
      Taro.createSelectorQuery().select(`#${id}`).fields({ node: true, size: true }).exec((res) => {
        if (cancelled) return
        const hit = res?.[0] as { node?: HTMLCanvasElement & { getContext: (k: '2d') => unknown }; width?: number; height?: number } | undefined
        const node = hit?.node
        // on H5 the size is missing when the node is asked for, and the node may not be there on the first try
        const width = hit?.width || node?.clientWidth || 0
        const height = hit?.height || node?.clientHeight || 0
        if (!node || !width) {
          if (tries++ < 10) setTimeout(draw, 100)
          return
        }
        try {
          const ratio = pixelRatio()
          node.width = width * ratio
          node.height = height * ratio
          new UCharts({
            type: 'column',
            context: node.getContext('2d'),
            canvas2d: true,
            width: width * ratio,
            height: height * ratio,
            pixelRatio: ratio,
            categories,
            series: series.map((s, i) => ({ ...s, color: COLORS[i % COLORS.length] })),
            animation: false,
            background: '#ffffff',
            // uCharts multiplies sizes by pixelRatio itself: these are CSS pixels
            fontSize: 11,
            fontColor: '#1f2329',
            dataLabel: series.length === 1,
            padding: [15, 10, 0, 10],
            legend: { show: series.length > 1, fontColor: '#1f2329' },
            xAxis: { disableGrid: true, rotateLabel: categories.some((c) => c.length > 3), fontColor: '#1f2329' },
            // whole numbers on the axis: percent to 100, counts to a multiple of 5 (at least 5)
            yAxis: { splitNumber: 5, data: [{ min: 0, max: percent ? 100 : top, tofix: 0, ...(percent ? { unit: '%' } : {}) }], fontColor: '#1f2329' },
            extra: { column: { type: 'group', width: 14, seriesGap: 2, categoryGap: 3 } },
          })
        } catch {
          // no 2d canvas here: the table under the chart is the answer
        }
      })
    }
    Taro.nextTick(draw)
    return () => {
      cancelled = true
    }
  }, [id, data, percent])
  return (
    <View className='rb-chart' role='img' aria-label={label}>
      <Canvas type='2d' id={id} className='rb-chart__canvas' />
    </View>
  )
}

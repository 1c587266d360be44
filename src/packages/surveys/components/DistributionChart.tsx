import { useEffect } from 'react'
import { Canvas, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import UCharts from '@qiun/ucharts'
import './DistributionChart.scss'

export interface Series { name: string; data: number[] }

interface Props {
  id: string
  categories: string[]
  series: Series[]
  /** one bar per row, its parts one per series (a matrix: rows × the shared scale) */
  stacked?: boolean
  /** what the chart shows, for screen readers (the table beside it holds the figures) */
  label: string
}

// readable on white (axe contrast) and told apart without colour alone: the table beside the chart has the figures
const COLORS = ['#1a5fb4', '#2f8f5b', '#b5650d', '#cc2c21', '#6b4fa0', '#3c7a89', '#8a6d00', '#5c626b', '#a03c78', '#2d6a4f', '#7a4a00']

function pixelRatio(): number {
  try {
    return (Taro.getWindowInfo?.() ?? Taro.getSystemInfoSync()).pixelRatio || 2
  } catch {
    return 2
  }
}

/**
 * A column chart (stacked for a matrix) drawn by uCharts on a 2d canvas — the same code on weapp and H5. Where the
 * canvas cannot be had (an old client, a test runner), nothing is drawn: the counts and percentages beside it remain.
 */
export default function DistributionChart({ id, categories, series, stacked = false, label }: Props) {
  const data = JSON.stringify({ categories, series })
  useEffect(() => {
    // the data as a string: a new array of the same figures on each render does not redraw
    const { categories, series } = JSON.parse(data) as { categories: string[]; series: Series[] }
    // counts of people: whole numbers on the axis, up to a multiple of 5 (at least 5)
    const sums = categories.map((_, i) => series.reduce((a, x) => (stacked ? a + (x.data[i] ?? 0) : Math.max(a, x.data[i] ?? 0)), 0))
    const top = Math.max(5, Math.ceil(Math.max(0, ...sums) / 5) * 5)
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
            dataLabel: !stacked,
            padding: [15, 10, 0, 10],
            legend: { show: series.length > 1, fontColor: '#1f2329' },
            // labels turned only where they would not fit their column (a phone; not a PC's wide chart)
            xAxis: { disableGrid: true, rotateLabel: categories.some((c) => c.length * 12 > width / categories.length), fontColor: '#1f2329' },
            yAxis: { splitNumber: 5, data: [{ min: 0, max: top, tofix: 0 }], fontColor: '#1f2329' },
            extra: { column: { type: stacked ? 'stack' : 'group', width: 24, seriesGap: 2, categoryGap: 3 } },
          })
        } catch {
          // no 2d canvas here: the figures beside the chart are the answer
        }
      })
    }
    Taro.nextTick(draw)
    return () => {
      cancelled = true
    }
  }, [id, data, stacked])
  return (
    <View className='sv-chart' role='img' aria-label={label}>
      <Canvas type='2d' id={id} className='sv-chart__canvas' />
    </View>
  )
}

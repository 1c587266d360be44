import { useEffect, useRef } from 'react'
import { Canvas, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import UCharts from '@qiun/ucharts'
import './UChart.scss'

type CanvasNode = HTMLCanvasElement & { getContext: (k: '2d') => unknown }

interface Props {
  id: string
  /** uCharts options without the canvas parts (type, series, categories, extra…); sizes are in CSS px */
  options: Record<string, unknown>
  /** what the chart shows, for screen readers: the table beside it holds the figures */
  label: string
  className?: string
  /** a tap on the chart: the index uCharts finds under it (map: the area; -1 for none) */
  onTapIndex?: (index: number) => void
}

function pixelRatio(): number {
  try {
    return (Taro.getWindowInfo?.() ?? Taro.getSystemInfoSync()).pixelRatio || 2
  } catch {
    return 2
  }
}

/**
 * One uCharts chart on a 2d canvas — the same code on weapp and H5 (wired as src/packages/surveys does). Where no
 * canvas can be had (an old client, a test runner) nothing is drawn: the figures beside it remain the answer.
 */
export default function UChart({ id, options, label, className = '', onTapIndex }: Props) {
  const chart = useRef<UCharts | null>(null)
  const node = useRef<CanvasNode | null>(null)
  const data = JSON.stringify(options)
  useEffect(() => {
    // the options as a string: new objects of the same figures on each render do not redraw
    const options = JSON.parse(data) as Record<string, unknown>
    let cancelled = false
    let tries = 0
    const draw = () => {
      Taro.createSelectorQuery().select(`#${id}`).fields({ node: true, size: true }).exec((res) => {
        if (cancelled) return
        const hit = res?.[0] as { node?: CanvasNode; width?: number; height?: number } | undefined
        const n = hit?.node
        // on H5 the size is missing when the node is asked for, and the node may not be there on the first try
        const width = hit?.width || n?.clientWidth || 0
        const height = hit?.height || n?.clientHeight || 0
        if (!n || !width) {
          if (tries++ < 20) setTimeout(draw, 100)
          return
        }
        try {
          const ratio = pixelRatio()
          n.width = width * ratio
          n.height = height * ratio
          node.current = n
          chart.current = new UCharts({
            animation: false,
            background: '#ffffff',
            fontColor: '#1f2329',
            // uCharts multiplies font sizes and padding by pixelRatio itself: these stay in CSS pixels
            fontSize: 12,
            padding: [12, 12, 8, 12],
            ...options,
            context: n.getContext('2d'),
            canvas2d: true,
            width: width * ratio,
            height: height * ratio,
            pixelRatio: ratio,
          } as never)
        } catch {
          chart.current = null
        }
      })
    }
    Taro.nextTick(draw)
    return () => {
      cancelled = true
    }
  }, [id, data])

  // weapp: a canvas's touches carry x/y inside the canvas; H5: a click's client position less the canvas's box
  const tapAt = (x: number, y: number) => {
    if (!chart.current || !onTapIndex) return
    const index = (chart.current as unknown as { getCurrentDataIndex: (e: unknown) => unknown }).getCurrentDataIndex({ changedTouches: [{ x, y }] })
    onTapIndex(typeof index === 'number' ? index : -1)
  }
  const onTouchEnd = (e: { changedTouches?: Array<{ x?: number; y?: number }> }) => {
    const t = e.changedTouches?.[0]
    if (process.env.TARO_ENV !== 'h5' && t && typeof t.x === 'number' && typeof t.y === 'number') tapAt(t.x, t.y)
  }
  const onClick = (e: { clientX?: number; clientY?: number }) => {
    if (process.env.TARO_ENV !== 'h5' || !node.current || typeof e.clientX !== 'number') return
    const box = node.current.getBoundingClientRect()
    tapAt(e.clientX - box.left, (e.clientY ?? 0) - box.top)
  }
  return (
    <View className={`rt-chart ${className}`} role='img' aria-label={label}>
      <Canvas type='2d' id={id} className='rt-chart__canvas' onTouchEnd={onTouchEnd as never} onClick={onClick as never} />
    </View>
  )
}

// uCharts ships no types: the part of its options this subpackage uses.
declare module '@qiun/ucharts' {
  interface UChartsOptions {
    type: 'column' | 'bar' | 'pie' | 'ring' | 'line'
    context: unknown
    canvas2d?: boolean
    width: number
    height: number
    pixelRatio?: number
    categories?: string[]
    series: Array<{ name: string; data: Array<number | null>; color?: string }>
    animation?: boolean
    background?: string
    color?: string[]
    padding?: number[]
    fontSize?: number
    fontColor?: string
    dataLabel?: boolean
    legend?: { show?: boolean; position?: string; fontColor?: string }
    xAxis?: Record<string, unknown>
    yAxis?: Record<string, unknown>
    extra?: Record<string, unknown>
  }
  export default class UCharts {
    constructor(options: UChartsOptions)
    updateData(data: Partial<UChartsOptions>): void
  }
}

import UChart from '../../components/UChart'

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

/** A grouped column chart (uCharts, through the subpackage's UChart): the table under it holds the figures. */
export default function BulletinChart({ id, categories, series, label, percent = false }: Props) {
  const top = Math.max(5, Math.ceil(Math.max(0, ...series.flatMap((x) => x.data.map((v) => v ?? 0))) / 5) * 5)
  return (
    <UChart
      id={id}
      label={label}
      className='rb-chart'
      options={{
        type: 'column',
        categories,
        series: series.map((s, i) => ({ ...s, color: COLORS[i % COLORS.length] })),
        fontSize: 11,
        dataLabel: series.length === 1,
        padding: [15, 10, 0, 10],
        legend: { show: series.length > 1, fontColor: '#1f2329' },
        xAxis: { disableGrid: true, rotateLabel: categories.some((c) => c.length > 3), fontColor: '#1f2329' },
        // whole numbers on the axis: percent to 100, counts to a multiple of 5 (at least 5)
        yAxis: { splitNumber: 5, data: [{ min: 0, max: percent ? 100 : top, tofix: 0, ...(percent ? { unit: '%' } : {}) }], fontColor: '#1f2329' },
        extra: { column: { type: 'group', width: 14, seriesGap: 2, categoryGap: 3 } },
      }}
    />
  )
}

import type { AppContext } from '../../context'
import type { Caller } from '../../lib/caller'
import { loadExcel } from '../../lib/excel'
import { RATE_FIGURES, type ExportQuery, type Figure, type Ranking } from '../../../types/rates'
import * as service from './service'

const PERIOD_NAMES = { day: '日', week: '周', month: '月', custom: '自定义' } as const
const LEVEL_NAMES = { city: '市', district: '区', street: '街道', community: '社区', grid: '网格' } as const
const PCT = '0.00%'

const figureColumns = (f: Figure) => [
  f.name, f.rate, f.interval?.lower ?? null, f.interval?.upper ?? null, f.numerator, f.denominator, f.effectiveN, f.pooledRate,
  f.insufficient ? '样本不足' : '', f.target, f.gapToTarget, f.previousRate, f.change, f.intervalMethod,
]
const FIGURE_HEADERS = ['指标', '比率', '95%区间下限', '95%区间上限', '分子', '分母（n）', '有效样本量', '合并（未加权）比率', '样本', '目标', '距目标', '上期比率', '较上期变化', '区间方法']
/** columns (1-based, after the leading ones) that hold shares of one */
const FIGURE_PCT = [2, 3, 4, 8, 10, 11, 12, 13]

/**
 * Every table the dashboard shows, as one workbook: the region's figures, its children's, the rankings, the daily
 * trend and the sources of each figure. Built from the same service calls as the dashboard — so the same caller
 * rules apply and the file says exactly what the page says.
 */
export async function exportDashboard(ctx: AppContext, caller: Caller, query: ExportQuery): Promise<{ buffer: Buffer; filename: string }> {
  const { days = 30, ...dq } = query
  const dash = await service.dashboard(ctx, caller, dq)
  const trend = await service.trend(ctx, caller, { region: dq.region, days, to: dash.period.to })
  const sources = await Promise.all(RATE_FIGURES.map((figure) => service.sources(ctx, caller, { ...dq, figure })))
  const ExcelJS = await loadExcel()
  const wb = new ExcelJS.Workbook()
  const { region, period } = dash
  const title = `${region.name} ${PERIOD_NAMES[period.kind]} ${period.from}${period.to !== period.from ? ` 至 ${period.to}` : ''}`

  const sheet = (name: string, headers: string[], widths: number[], pct: number[]) => {
    const ws = wb.addWorksheet(name)
    ws.addRow([title]).font = { bold: true }
    ws.addRow(headers).font = { bold: true }
    headers.forEach((_, i) => (ws.getColumn(i + 1).width = widths[i] ?? 12))
    for (const c of pct) ws.getColumn(c).numFmt = PCT
    return ws
  }

  const overview = sheet('本区域', FIGURE_HEADERS, [12, 10, 12, 12, 8, 10, 10, 16, 10, 8, 8, 10, 10, 44], FIGURE_PCT)
  for (const f of region.figures) overview.addRow(figureColumns(f))
  overview.addRow([])
  overview.addRow([`上期：${period.previousFrom} 至 ${period.previousTo}；样本不足 30 人的比率标“样本不足”，不参与排名`])

  const shift = (cols: number[], by: number) => cols.map((c) => c + by)
  const children = sheet('下级区域', ['区域', '代码', '层级', '常住人口', ...FIGURE_HEADERS], [16, 14, 6, 10, 12, 10, 12, 12, 8, 10, 10, 16, 10, 8, 8, 10, 10, 44], shift(FIGURE_PCT, 4))
  for (const c of dash.children) {
    for (const f of c.figures) children.addRow([c.name, c.regionCode, LEVEL_NAMES[c.level], c.population, ...figureColumns(f)])
  }
  if (dash.children.length === 0) children.addRow(['（社区没有下级区域的比率）'])

  const ranks = sheet('排名', ['指标', '范围', '榜单', '名次', '区域', '代码', '比率', '95%区间下限', '95%区间上限', 'n'], [12, 14, 8, 6, 16, 14, 10, 12, 12, 8], [7, 8, 9])
  const scopeName = (r: Ranking) => (r.scope === 'children' ? '下级区域' : '全部社区')
  for (const r of dash.rankings) {
    const name = region.figures.find((f) => f.figure === r.figure)!.name
    for (const [list, label] of [[r.top, '前三'], [r.bottom, '后三']] as const) {
      list.forEach((e, i) => ranks.addRow([name, scopeName(r), label, i + 1, e.name, e.regionCode, e.rate, e.lower, e.upper, e.n]))
    }
    if (r.top.length === 0) ranks.addRow([name, scopeName(r), '', '', `无可排名区域（${r.excludedInsufficient} 个样本不足）`])
  }
  ranks.addRow([])
  ranks.addRow([dash.rankings[0]?.rule ?? '样本不足 30 人的不参与排名'])

  const trendHeaders = ['日期', ...trend.series.flatMap((s) => [`${s.name}`, `${s.name} n`])]
  const trendSheet = sheet(`近${days}天趋势`, trendHeaders, [12], trend.series.map((_, i) => 2 + i * 2))
  trend.days.forEach((d, i) => trendSheet.addRow([d, ...trend.series.flatMap((s) => [s.points[i].rate, s.points[i].n])]))

  const src = sheet('来源', ['指标', '来源', '名称', '人数/条数'], [12, 10, 36, 10], [])
  for (const s of sources) {
    const name = region.figures.find((f) => f.figure === s.figure)!.name
    for (const x of s.surveys) src.addRow([name, '问卷', x.title, x.respondents])
    for (const x of s.campaigns) src.addRow([name, '答题活动', x.title, x.residents])
    if (s.otherQuizzes > 0) src.addRow([name, '其他答题', '计入知晓率的其他答题', s.otherQuizzes])
    if (s.ratings > 0) src.addRow([name, '随手拍评价', '办结后居民的评价（4–5 分为满意）', s.ratings])
    if (s.reports > 0) src.addRow([name, '随手拍', '上报随手拍', s.reports])
    if (s.volunteerService > 0) src.addRow([name, '志愿服务', '计入时长的志愿服务班次', s.volunteerService])
    src.addRow([name, '合计', s.figure === 'handling' ? '计入的随手拍件数（每件按最近一次评价计一次）' : '计入的人数（每人只计一次，归入其最近一次作答的来源）', s.counted])
  }

  const buffer = Buffer.from(await wb.xlsx.writeBuffer())
  const filename = `比率看板-${region.name}-${period.from}${period.to !== period.from ? `至${period.to}` : ''}.xlsx`
  return { buffer, filename }
}

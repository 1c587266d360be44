import type { Figure, RateFigure, RegionFigures } from '@contract/rates'
import type { RegionLevel } from '@contract/common'

export const FIGURES: Array<{ key: RateFigure; name: string; what: string }> = [
  { key: 'awareness', name: '知晓率', what: '答题合格或问卷答“知道”的居民 ÷ 参加答题或回答该题的居民' },
  { key: 'support', name: '支持率', what: '问卷答“支持”的居民 ÷ 回答该题的居民' },
  { key: 'satisfaction', name: '满意率', what: '问卷满意度前两档（满意、比较满意）的居民 ÷ 回答该题的居民' },
  { key: 'handling', name: '处置满意度', what: '办结的随手拍中居民评 4–5 分的 ÷ 评价过的' },
  { key: 'participation', name: '参与率', what: '本期做过任何一项（随手拍、答题、问卷、志愿服务）的居民 ÷ 登记居民' },
]

export const LEVEL_NAMES: Record<RegionLevel, string> = { city: '市', district: '区', street: '街道', community: '社区', grid: '网格' }
export const CHILD_LEVEL: Partial<Record<RegionLevel, string>> = { city: '区', district: '街道', street: '社区' }

/** 0.8734 → "87.3%" */
export const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`)
/** a difference of two rates in percentage points, signed: "+2.1 个百分点" */
export const pp = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x * 100).toFixed(1)} 个百分点`)

export const figureOf = (r: RegionFigures, f: RateFigure): Figure => r.figures.find((x) => x.figure === f)!

/** How a figure stands against its target: the map's colour and the list's mark say the same. */
export type Standing = 'met' | 'near' | 'below' | 'thin' | 'none'
export function standing(f: Figure): Standing {
  if (f.rate === null) return 'none'
  if (f.insufficient) return 'thin'
  if (f.rate >= f.target) return 'met'
  return f.target - f.rate <= 0.05 ? 'near' : 'below'
}
export const STANDING: Record<Standing, { color: string; text: string }> = {
  met: { color: '#1a7f37', text: '达到目标' },
  near: { color: '#d4a017', text: '差 5 个百分点以内' },
  below: { color: '#cc2c21', text: '差 5 个百分点以上' },
  thin: { color: '#8c96a3', text: '样本不足（<30人）' },
  none: { color: '#d9dde3', text: '本期无数据' },
}

/** Children ordered as the list shows them: rated ones by rate (ties: higher lower bound), then 样本不足, then none. */
export function ordered(children: RegionFigures[], f: RateFigure): RegionFigures[] {
  const rank = (r: RegionFigures) => {
    const x = figureOf(r, f)
    return x.rate === null ? 2 : x.insufficient ? 1 : 0
  }
  return [...children].sort((a, b) => {
    const [x, y] = [figureOf(a, f), figureOf(b, f)]
    return rank(a) - rank(b) || (y.rate ?? -1) - (x.rate ?? -1) || (y.interval?.lower ?? -1) - (x.interval?.lower ?? -1) || a.regionCode.localeCompare(b.regionCode)
  })
}

const DAY_MS = 86_400_000
/** Today in Asia/Shanghai, whatever the device's zone. */
export const todayShanghai = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)

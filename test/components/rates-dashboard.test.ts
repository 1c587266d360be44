import { json, mountPage, type MountedPage } from './harness'
import type { Dashboard, Figure, RegionFigures, Sources, Trend } from '../../types/rates'

const DASH = 'packages/rates/pages/dashboard/index'
const HAPPY = '329901001001'
const PEACE = '329901001002'
const STREET = '329901001'

const worker = (regionCode: string | null, regionName: string | null) => ({
  id: 2, nickname: '演示网格员', phoneMasked: '138****0002', hasWechat: false, community: null, elderMode: false,
  roles: [{ role: 'resident', regionCode: null, regionName: null }, ...(regionCode ? [{ role: 'worker', regionCode, regionName }] : [])],
})
const NAMES = { awareness: '知晓率', support: '支持率', satisfaction: '满意率', handling: '处置满意度', participation: '参与率' } as const

function fig(figure: keyof typeof NAMES, num: number, den: number, over: Partial<Figure> = {}): Figure {
  const rate = den > 0 ? Math.round((num / den) * 10000) / 10000 : null
  return {
    figure, name: NAMES[figure], rate, interval: rate === null ? null : { lower: Math.max(0, rate - 0.1), upper: Math.min(1, rate + 0.05) },
    intervalMethod: 'Wilson 95%（无连续性校正）', numerator: num, denominator: den, pooledRate: rate, n: den, effectiveN: null,
    insufficient: den < 30, target: 0.9, gapToTarget: rate === null ? null : Math.round((rate - 0.9) * 10000) / 10000, previousRate: null, change: null, ...over,
  }
}
function region(code: string, name: string, level: RegionFigures['level'], figures: Figure[]): RegionFigures {
  return { regionCode: code, name, level, population: 5000, figures }
}
const period = (kind: Dashboard['period']['kind'] = 'month') => ({ kind, from: '2026-11-01', to: '2026-11-30', previousFrom: '2026-10-01', previousTo: '2026-10-31' })
const happyFigures = [
  fig('awareness', 43, 48, { previousRate: 0.85, change: 0.0458 }),
  fig('support', 40, 48),
  fig('satisfaction', 12, 20),
  fig('handling', 0, 0),
  fig('participation', 61, 800),
]
const happyDash: Dashboard = { region: region(HAPPY, '幸福里社区', 'community', happyFigures), period: period(), children: [], rankings: [], pendingEvents: 0 }
const detail = (code: string, name: string, level: string, parentCode: string | null, ancestors: Array<{ code: string; name: string; level: string }>) =>
  ({ code, name, level, parentCode, population: 5000, hasChildren: level !== 'community', ancestors, center: null })
const ANCESTORS = [{ code: '3299', name: '示范市', level: 'city' }, { code: '329901', name: '东湖区', level: 'district' }]
const rect = (w: number, s: number) => ({ type: 'Polygon', coordinates: [[[w, s], [w + 0.01, s], [w + 0.01, s + 0.01], [w, s + 0.01], [w, s]]] })
const geometry = {
  regionCode: STREET,
  items: [
    { code: HAPPY, name: '幸福里社区', level: 'community', geometry: rect(118.7, 32), center: [118.705, 32.005] },
    { code: PEACE, name: '和平社区', level: 'community', geometry: rect(118.71, 32), center: [118.715, 32.005] },
  ],
}
const trend: Trend = {
  regionCode: HAPPY,
  days: Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`),
  series: (Object.keys(NAMES) as Array<keyof typeof NAMES>).map((f) => ({
    figure: f, name: NAMES[f], points: Array.from({ length: 30 }, (_, i) => ({ rate: i % 3 === 0 ? null : 0.8, n: i % 3 === 0 ? 0 : 12, insufficient: true })),
  })),
}
const sources = (figure: Sources['figure']): Sources => ({
  figure, regionCode: HAPPY, period: period(), counted: 48,
  surveys: [{ id: 7, title: '幸福里社区创文问卷', respondents: 40 }], campaigns: [{ id: 3, title: '创文知识竞答', residents: 8 }], ratings: 0, reports: 0, otherQuizzes: 0, volunteerService: 0,
})

let page: MountedPage | undefined
afterEach(() => page?.unmount())

function routes(over: Record<string, unknown> = {}) {
  return {
    'GET /me': json(200, worker(HAPPY, '幸福里社区')),
    'GET /regions/:code': json(200, detail(HAPPY, '幸福里社区', 'community', STREET, [...ANCESTORS, { code: STREET, name: '湖滨街道', level: 'street' }])),
    'GET /regions/:code/children/geometry': json(200, geometry),
    'GET /rates/dashboard': json(200, happyDash),
    'GET /rates/trend': json(200, trend),
    'GET /rates/sources': (req: { query: Record<string, string> }) => json(200, sources(req.query.figure as Sources['figure'])),
    ...over,
  } as never
}

describe('比率看板, a community worker on the compiled weapp page', () => {
  it('opens on their own community this month: each figure with rate, interval, n, 样本不足, target, gap and change', async () => {
    page = await mountPage(DASH, { signedIn: true, api: routes() })
    await page.waitForText('幸福里社区创文问卷')
    const req = page.requests.find((r) => r.path === '/rates/dashboard')!
    expect(req.query).toMatchObject({ region: HAPPY, period: 'month' })
    const text = page.text()
    expect(text).toContain('知晓率')
    expect(text).toContain('89.6%') // 43 / 48
    expect(text).toContain('95% 区间 79.6% – 94.6%')
    expect(text).toContain('43 / 48 人')
    expect(text).toContain('差 0.4 个百分点')
    expect(text).toContain('较上期 +4.6 个百分点')
    // 满意率 from 20 people: marked, and 处置满意度 without any rating shows no rate
    expect(text).toMatch(/满意率\s*样本不足\s*60\.0%/)
    expect(text).toContain('参与 61 人 / 登记 800 人')
    expect(text).toContain('2026-11-01 至 2026-11-30（上期 2026-10-01 至 2026-10-31）')
    // the sources of 知晓率 and its interval method
    expect(text).toContain('创文知识竞答')
    expect(text).toContain('区间：Wilson 95%（无连续性校正）')
    // a community is the smallest unit: no ranking, no list; the community is drawn alone
    expect(text).toContain('社区是最小的统计单元，没有下级排名')
    expect(page.requests.find((r) => r.path === `/regions/${STREET}/children/geometry`)).toBeTruthy()
    // a worker sets no targets
    expect(text).not.toContain('目标值')
    expect(page.requests.find((r) => r.path === '/rates/trend')!.query).toMatchObject({ region: HAPPY, days: '30', to: '2026-11-30' })
  })

  it('cannot go above their area: the street in the breadcrumb is not a link', async () => {
    page = await mountPage(DASH, { signedIn: true, api: routes() })
    await page.waitForText('幸福里社区创文问卷')
    const before = page.requests.filter((r) => r.path === '/rates/dashboard').length
    await page.tap('湖滨街道')
    await new Promise((r) => setTimeout(r, 200))
    expect(page.requests.filter((r) => r.path === '/rates/dashboard').length).toBe(before)
    expect(page.findAllByClass('rt-crumbs__item--link')).toHaveLength(0)
  })

  it('changes the period (日, 自定义) and the figure whose sources are shown; 90 days of trend', async () => {
    page = await mountPage(DASH, { signedIn: true, api: routes() })
    await page.waitForText('幸福里社区创文问卷')
    await page.tap('日')
    await page.waitFor(() => page!.requests.some((r) => r.path === '/rates/dashboard' && r.query.period === 'day'), 'a day dashboard')
    await page.tap('自定义')
    const custom = await page.waitForRequest('GET /rates/dashboard')
    await page.waitFor(() => page!.requests.some((r) => r.path === '/rates/dashboard' && r.query.period === 'custom' && !!r.query.to), 'a custom range')
    expect(custom).toBeTruthy()
    await page.tap('支持率')
    await page.waitForText('支持率的来源')
    expect(page.requests.some((r) => r.path === '/rates/sources' && r.query.figure === 'support')).toBe(true)
    await page.tap('90 天')
    await page.waitFor(() => page!.requests.some((r) => r.path === '/rates/trend' && r.query.days === '90'), '90 days of trend')
  })

  it('says so when the period has no data', async () => {
    const empty: Dashboard = { ...happyDash, region: region(HAPPY, '幸福里社区', 'community', (Object.keys(NAMES) as Array<keyof typeof NAMES>).map((f) => fig(f, 0, f === 'participation' ? 800 : 0))) }
    const none: Sources = { ...sources('awareness'), surveys: [], campaigns: [], counted: 0 }
    const flat: Trend = { ...trend, series: trend.series.map((x) => ({ ...x, points: x.points.map(() => ({ rate: null, n: 0, insufficient: true })) })) }
    page = await mountPage(DASH, { signedIn: true, api: routes({ 'GET /rates/dashboard': json(200, empty), 'GET /rates/sources': json(200, none), 'GET /rates/trend': json(200, flat) }) })
    await page.waitForText('本期暂无数据')
    await page.waitForText('本期没有计入知晓率的来源')
    await page.waitForText('近 30 天暂无数据')
  })

  it('a street worker sees the communities ranked, the 样本不足 one unranked, and opens one from the list', async () => {
    const street: Dashboard = {
      region: region(STREET, '湖滨街道', 'street', happyFigures.map((f) => ({ ...f, effectiveN: 40.5 }))),
      period: period(),
      children: [
        region(HAPPY, '幸福里社区', 'community', happyFigures),
        region(PEACE, '和平社区', 'community', [fig('awareness', 5, 10), ...happyFigures.slice(1)]),
      ],
      rankings: [{
        figure: 'awareness', scope: 'children', top: [{ regionCode: HAPPY, name: '幸福里社区', rate: 0.8958, lower: 0.7958, upper: 0.9458, n: 48 }],
        bottom: [{ regionCode: HAPPY, name: '幸福里社区', rate: 0.8958, lower: 0.7958, upper: 0.9458, n: 48 }], excludedInsufficient: 1,
        rule: '样本不足 30 人的不参与排名；比率相同时，置信区间下限高者在前，再按区域代码',
      }],
      pendingEvents: 3,
    }
    page = await mountPage(DASH, {
      signedIn: true,
      api: routes({
        'GET /me': json(200, worker(STREET, '湖滨街道')),
        'GET /regions/:code': (req: { path: string }) => json(200, req.path.endsWith(STREET)
          ? detail(STREET, '湖滨街道', 'street', '329901', ANCESTORS)
          : detail(PEACE, '和平社区', 'community', STREET, [...ANCESTORS, { code: STREET, name: '湖滨街道', level: 'street' }])),
        'GET /rates/dashboard': (req: { query: Record<string, string> }) => json(200, req.query.region === STREET ? street : { ...happyDash, region: { ...happyDash.region, regionCode: PEACE, name: '和平社区' } }),
      }),
    })
    await page.waitForText('各社区知晓率')
    const text = page.text()
    expect(text).toContain('社区排名')
    expect(text).toContain('另有 1 个区域样本不足或无数据，未参与排名')
    expect(text).toContain('置信区间下限高者在前')
    expect(text).toContain('还有 3 条新数据正在计入')
    expect(text).toContain('有效样本 40.5')
    expect(text).toMatch(/合并（未加权）89\.6%，n=48/)
    // the list: 幸福里 ranked 1st, 和平 (10 people) marked and not ranked
    const rows = page.findAllByClass('rt-list__row').map((r) => r.textContent!.replace(/\s+/g, ' '))
    expect(rows[1]).toMatch(/^1\s*幸福里社区/)
    expect(rows[2]).toMatch(/^—\s*和平社区\s*样本不足/)
    await page.tap('和平社区')
    await page.waitFor(() => page!.requests.some((r) => r.path === '/rates/dashboard' && r.query.region === PEACE), 'the community opened')
    await page.waitFor(() => page!.findAllByClass('rt-crumbs__item--link').some((el) => el.textContent === '湖滨街道'), 'the street a link above the community')
    expect(page.findAllByClass('rt-crumbs__item--link').map((el) => el.textContent)).toEqual(['湖滨街道'])
    // back up to the street, their own area
    await page.tapElement(page.findAllByClass('rt-crumbs__item--link')[0])
    await page.waitFor(() => page!.requests.filter((r) => r.path === '/rates/dashboard' && r.query.region === STREET).length >= 2, 'back to the street')
  })

  it('exports the tables as Excel: downloads the file of this region and period and opens it', async () => {
    const calls: string[] = []
    const opened: unknown[] = []
    page = await mountPage(DASH, {
      signedIn: true,
      api: routes(),
      wx: {
        downloadFile: (o: any) => {
          calls.push(o.url)
          setTimeout(() => (o.success?.({ statusCode: 200, tempFilePath: 'wxfile://tmp/rates.xlsx', errMsg: 'downloadFile:ok' }), o.complete?.({})), 10)
          return { onProgressUpdate() {}, offProgressUpdate() {}, abort() {}, onHeadersReceived() {}, offHeadersReceived() {} }
        },
        openDocument: (o: any) => (opened.push(o), setTimeout(() => (o.success?.({ errMsg: 'openDocument:ok' }), o.complete?.({})), 0)),
      },
    })
    await page.waitForText('幸福里社区创文问卷')
    await page.tap('导出 Excel')
    await page.waitFor(() => opened.length === 1, 'the file opened')
    expect(calls[0]).toContain(`/api/v1/rates/export?region=${HAPPY}`)
    expect(calls[0]).toContain('period=month')
    expect(calls[0]).toContain('days=30')
    expect(opened[0]).toMatchObject({ filePath: 'wxfile://tmp/rates.xlsx', fileType: 'xlsx' })
  })

  it('a signed-in person with no area is told whom to ask', async () => {
    page = await mountPage(DASH, { signedIn: true, api: routes({ 'GET /me': json(200, worker(null, null)) }) })
    await page.waitForText('没有可查看的区域')
    expect(page.text()).toContain('请联系创文办授权')
    expect(page.requests.some((r) => r.path === '/rates/dashboard')).toBe(false)
  })
})

import { apiError, json, mountPage, type MountedPage } from './harness'
import type { Figure, RateFigure } from '../../types/rates'
import type { Bulletin, BulletinActivity, BulletinListItem, BulletinPage, BulletinRanking, BulletinRegion, BulletinSubscription } from '../../types/rates-bulletin'

const PAGE = 'packages/rates/pages/bulletin/index'
const STREET = '329901001'
const NAMES: Record<RateFigure, string> = { awareness: '知晓率', support: '支持率', satisfaction: '满意率', handling: '处置满意度', participation: '参与率' }
const FIGURES = Object.keys(NAMES) as RateFigure[]

const worker = (roles: Array<{ role: string; regionCode: string | null; regionName: string | null }>) => ({
  id: 2, nickname: '演示网格员', phoneMasked: '138****0002', hasWechat: false, community: null, elderMode: false,
  roles: [{ role: 'resident', regionCode: null, regionName: null }, ...roles],
})
const WORKER = worker([{ role: 'worker', regionCode: STREET, regionName: '湖滨街道' }])
const RESIDENT = worker([])

function fig(figure: RateFigure, num: number, den: number, over: Partial<Figure> = {}): Figure {
  const rate = den > 0 ? Math.round((num / den) * 10000) / 10000 : null
  return {
    figure, name: NAMES[figure], rate, interval: rate === null ? null : { lower: Math.max(0, rate - 0.05), upper: Math.min(1, rate + 0.03) },
    intervalMethod: '按常住人口事后分层加权；Wilson 95%，样本量取 Kish 有效样本量', numerator: num, denominator: den, pooledRate: rate, n: den,
    effectiveN: null, insufficient: den < 30, target: 0.9, gapToTarget: rate === null ? null : Math.round((rate - 0.9) * 10000) / 10000,
    previousRate: null, change: null, ...over,
  }
}
const activity = (n: number): BulletinActivity => ({
  reportsNew: n, reportsClosed: n - 1, reportsNewlyOverdue: n % 3, reportsOverdueOpen: n + 4, quizResidents: 10 * n, quizAttempts: 12 * n, surveyResponses: 7 * n, volunteers: n,
})
const region = (regionCode: string, name: string, level: BulletinRegion['level'], figures: Figure[], n: number): BulletinRegion =>
  ({ regionCode, name, level, parentName: level === 'street' ? '东湖区' : null, population: 40_000, figures, activity: activity(n) })
const entry = (regionCode: string, name: string, rate: number, n: number): BulletinRanking['top'][number] => ({ regionCode, name, rate, lower: rate - 0.06, upper: rate + 0.03, n })
const STREETS: Array<[string, string]> = [['329901001', '湖滨街道'], ['329901002', '新华街道'], ['329901003', '梅园街道'], ['329902001', '翠屏街道']]

function bulletin(day: string, over: Partial<Bulletin> = {}): Bulletin {
  const cityFigures = [
    fig('awareness', 912, 1000, { change: 0.0123, previousRate: 0.8997 }),
    fig('support', 455, 500, { change: -0.004, previousRate: 0.914 }),
    fig('satisfaction', 20, 25),
    fig('handling', 0, 0),
    fig('participation', 1500, 40_000),
  ]
  const rankings: BulletinRanking[] = [
    {
      figure: 'awareness', name: '知晓率', level: 'street', excludedInsufficient: 1,
      top: [entry('329901002', '新华街道', 0.95, 200), entry('329901001', '湖滨街道', 0.93, 310), entry('329902001', '翠屏街道', 0.9, 120)],
      bottom: [entry('329901003', '梅园街道', 0.81, 90), entry('329902001', '翠屏街道', 0.9, 120), entry('329901001', '湖滨街道', 0.93, 310)],
    },
    { figure: 'support', name: '支持率', level: 'street', excludedInsufficient: 4, top: [], bottom: [] },
  ]
  return {
    day,
    generatedAt: `${day}T23:00:05.000Z`, // 07:00 the next morning in Shanghai
    late: false,
    content: {
      day,
      period: { kind: 'day', from: day, to: day, previousFrom: '2026-11-27', previousTo: '2026-11-27' },
      city: region('3299', '示范市', 'city', cityFigures, 9),
      streets: STREETS.map(([code, name], i) => region(code, name, 'street', [
        fig('awareness', 80 + i, 100, { previousRate: 0.8 }), fig('support', 40, 50), fig('satisfaction', 9, 10), fig('handling', 0, 0), fig('participation', 200 + i, 9000),
      ], i + 1)),
      rankings,
      rankingRule: '样本不足 30 人的不参与排名；比率相同时，置信区间下限高者在前，再按区域代码',
      pendingEvents: 0,
      notes: ['每人每项比率每期只计一次，以其最近一次作答为准'],
    },
    ...over,
  }
}
const item = (day: string, participation: number, overdue: number): BulletinListItem => ({
  day, generatedAt: `${day}T23:00:05.000Z`, late: false, cityName: '示范市', reportsOverdueOpen: overdue,
  headline: FIGURES.map((f) => ({ figure: f, name: NAMES[f], rate: f === 'participation' ? participation : 0.9, change: null, n: 100, insufficient: false })),
})
const FIRST: BulletinPage = { items: [item('2026-11-28', 0.0375, 13), item('2026-11-27', 0.031, 11)], nextCursor: 'c-27' }
const SECOND: BulletinPage = { items: [item('2026-11-26', 0.029, 8)], nextCursor: null }
const SUBSCRIPTION: BulletinSubscription = { subscribed: false, agreedAt: null, templateId: 'demo-rates-bulletin', time: '07:00' }

let page: MountedPage | undefined
afterEach(() => page?.unmount())

function routes(over: Record<string, unknown> = {}) {
  return {
    'GET /me': json(200, WORKER),
    'GET /rates/bulletins': (req: { query: Record<string, string> }) => json(200, req.query.cursor === 'c-27' ? SECOND : FIRST),
    'GET /rates/bulletins/:day': (req: { path: string }) => {
      const day = req.path.split('/').pop()!
      return json(200, bulletin(day, day === '2026-11-26' ? { late: true, generatedAt: '2026-11-28T02:00:00.000Z' } : {}))
    },
    'GET /rates/bulletin-subscription': json(200, SUBSCRIPTION),
    ...over,
  } as never
}

const bulletinRequests = () => page!.requests.filter((r) => /^\/rates\/bulletins\/\d{4}-\d{2}-\d{2}$/.test(r.path)).map((r) => r.path)

describe('创文每日通报, a street worker on the compiled weapp page', () => {
  it('opens the newest bulletin: the city figures, the streets, and the best and worst three', async () => {
    page = await mountPage(PAGE, { signedIn: true, api: routes() })
    await page.waitForText('示范市创文每日通报 · 2026年11月28日')
    expect(page.requests.find((r) => r.path === '/rates/bulletins')!.query).toMatchObject({ limit: '20' })
    expect(page.requests.find((r) => r.path === '/rates/bulletins')!.query.cursor).toBeUndefined()
    expect(bulletinRequests()).toEqual(['/rates/bulletins/2026-11-28'])
    const text = page.text()
    expect(text).toContain('生成于 2026-11-29 07:00')
    expect(text).not.toContain('补发')
    // the city's figures: rate, interval, count, change from the day before, target, and the small sample marked
    expect(text).toMatch(/知晓率\s*91\.2%\s*95% 区间 86\.2%–94\.2%\s*912\/1000 人\s*较前日 \+1\.2 个百分点\s*目标 90\.0%/)
    expect(text).toContain('较前日 −0.4 个百分点')
    expect(text).toMatch(/满意率\s*80\.0%.*20\/25 人.*样本不足/)
    expect(text).toMatch(/处置满意度\s*—\s*无人作答/)
    expect(text).toContain('1500/40000（参与/登记居民）')
    // each street in the table, with its count and the day's reports
    expect(text).toContain('各街道知晓率（昨日与前一日）')
    for (const [, name] of STREETS) expect(text).toContain(name)
    expect(text).toMatch(/全市\s*9\s*8\s*0\s*13\s*90\s*63\s*9/)
    // the ranking of 知晓率: best three and worst three in their order, with the rule
    const ranks = page.findAllByClass('rb-rank__side').map((s) => s.textContent!.replace(/\s+/g, ' ').trim())
    expect(ranks[0]).toMatch(/^前三\s*1\s*新华街道\s*95\.0%\s*200 人\s*2\s*湖滨街道\s*93\.0%\s*310 人\s*3\s*翠屏街道\s*90\.0%\s*120 人$/)
    expect(page.findAllByClass('rb-rank__row')).toHaveLength(6)
    expect(ranks[1]).toMatch(/^后三\s*1\s*梅园街道\s*81\.0%\s*90 人/)
    expect(text).toContain('街道（样本不足未排名 1 个）')
    expect(text).toContain('置信区间下限高者在前')
    expect(text).toContain('每人每项比率每期只计一次')
    // a worker may subscribe: the switch is there
    expect(text).toContain('接收每日通报消息')
    expect(text).toContain('每天 07:00 生成昨日通报后')
  })

  it('switches the figure: 支持率 with nobody rankable says so', async () => {
    page = await mountPage(PAGE, { signedIn: true, api: routes() })
    await page.waitForText('知晓率排名（前三与后三）')
    // the figure picker, not the city's 支持率 card above it
    const inPicker = Array.from(page.findByClass('rb-pick')!.querySelectorAll('*')).filter((el) => el.textContent!.trim() === '支持率')
    await page.tapElement(inPicker[inPicker.length - 1])
    await page.waitForText('支持率排名（前三与后三）')
    expect(page.text()).toContain('各街道支持率（昨日与前一日）')
    expect(page.text()).toContain('街道（样本不足未排名 4 个）')
    expect(page.text()).toContain('无（都不足 30 人）')
    expect(page.findAllByClass('rb-rank__row')).toHaveLength(0)
  })

  it('pages through the archive and opens an older bulletin, marked when it was sent late', async () => {
    page = await mountPage(PAGE, { signedIn: true, api: routes() })
    await page.waitForText('示范市创文每日通报 · 2026年11月28日')
    const items = () => page!.findAllByClass('rb-item__day').map((el) => el.textContent)
    expect(items()).toEqual(['2026年11月28日', '2026年11月27日'])
    expect(page.text()).toContain('参与率 3.8% · 超期未办结 13 件')
    await page.tap('加载更多')
    await page.waitFor(() => items().length === 3, 'the second page of the archive')
    expect(page.requests.filter((r) => r.path === '/rates/bulletins').map((r) => r.query.cursor)).toEqual([undefined, 'c-27'])
    expect(items()).toEqual(['2026年11月28日', '2026年11月27日', '2026年11月26日'])
    // the last page: no more to load
    await page.waitFor(() => !page!.text().includes('加载更多'), 'the load-more button gone')
    await page.tap('2026年11月26日')
    await page.waitForText('示范市创文每日通报 · 2026年11月26日')
    expect(bulletinRequests()).toEqual(['/rates/bulletins/2026-11-28', '/rates/bulletins/2026-11-26'])
    expect(page.text()).toContain('生成于 2026-11-28 10:00（服务恢复后补发）')
    expect(page.findAllByClass('rb-item--on').map((el) => el.textContent!.replace(/\s+/g, ' '))).toEqual([expect.stringContaining('2026年11月26日')])
  })

  it('opens the day it was linked to (the subscribe message\'s page)', async () => {
    page = await mountPage(PAGE, { signedIn: true, query: { day: '2026-11-27' }, api: routes() })
    await page.waitForText('示范市创文每日通报 · 2026年11月27日')
    expect(bulletinRequests()).toEqual(['/rates/bulletins/2026-11-27'])
  })

  it('says so when no bulletin has been generated yet', async () => {
    page = await mountPage(PAGE, { signedIn: true, api: routes({ 'GET /rates/bulletins': json(200, { items: [], nextCursor: null }) }) })
    await page.waitForText('还没有通报')
    expect(page.text()).toContain('每天按设定的时间生成前一天的通报')
    expect(bulletinRequests()).toEqual([])
  })
})

describe('创文每日通报, a resident', () => {
  it('is refused with the server\'s message, and sees no bulletin and no subscribe switch', async () => {
    page = await mountPage(PAGE, {
      signedIn: true,
      api: routes({
        'GET /me': json(200, RESIDENT),
        'GET /rates/bulletins': apiError(403, 'RATES_STAFF_ONLY', '每日通报仅对社区工作人员和创文办开放'),
        'GET /rates/bulletins/:day': apiError(403, 'RATES_STAFF_ONLY', '每日通报仅对社区工作人员和创文办开放'),
        'GET /rates/bulletin-subscription': apiError(403, 'BULLETIN_SUBSCRIBE_WORKERS_ONLY', '通报订阅消息只发给街道和社区工作人员'),
      }),
    })
    await page.waitForText('每日通报仅对社区工作人员和创文办开放')
    expect(page.text()).toContain('加载失败')
    expect(page.text()).not.toContain('创文每日通报 ·')
    expect(page.text()).not.toContain('接收每日通报消息')
    expect(bulletinRequests()).toEqual([])
  })
})

import { apiError, json, mountPage, type MountedPage } from './harness'
import type { PointsBoard, PointsSummary, RegionBoard } from '../../types/quizzes'

const BOARD = 'packages/quizzes/pages/board/index'

const points: PointsSummary = { total: 128, today: 12, dailyCap: 50, rules: '每日练习每答对 1 题得 1 分；现场答题每答对 1 题得 2 分（结束时计入）；每天最多 50 分。' }
const people: PointsBoard = {
  communityCode: '329901001001',
  items: [
    { rank: 1, nickname: '李阿姨', points: 140, isMe: false },
    { rank: 2, nickname: '演示居民', points: 128, isMe: true },
    { rank: 2, nickname: '张大爷', points: 128, isMe: false },
    { rank: 4, nickname: '小王', points: 20, isMe: false },
  ],
}
const row = (over: Partial<RegionBoard['items'][number]>) => ({ regionCode: 'x', regionName: 'x', participants: 0, passed: 0, passRate: null, averageScore: null, rank: 1, ...over })
const communities: RegionBoard = {
  level: 'community',
  campaignId: null,
  items: [
    row({ regionCode: '329901001001', regionName: '幸福里社区', participants: 40, passed: 35, passRate: 0.875, averageScore: 86.4, rank: 1 }),
    row({ regionCode: '329901001002', regionName: '明月社区', participants: 3, passed: 1, passRate: 0.3333, averageScore: 52, rank: 2 }),
    row({ regionCode: '329901001003', regionName: '清泉社区', rank: 3 }),
  ],
}
const streets: RegionBoard = { level: 'street', campaignId: null, items: [row({ regionCode: '329901001', regionName: '湖滨街道', participants: 43, passed: 36, passRate: 0.8372, averageScore: 84.1, rank: 1 })] }

const routes = (over: Record<string, unknown> = {}) => ({
  'GET /quiz/points': json(200, points),
  'GET /quiz/points/leaderboard': json(200, people),
  'GET /quiz/leaderboard': (req: { query: Record<string, string> }) => json(200, req.query.level === 'street' ? streets : communities),
  ...over,
})

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('积分与排行 board page (compiled weapp page)', () => {
  it('shows my points, today’s against the cap and the rules, and my community’s people by points with ties ranked alike', async () => {
    page = await mountPage(BOARD, { signedIn: true, api: routes() as never })
    await page.waitForText('128')
    await page.waitForText('李阿姨')
    const text = page.text()
    expect(text).toContain('我的答题积分 · 今日 +12（上限 50）')
    expect(text).toContain(points.rules)
    expect(text).toContain('1. 李阿姨')
    expect(text).toContain('2. 演示居民（我）')
    expect(text).toContain('2. 张大爷')
    expect(text).toContain('4. 小王')
    expect(text).toContain('140 分')
    expect(page.findAllByClass('qz-board__me')).toHaveLength(1)
    // my community is the server's default: no code sent
    expect(page.requests.find((r) => r.path === '/quiz/points/leaderboard')!.query).toEqual({})
  })

  it('switches to communities and streets ranked by pass rate, with participants, passed and the average', async () => {
    page = await mountPage(BOARD, { signedIn: true, api: routes() as never })
    await page.waitForText('李阿姨')
    await page.tap('社区排行')
    await page.waitForText('幸福里社区')
    let text = page.text()
    expect(text).toContain('1. 幸福里社区')
    expect(text).toContain('参与 40 人 · 通过 35 人 · 平均 86 分')
    expect(text).toContain('通过率 87.5%')
    expect(text).toContain('通过率 33.3%')
    // a community nobody from has taken part: no invented figures
    expect(text).toContain('参与 0 人 · 通过 0 人 · 平均 — 分')
    expect(text).toContain('通过率 —')
    expect(text).not.toContain('李阿姨')
    await page.tap('街道排行')
    await page.waitForText('湖滨街道')
    text = page.text()
    expect(text).toContain('通过率 83.7%')
    expect(text).not.toContain('幸福里社区')
    expect(page.requests.filter((r) => r.path === '/quiz/leaderboard').map((r) => r.query.level)).toEqual(['community', 'street'])
    await page.tap('社区积分榜')
    await page.waitForText('李阿姨')
  })

  it('has empty states for a board with nobody on it', async () => {
    page = await mountPage(BOARD, {
      signedIn: true,
      api: routes({
        'GET /quiz/points': json(200, { ...points, total: 0, today: 0 }),
        'GET /quiz/points/leaderboard': json(200, { communityCode: '329901001001', items: [] }),
        'GET /quiz/leaderboard': json(200, { level: 'community', campaignId: null, items: [] }),
      }) as never,
    })
    await page.waitForText('暂无积分')
    expect(page.text()).toContain('答题即可获得积分。')
    await page.tap('社区排行')
    await page.waitForText('暂无排行')
  })

  it('tells a resident without a community why the people board is missing, and keeps the points shown', async () => {
    page = await mountPage(BOARD, {
      signedIn: true,
      api: routes({ 'GET /quiz/points/leaderboard': apiError(400, 'COMMUNITY_REQUIRED', '请先在“我的”里选择所在社区') }) as never,
    })
    await page.waitForText('请先在“我的”里选择所在社区')
    expect(page.text()).toContain('加载失败')
    expect(page.text()).toContain('128')
  })
})

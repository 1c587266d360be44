import { apiError, json, mountPage, type MountedPage } from './harness'
import type { AttemptList } from '../../types/quizzes'

const HOME = 'packages/quizzes/pages/index/index'
type Rec = AttemptList['items'][number]

const rec = (id: number, over: Partial<Rec> = {}): Rec => ({
  id, kind: 'practice', campaignId: null, title: '每日练习', status: 'submitted',
  startedAt: '2025-03-01T02:30:00.000Z', submittedAt: '2025-03-01T02:35:00.000Z', score: 80, passed: null, points: 4, ...over,
})
const records: Rec[] = [
  rec(30, { kind: 'live', title: '社区文明知识现场赛', score: 67, points: 4 }),
  rec(29, { kind: 'campaign', campaignId: 7, title: '垃圾分类知识答题', status: 'in_progress', submittedAt: null, score: null, points: 0 }),
  rec(28, { status: 'expired', submittedAt: null, score: 0, points: 0 }),
  rec(27, { points: 0 }),
  rec(26),
  rec(25, { title: '第六条记录' }),
]

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('答题 home: 我的答题记录 (compiled weapp page)', () => {
  it('lists my latest records of every kind — live quizzes too — with score and points, and opens them', async () => {
    page = await mountPage(HOME, {
      signedIn: true,
      api: { 'GET /quiz/campaigns': json(200, { items: [] }), 'GET /quiz/attempts': json(200, { items: records, nextCursor: null }) },
    })
    await page.waitForText('社区文明知识现场赛')
    const text = page.text()
    expect(text).toContain('现场答题 · 3月1日 10:30')
    expect(text).toContain('67 分 · +4 积分')
    expect(text).toContain('继续答题 ›')
    expect(text).toContain('超时未交卷 ›')
    expect(text).toContain('80 分 ›') // no points that day: none shown
    expect(text).not.toContain('第六条记录') // five at first
    await page.tap('社区文明知识现场赛')
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: '/packages/quizzes/pages/result/index?id=30' })
    await page.tap('继续答题 ›')
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: '/packages/quizzes/pages/answer/index?id=29' })
  })

  it('shows the rest, then older pages by cursor', async () => {
    page = await mountPage(HOME, {
      signedIn: true,
      api: {
        'GET /quiz/campaigns': json(200, { items: [] }),
        'GET /quiz/attempts': (req) =>
          req.query.cursor === '25' ? json(200, { items: [rec(3, { title: '很早以前的练习' })], nextCursor: null }) : json(200, { items: records, nextCursor: '25' }),
      },
    })
    await page.tap('查看更多记录')
    await page.waitForText('第六条记录')
    await page.tap('加载更早的记录')
    await page.waitForText('很早以前的练习')
    expect(page.requests.filter((r) => r.path === '/quiz/attempts').map((r) => r.query.cursor)).toEqual([undefined, '25'])
    expect(page.text()).not.toContain('加载更早的记录')
  })

  it('starts 每日一练, and says so when today’s practices are used up', async () => {
    let left = 1
    page = await mountPage(HOME, {
      signedIn: true,
      api: {
        'GET /quiz/campaigns': json(200, { items: [] }),
        'GET /quiz/attempts': json(200, { items: [], nextCursor: null }),
        'POST /quiz/practice': () => (left-- > 0
          ? json(201, { id: 77, kind: 'practice', campaignId: null, attemptNo: 1, status: 'in_progress', startedAt: '2025-03-01T02:30:00.000Z', expiresAt: '2025-03-01T02:40:00.000Z', serverNow: '2025-03-01T02:30:00.000Z', questions: [] })
          : apiError(409, 'PRACTICE_LIMIT_REACHED', '每日练习每天最多 10 次，今天的次数已用完，明天再来吧')),
      },
    })
    await page.tap('每日一练')
    await page.waitFor(() => page!.navigations.some((n) => n.url === '/packages/quizzes/pages/answer/index?id=77'), 'the practice to open')
    // a tap while the first start is still drawn as 出题中… would find no 每日一练 entry to tap
    await page.waitFor(() => !page!.text().includes('出题中'), 'the first start to finish')
    await page.tap('每日一练')
    await page.waitFor(() => page!.toasts.includes('今天的练习次数已用完，明天再来吧'), 'the limit said')
    expect(page.navigations.filter((n) => n.url?.includes('answer'))).toHaveLength(1)
  })

  it('says what will appear there before any quiz was taken', async () => {
    page = await mountPage(HOME, {
      signedIn: true,
      api: { 'GET /quiz/campaigns': json(200, { items: [] }), 'GET /quiz/attempts': json(200, { items: [], nextCursor: null }) },
    })
    await page.waitForText('还没有答题记录')
    expect(page.text()).toContain('现场答题后，成绩会记在这里')
  })
})

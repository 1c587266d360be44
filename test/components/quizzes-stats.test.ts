import { apiError, json, mountPage, type MountedPage } from './harness'
import type { RegionBoard } from '../../types/quizzes'

const STATS = 'packages/quizzes/pages/stats/index'
const TITLE = '垃圾分类知识答题'
const query = { id: '7', title: encodeURIComponent(TITLE) }

const stats: RegionBoard = {
  level: 'community',
  campaignId: 7,
  items: [
    { regionCode: '329901001001', regionName: '幸福里社区', participants: 30, passed: 27, passRate: 0.9, averageScore: 88.6, rank: 1 },
    { regionCode: '329901001002', regionName: '明月社区', participants: 10, passed: 5, passRate: 0.5, averageScore: 61.2, rank: 2 },
    { regionCode: '329901001003', regionName: '清泉社区', participants: 0, passed: 0, passRate: null, averageScore: null, rank: 3 },
  ],
}

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('参与情况 campaign stats page (compiled weapp page)', () => {
  it('totals the server’s per-community figures and lists each community with its pass rate', async () => {
    page = await mountPage(STATS, { signedIn: true, query, api: { 'GET /quiz/admin/campaigns/:id/stats': json(200, stats) } })
    await page.waitForText('幸福里社区')
    const text = page.text()
    expect(text).toContain(TITLE)
    // 30 + 10 + 0 took part, 27 + 5 passed: 32 of 40 = 80%
    expect(text).toMatch(/40\s*参与人数/)
    expect(text).toMatch(/32\s*通过人数/)
    expect(text).toMatch(/80%\s*通过率/)
    expect(text).toContain('1. 幸福里社区')
    expect(text).toContain('参与 30 人 · 通过 27 人 · 平均 89 分')
    expect(text).toContain('90%')
    expect(text).toContain('50%')
    expect(text).toContain('参与 0 人 · 通过 0 人 · 平均 — 分')
    expect(page.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /quiz/admin/campaigns/7/stats')
  })

  it('says so when nobody has taken part yet', async () => {
    page = await mountPage(STATS, { signedIn: true, query, api: { 'GET /quiz/admin/campaigns/:id/stats': json(200, { level: 'community', campaignId: 7, items: [] }) } })
    await page.waitForText('还没有人参加')
    expect(page.text()).toMatch(/0\s*参与人数/)
    expect(page.text()).toMatch(/—\s*通过率/)
  })

  it('cancels the campaign only after the worker confirms', async () => {
    page = await mountPage(STATS, {
      signedIn: true,
      query,
      api: { 'GET /quiz/admin/campaigns/:id/stats': json(200, stats), 'POST /quiz/admin/campaigns/:id/cancel': json(200, {}) },
    })
    await page.tap('取消活动')
    const req = await page.waitForRequest('POST /quiz/admin/campaigns/7/cancel')
    expect(req.header['Idempotency-Key']).toBeTruthy()
    expect(page.modals[0]).toEqual({ title: '取消活动', content: '取消后居民不能再参加该活动，确定取消吗？' })
    await page.waitFor(() => page!.toasts.includes('活动已取消'), 'the toast')
  })

  it('does nothing when the worker thinks better of it', async () => {
    page = await mountPage(STATS, {
      signedIn: true,
      query,
      modalConfirm: false,
      api: { 'GET /quiz/admin/campaigns/:id/stats': json(200, stats), 'POST /quiz/admin/campaigns/:id/cancel': json(200, {}) },
    })
    await page.tap('取消活动')
    await page.waitFor(() => page!.modals.length === 1, 'the question')
    await new Promise((r) => setTimeout(r, 100))
    expect(page.requests.some((r) => r.method === 'POST')).toBe(false)
  })

  it('shows the server’s refusal for a campaign of another region', async () => {
    page = await mountPage(STATS, {
      signedIn: true,
      query,
      api: { 'GET /quiz/admin/campaigns/:id/stats': apiError(403, 'REGION_NOT_COVERED', '您不负责该答题活动所在的区域') },
    })
    await page.waitForText('您不负责该答题活动所在的区域')
    expect(page.text()).not.toContain('参与人数')
  })
})

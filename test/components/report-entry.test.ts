import { apiError, json, mountPage, type MountedPage } from './harness'
import { detail } from './reports-fixtures'

// the tab page shows ReportListItem rows (types/reports.ts); a detail has every field of one
const listItem = (over: Record<string, unknown>) => ({ ...detail(over as any), timeline: undefined, photos: undefined })

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('随手拍 entry (compiled weapp page)', () => {
  it('explains the feature and shows an empty list when I have no reports yet', async () => {
    page = await mountPage('pages/report/index', { signedIn: true, api: { 'GET /reports/mine': json(200, { items: [], nextCursor: null }) } })
    await page.waitForText('还没有上报记录')
    expect(page.text()).toContain('随手拍')
    expect(page.text()).not.toContain('即将开放')
    expect(page.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /reports/mine')
    expect(page.toasts).toHaveLength(0)
  })

  it('lists my reports when the server has them', async () => {
    page = await mountPage('pages/report/index', {
      signedIn: true,
      api: { 'GET /reports/mine': json(200, { items: [listItem({ id: 7, description: '人行道乱停车', state: 'dispatched', stateLabel: '处置中', closedAt: null })], nextCursor: null }) },
    })
    await page.waitForText('人行道乱停车')
    expect(page.text()).toContain('处置中')
    expect(page.text()).toContain('2025-03-01 10:30') // shown in Beijing time
  })

  it('opens the reports subpackage page', async () => {
    page = await mountPage('pages/report/index', { signedIn: true, api: { 'GET /reports/mine': json(200, { items: [] }) } })
    await page.waitFor(() => !!page!.findByClass('report__new'), 'the 随手拍 button')
    await page.tapElement(page.findByClass('report__new')!)
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: '/packages/reports/pages/new/index' })
  })

  it('shows other errors with a retry', async () => {
    page = await mountPage('pages/report/index', { signedIn: true, api: { 'GET /reports/mine': apiError(403, 'FORBIDDEN', '没有权限') } })
    await page.waitForText('没有权限')
    expect(page.text()).toContain('重试')
  })
})

describe('API client in the compiled app', () => {
  it('retries an idempotent GET after a 503 and shows the result', async () => {
    let calls = 0
    page = await mountPage('pages/report/index', {
      signedIn: true,
      api: { 'GET /reports/mine': () => (++calls === 1 ? apiError(503, 'UNAVAILABLE', '服务繁忙') : json(200, { items: [listItem({ id: 1, description: '盲道被占' })], nextCursor: null })) },
    })
    await page.waitForText('盲道被占')
    expect(calls).toBe(2)
    expect(page.toasts).toHaveLength(0)
  })

  it('says 网络不给力 after the network keeps failing', async () => {
    page = await mountPage('pages/index/index', { signedIn: true, api: { 'GET /home': { status: 0, networkError: true } } })
    await page.waitForText('网络不给力，请稍后重试', 8000)
    expect(page.requests.filter((r) => r.path === '/home')).toHaveLength(4) // 1 + 3 retries
  }, 15000)
})

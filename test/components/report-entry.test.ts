import { apiError, json, mountPage, type MountedPage } from './harness'

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('随手拍 entry (compiled weapp page)', () => {
  it('explains the feature and shows an empty list while the server has no reports yet (404)', async () => {
    page = await mountPage('pages/report/index', { signedIn: true }) // no route: the harness answers 404
    await page.waitForText('还没有上报记录')
    expect(page.text()).toContain('我要随手拍')
    expect(page.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /reports/mine')
    expect(page.toasts).toHaveLength(0) // a 404 here is not an error to show
  })

  it('lists my reports when the server has them', async () => {
    page = await mountPage('pages/report/index', {
      signedIn: true,
      api: { 'GET /reports/mine': json(200, { items: [{ id: 7, title: '人行道乱停车', statusName: '处理中', createdAt: '2025-03-01T02:30:00.000Z' }] }) },
    })
    await page.waitForText('人行道乱停车')
    expect(page.text()).toContain('处理中')
    expect(page.text()).toContain('2025-03-01 10:30') // shown in Beijing time
  })

  it('opens the reports subpackage page', async () => {
    page = await mountPage('pages/report/index', { signedIn: true, api: { 'GET /reports/mine': json(200, { items: [] }) } })
    await page.tap('我要随手拍')
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
      api: { 'GET /reports/mine': () => (++calls === 1 ? apiError(503, 'UNAVAILABLE', '服务繁忙') : json(200, { items: [{ id: 1, title: '盲道被占' }] })) },
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

import { json, mountPage, type MountedPage } from './harness'
import type { HomeOverview } from '../../types/home'

const community: NonNullable<HomeOverview['community']> = {
  code: '420102001001',
  name: '幸福里社区',
  path: [
    { code: '4201', name: '示范市', level: 'city' },
    { code: '420102', name: '东湖区', level: 'district' },
    { code: '420102001', name: '湖滨街道', level: 'street' },
    { code: '420102001001', name: '幸福里社区', level: 'community' },
  ],
  population: 12873,
  registeredResidents: 342,
  workers: 7,
}

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('首页 (compiled weapp page)', () => {
  it('shows the community, its path and its counted figures', async () => {
    page = await mountPage('pages/index/index', {
      signedIn: true,
      api: { 'GET /home': json(200, { community, sections: [{ key: 'activities', title: '社区活动', items: [{ id: 'a1', title: '周末文明交通劝导', subtitle: '湖滨路口' }] }] }) },
    })
    await page.waitForText('幸福里社区')
    const text = page.text()
    expect(text).toContain('示范市 / 东湖区 / 湖滨街道 / 幸福里社区')
    expect(text).toContain('12,873')
    expect(text).toContain('常住人口')
    expect(text).toContain('342')
    expect(text).toContain('已注册居民')
    expect(text).toContain('7')
    expect(text).toContain('社区活动')
    expect(text).toContain('周末文明交通劝导')
    const req = page.requests.find((r) => r.path === '/home')!
    expect(req.header.Authorization).toBe('Bearer test-token')
  })

  it('shows an empty state when there are no sections', async () => {
    page = await mountPage('pages/index/index', { signedIn: true, api: { 'GET /home': json(200, { community, sections: [] }) } })
    await page.waitForText('社区暂无动态')
    expect(page.text()).toContain('幸福里社区')
  })

  it('asks to choose a community when the resident has none', async () => {
    page = await mountPage('pages/index/index', { signedIn: true, api: { 'GET /home': json(200, { community: null, sections: [] }) } })
    await page.waitForText('还没有选择您所在的社区')
    await page.tap('选择我的社区')
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: '/packages/accounts/pages/region/index' })
  })

  it('loads again when shown again (back from choosing a community) and on pull-down', async () => {
    let calls = 0
    page = await mountPage('pages/index/index', {
      signedIn: true,
      api: { 'GET /home': () => (++calls === 1 ? json(200, { community: null, sections: [] }) : json(200, { community, sections: [] })) },
    })
    await page.waitForText('还没有选择您所在的社区')
    await page.show()
    await page.waitForText('幸福里社区')
    await page.pullDownRefresh()
    await page.waitFor(() => calls === 3, 'a third GET /home')
  })

  it('sends a visitor without a token to sign-in', async () => {
    page = await mountPage('pages/index/index', {})
    await page.waitFor(() => page!.navigations.length > 0, 'a redirect')
    expect(page.navigations[0].api).toBe('reLaunch')
    expect(page.navigations[0].url).toMatch(/^\/pages\/login\/index/)
    expect(page.requests).toHaveLength(0)
  })

  it('shows the error with a retry, and retries', async () => {
    page = await mountPage('pages/index/index', { signedIn: true, api: { 'GET /home': json(500, { code: 'INTERNAL', message: '服务器开小差了' }) } })
    await page.waitForText('服务器开小差了')
    expect(page.toasts).toContain('服务器开小差了')
    page.routes = { 'GET /home': json(200, { community, sections: [] }) }
    await page.tap('重试')
    await page.waitForText('幸福里社区')
  })
})

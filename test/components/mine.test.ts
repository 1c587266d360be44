import { json, mountPage, apiError, type MountedPage } from './harness'
import type { Me } from '../../types/accounts'

const me: Me = {
  id: 2,
  nickname: '张网格',
  phoneMasked: '138****0002',
  hasWechat: false,
  community: {
    code: '420102001001',
    name: '幸福里社区',
    path: [
      { code: '4201', name: '示范市', level: 'city' },
      { code: '420102', name: '东湖区', level: 'district' },
      { code: '420102001', name: '湖滨街道', level: 'street' },
      { code: '420102001001', name: '幸福里社区', level: 'community' },
    ],
  },
  roles: [
    { role: 'resident', regionCode: null, regionName: null },
    { role: 'volunteer', regionCode: null, regionName: null },
    { role: 'worker', regionCode: '420102001001', regionName: '幸福里社区' },
  ],
  elderMode: false,
}

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('我的 (compiled weapp page)', () => {
  it('shows the nickname, masked phone, role badges and community', async () => {
    page = await mountPage('pages/mine/index', { signedIn: true, api: { 'GET /me': json(200, me) } })
    await page.waitForText('张网格')
    const text = page.text()
    expect(text).toContain('138****0002')
    expect(text).toContain('居民')
    expect(text).toContain('志愿者')
    expect(text).toContain('网格员·幸福里社区')
    expect(text).toContain('示范市 / 东湖区 / 湖滨街道 / 幸福里社区')
    expect(text).toContain('长辈模式')
    expect(text).toContain('退出登录')
    // the elder-mode switch is rendered (NutUI Switch), off
    expect(page.findByClass('nut-switch')).not.toBeNull()
    expect(page.findByClass('cl-page--elder')).toBeNull()
  })

  it('applies elder mode from storage at once, before the network answers', async () => {
    page = await mountPage('pages/mine/index', {
      signedIn: true,
      storage: { 'civiclink.elderMode': '1' },
      api: { 'GET /me': { ...json(200, { ...me, elderMode: true }), delay: 300 } },
    })
    await page.waitFor(() => !!page!.findByClass('cl-page--elder'), 'the elder-mode class')
    expect(page.text()).not.toContain('张网格') // still loading
    await page.waitForText('张网格')
    expect(page.findByClass('cl-page--elder')).not.toBeNull()
  })

  it('turns elder mode on: storage, larger type, PATCH /me', async () => {
    page = await mountPage('pages/mine/index', {
      signedIn: true,
      api: { 'GET /me': json(200, me), 'PATCH /me': (req) => json(200, { ...me, ...(req.data as object) }) },
    })
    await page.waitForText('张网格')
    const sw = page.findByClass('nut-switch') as HTMLElement
    expect(sw).not.toBeNull()
    await page.tapElement(sw)
    const patch = await page.waitForRequest('PATCH /me')
    expect(patch.data).toEqual({ elderMode: true })
    expect(page.storage.get('civiclink.elderMode')).toBe('1')
    await page.waitFor(() => !!page!.findByClass('cl-page--elder'), 'the elder-mode class')
  })

  it('signs out: POST /auth/logout, token cleared, back to sign-in', async () => {
    page = await mountPage('pages/mine/index', {
      signedIn: true,
      api: { 'GET /me': json(200, me), 'POST /auth/logout': json(204) },
    })
    await page.waitForText('张网格')
    await page.tap('退出登录')
    await page.waitForRequest('POST /auth/logout')
    await page.waitFor(() => page!.navigations.some((n) => n.api === 'reLaunch'), 'the redirect to sign-in')
    expect(page.storage.has('civiclink.token')).toBe(false)
    expect(page.navigations.find((n) => n.api === 'reLaunch')!.url).toContain('/pages/login/index')
  })

  it('an expired session clears the token and goes to sign-in', async () => {
    page = await mountPage('pages/mine/index', { signedIn: true, api: { 'GET /me': apiError(401, 'SESSION_EXPIRED', '登录已过期，请重新登录') } })
    await page.waitFor(() => page!.navigations.some((n) => n.api === 'reLaunch'), 'the redirect to sign-in')
    expect(page.storage.has('civiclink.token')).toBe(false)
    expect(page.toasts).toContain('登录已过期，请重新登录')
  })
})

/** The 隐私政策 page on the compiled weapp, and the two ways to it (login page without an account, 我的). */
import { json, mountPage, type MountedPage } from './harness'

const PRIVACY = '/packages/accounts/pages/privacy/index'

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('隐私政策 (compiled weapp)', () => {
  it('renders in WeChat without signing in, and opens the admin-console guide', async () => {
    page = await mountPage(PRIVACY.slice(1))
    await page.waitForText('文明共建隐私政策')
    for (const heading of ['我们收集什么、为什么', '保存多久', '谁能看到', '你的权利', '即将上线的功能', '联系我们']) expect(page.text()).toContain(heading)
    expect(page.requests).toEqual([]) // nothing to load, nothing to sign in for
    expect(page.navigations).toEqual([])
    await page.tap('查看《用户隐私保护指引》')
    await page.waitFor(() => page!.privacy.contractOpened === 1, 'openPrivacyContract')
  })

  it('is linked from the login page', async () => {
    page = await mountPage('pages/login/index')
    await page.tap('查看《隐私政策》')
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: PRIVACY })
  })

  it('is linked from 我的', async () => {
    const me = { id: 1, nickname: '居民0001', phoneMasked: '138****0001', hasWechat: false, community: null, roles: [], elderMode: false }
    page = await mountPage('pages/mine/index', { signedIn: true, api: { 'GET /me': json(200, me) } })
    await page.waitForText('居民0001')
    await page.tap('收集哪些信息、保存多久、谁能看到')
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: PRIVACY })
  })
})

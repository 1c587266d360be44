import { json, mountPage, apiError, type MountedPage } from './harness'

let page: MountedPage | undefined
afterEach(() => page?.unmount())

const loginResult = {
  token: 'tok-123',
  expiresAt: '2030-01-01T00:00:00.000Z',
  isNew: false,
  user: { id: 1, nickname: '演示居民', phoneMasked: '138****0001', hasWechat: false, community: null, roles: [], elderMode: false },
}

describe('登录 (compiled weapp page)', () => {
  it('renders the form and the WeChat button, without demo hints before the server says so', async () => {
    page = await mountPage('pages/login/index')
    await page.waitForText('获取验证码')
    const text = page.text()
    expect(text).toContain('文明共建')
    expect(text).toContain('登录 / 注册')
    expect(text).toContain('微信一键登录')
    expect(text).not.toContain('演示')
  })

  it('shows the demo code after sending, then signs in with it', async () => {
    page = await mountPage('pages/login/index', {
      query: { redirect: encodeURIComponent('/pages/mine/index') },
      api: {
        'POST /auth/sms/send': json(200, { sent: true, expiresInSeconds: 300, resendAfterSeconds: 60, demoCode: '246810' }),
        'POST /auth/sms/verify': json(200, loginResult),
      },
    })
    await page.input('请输入手机号', '13800000001')
    await page.tap('获取验证码')
    const send = await page.waitForRequest('POST /auth/sms/send')
    expect(send.data).toEqual({ phone: '13800000001' })
    expect(send.header.Authorization).toBeUndefined()
    await page.waitForText('演示模式验证码')
    expect(page.text()).toContain('246810')
    expect(page.text()).toMatch(/\d+秒后重发/)
    // demo accounts offered now that the server said demo
    expect(page.text()).toContain('演示网格员 13800000002')
    await page.tap('填入')
    await page.tap('登录 / 注册')
    const verify = await page.waitForRequest('POST /auth/sms/verify')
    expect(verify.data).toEqual({ phone: '13800000001', code: '246810' })
    await page.waitFor(() => page!.storage.get('civiclink.token') === 'tok-123', 'the token in storage')
    await page.waitFor(() => page!.navigations.some((n) => n.api === 'switchTab'), 'leaving sign-in')
    expect(page.navigations.find((n) => n.api === 'switchTab')!.url).toBe('/pages/mine/index')
  })

  it('shows no demo code when the server sends a real SMS', async () => {
    page = await mountPage('pages/login/index', {
      api: { 'POST /auth/sms/send': json(200, { sent: true, expiresInSeconds: 300, resendAfterSeconds: 60 }) },
    })
    await page.input('请输入手机号', '13900000009')
    await page.tap('获取验证码')
    await page.waitFor(() => page!.toasts.includes('验证码已发送'), 'the sent toast')
    expect(page.text()).not.toContain('演示')
  })

  it('shows the server error in Chinese', async () => {
    page = await mountPage('pages/login/index', {
      api: { 'POST /auth/sms/send': apiError(429, 'SMS_TOO_FREQUENT', '发送太频繁，请稍后再试') },
    })
    await page.input('请输入手机号', '13800000001')
    await page.tap('获取验证码')
    await page.waitFor(() => page!.toasts.includes('发送太频繁，请稍后再试'), 'the error toast')
    // a plain POST without an Idempotency-Key is never retried
    expect(page.requests.filter((r) => r.path === '/auth/sms/send')).toHaveLength(1)
  })

  it('微信一键登录: wx.login code → POST /auth/wechat', async () => {
    page = await mountPage('pages/login/index', { api: { 'POST /auth/wechat': json(200, { ...loginResult, isNew: true }) } })
    await page.tap('微信一键登录')
    const req = await page.waitForRequest('POST /auth/wechat')
    expect(req.data).toEqual({ code: 'test-wx-code' })
    await page.waitFor(() => page!.storage.get('civiclink.token') === 'tok-123', 'the token in storage')
  })
})

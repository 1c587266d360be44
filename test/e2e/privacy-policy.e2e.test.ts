import AxeBuilder from '@axe-core/playwright'
import { browserAvailable, h5Suite, open, phonePage, screenshot, signIn, tap, visibleText } from './browser'

const run = browserAvailable() ? describe : describe.skip

run('H5 in chromium: the 隐私政策 page', () => {
  const h5 = h5Suite()

  it('opens from the login page without an account, and from 我的; says what is collected, kept and seen; passes axe', async () => {
    const page = await phonePage(h5.browser)
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))

    await page.goto(`${h5.base}/#/pages/login/index`)
    await tap(visibleText(page, '查看《隐私政策》'))
    await visibleText(page, '文明共建隐私政策').waitFor({ timeout: 20_000 })
    for (const heading of ['我们收集什么、为什么', '保存多久', '谁能看到', '你的权利', '联系我们']) await visibleText(page, heading, true).waitFor()
    for (const fact of ['手机号', '微信标识（openid、unionid）', '答题记录', '服务器日志', '已注销用户', '导出', '注销']) {
      await visibleText(page, fact).waitFor()
    }
    const shot = await screenshot(page, 'privacy-01-policy')
    expect(shot).toMatch(/privacy-01-policy\.png$/)

    const axe = await new AxeBuilder({ page }).include('.privacy').analyze()
    const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])

    await signIn(page, h5.base, '13800000001')
    await open(page, h5.base, '/pages/mine/index')
    await tap(visibleText(page, '隐私政策', true))
    await visibleText(page, '文明共建隐私政策').waitFor({ timeout: 20_000 })
    expect(page.url()).toContain('packages/accounts/pages/privacy/index')
    expect(errors).toEqual([])
  }, 120_000)
})

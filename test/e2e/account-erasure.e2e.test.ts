import fs from 'node:fs'
import '../helpers/long-timeout'
import AxeBuilder from '@axe-core/playwright'
import type { Page } from 'playwright-core'
import { browserAvailable, h5Suite, input, open, phonePage, signIn, tap, visibleText } from './browser'

const run = browserAvailable() ? describe : describe.skip

async function seriousViolations(page: Page): Promise<string[]> {
  const res = await new AxeBuilder({ page }).analyze()
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

run('H5 in chromium: 导出我的数据 and 注销账号', () => {
  const h5 = h5Suite()

  it('downloads one\'s own data as a JSON file, then erases the account with the code and the phrase', async () => {
    const errors: string[] = []
    const page = await phonePage(h5.browser)
    page.on('pageerror', (e) => errors.push(e.message))
    await signIn(page, h5.base, '13900000501', h5.t)

    // 我的 shows both entries; each page is then opened on its own (Taro H5 keeps earlier pages in the DOM, and axe
    // would judge them too)
    await open(page, h5.base, '/pages/mine/index')
    await visibleText(page, '注销账号', true).waitFor({ timeout: 20_000 })
    await tap(visibleText(page, '导出我的数据', true))
    await visibleText(page, '导出并下载', true).waitFor({ timeout: 20_000 })
    await open(page, h5.base, '/packages/accounts/pages/export/index')
    await visibleText(page, '导出并下载', true).waitFor({ timeout: 20_000 })
    expect(await seriousViolations(page)).toEqual([])
    const download = page.waitForEvent('download', { timeout: 20_000 })
    await tap(visibleText(page, '导出并下载', true))
    const file = await (await download).path()
    const data = JSON.parse(fs.readFileSync(file, 'utf8'))
    expect(data.format).toBe('civiclink-personal-data/1')
    expect(data.sections.account.profile.phone).toBe('13900000501')
    expect((await download).suggestedFilename()).toMatch(/^文明共建-我的数据-\d{4}-\d{2}-\d{2}\.json$/)
    await visibleText(page, '随手拍').waitFor()

    // 注销账号
    await open(page, h5.base, '/packages/accounts/pages/erase/index')
    await visibleText(page, '注销后将删除').waitFor({ timeout: 20_000 })
    expect(await seriousViolations(page)).toEqual([])
    // the sign-in code was sent moments ago: out of the 60-second resend window, as a minute later
    await h5.t.ctx.db.query(`UPDATE sms_codes SET created_at = created_at - interval '2 minutes' WHERE phone = '13900000501'`)
    await tap(visibleText(page, '获取验证码', true))
    const toast = await visibleText(page, '演示验证码').innerText({ timeout: 15_000 })
    const code = /\d{6}/.exec(toast)![0]
    await input(page, '发送到 139****0501 的验证码').fill(code)
    await input(page, '请输入「注销账号」').fill('注销账号')
    await tap(page.locator('.ac-erase__submit').filter({ visible: true }).first())
    await page.locator('.taro-model__confirm').filter({ visible: true }).first().click()
    await visibleText(page, '账号已注销').waitFor({ timeout: 20_000 })
    await page.locator('.taro-model__confirm').filter({ visible: true }).first().click()
    // back to the start (the home page, or the sign-in it asks for), never again the signed-in 我的
    await page.waitForFunction(() => !location.hash.includes('accounts/pages/erase'), undefined, { timeout: 20_000 })

    const row = await h5.t.ctx.db.one<{ phone: string | null; nickname: string; erased: boolean }>(
      `SELECT phone, nickname, erased_at IS NOT NULL AS erased FROM users WHERE erased_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
    )
    expect(row).toEqual({ phone: null, nickname: '已注销用户', erased: true })
    expect(await page.evaluate(() => localStorage.getItem('civiclink.token'))).toBeFalsy()
    expect(errors).toEqual([])
  }, 120_000)
})

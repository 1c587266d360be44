import AxeBuilder from '@axe-core/playwright'
import ExcelJS from 'exceljs'
import type { Page } from 'playwright-core'
import { browserAvailable, h5Suite, input as field, open, phonePage, screenshot, signIn, tap, visibleText } from './browser'

const run = browserAvailable() ? describe : describe.skip
const COMMUNITY = '329901001001' // 幸福里社区
const TITLE = '创文满意度调查（E2E）'
const hour = 3600_000

/** axe over the page (hidden earlier pages are skipped by axe itself): no serious or critical violation. */
async function expectAccessible(page: Page, what: string) {
  const r = await new AxeBuilder({ page: page as never }).analyze()
  // NutUI's Radio and Checkbox give Taro's View `ariaRole`, which is WeChat's attribute: on H5 it comes out as
  // aria-role (invalid), so the element has no role and its aria-checked is not allowed either. Those attributes of
  // those two components are left to a fix in NutUI/Taro; every other finding counts.
  const nutRole = (n: { html: string }) => /aria-role="(radio|checkbox)"/.test(n.html) && /class="[^"]*\bnut-(radio|checkbox)\b/.test(n.html)
  // Taro H5 scrolls each page in its own container (the element whose id is the page path), which it does not make
  // focusable: a page with no focusable control inside (the summary) is flagged on that container, not on our markup.
  const taroPageRoot = (n: { target: unknown[] }) => String(n.target[0]).startsWith('#\\/')
  const bad = r.violations
    .map((v) => (v.id === 'aria-valid-attr' || v.id === 'aria-allowed-attr' ? { ...v, nodes: v.nodes.filter((n) => !nutRole(n)) } : v))
    .map((v) => (v.id === 'scrollable-region-focusable' ? { ...v, nodes: v.nodes.filter((n) => !taroPageRoot(n)) } : v))
    .filter((v) => (v.impact === 'serious' || v.impact === 'critical') && v.nodes.length > 0)
  expect([what, bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`)]).toEqual([what, []])
}

const option = (page: Page, label: string) => page.locator('.sv-q__opt, .sv-q__point').filter({ visible: true }).getByText(label, { exact: true }).first()

/** The resident answers the standard survey from 首页 › 问卷, 很不满意 overall (the reasons question appears), checked with axe. */
async function answerStandard(page: Page, base: string, title: string, shots = 'surveys') {
  await open(page, base, '/pages/index/index')
  await tap(page.locator('.nut-cell', { hasText: '社区问卷、满意度调查' }).first())
  await page.locator('.sv-list').getByText(title).first().waitFor({ timeout: 20_000 })
  await screenshot(page, `${shots}-01-list`)
  await expectAccessible(page, 'list')
  await tap(page.locator('.sv-list__item', { hasText: title }).first())

  await page.getByText('第 1/4 部分：基本情况').waitFor({ timeout: 20_000 })
  await screenshot(page, `${shots}-02-basic`)
  await expectAccessible(page, 'answer')
  await tap(option(page, '45–59岁'))
  await tap(option(page, '半年至3年'))
  await tap(page.locator('.sv-answer__btn', { hasText: '下一步' }).filter({ visible: true }))
  await page.getByText('第 2/4 部分：知晓与支持').waitFor()
  await tap(option(page, '知道'))
  await tap(option(page, '支持'))
  await tap(page.locator('.sv-answer__btn', { hasText: '下一步' }).filter({ visible: true }))
  await page.getByText('第 3/4 部分：满意度').waitFor()
  expect(await page.getByText('您不满意的主要原因').filter({ visible: true }).count()).toBe(0)
  await tap(option(page, '很不满意'))
  await page.getByText('您不满意的主要原因').filter({ visible: true }).first().waitFor()
  await tap(option(page, '交通秩序'))
  for (const row of await page.locator('.sv-q__row').filter({ visible: true }).all()) {
    await tap(row.locator('.sv-q__point').getByText('一般', { exact: true }))
  }
  await screenshot(page, `${shots}-03-satisfaction`)
  await expectAccessible(page, 'satisfaction')
  await tap(page.locator('.sv-answer__btn', { hasText: '下一步' }).filter({ visible: true }))
  await page.getByText('第 4/4 部分：意见建议').waitFor()
  await field(page, '请填写').fill('希望公交站台多设座椅')
  await tap(page.locator('.sv-answer__btn', { hasText: '查看并提交' }).filter({ visible: true }))
  await page.getByText('请确认您的回答').waitFor()
  await screenshot(page, `${shots}-04-summary`)
  await expectAccessible(page, 'summary')
  await tap(page.locator('.sv-answer__btn', { hasText: '提交' }).filter({ visible: true }))
  await page.getByText('提交成功，感谢您的参与').waitFor({ timeout: 20_000 })
  await screenshot(page, `${shots}-05-done`)
}

run('H5 in chromium: a resident answers the standard survey', () => {
  const h5 = h5Suite()

  it('from 首页 › 问卷 to submitted, with the dissatisfaction reasons appearing after 不满意; pages pass axe', async () => {
    const errors: string[] = []
    const office = await h5.t.login('13800000003')
    const created = await h5.t.as(office, {
      method: 'POST',
      url: '/api/v1/surveys/admin',
      payload: {
        template: 'chuangwen_standard', title: TITLE, regionCode: COMMUNITY, audience: 'residents', anonymous: true,
        startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(),
      },
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id
    expect((await h5.t.as(office, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).statusCode).toBe(200)

    const page = await phonePage(h5.browser)
    page.on('pageerror', (e) => errors.push(e.message))
    await signIn(page, h5.base, '13800000001')
    const token = await h5.t.login('13800000001')
    expect((await h5.t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })).statusCode).toBe(200)

    await answerStandard(page, h5.base, TITLE)

    const rows = await h5.t.ctx.db.query<{ key: string; picked: string[]; text: string | null }>(
      `SELECT q.key, a.picked, a.text_value AS text FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id
        WHERE a.survey_id = $1 AND a.row_key = '' ORDER BY q.position`, [id])
    expect(rows.map((r) => [r.key, r.text ?? r.picked.join(',')])).toEqual([
      ['age', 'a45_59'], ['residence', 'm6_3y'], ['aware', 'yes'], ['support', 'yes'], ['overall', '1'], ['reasons', 'traffic'], ['suggestion', '希望公交站台多设座椅'],
    ])
    expect(errors).toEqual([])
  }, 180_000)

  it('a worker builds from the template and publishes; a resident answers; the worker reads the charts and exports (PC layout)', async () => {
    const errors: string[] = []
    const title = '幸福里社区创文满意度（E2E 工作人员）'
    const context = await h5.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
    const desk = await context.newPage()
    desk.on('pageerror', (e) => errors.push(e.message))
    await signIn(desk, h5.base, '13800000002', h5.t)

    // 我的 › 工作 › 问卷管理 › 用创文标准问卷新建
    await open(desk, h5.base, '/pages/mine/index')
    await tap(desk.locator('.nut-cell', { hasText: '问卷管理' }).first())
    await tap(desk.locator('.sv-admin__new', { hasText: '用创文标准问卷新建' }).filter({ visible: true }))
    await visibleText(desk, '您知道本市正在创建全国文明城市吗？').waitFor({ timeout: 20_000 })
    await field(desk, '如：幸福里社区居民满意度调查').fill(title)
    // the PC layout: settings and questions side by side (compared vertically: Taro's page slides in sideways)
    await screenshot(desk, 'surveys-staff-01-edit')
    const side = await desk.locator('.sv-edit__side').filter({ visible: true }).boundingBox()
    const main = await desk.locator('.sv-edit__main').filter({ visible: true }).boundingBox()
    expect(main!.y).toBeLessThan(side!.y + side!.height / 2)
    expect(main!.width).toBeGreaterThan(500)
    await expectAccessible(desk, 'edit')
    await tap(desk.locator('.sv-edit__save').filter({ visible: true }))

    await visibleText(desk, '题目（8）').waitFor({ timeout: 20_000 })
    await expectAccessible(desk, 'manage')
    await tap(desk.locator('.sv-manage__actions .nut-button', { hasText: '预览' }).filter({ visible: true }))
    await visibleText(desk, '预览：这是居民看到的样子').waitFor({ timeout: 20_000 })
    await screenshot(desk, 'surveys-staff-02-preview')
    await expectAccessible(desk, 'preview')
    await desk.goBack()
    await tap(desk.locator('.sv-manage__actions .nut-button', { hasText: '发布' }).filter({ visible: true }))
    await tap(desk.locator('.nut-dialog .nut-button', { hasText: '确认' }).filter({ visible: true }))
    await visibleText(desk, '查看结果').waitFor({ timeout: 20_000 })
    const id = (await h5.t.ctx.db.one<{ id: number }>('SELECT id::int AS id FROM surveys WHERE title = $1', [title]))!.id
    expect((await h5.t.ctx.db.one<{ status: string; region: string }>('SELECT status, region_code AS region FROM surveys WHERE id = $1', [id]))).toEqual({ status: 'published', region: COMMUNITY })

    // the resident answers it on the phone, the reasons question triggered by 很不满意
    const phone = await phonePage(h5.browser)
    phone.on('pageerror', (e) => errors.push(e.message))
    await signIn(phone, h5.base, '13800000001', h5.t)
    const token = await h5.t.login('13800000001')
    await h5.t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })
    await answerStandard(phone, h5.base, title, 'surveys-staff-resident')

    // the worker's results: charts drawn, figures beside them, cross-tab, text answers, export
    await tap(desk.locator('.sv-manage__actions .nut-button', { hasText: '查看结果' }).filter({ visible: true }))
    await visibleText(desk, '共 1 份答卷（实时）').waitFor({ timeout: 20_000 })
    await desk.waitForFunction(() => Array.from(document.querySelectorAll('.sv-chart canvas')).some((c) => {
      const canvas = c as HTMLCanvasElement
      if (!canvas.width) return false
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
      for (let i = 0; i < px.length; i += 4) if (px[i] < 200 && px[i + 3] > 0) return true
      return false
    }), undefined, { timeout: 20_000 })
    const aware = desk.locator('.sv-res__q', { hasText: '您知道本市正在创建全国文明城市吗？' }).filter({ visible: true })
    expect(await aware.locator('.sv-res__fig', { hasText: '知道' }).first().innerText()).toMatch(/知道\s*1 人\s*100%/)
    await tap(desk.locator('.sv-xtab .nut-button', { hasText: '开始分析' }).filter({ visible: true }))
    await desk.locator('.sv-xtab__table').filter({ visible: true }).waitFor()
    expect(await desk.locator('.sv-xtab__table').filter({ visible: true }).innerText()).toContain('<5')
    await screenshot(desk, 'surveys-staff-03-results')
    await expectAccessible(desk, 'results')

    const [download] = await Promise.all([
      desk.waitForEvent('download', { timeout: 20_000 }),
      tap(desk.locator('.sv-res__exports .nut-button', { hasText: '导出答卷 Excel' }).filter({ visible: true })),
    ])
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile((await download.path())!)
    const ws = wb.worksheets[0]
    expect(ws.actualRowCount).toBe(2)
    const header = (ws.getRow(1).values as unknown[]).slice(1)
    expect(header.slice(0, 2)).toEqual(['序号', '提交日期'])
    const row = (ws.getRow(2).values as unknown[]).slice(1)
    expect(row[header.indexOf('7. 您不满意的主要原因是？')]).toBe('交通秩序')

    // results for residents: before the close the page says why not; the worker publishes the results and closes
    // the survey; the resident finds it among the closed ones and reads the same charts
    await open(phone, h5.base, `/packages/surveys/pages/outcome/index?id=${id}`)
    await visibleText(phone, '问卷结束后才能查看结果').waitFor({ timeout: 20_000 })
    const worker = await h5.t.login('13800000002')
    const staff = (await h5.t.as(worker, { method: 'GET', url: `/api/v1/surveys/admin/${id}` })).json()
    const edited = await h5.t.as(worker, {
      method: 'PUT', url: `/api/v1/surveys/admin/${id}`,
      payload: { title: staff.title, description: staff.description, regionCode: staff.regionCode, audience: staff.audience, anonymous: staff.anonymous, resultsPublic: true, quotaPerCommunity: staff.quotaPerCommunity, startsAt: staff.startsAt, endsAt: staff.endsAt, definition: staff.definition },
    })
    expect(edited.statusCode).toBe(200)
    await desk.goBack()
    await desk.reload()
    await tap(desk.locator('.sv-manage__actions .nut-button', { hasText: '结束问卷' }).filter({ visible: true }))
    await tap(desk.locator('.nut-dialog .nut-button', { hasText: '确认' }).filter({ visible: true }))
    await visibleText(desk, '已结束').waitFor({ timeout: 20_000 })
    await open(phone, h5.base, '/packages/surveys/pages/index/index')
    await visibleText(phone, '已结束的问卷（可查看结果）').waitFor({ timeout: 20_000 })
    await expectAccessible(phone, 'list with closed surveys')
    await tap(phone.locator('.sv-list__item', { hasText: title }).filter({ hasText: '查看结果' }).filter({ visible: true }).first())
    await visibleText(phone, '已结束 · 共 1 份答卷').waitFor({ timeout: 20_000 })
    await phone.waitForFunction(() => Array.from(document.querySelectorAll('.sv-out .sv-chart canvas')).some((c) => (c as HTMLCanvasElement).width > 0))
    const outAware = phone.locator('.sv-res__q', { hasText: '您知道本市正在创建全国文明城市吗？' }).filter({ visible: true })
    expect(await outAware.locator('.sv-res__fig', { hasText: '知道' }).first().innerText()).toMatch(/知道\s*1 人\s*100%/)
    expect(await phone.locator('.sv-out').filter({ visible: true }).innerText()).not.toContain('希望公交站台多设座椅')
    await screenshot(phone, 'surveys-resident-results')
    await expectAccessible(phone, 'resident results')
    expect(errors).toEqual([])
    await context.close()
  }, 300_000)
})

import ExcelJS from 'exceljs'
import { browserAvailable, h5Suite, input as field, phonePage, screenshot, signIn, tap, visibleText, open } from './browser'

const run = browserAvailable() ? describe : describe.skip
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const STEM = '本社区的垃圾投放点早上几点开放？'

run('H5 in chromium: a worker keeps the question bank', () => {
  const h5 = h5Suite()

  it('opens a question of their community from the list, corrects it, and retires it', async () => {
    const errors: string[] = []
    const workerToken = await h5.t.login('13800000002')
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('题库')
    ws.addRow(['题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '正确答案', '解析', '标签', '难度'])
    ws.addRow(['单选', STEM, '6 点', '7 点', '8 点', '', '', '', 'A', '以社区公告为准', '社区题库', 1])
    const imported = await h5.t.as(workerToken, { method: 'POST', url: '/api/v1/quiz/questions/import', payload: Buffer.from(await wb.xlsx.writeBuffer()), headers: { 'content-type': XLSX } })
    expect(imported.statusCode).toBe(200)

    const page = await phonePage(h5.browser)
    page.on('pageerror', (e) => errors.push(e.message))
    await signIn(page, h5.base, '13800000002', h5.t)
    await open(page, h5.base, `/packages/quizzes/pages/admin/index`)
    // the tag's count filters the list down to it
    await tap(page.locator('.nut-cell', { hasText: '社区题库' }).first())
    await visibleText(page, '题目：社区题库').waitFor({ timeout: 20_000 })
    await tap(page.locator('.nut-cell', { hasText: STEM }).first())
    await field(page, '选项B').waitFor({ timeout: 10_000 })
    await field(page, '题干').fill('本社区的垃圾投放点早上几点开放？（以公告为准）')
    await field(page, '解析（答题后展示给居民）').fill('幸福里社区公告：每天早上 7 点开放。')
    await page.locator('.qz-edit__answer').first().getByText('B', { exact: true }).click()
    await page.locator('.qz-edit').scrollIntoViewIfNeeded()
    await screenshot(page, 'quizzes-bank-01-edit')
    await page.locator('.nut-button', { hasText: '保存修改' }).click()
    await visibleText(page, '答案 B').waitFor({ timeout: 15_000 })
    const saved = await h5.t.ctx.db.one<{ stem: string; answer: number[]; explanation: string }>(`SELECT stem, answer, explanation FROM quiz_questions WHERE stem LIKE '本社区的垃圾投放点早上%'`)
    expect(saved).toEqual({ stem: '本社区的垃圾投放点早上几点开放？（以公告为准）', answer: [1], explanation: '幸福里社区公告：每天早上 7 点开放。' })

    // a running campaign of 幸福里社区 wants one question of this tag: retiring it is told
    const campaign = await h5.t.as(workerToken, {
      method: 'POST', url: '/api/v1/quiz/admin/campaigns',
      payload: {
        title: '社区常识周', regionCode: '329901001001', startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        questionCount: 5, tagMix: [{ tag: '社区题库', count: 1 }], timeLimitSeconds: 300, passScore: 60, maxAttempts: 3,
      },
    })
    expect(campaign.statusCode).toBe(201)
    await tap(page.locator('.nut-cell', { hasText: '以公告为准' }).first())
    await page.locator('.nut-button', { hasText: '停用此题' }).click()
    await page.locator('.taro-model__confirm').click()
    await visibleText(page, '已停用，有活动题目不足').waitFor({ timeout: 15_000 })
    await visibleText(page, '「社区常识周」的“社区题库”题只剩 0 道（需要 1 道），不足的将用其他题补上。').waitFor({ timeout: 5_000 })
    await screenshot(page, 'quizzes-bank-02a-shortage')
    await page.locator('.taro-model__cancel').click() // 知道了: it stays retired
    await visibleText(page, '没有题目').waitFor({ timeout: 15_000 })
    await page.locator('.nut-button', { hasText: '已停用的题' }).click()
    await visibleText(page, '以公告为准').waitFor({ timeout: 15_000 })
    await screenshot(page, 'quizzes-bank-02-retired')
    expect((await h5.t.ctx.db.one<{ active: boolean }>(`SELECT active FROM quiz_questions WHERE stem LIKE '本社区的垃圾投放点早上%'`))!.active).toBe(false)
    expect(errors).toEqual([])
  }, 120_000)
})

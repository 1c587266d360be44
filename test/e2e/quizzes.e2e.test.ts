import { browserAvailable, h5Suite, input as field, phonePage, screenshot, signIn, open } from './browser'

const run = browserAvailable() ? describe : describe.skip
const COMMUNITY = '329901001001' // 幸福里社区
const TITLE = '垃圾分类知识竞答（E2E）'

run('H5 in chromium: a worker publishes a quiz, a resident takes it', () => {
  const h5 = h5Suite()

  it('worker creates a campaign in the form; resident answers it, submits, sees the result with explanations', async () => {
    const errors: string[] = []

    // ---- the worker, in the h5.browser: 我的 › 组织答题 › 新建答题活动
    const worker = await phonePage(h5.browser)
    worker.on('pageerror', (e) => errors.push(e.message))
    await signIn(worker, h5.base, '13800000002')
    await open(worker, h5.base, `/pages/mine/index`)
    await worker.locator('.nut-cell', { hasText: '组织答题' }).click({ timeout: 20_000 })
    await worker.getByText('新建答题活动').first().waitFor({ timeout: 20_000 })
    await worker.locator('.nut-button', { hasText: '新建答题活动' }).click()
    await field(worker, '如：垃圾分类知识竞答').waitFor({ timeout: 20_000 })
    await field(worker, '如：垃圾分类知识竞答').fill(TITLE)
    await worker.locator('.qz-create').getByText('幸福里社区').first().waitFor()
    await screenshot(worker, 'quizzes-01-create')
    await worker.locator('.qz-create__submit').click()
    await worker.getByText('答题活动已创建').first().waitFor({ timeout: 15_000 })

    const workerToken = await h5.t.login('13800000002')
    const mine = await h5.t.as(workerToken, { method: 'GET', url: '/api/v1/quiz/admin/campaigns' })
    expect(mine.statusCode).toBe(200)
    const created = mine.json().items.find((c: { title: string }) => c.title === TITLE)
    expect(created).toMatchObject({ regionCode: COMMUNITY, status: 'open', questionCount: 10, passScore: 60, maxAttempts: 3, timeLimitSeconds: 600 })
    await worker.locator('.qz-admin').getByText(TITLE).first().waitFor({ timeout: 15_000 })
    await screenshot(worker, 'quizzes-02-admin')

    // ---- the resident: community set through the API, the quiz taken in the h5.browser
    const page = await phonePage(h5.browser)
    page.on('pageerror', (e) => errors.push(e.message))
    await signIn(page, h5.base, '13800000001') // first: the API login below then takes the resend window into account
    const residentToken = await h5.t.login('13800000001')
    const patched = await h5.t.as(residentToken, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })
    expect(patched.statusCode).toBe(200)
    await open(page, h5.base, `/pages/index/index`)
    await page.locator('.nut-cell', { hasText: '去答题' }).click({ timeout: 20_000 })
    await page.locator('.qz-home').getByText(TITLE).first().waitFor({ timeout: 20_000 })
    await screenshot(page, 'quizzes-03-list')
    await page.locator('.qz-campaign__start').first().click()

    await page.getByText('第 1/10 题').waitFor({ timeout: 20_000 })
    await expect(page.getByText(/剩余 (10:0[01]|09:\d\d)/).first().isVisible()).resolves.toBe(true)
    await screenshot(page, 'quizzes-04-answer')
    for (let i = 1; i <= 10; i++) {
      await page.getByText(`第 ${i}/10 题`).waitFor()
      await page.locator('.qz-q__opt').first().click()
      if (i < 10) await page.locator('.qz-answer__btn', { hasText: '下一题' }).click()
    }
    // nothing on the answering page gives the answers away
    expect(await page.locator('.qz-q__reveal').count()).toBe(0)
    await page.locator('.qz-answer__btn', { hasText: '交卷' }).click()
    await page.locator('.taro-model__confirm').click()

    await page.locator('.qz-result__score').waitFor({ timeout: 20_000 })
    const explanations = await page.locator('.qz-q__explain').count()
    expect(explanations).toBe(10)
    await expect(page.getByText(/答对 \d+\/10 题/).first().isVisible()).resolves.toBe(true)
    await screenshot(page, 'quizzes-05-result')
    await page.locator('.qz-q__explain').nth(2).scrollIntoViewIfNeeded()
    await screenshot(page, 'quizzes-06-result-explanations')

    // the server recorded the attempt as submitted, with the resident's answers
    const attempts = await h5.t.as(residentToken, { method: 'GET', url: '/api/v1/quiz/attempts' })
    expect(attempts.json().items[0]).toMatchObject({ campaignId: created.id, status: 'submitted' })
    expect(errors).toEqual([])
  }, 180_000)
})

run('H5 in chromium: a live quiz over the WebSocket', () => {
  const h5 = h5Suite()

  it('the worker hosts, a resident joins by code, answers, sees the answer, the leaderboard and the podium', async () => {
    const errors: string[] = []
    const host = await phonePage(h5.browser)
    host.on('pageerror', (e) => errors.push(e.message))
    await signIn(host, h5.base, '13800000002')
    await open(host, h5.base, `/packages/quizzes/pages/live-host/index`)
    await field(host, '如：幸福里社区文明知识抢答').fill('周末文明知识抢答')
    await host.locator('.nut-button', { hasText: '创建并显示口令' }).click()
    const codeEl = host.locator('.qz-live__code')
    await codeEl.waitFor({ timeout: 20_000 })
    const code = (await codeEl.innerText()).trim()
    expect(code).toMatch(/^\d{6}$/)
    await host.locator('.qz-live__qr img, img.qz-live__qr').first().waitFor({ timeout: 10_000 }).catch(() => undefined)
    await host.getByText('已连接').first().waitFor({ timeout: 15_000 })
    await screenshot(host, 'quizzes-live-01-host-lobby')

    const player = await phonePage(h5.browser)
    player.on('pageerror', (e) => errors.push(e.message))
    const sent: string[] = []
    player.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))))
    await signIn(player, h5.base, '13800000001')
    await open(player, h5.base, `/packages/quizzes/pages/live-join/index`)
    await field(player, '6 位口令').fill(code)
    await player.locator('.nut-button', { hasText: '进入答题' }).click()
    await player.getByText('等待主持人开始').first().waitFor({ timeout: 15_000 })
    await player.getByText('已连接').first().waitFor({ timeout: 15_000 })
    await screenshot(player, 'quizzes-live-02-player-lobby')

    // the host's lobby fills in over the socket
    await host.locator('.qz-live__name', { hasText: '演示居民' }).waitFor({ timeout: 15_000 })
    await host.locator('.nut-button', { hasText: '开始第 1 题' }).click()

    await player.getByText(/第 1\/\d+ 题/).first().waitFor({ timeout: 15_000 })
    await player.locator('.qz-q__opt').first().click()
    await screenshot(player, 'quizzes-live-03-player-question')
    await player.locator('.nut-button', { hasText: '提交答案' }).click()
    // the answer goes over the socket; with everyone answered the server closes the question at once
    await player.getByText('答案揭晓').first().waitFor({ timeout: 15_000 })
    expect(sent.map((f) => JSON.parse(f)).filter((m) => m.type === 'answer')).toEqual([{ type: 'answer', questionIndex: 0, choice: [0] }])
    await player.locator('.qz-board-list__row', { hasText: '演示居民' }).waitFor()
    await host.getByText(/第 1 题答案：/).first().waitFor({ timeout: 15_000 })
    await host.locator('.nut-button', { hasText: '下一题（第 2 题）' }).waitFor()
    await screenshot(player, 'quizzes-live-04-player-reveal')

    await host.locator('.nut-button', { hasText: '结束' }).last().click()
    await host.locator('.taro-model__confirm').click()
    await host.getByText('颁奖台').first().waitFor({ timeout: 15_000 })
    await screenshot(host, 'quizzes-live-05-host-podium')
    await player.getByText('最终排名').first().waitFor({ timeout: 15_000 })
    await expect(player.locator('.qz-podium__name', { hasText: '演示居民' }).count()).resolves.toBe(1)
    await screenshot(player, 'quizzes-live-06-player-podium')
    expect(errors).toEqual([])
  }, 180_000)
})

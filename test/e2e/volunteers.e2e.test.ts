import { axeProblems, browserAvailable, h5Suite, input as field, open, phonePage, screenshot, signIn, tap, visibleText } from './browser'

const run = browserAvailable() ? describe : describe.skip
const COMMUNITY = '329901001001' // 幸福里社区
const SITE = { lng: 118.71, lat: 32.005 }
const hours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString()

run('H5 in chromium: a resident becomes a volunteer, signs up, checks in and out by code, sees the hours and gets a certificate anyone can verify', () => {
  const h5 = h5Suite(() => {
    process.env.OUTBOX_INTERVAL_MS = '0'
    return {}
  })

  it('apply → approved by the worker → sign up → check in and out with the 6-digit code → 我的志愿 shows the hours → certificate → public check', async () => {
    const errors: string[] = []
    const t = h5.t

    // ---- the resident applies in the form
    const page = await phonePage(h5.browser)
    page.on('pageerror', (e) => errors.push(e.message))
    await signIn(page, h5.base, '13800000001')
    const residentToken = await t.login('13800000001')
    expect((await t.as(residentToken, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })).statusCode).toBe(200)
    await open(page, h5.base, '/pages/index/index')
    await page.locator('.nut-cell', { hasText: '志愿服务' }).click({ timeout: 20_000 })
    await page.locator('.nut-button', { hasText: '申请成为志愿者' }).click({ timeout: 20_000 })
    await field(page, '与身份证一致').waitFor({ timeout: 20_000 })
    await field(page, '与身份证一致').fill('李志愿')
    await page.getByText('急救', { exact: true }).first().click()
    await page.getByText('我已阅读并同意以上承诺').first().click()
    await screenshot(page, 'volunteers-01-apply')
    await page.locator('.nut-button', { hasText: '提交申请' }).click()
    await visibleText(page, '待审核').waitFor({ timeout: 20_000 })

    // ---- the worker approves it in 志愿者管理
    const worker = await phonePage(h5.browser)
    worker.on('pageerror', (e) => errors.push(e.message))
    await signIn(worker, h5.base, '13800000002', t)
    await open(worker, h5.base, '/pages/mine/index')
    await worker.locator('.nut-cell', { hasText: '志愿者管理' }).click({ timeout: 20_000 })
    await visibleText(worker, '李志愿').waitFor({ timeout: 20_000 })
    await screenshot(worker, 'volunteers-02-approve')
    await worker.locator('.nut-button', { hasText: /^通过$/ }).click()
    await visibleText(worker, '没有待审核的申请').waitFor({ timeout: 20_000 })

    // ---- an activity the worker publishes (the form itself is covered by the a11y check)
    const workerToken = await t.login('13800000002')
    const created = await t.as(workerToken, {
      method: 'POST', url: '/api/v1/volunteers/activities',
      payload: { type: 'traffic', title: '幸福路口文明交通劝导', description: '早高峰劝导行人和电动车遵守信号灯', lng: SITE.lng, lat: SITE.lat, radiusM: 200,
        address: '幸福路与和平路交叉口', regionCode: COMMUNITY, requirements: '穿志愿者马甲',
        shifts: [{ startsAt: hours(48), endsAt: hours(49), capacity: 5, signupDeadline: hours(47), cancelDeadline: hours(46) }] },
    })
    expect(created.statusCode).toBe(201)
    const { id: activityId, shifts: [{ id: shiftId }] } = created.json()

    // ---- the resident signs up on the activity page
    await open(page, h5.base, `/packages/volunteers/pages/activity/index?id=${activityId}`)
    await page.locator('.nut-button', { hasText: '立即报名' }).click({ timeout: 20_000 })
    await visibleText(page, '已报名').waitFor({ timeout: 20_000 })
    await screenshot(page, 'volunteers-03-signed-up')

    // ---- the day comes: the shift started 50 minutes ago and runs an hour
    await t.ctx.db.query(
      `UPDATE volunteer_shifts SET starts_at = now() - interval '50 minutes', ends_at = now() + interval '10 minutes',
         signup_deadline = now() - interval '50 minutes', cancel_deadline = now() - interval '50 minutes' WHERE id = $1`,
      [shiftId],
    )
    await open(worker, h5.base, `/packages/volunteers/pages/shift/index?id=${shiftId}`)
    await worker.locator('.vl__code').waitFor({ timeout: 20_000 })
    await screenshot(worker, 'volunteers-04-code')
    const code = async () => (await worker.locator('.vl__code').innerText()).trim()

    await open(page, h5.base, `/packages/volunteers/pages/activity/index?id=${activityId}`)
    await field(page, '或输入二维码下方的 6 位签到码').waitFor({ timeout: 20_000 })
    await field(page, '或输入二维码下方的 6 位签到码').fill(await code())
    await page.locator('.nut-button', { hasText: '用签到码签到' }).click()
    await visibleText(page, '签到成功').waitFor({ timeout: 20_000 })

    // arrived on time (the test cannot wait the shift out): check-in at the start
    await t.ctx.db.query(`UPDATE volunteer_signups SET checked_in_at = now() - interval '50 minutes' WHERE shift_id = $1`, [shiftId])
    await page.locator('.nut-button', { hasText: /^签退$/ }).click()
    await field(page, '或输入二维码下方的 6 位签到码').fill(await code())
    await page.locator('.nut-button', { hasText: '用签到码签退' }).click()
    await visibleText(page, '签退成功，记 50 分钟').waitFor({ timeout: 20_000 })

    // ---- 我的志愿: the hours are the ledger's
    await open(page, h5.base, '/packages/volunteers/pages/mine/index')
    await visibleText(page, '服务记录 +50 分钟').waitFor({ timeout: 20_000 })
    await screenshot(page, 'volunteers-05-mine')
    const me = (await t.as(residentToken, { method: 'GET', url: '/api/v1/volunteers/me' })).json()
    expect(me.totalMinutes).toBe(50)
    await expect(visibleText(page, '0 小时 50 分').isVisible()).resolves.toBe(true)

    // ---- the worker sees the roster with the attendance
    await open(worker, h5.base, `/packages/volunteers/pages/shift/index?id=${shiftId}`)
    await visibleText(worker, '已签到 1 · 已签退 1').waitFor({ timeout: 20_000 })
    await visibleText(worker, '记 50 分钟').waitFor({ timeout: 20_000 })
    await screenshot(worker, 'volunteers-06-roster')

    // ---- a certificate of the hours, from 我的志愿
    await page.locator('.nut-button', { hasText: '按当前时长申领证书' }).click({ timeout: 20_000 })
    await page.locator('img.vl__cert, .vl__cert img').first().waitFor({ timeout: 30_000 })
    const [cert] = (await t.as(residentToken, { method: 'GET', url: '/api/v1/volunteers/me/certificates' })).json().items
    expect(cert).toMatchObject({ realName: '李志愿', totalMinutes: 50 })
    await visibleText(page, `证书编号 ${cert.number}`).waitFor({ timeout: 20_000 })
    await screenshot(page, 'volunteers-07-certificate')

    // ---- anyone, signed out, opens what the QR code holds: the family name only, the hours, the issuer
    const stranger = await phonePage(h5.browser)
    stranger.on('pageerror', (e) => errors.push(e.message))
    const link = new URL(cert.verifyUrl)
    await open(stranger, h5.base, link.hash.slice(1))
    await visibleText(stranger, '真实有效').waitFor({ timeout: 30_000 })
    await visibleText(stranger, '李**').waitFor({ timeout: 20_000 })
    await visibleText(stranger, '0.8 小时').waitFor({ timeout: 20_000 })
    expect(await stranger.locator('body').innerText()).not.toContain('李志愿')
    expect(stranger.url()).not.toContain('login')
    await screenshot(stranger, 'volunteers-08-verify')
    expect(await axeProblems(stranger, { role: 'anyone', page: 'verify' })).toEqual([])
    expect(errors).toEqual([])
  })
  it('the worker edits an activity people signed up to: locked fields say why, a refusal is explained, a change of place asks first and tells them', async () => {
    const errors: string[] = []
    const t = h5.t
    const workerToken = await t.login('13800000002')
    const volunteer = async (phone: string, name: string) => {
      const token = await t.login(phone)
      expect((await t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })).statusCode).toBe(200)
      const applied = await t.as(token, { method: 'POST', url: '/api/v1/volunteers/apply', payload: { realName: name, skills: [], availability: '', communityCode: COMMUNITY, pledgeAgreed: true } })
      expect(applied.statusCode).toBe(201)
      const ok = await t.as(workerToken, { method: 'POST', url: `/api/v1/volunteers/applications/${applied.json().userId}/decision`, payload: { decision: 'approve' } })
      expect(ok.statusCode).toBe(200)
      return { token, id: applied.json().userId as number }
    }
    const [v1, v2, v3] = [await volunteer('13900000011', '王一'), await volunteer('13900000012', '王二'), await volunteer('13900000013', '王三')]
    const shift = (from: number, capacity: number) => ({ startsAt: hours(from), endsAt: hours(from + 2), capacity, signupDeadline: hours(from - 1), cancelDeadline: hours(from - 2) })
    const created = await t.as(workerToken, {
      method: 'POST', url: '/api/v1/volunteers/activities',
      payload: { type: 'cleaning', title: '幸福里周末大扫除', description: '清理楼道杂物', lng: SITE.lng, lat: SITE.lat, radiusM: 200,
        address: '幸福里社区服务中心', regionCode: COMMUNITY, requirements: '', shifts: [shift(48, 5), shift(72, 3)] },
    })
    expect(created.statusCode).toBe(201)
    const { id: activityId, shifts: [first] } = created.json()
    for (const v of [v1, v2]) expect((await t.as(v.token, { method: 'POST', url: `/api/v1/volunteers/shifts/${first.id}/signup` })).statusCode).toBe(201)

    // ---- 编辑活动 on the activity page opens the form, prefilled, with what can no longer change said
    const worker = await phonePage(h5.browser)
    worker.on('pageerror', (e) => errors.push(e.message))
    await signIn(worker, h5.base, '13800000002', t)
    await open(worker, h5.base, `/packages/volunteers/pages/activity/index?id=${activityId}`)
    await tap(worker.locator('.nut-button', { hasText: '编辑活动' }))
    await visibleText(worker, '已有志愿者报名，活动区域不能再修改').waitFor({ timeout: 20_000 })
    await expect(field(worker, '如：幸福路与和平路交叉口东北角').inputValue()).resolves.toBe('幸福里社区服务中心')
    await visibleText(worker, '已报名 2 人，名额不能少于 2').waitFor()
    await visibleText(worker, '已有志愿者报名，此班次不能删除（如需停办请在活动页取消活动）').waitFor()
    expect(await worker.locator('.nut-button', { hasText: '删除此班次' }).filter({ visible: true }).count()).toBe(1) // the second shift, nobody on it
    await screenshot(worker, 'volunteers-09-edit-locked')
    expect(await axeProblems(worker, { role: 'worker', page: 'volunteers/create?id', state: 'edit after sign-ups' })).toEqual([])

    // ---- fewer places, while a third volunteer signs up: the server refuses, the page says why and shows the count now
    const places = worker.locator('input[aria-label="班次 1 人数"]').first()
    await places.fill('2')
    await places.blur()
    expect((await t.as(v3.token, { method: 'POST', url: `/api/v1/volunteers/shifts/${first.id}/signup` })).statusCode).toBe(201)
    await tap(worker.locator('.nut-button', { hasText: '保存修改' }))
    await worker.locator('.vl__error', { hasText: '不能保存（名额少于已报名人数）：第 1 个班次已有 3 人报名' }).waitFor({ timeout: 20_000 })
    await visibleText(worker, '已报名 3 人，名额不能少于 3').waitFor({ timeout: 20_000 })
    expect((await t.as(workerToken, { method: 'GET', url: `/api/v1/volunteers/activities/${activityId}` })).json().shifts[0].capacity).toBe(5)
    await screenshot(worker, 'volunteers-10-edit-refused')

    // ---- back to 5 places and a new meeting point: the page asks first, naming the three people it will tell
    await places.fill('5')
    await places.blur()
    await field(worker, '如：幸福路与和平路交叉口东北角').fill('幸福里社区东门广场')
    await tap(worker.locator('.nut-button', { hasText: '保存修改' }))
    await worker.locator('.taro-modal__content', { hasText: '将通知已报名（含候补）的 3 位志愿者' }).filter({ visible: true }).first().waitFor({ timeout: 20_000 })
    await screenshot(worker, 'volunteers-11-edit-confirm')
    await worker.locator('.taro-model__confirm').filter({ visible: true }).first().click()
    await visibleText(worker, '地点：幸福里社区东门广场').waitFor({ timeout: 20_000 }) // back on the activity page, reloaded
    const told = await t.ctx.db.query<{ userId: number }>(
      `SELECT user_id::int AS "userId" FROM notification_outbox WHERE kind = 'volunteer.activity_changed' AND ref = $1 ORDER BY user_id`, [`volunteer_activity:${activityId}`])
    expect(told.map((r) => r.userId)).toEqual([v1.id, v2.id, v3.id].sort((x, y) => x - y))
    expect(errors).toEqual([])
  })
})

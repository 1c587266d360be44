import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import gcoord from 'gcoord'
import { browserAvailable, h5Suite, input, phonePage, screenshot, signIn, tap, visibleText, open } from './browser'

/** A NutUI button by its exact text (clicked as a user would: waits until it is visible and stable). */
const button = (page: Page, text: string) =>
  page.locator('taro-button-core').filter({ visible: true }).filter({ hasText: new RegExp(`^\\s*${text.replace(/[()（）]/g, '.')}\\s*$`) }).first()

const run = browserAvailable() ? describe : describe.skip

/** A point inside 幸福里社区 (GCJ-02), where the demo worker works; the browser reports it in WGS-84. */
const INSIDE = { lng: 118.71, lat: 32.005 }

run('H5 in chromium: the 随手拍 journey', () => {
  let dataDir: string
  let photo: string
  const h5 = h5Suite(async () => {
    process.env.OUTBOX_INTERVAL_MS = '0'
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-e2e-reports-'))
    photo = path.join(dataDir, 'scene.jpg')
    fs.writeFileSync(photo, await sharp({ create: { width: 640, height: 480, channels: 3, background: '#44aa66' } }).jpeg().toBuffer())
    return { config: { dataDir } }
  })
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }))

  async function choosePhoto(page: Page, buttonText: string) {
    const chooser = page.waitForEvent('filechooser', { timeout: 15_000 })
    await tap(visibleText(page, buttonText, true))
    await (await chooser).setFiles(photo)
  }

  it('resident reports with a photo → worker accepts, dispatches, rectifies with an after-photo, closes → resident sees the timeline and rates', async () => {
    const errors: string[] = []
    // ---- resident: sign in, 随手拍
    const resident = await phonePage(h5.browser)
    resident.on('pageerror', (e) => errors.push(e.message))
    const [wgsLng, wgsLat] = gcoord.transform([INSIDE.lng, INSIDE.lat], gcoord.GCJ02, gcoord.WGS84)
    const wgs = { lng: wgsLng, lat: wgsLat }
    await resident.context().grantPermissions(['geolocation'])
    await resident.context().setGeolocation({ longitude: wgs.lng, latitude: wgs.lat })
    await signIn(resident, h5.base, '13800000001')

    await open(resident, h5.base, `/pages/report/index`)
    await visibleText(resident, '还没有上报记录').waitFor({ timeout: 20_000 })
    expect(await resident.getByText('即将开放').count()).toBe(0)
    await screenshot(resident, 'reports-01-tab-empty')
    await tap(resident.locator('.report__new').filter({ visible: true }).first())

    await visibleText(resident, '车辆乱停乱放', true).waitFor({ timeout: 20_000 })
    await tap(visibleText(resident, '车辆乱停乱放', true))
    await visibleText(resident, '公安交警支队受理').waitFor()
    await choosePhoto(resident, '拍照/相册')
    await visibleText(resident, '已上传', true).waitFor({ timeout: 20_000 })
    await button(resident, '当前位置').click()
    await visibleText(resident, '经纬度').waitFor({ timeout: 20_000 })
    const address = await input(resident, '请填写详细地址，如 XX路XX号门口').inputValue()
    expect(address).toContain('幸福里社区')
    await input(resident, '简要描述问题（选填），如：人行道上有车辆违停，影响通行').fill('消防通道被私家车占用')
    await screenshot(resident, 'reports-02-new')
    await tap(resident.locator('.rp-new__submit .nut-button').filter({ visible: true }).first())
    await resident.waitForURL(/packages\/reports\/pages\/detail\/index\?id=\d+/, { timeout: 20_000 })
    const id = Number(/id=(\d+)/.exec(resident.url())![1])
    await visibleText(resident, '处理进度').waitFor({ timeout: 20_000 })
    await visibleText(resident, '消防通道被私家车占用').waitFor()
    await screenshot(resident, 'reports-03-detail-submitted')
    const row = await h5.t.ctx.db.one<{ state: string; keyed: boolean }>(
      `SELECT state, idempotency_key IS NOT NULL AS keyed FROM reports WHERE id = $1`,
      [id],
    )
    expect(row).toEqual({ state: 'submitted', keyed: true })

    // ---- worker: 工单 → accept → dispatch → rectify (after-photo) → close
    const worker = await phonePage(h5.browser)
    worker.on('pageerror', (e) => errors.push(e.message))
    await signIn(worker, h5.base, '13800000002')
    await open(worker, h5.base, `/pages/report/index`)
    await tap(visibleText(worker, '工单处理', true))
    await visibleText(worker, '消防通道被私家车占用').waitFor({ timeout: 20_000 })
    await visibleText(worker, '待受理 1').waitFor()
    await screenshot(worker, 'reports-04-work-list')
    await tap(visibleText(worker, '消防通道被私家车占用'))
    await worker.waitForURL(/handle\/index/, { timeout: 20_000 })

    const act = async (label: string, fill?: () => Promise<void>) => {
      await button(worker, label).click({ timeout: 20_000 })
      await fill?.()
      await button(worker, `确认${label}`).click()
      try {
        // exact text: 受理 must not match 不予受理
        await worker.locator('.rp-handle__action').filter({ visible: true }).filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) }).first().waitFor({ state: 'detached', timeout: 20_000 })
      } catch (e) {
        await screenshot(worker, `reports-failed-${label}`)
        throw e
      }
    }
    await act('受理')
    await act('派遣', async () => {
      // the region's workers to pick from, instead of typing an id
      await worker.locator('.nut-radio').filter({ visible: true }).filter({ hasText: '演示网格员 · 幸福里社区' }).first().click({ timeout: 20_000 })
      await screenshot(worker, 'reports-05a-handle-dispatch')
    })
    await button(worker, '整改完成').click({ timeout: 20_000 })
    await choosePhoto(worker, '整改照片')
    await visibleText(worker, '已上传', true).waitFor({ timeout: 20_000 })
    await input(worker, '整改情况说明（选填）').fill('已联系车主挪车，通道恢复畅通')
    await screenshot(worker, 'reports-05-handle-rectify')
    await button(worker, '确认整改完成').click()
    await act('核查销号')
    await visibleText(worker, '已销号').waitFor({ timeout: 20_000 })
    await screenshot(worker, 'reports-06-handle-closed')

    // ---- resident: timeline and rating
    await open(resident, h5.base, `/packages/reports/pages/detail/index?id=${id}`)
    await visibleText(resident, '评价处理结果').waitFor({ timeout: 20_000 })
    for (const text of ['已联系车主挪车，通道恢复畅通', '网格员', '已销号']) await visibleText(resident, text).waitFor()
    expect(await resident.locator('.rp-tl__photo').filter({ visible: true }).count()).toBe(1)
    // the photos load through the signed links in the answer (an <img> sends no credentials)
    await resident.waitForFunction(() => {
      const imgs = Array.from(document.querySelectorAll<HTMLImageElement>('.rp-tl__photo img, .rp-head__photo img'))
      return imgs.length >= 2 && imgs.every((i) => i.complete && i.naturalWidth > 0 && /[?&]sig=/.test(i.src))
    }, undefined, { timeout: 20_000 })
    expect(await resident.locator('.rp-tl__item').filter({ visible: true }).count()).toBeGreaterThanOrEqual(5)
    await tap(resident.locator('.rp-detail__rating .nut-rate-item').filter({ visible: true }).nth(4))
    await input(resident, '说说处理得怎么样（选填）').fill('处理很快')
    await screenshot(resident, 'reports-07-detail-rate')
    await button(resident, '提交评价').click()
    await visibleText(resident, '我的评价').waitFor({ timeout: 20_000 })
    await screenshot(resident, 'reports-08-detail-rated')
    const rated = await h5.t.ctx.db.one<{ state: string }>(`SELECT state FROM reports WHERE id = $1`, [id])
    expect(rated?.state).toBe('closed')

    // the list shows it, 已销号
    await open(resident, h5.base, `/pages/report/index`)
    try {
      await visibleText(resident, '消防通道被私家车占用').waitFor({ timeout: 20_000 })
    } catch (e) {
      await screenshot(resident, 'reports-failed-list')
      throw e
    }
    await screenshot(resident, 'reports-09-tab-list')
    expect(errors).toEqual([])
  }, 240_000)

  it('worker: 工单 → 每日统计 with the counts of the server, and 导出问题台账 downloads the .xlsx', async () => {
    const errors: string[] = []
    const worker = await phonePage(h5.browser)
    worker.on('pageerror', (e) => errors.push(e.message))
    await signIn(worker, h5.base, '13800000002', h5.t)
    await open(worker, h5.base, `/packages/reports/pages/work/index`)
    await visibleText(worker, '每日统计 · 导出问题台账', true).waitFor({ timeout: 20_000 })
    await screenshot(worker, 'reports-10-work-stats-link')
    await tap(visibleText(worker, '每日统计 · 导出问题台账', true))
    await worker.waitForURL(/packages\/reports\/pages\/stats\/index/, { timeout: 20_000 })
    await visibleText(worker, '合计', true).waitFor({ timeout: 20_000 })
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
    const figures = await h5.t.ctx.db.one<{ created: number; closed: number }>(
      `SELECT count(*) FILTER (WHERE created_at >= ($1::date - 6)::timestamp AT TIME ZONE 'Asia/Shanghai')::int AS created,
              count(*) FILTER (WHERE state IN ('closed', 'closed_not_fixed') AND closed_at >= ($1::date - 6)::timestamp AT TIME ZONE 'Asia/Shanghai')::int AS closed
         FROM reports WHERE community_code = '329901001001'`,
      [today],
    )
    const shown = await worker.locator('.rp-stats__num').filter({ visible: true }).allInnerTexts()
    expect(shown.slice(0, 2).map(Number)).toEqual([figures!.created, figures!.closed])
    await screenshot(worker, 'reports-11-stats')

    // the server holds the file back a moment, so that the progress is there to be seen
    let release: () => void = () => undefined
    const held = new Promise<void>((r) => (release = r))
    await worker.route('**/api/v1/reports/export.xlsx*', async (route) => {
      await held
      await route.continue()
    })
    const download = worker.waitForEvent('download', { timeout: 30_000 })
    await button(worker, '导出问题台账').click()
    await visibleText(worker, '正在生成台账，请稍候…', true).waitFor({ timeout: 20_000 })
    await screenshot(worker, 'reports-12-stats-exporting')
    release()
    const file = path.join(dataDir, 'ledger.xlsx')
    await (await download).saveAs(file)
    const ExcelJS = (await import('exceljs')).default
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    expect(wb.getWorksheet('问题台账')!.actualRowCount).toBe(figures!.created + 1)
    await visibleText(worker, '导出问题台账', true).waitFor({ timeout: 20_000 })
    await screenshot(worker, 'reports-13-stats-exported')
    expect(errors).toEqual([])
  }, 120_000)
})

import AxeBuilder from '@axe-core/playwright'
import ExcelJS from 'exceljs'
import type { Page } from 'playwright-core'
import { bulletinJob } from '../../server/modules/rates/bulletin'
import { drainOutbox, todayShanghai } from '../../server/modules/rates/service'
import { DEMO_ACCOUNTS } from '../helpers/app'
import { browserAvailable, h5Suite, open, phonePage, screenshot, signIn, tap, visibleText } from './browser'

const run = browserAvailable() ? describe : describe.skip
const D = new Date(Date.parse(`${todayShanghai()}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
const at = (hour: number) => new Date(Date.parse(`${D}T00:00:00Z`) - 8 * 3_600_000 + hour * 3_600_000)

async function expectAccessible(page: Page, what: string) {
  const r = await new AxeBuilder({ page: page as never }).analyze()
  const taroPageRoot = (n: { target: unknown[] }) => String(n.target[0]).startsWith('#\\/')
  const bad = r.violations
    .map((v) => (v.id === 'scrollable-region-focusable' ? { ...v, nodes: v.nodes.filter((n) => !taroPageRoot(n)) } : v))
    .filter((v) => (v.impact === 'serious' || v.impact === 'critical') && v.nodes.length > 0)
  expect([what, bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`)]).toEqual([what, []])
}

run('创文每日通报 in the browser', () => {
  process.env.RATES_INTERVAL_MS = '0'
  process.env.BULLETIN_INTERVAL_MS = '0'
  const s = h5Suite()

  beforeAll(async () => {
    const db = s.t.ctx.db
    const staff = (await db.one<{ id: number }>(`SELECT id::int AS id FROM users WHERE phone = $1`, [DEMO_ACCOUNTS.office.phone]))!.id
    const campaign = (await db.one<{ id: number }>(
      `INSERT INTO quiz_campaigns (region_code, title, starts_at, ends_at, question_count, time_limit_seconds, pass_score, max_attempts, created_by, counts_for_awareness)
       VALUES ('3299', '知识竞赛', now() - interval '30 days', now() + interval '30 days', 5, 600, 60, 3, $1, true) RETURNING id::int AS id`, [staff]))!.id
    // every community of the demo city: 30–45 quiz takers yesterday with a pass share of its own, so that the charts and rankings show something
    const communities = await db.query<{ code: string }>(`SELECT code FROM regions WHERE level = 'community' ORDER BY code`)
    for (const [i, c] of communities.entries()) {
      const n = 30 + ((i * 7) % 16)
      await db.query(
        `WITH u AS (INSERT INTO users (nickname, community_code) SELECT 'b' || g, $1 FROM generate_series(1, $2) g RETURNING id),
              k AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM u)
         INSERT INTO quiz_attempts (kind, campaign_id, user_id, community_code, attempt_no, question_ids, total, started_at, expires_at, submitted_at, score, correct_count, passed)
         SELECT 'campaign', $3, id, $1, 1, '{}', 5, $4, $4::timestamptz + interval '10 minutes', $4, 80, 4, k <= $5 FROM k`,
        [c.code, n, campaign, at(10 + (i % 8)), Math.round(n * (0.45 + ((i * 13) % 50) / 100))])
      if (i % 5 === 0) {
        await db.query(
          `INSERT INTO reports (category_code, reporter_id, lng, lat, community_code, department, due_at, created_at)
           VALUES ('littering', $1, 118.75, 32.05, $2, '城市管理局', $3, $4)`, [staff, c.code, at(12), at(9)])
      }
    }
    await drainOutbox(db)
    expect(await bulletinJob(s.t.ctx, new Date(at(24 + 9)))).toEqual([D])
  }, 120_000)

  it('the office reads yesterday’s bulletin on a PC: figures, charts, rankings, Excel', async () => {
    const context = await s.browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
    const page = await context.newPage()
    try {
      await signIn(page, s.base, DEMO_ACCOUNTS.office.phone, s.t)
      await open(page, s.base, '/packages/rates/pages/bulletin/index')
      await visibleText(page, '各街道知晓率').waitFor({ timeout: 30_000 })
      const [y, m, d] = D.split('-').map(Number)
      await page.locator('.rb-layout__side').getByText(`${y}年${m}月${d}日`).first().waitFor()
      // drawn: the canvas is no longer blank
      await page.waitForFunction(() => {
        const c = document.querySelector('#rb-chart-figure-awareness canvas, canvas#rb-chart-figure-awareness') as HTMLCanvasElement | null
        return !!c && c.width > 0 && c.toDataURL().length > 5000
      }, undefined, { timeout: 20_000 })
      const layout = await page.locator('.rb-layout').evaluate((e) => getComputedStyle(e).gridTemplateColumns)
      expect(layout.split(' ')).toHaveLength(2)
      await screenshot(page, 'rates-bulletin-office-pc')
      await page.locator('#rb-chart-overdue').scrollIntoViewIfNeeded()
      await screenshot(page, 'rates-bulletin-office-pc-charts')
      await expectAccessible(page, 'bulletin on a PC')
      await tap(page.locator('.rb-pick').getByText('参与率', { exact: true }))
      await visibleText(page, '各街道参与率').waitFor()
      const [download] = await Promise.all([page.waitForEvent('download'), tap(page.getByText('下载 Excel').first())])
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.readFile((await download.path())!)
      expect(wb.worksheets.map((w) => w.name)).toEqual(['各项比率', '排名', '随手拍与参与', '说明'])
    } finally {
      await context.close()
    }
  })

  it('the worker reads it on the phone and subscribes where WeChat is (here: told to use the mini-program)', async () => {
    const page = await phonePage(s.browser)
    try {
      await signIn(page, s.base, DEMO_ACCOUNTS.worker.phone, s.t)
      await open(page, s.base, '/packages/rates/pages/bulletin/index')
      await visibleText(page, '接收每日通报消息').waitFor({ timeout: 30_000 })
      await visibleText(page, '各街道知晓率').waitFor()
      await screenshot(page, 'rates-bulletin-worker-phone')
      await page.locator('.rb-table').last().scrollIntoViewIfNeeded()
      await screenshot(page, 'rates-bulletin-worker-phone-table')
      await expectAccessible(page, 'bulletin on a phone')
    } finally {
      await page.context().close()
    }
  })
})

import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import type { Page } from 'playwright-core'
import { ARTIFACTS, axeProblems, browserAvailable, h5Suite, open, screenshot, settle, signIn, tap } from './browser'
import { DEMO_ACCOUNTS } from '../helpers/app'
import { drainOutbox } from '../../server/modules/rates/service'

// the test counts the outbox itself, when the answers are in
process.env.RATES_INTERVAL_MS = '0'

const run = browserAvailable() ? describe : describe.skip
const CITY = '3299'
const STREET = '329901001' // 湖滨街道
const HAPPY = '329901001001' // 幸福里社区
const hour = 3600_000
const TITLE = '看板 E2E 创文问卷'

/** Respondents per community and how many of them know of the campaign (30 is the ranking threshold). */
const PLAN: Array<{ community: string; n: number; aware: number }> = [
  { community: HAPPY, n: 31, aware: 29 },
  { community: '329901001002', n: 30, aware: 18 },
  { community: '329901001003', n: 30, aware: 27 },
  { community: '329901001004', n: 5, aware: 5 },
  { community: '329901002001', n: 30, aware: 24 },
]

type Dash = { region: { name: string; figures: Array<{ figure: string; rate: number | null; n: number }> }; children: Array<{ regionCode: string; name: string }> }

run('H5 in chromium: the office reads the rates dashboard at desktop width', () => {
  const h5 = h5Suite()
  let office = ''

  beforeAll(async () => {
    const t = h5.t
    office = await t.login(DEMO_ACCOUNTS.office.phone)
    const created = await t.as(office, {
      method: 'POST', url: '/api/v1/surveys/admin',
      payload: {
        template: 'chuangwen_standard', title: TITLE, regionCode: CITY, audience: 'residents', anonymous: false,
        startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(),
      },
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id as number
    expect((await t.as(office, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).statusCode).toBe(200)
    let seq = 0
    const jobs = PLAN.flatMap((p) => Array.from({ length: p.n }, (_, i) => ({ community: p.community, aware: i < p.aware, phone: `1371234${String(++seq).padStart(4, '0')}` })))
    // a few at a time: each is a sign-in, a community and a submitted survey through the API
    for (let i = 0; i < jobs.length; i += 8) {
      await Promise.all(jobs.slice(i, i + 8).map(async (j) => {
        const token = await t.login(j.phone)
        expect((await t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: j.community } })).statusCode).toBe(200)
        const answers = {
          age: { choice: 'a30_44' }, residence: { choice: 'gt3y' }, aware: { choice: j.aware ? 'yes' : 'no' }, support: { choice: 'yes' }, overall: { value: 4 },
          areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } },
        }
        expect((await t.as(token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers } })).statusCode).toBe(201)
      }))
    }
    await drainOutbox(t.ctx.db)
  }, 300_000)

  const dash = async (region: string): Promise<Dash> =>
    (await h5.t.as(office, { method: 'GET', url: `/api/v1/rates/dashboard?region=${region}&period=month` })).json()
  const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)
  const card = (page: Page, name: string) => page.locator('.rt-fig').filter({ visible: true }).filter({ has: page.locator('.rt-fig__name', { hasText: new RegExp(`^${name}$`) }) }).first()
  const title = (page: Page) => page.locator('.rt-head__title').filter({ visible: true }).first()
  /** Pixels of a canvas that are not the white background: the chart drew something. */
  const inked = (page: Page, id: string) =>
    page.evaluate((sel) => {
      const c = document.querySelector(sel) as HTMLCanvasElement | null
      const canvas = c?.tagName === 'CANVAS' ? c : c?.querySelector('canvas')
      if (!canvas || !canvas.width) return 0
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
      let n = 0
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++
      return n
    }, `#${id}`)
  /** Waits until a reading passes its check (a chart draws after its data arrives). */
  const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeout = 20_000): Promise<T> => {
    const deadline = Date.now() + timeout
    for (;;) {
      const v = await read()
      if (ok(v)) return v
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`)
      await page0.waitForTimeout(100)
    }
  }
  let page0: Page
  const noProblems = async (page: Page, state: string) => {
    await settle(page)
    expect((await axeProblems(page, { role: 'office', page: 'rates/dashboard', state })).map((p) => p.text)).toEqual([])
  }

  it('city → district (list) → street (map tap) → community; figures, map, charts, rankings, sources, targets and the export', async () => {
    const errors: string[] = []
    const context = await h5.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
    const page = await context.newPage()
    page0 = page
    page.on('pageerror', (e) => errors.push(e.message))
    await signIn(page, h5.base, DEMO_ACCOUNTS.office.phone, h5.t)

    // 我的 › 工作 › 比率看板
    await open(page, h5.base, '/pages/mine/index')
    await tap(page.locator('.nut-cell', { hasText: '比率看板' }).first())
    await title(page).filter({ hasText: '示范市' }).waitFor({ timeout: 30_000 })
    await settle(page)

    // the five figures say what the API says
    const city = await dash(CITY)
    for (const f of city.region.figures) {
      const name = { awareness: '知晓率', support: '支持率', satisfaction: '满意率', handling: '处置满意度', participation: '参与率' }[f.figure]!
      await expect(card(page, name).locator('.rt-fig__rate').innerText()).resolves.toBe(pct(f.rate))
    }
    // weighted above the community: the pooled figure and its n beside it
    await expect(card(page, '知晓率').innerText()).resolves.toMatch(/合并（未加权）\d+\.\d%，n=\d+/)

    // a PC layout: five figures in one row, the map beside the list
    const boxes = await Promise.all((await page.locator('.rt-fig').filter({ visible: true }).all()).map((l) => l.boundingBox()))
    expect(new Set(boxes.map((b) => Math.round(b!.y))).size).toBe(1)
    const map = (await page.locator('.rt-card--map').filter({ visible: true }).boundingBox())!
    const list = (await page.locator('.rt-card--list').filter({ visible: true }).boundingBox())!
    expect(list.x).toBeGreaterThan(map.x + map.width - 1)
    expect(Math.abs(list.y - map.y)).toBeLessThan(5)

    // the map and the trend are drawn
    await page.waitForFunction(() => !!document.querySelector('#rt-map-awareness canvas, canvas#rt-map-awareness'))
    await until(() => inked(page, 'rt-map-awareness'), (n) => n > 5000, 'the city map drawn')
    await until(() => inked(page, 'rt-trend-30'), (n) => n > 2000, 'the trend drawn')
    const shot = await screenshot(page, 'rates-office-city')
    fs.copyFileSync(shot, '/work/notes/ratesui-office-city.png')
    await noProblems(page, 'city')

    // drill down by the list: 东湖区
    await tap(page.locator('.rt-list__row').filter({ visible: true }).filter({ hasText: '东湖区' }).first())
    await title(page).filter({ hasText: '东湖区' }).waitFor()
    await settle(page)
    // the district ranks its streets and all its communities; 样本不足 stays out
    const ranks = page.locator('.rt-card--rank').filter({ visible: true })
    await expect(ranks.innerText()).resolves.toContain('全区社区排名')
    await expect(ranks.innerText()).resolves.toContain('幸福里社区')
    await expect(ranks.innerText()).resolves.not.toContain('友谊社区')
    await expect(ranks.innerText()).resolves.toContain('置信区间下限高者在前')

    // drill down by the map: tap 湖滨街道 where uCharts drew it (its centre, through the map's own projection)
    const geo = (await h5.t.app.inject({ method: 'GET', url: '/api/v1/regions/329901/children/geometry' })).json() as { items: Array<{ code: string; geometry: { coordinates: number[][][] } }> }
    const pts = geo.items.flatMap((g) => g.geometry.coordinates.flat())
    const [xMin, xMax, yMin, yMax] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))]
    await until(() => inked(page, 'rt-map-awareness'), (n) => n > 5000, 'the district map drawn')
    const mapCanvas = page.locator('#rt-map-awareness canvas, canvas#rt-map-awareness').filter({ visible: true }).first()
    await mapCanvas.scrollIntoViewIfNeeded()
    const canvas = (await mapCanvas.boundingBox())!
    const ring = geo.items.find((g) => g.code === STREET)!.geometry.coordinates[0]
    const [cx, cy] = [(Math.min(...ring.map((p) => p[0])) + Math.max(...ring.map((p) => p[0]))) / 2, (Math.min(...ring.map((p) => p[1])) + Math.max(...ring.map((p) => p[1]))) / 2]
    const scale = Math.min(canvas.width / (xMax - xMin), canvas.height / (yMax - yMin))
    const x = canvas.x + canvas.width / 2 - ((xMax - xMin) / 2) * scale + (cx - xMin) * scale
    const y = canvas.y + canvas.height / 2 - ((yMax - yMin) / 2) * scale + (yMax - cy) * scale
    await page.mouse.click(x, y)
    await title(page).filter({ hasText: '湖滨街道' }).waitFor({ timeout: 20_000 })
    await settle(page)
    const street = await dash(STREET)
    // the list ranks the communities; 友谊社区 (5 people) is marked and not ranked
    const rows = page.locator('.rt-list__row').filter({ visible: true })
    await expect(rows.filter({ hasText: '友谊社区' }).first().innerText()).resolves.toContain('样本不足')
    const happy = await dash(HAPPY)
    expect(street.children.map((c) => c.regionCode)).toContain(HAPPY)
    await expect(rows.filter({ hasText: '幸福里社区' }).first().locator('.rt-list__c--rate').innerText()).resolves.toBe(pct(happy.region.figures[0].rate))
    const shotStreet = await screenshot(page, 'rates-office-street')
    fs.copyFileSync(shotStreet, '/work/notes/ratesui-office-street.png')
    await noProblems(page, 'street')

    // to a community by the list; the breadcrumb shows the way back
    await tap(rows.filter({ hasText: '幸福里社区' }).first())
    await title(page).filter({ hasText: '幸福里社区' }).waitFor()
    await settle(page)
    await expect(page.locator('.rt-crumbs').filter({ visible: true }).innerText()).resolves.toMatch(/示范市\s*›\s*东湖区\s*›\s*湖滨街道\s*›\s*幸福里社区/)
    await expect(card(page, '知晓率').locator('.rt-fig__rate').innerText()).resolves.toBe(pct(happy.region.figures[0].rate))

    // the sources of 知晓率, then of 支持率
    const src = page.locator('.rt-card--src').filter({ visible: true })
    await expect(src.innerText()).resolves.toContain(TITLE)
    await expect(src.innerText()).resolves.toContain('Wilson 95%（无连续性校正）')
    await tap(card(page, '支持率'))
    await page.locator('.rt-card--src .cl-card__title').filter({ visible: true }).filter({ hasText: '支持率的来源' }).waitFor()
    await settle(page)
    await expect(src.innerText()).resolves.toContain(TITLE)

    // the office sets this community's 支持率 target to 95%
    const row = page.locator('.rt-targets__row').filter({ visible: true }).filter({ hasText: '支持率' }).first()
    const field = row.locator('input').first()
    await field.fill('95')
    await field.blur()
    await tap(row.locator('.nut-button', { hasText: '保存' }))
    await until(() => card(page, '支持率').innerText(), (s) => s.includes('目标 95%'), 'the new target shown')
    expect(await h5.t.ctx.db.one('SELECT target::float8 AS target FROM rate_targets WHERE region_code = $1 AND figure = $2', [HAPPY, 'support'])).toEqual({ target: 0.95 })
    await noProblems(page, 'community')

    // export: the file parses back and holds the figures shown
    const download = page.waitForEvent('download')
    await tap(page.locator('.nut-button', { hasText: '导出 Excel' }).filter({ visible: true }).first())
    const file = path.join(ARTIFACTS, 'rates-export.xlsx')
    await (await download).saveAs(file)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['本区域', '下级区域', '排名', '近30天趋势', '来源'])
    const aware = wb.getWorksheet('本区域')!.getRow(3).values as unknown[]
    expect(aware.slice(1, 2)).toEqual(['知晓率'])
    expect(pct(aware[2] as number)).toBe(await card(page, '知晓率').locator('.rt-fig__rate').innerText())

    // back up by the breadcrumb
    await tap(page.locator('.rt-crumbs__item--link', { hasText: '示范市' }).filter({ visible: true }))
    await title(page).filter({ hasText: '示范市' }).waitFor()
    expect(errors).toEqual([])
    await context.close()
  }, 300_000)

  it('a community worker on a phone sees their own community, cannot go above it, and reads its sources', async () => {
    const context = await h5.browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    await signIn(page, h5.base, DEMO_ACCOUNTS.worker.phone, h5.t)
    await open(page, h5.base, '/packages/rates/pages/dashboard/index')
    await title(page).filter({ hasText: '幸福里社区' }).waitFor({ timeout: 30_000 })
    await settle(page)
    expect(await page.locator('.rt-crumbs__item--link').filter({ visible: true }).count()).toBe(0)
    expect(await page.locator('.rt-card--targets').filter({ visible: true }).count()).toBe(0)
    await expect(page.locator('.rt-card--src').filter({ visible: true }).innerText()).resolves.toContain(TITLE)
    const shot = await screenshot(page, 'rates-worker-phone')
    fs.copyFileSync(shot, '/work/notes/ratesui-worker-phone.png')
    expect((await axeProblems(page, { role: 'worker', page: 'rates/dashboard' })).map((p) => p.text)).toEqual([])
    await context.close()
  }, 120_000)
})

import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import AxeBuilder from '@axe-core/playwright'
import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/app'

export const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts')

/** Debian's chromium, or null where it is absent (allowed only outside CI). */
export function chromiumPath(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p
  }
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}

export const browserAvailable = (): boolean => {
  const found = chromiumPath() !== null
  if (!found && process.env.CI) throw new Error('CI=true 但没有找到 chromium：运行 npm run browser:install')
  return found
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath()!,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

export async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  trackApiCalls(page)
  return page
}

/** API calls a page has sent and not yet seen answered (settle() waits for none). */
const pendingCalls = new WeakMap<Page, Set<unknown>>()
function trackApiCalls(page: Page): void {
  const pending = new Set<unknown>()
  pendingCalls.set(page, pending)
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/')) pending.add(r)
  })
  page.on('requestfinished', (r) => pending.delete(r))
  page.on('requestfailed', (r) => pending.delete(r))
}

/**
 * Waits until the page shown is ready to be looked at: its root is on screen and has stopped moving (Taro's
 * slide-in), no loading state is visible and no API call is under way — the same for several looks in a row, as a
 * finished load may start the next one. Returns the route shown (the hash, e.g. `/pages/login/index?redirect=…`).
 */
export async function settle(page: Page, timeout = 30_000): Promise<string> {
  const pending = pendingCalls.get(page)
  const deadline = Date.now() + timeout
  let last = ''
  let calm = 0
  for (;;) {
    const look = await page.evaluate(() => {
      const onScreen = (el: Element) => {
        const r = el.getBoundingClientRect()
        return r.width > 0 && r.height > 0
      }
      const root = Array.from(document.querySelectorAll('.cl-page')).find(onScreen)
      const loading = Array.from(document.querySelectorAll('.cl-state--loading, .nut-skeleton')).some(onScreen)
      const box = root?.getBoundingClientRect()
      return { ready: !!root && !loading, at: box ? `${box.x},${box.y},${box.width}` : '', hash: decodeURIComponent(location.hash.replace(/^#/, '')) }
    })
    const state = `${look.at} ${look.hash}`
    calm = look.ready && !pending?.size && state === last ? calm + 1 : 0
    last = state
    if (calm >= 3) return look.hash
    if (Date.now() > deadline) throw new Error(`the page did not settle: ${JSON.stringify({ ...look, pendingApiCalls: pending?.size })}`)
    await page.waitForTimeout(100)
  }
}

/** The pages of the app, from src/app.config.ts: the main package's, then each subpackage's (`root/page`). */
export function appRoutes(): string[] {
  const g = globalThis as { defineAppConfig?: (c: unknown) => unknown }
  g.defineAppConfig ??= (c) => c
   
  const config = require('../../src/app.config').default as { pages: string[]; subPackages?: { root: string; pages: string[] }[]; subpackages?: { root: string; pages: string[] }[] }
  const subs = config.subPackages ?? config.subpackages ?? []
  return [...config.pages, ...subs.flatMap((s) => s.pages.map((p) => `${s.root.replace(/\/+$/, '')}/${p}`))]
}

export interface AxeProblem {
  rule: string
  impact: string
  target: string
  role: string
  page: string
  state: string
  /** one line: role, page, state, rule, impact, element, what is wrong */
  text: string
}

/** axe-core's serious and critical violations on what the page shows now, one entry per element. */
export async function axeProblems(page: Page, where: { role: string; page: string; state?: string }): Promise<AxeProblem[]> {
  const results = await new AxeBuilder({ page }).analyze()
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map((n) => {
        const target = n.target.map(String).join(' ')
        const why = (n.failureSummary ?? v.help).split('\n').slice(1).join(' ').trim() || v.help
        const state = where.state ? ` [${where.state}]` : ''
        return { rule: v.id, impact: v.impact!, target, role: where.role, page: where.page, state: where.state ?? '', text: `${where.role} ${where.page}${state} — ${v.id} (${v.impact}) ${target}: ${why}` }
      }),
    )
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  // let Taro's page slide-in (~600 ms) finish so the picture shows one page
  await page.waitForTimeout(800)
  const file = path.join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path: file })
  return file
}

/** Taro H5 renders a native <input> inside its own element; both carry the placeholder. */
export const input = (page: Page, placeholder: string) => page.locator(`input[placeholder="${placeholder}"], textarea[placeholder="${placeholder}"]`).first()

/**
 * Signs in through the H5 login page with the demo code the page shows (demo mode only). Pass the test app to
 * sign one phone in more than once a minute (it moves earlier codes out of the resend window).
 */
export async function signIn(page: Page, base: string, phone: string, t?: { ctx: { db: { query: (sql: string, p: unknown[]) => Promise<unknown> } } }): Promise<void> {
  await t?.ctx.db.query(`UPDATE sms_codes SET created_at = created_at - interval '2 minutes' WHERE phone = $1`, [phone])
  await page.goto(`${base}/#/pages/login/index`)
  await input(page, '请输入手机号').fill(phone)
  await page.locator('.login__send').click()
  const code = (await page.locator('.login__demo-value').innerText({ timeout: 15_000 })).trim()
  if (!/^\d{6}$/.test(code)) throw new Error(`no demo code on the login page: ${code}`)
  await input(page, '6位验证码').fill(code)
  await page.locator('.login__submit').click()
  await page.waitForURL((u) => !u.hash.includes('pages/login'), { timeout: 20_000 })
}

/**
 * Opens a page of the app as a fresh document load. A goto that changes only the hash is handled by Taro's router
 * inside the running app, and can race a navigation still under way (the one after sign-in): the app then shows
 * another page than the one asked for.
 */
export async function open(page: Page, base: string, route: string): Promise<void> {
  await page.goto(`${base}/?open=${Date.now()}#${route}`)
}

/** Taro H5 keeps earlier pages in the DOM (hidden): match visible text only. */
export const visibleText = (page: Page, text: string, exact = false) => page.getByText(text, { exact }).filter({ visible: true }).first()

/**
 * A tap on an element that NutUI covers with another layer (so Playwright's own hit check refuses it): waits
 * until the element stops moving (Taro's page slide-in), then clicks it where it is.
 */
export async function tap(locator: Locator, timeout = 20_000): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout })
  let last = ''
  for (let i = 0; i < 50; i++) {
    const box = JSON.stringify(await locator.boundingBox())
    if (box === last && box !== 'null') break
    last = box
    await locator.page().waitForTimeout(100)
  }
  await locator.click({ force: true, timeout })
}

export interface H5Suite {
  readonly t: TestApp
  /** http://127.0.0.1:<port> of the server that serves dist/h5 and the API */
  readonly base: string
  readonly browser: Browser
}

/** For a describe block: a demo-seeded server serving the H5 build on a free port, and chromium; closed after. */
export function h5Suite(opts: () => TestAppOptions | Promise<TestAppOptions> = () => ({})): H5Suite {
  let t: TestApp | undefined
  let base = ''
  let browser: Browser | undefined
  beforeAll(async () => {
    t = await createTestApp({ ...(await opts()), serveH5: true })
    base = await t.app.listen({ port: 0, host: '127.0.0.1' })
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  }, 60_000)
  return {
    get t() { return t! },
    get base() { return base },
    get browser() { return browser! },
  }
}

import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { chromium, type Browser, type Page } from 'playwright-core'

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
  return context.newPage()
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  const file = path.join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path: file })
  return file
}

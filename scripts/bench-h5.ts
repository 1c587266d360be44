// npm run bench -- h5 — figures, not a test: the H5 app on a cheap phone, cold cache.
// Lighthouse's mobile profile in Debian's chromium through the DevTools protocol: 4× CPU slowdown, 1.6 Mbps down,
// 750 Kbps up, 150 ms round trip, HTTP cache off. Against the production server (server/main.ts, demo mode, a throw-away
// data directory) serving dist/h5, it opens the sign-in page, then 首页 signed in (a demo resident with a community),
// each as a fresh document load, and prints first contentful paint, largest contentful paint (PerformanceObserver)
// and the bytes on the wire. BENCH_RUNS (default 3) loads of each page; the median is printed after the runs.
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import type { BrowserContext, Page } from 'playwright-core'
import { ROOT, ensureBuilt } from './builds.mjs'
import { browserAvailable, input, launch } from '../test/e2e/browser'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
/** BENCH_TRACE=1: print each request's start and end (ms from the first) and its bytes */
const TRACE = process.env.BENCH_TRACE === '1'
const PROFILE = { cpu: 4, latencyMs: 150, downKbps: 1.6 * 1024, upKbps: 750 }
const RESIDENT = '13800000001'
const COMMUNITY = '329901001001'
const say = (s: string) => process.stdout.write(`${s}\n`)

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** `npm start`'s server, demo mode, on its own data directory; resolves once it answers. */
async function startServer(): Promise<{ base: string; child: ChildProcess; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-bench-h5-'))
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DEMO: '1', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const base = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server stopped:\n${output}`)
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) return { base, child, dataDir }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}

async function api<T>(base: string, method: string, url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`)
  return res.json() as Promise<T>
}

interface Load { fcp: number; lcp: number; bytes: number; jsBytes: number; requests: number }

/**
 * One cold load of `url` in a new tab of `context`, throttled before the first byte. `ready` waits for what the
 * page is there to show; LCP is read once that is on screen and the network has been quiet for 500 ms.
 */
async function measure(context: BrowserContext, url: string, ready: (page: Page) => Promise<unknown>): Promise<Load> {
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: PROFILE.latencyMs,
    downloadThroughput: (PROFILE.downKbps * 1024) / 8,
    uploadThroughput: (PROFILE.upKbps * 1024) / 8,
  })
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PROFILE.cpu })
  const types = new Map<string, string>()
  let bytes = 0
  let jsBytes = 0
  let requests = 0
  const started = new Map<string, { url: string; at: number }>()
  let t0 = 0
  cdp.on('Network.requestWillBeSent', (e) => {
    t0 ||= e.timestamp
    started.set(e.requestId, { url: e.request.url, at: e.timestamp })
  })
  const waits = new Map<string, number>()
  cdp.on('Network.responseReceived', (e) => {
    types.set(e.requestId, e.type)
    const t = e.response.timing
    if (t) waits.set(e.requestId, t.receiveHeadersEnd - t.sendEnd)
  })
  cdp.on('Network.loadingFinished', (e) => {
    const r = started.get(e.requestId)
    if (r?.url.startsWith('data:')) return
    if (TRACE && r) say(`    ${((r.at - t0) * 1000).toFixed(0).padStart(5)}–${((e.timestamp - t0) * 1000).toFixed(0).padStart(5)} ms ${String(e.encodedDataLength).padStart(7)} B, first byte after ${(waits.get(e.requestId) ?? 0).toFixed(0)} ms ${r.url.replace(/^https?:\/\/[^/]+/, '')}`)
    bytes += e.encodedDataLength
    requests += 1
    if (types.get(e.requestId) === 'Script') jsBytes += e.encodedDataLength
  })
  await page.addInitScript(() => {
    const w = window as unknown as { __lcp: number }
    w.__lcp = 0
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__lcp = e.startTime
    }).observe({ type: 'largest-contentful-paint', buffered: true })
  })
  await page.goto(url)
  await ready(page)
  await page.waitForLoadState('networkidle')
  const { fcp, lcp } = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0,
    lcp: (window as unknown as { __lcp: number }).__lcp,
  }))
  await page.close()
  return { fcp, lcp, bytes, jsBytes, requests }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`

function print(name: string, loads: Load[]) {
  for (const [i, l] of loads.entries()) {
    say(`  ${name} #${i + 1}: FCP ${s(l.fcp)}  LCP ${s(l.lcp)}  ${kb(l.bytes)} on the wire (JS ${kb(l.jsBytes)}), ${l.requests} requests`)
  }
  const pick = (k: keyof Load) => median(loads.map((l) => l[k]))
  say(`${name} median: FCP ${s(pick('fcp'))}  LCP ${s(pick('lcp'))}  ${kb(pick('bytes'))} on the wire (JS ${kb(pick('jsBytes'))})  — goal LCP ≤ 2.50 s`)
}

async function main() {
  if (!browserAvailable()) {
    console.error('没有找到 chromium：运行 npm run browser:install')
    process.exit(1)
  }
  ensureBuilt('h5')
  const server = await startServer()
  const browser = await launch()
  try {
    const { base } = server
    say(`H5 on a cheap phone: ${PROFILE.cpu}× CPU, ${PROFILE.downKbps / 1024} Mbps down / ${PROFILE.upKbps} Kbps up, ${PROFILE.latencyMs} ms RTT, cache off; ${RUNS} loads each`)
    const phone = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', isMobile: true, hasTouch: true }

    const login: Load[] = []
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext(phone)
      login.push(await measure(context, `${base}/#/pages/login/index`, (p) => input(p, '请输入手机号').waitFor({ timeout: 120_000 })))
      await context.close()
    }
    print('sign-in page', login)

    // signed in once through the page itself, unthrottled; each measured load is a new context holding that storage
    // (the token) with the cache off, as when the phone has dropped the app
    const signing = await browser.newContext(phone)
    const p = await signing.newPage()
    await p.goto(`${base}/#/pages/login/index`)
    await input(p, '请输入手机号').fill(RESIDENT)
    await p.locator('.login__send').click()
    const code = (await p.locator('.login__demo-value').innerText({ timeout: 30_000 })).trim()
    await input(p, '6位验证码').fill(code)
    await p.locator('.login__submit').click()
    await p.waitForURL((u) => !u.hash.includes('pages/login'), { timeout: 30_000 })
    const storageState = await signing.storageState()
    await signing.close()
    // the demo resident moves to 幸福里社区, so 首页 shows the community card rather than the empty state
    // (Taro's H5 storage keeps each value as {"data": …})
    const stored = storageState.origins.flatMap((o) => o.localStorage).find((e) => e.name === 'civiclink.token')?.value ?? ''
    const token = (JSON.parse(stored) as { data: string }).data
    await api(base, 'PATCH', '/me', { communityCode: COMMUNITY }, token)
    const home: Load[] = []
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ ...phone, storageState })
      home.push(await measure(context, `${base}/#/pages/index/index`, (pg) => pg.getByText('幸福里社区').filter({ visible: true }).first().waitFor({ timeout: 120_000 })))
      await context.close()
    }
    print('首页 (signed in)', home)
  } finally {
    await browser.close()
    server.child.kill('SIGTERM')
    await new Promise((r) => server.child.once('exit', r))
    fs.rmSync(server.dataDir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})

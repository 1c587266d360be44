import fs from 'node:fs'
import path from 'node:path'
import { browserAvailable, h5Suite, input, phonePage } from './browser'

const run = browserAvailable() ? describe : describe.skip
const H5 = path.resolve(__dirname, '../../dist/h5')
const MANIFEST = path.resolve(__dirname, '../../dist/h5-pages.json')

run('H5 build as a phone receives it', () => {
  const h5 = h5Suite()

  it('every script and stylesheet of the build has brotli and gzip copies beside it', () => {
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]))
    const text = walk(H5).filter((f) => /\.(js|css)$/.test(f) && fs.statSync(f).size >= 1024)
    expect(text.length).toBeGreaterThan(5)
    expect(text.filter((f) => !fs.existsSync(`${f}.br`) || !fs.existsSync(`${f}.gz`))).toEqual([])
  })

  it('index.html preloads only chunks that every main-package page needs', () => {
    const { pages } = JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as { pages: Record<string, string[]> }
    const html = fs.readFileSync(path.join(H5, 'index.html'), 'utf8')
    const preloaded = [...html.matchAll(/<link rel="preload" href="\/([^"]+)"/g)].map((m) => m[1])
    expect(preloaded.length).toBeGreaterThan(0)
    for (const [page, files] of Object.entries(pages)) {
      if (page.startsWith('pages/')) expect(preloaded.filter((f) => !files.includes(f))).toEqual([])
    }
  })

  it('the sign-in page loads only its own files, brotli-compressed and cached for good', async () => {
    const page = await phonePage(h5.browser)
    const seen: { file: string; encoding?: string; cache?: string }[] = []
    page.on('response', (r) => {
      const url = new URL(r.url())
      if (/^\/(js|css)\//.test(url.pathname)) seen.push({ file: url.pathname.slice(1), encoding: r.headers()['content-encoding'], cache: r.headers()['cache-control'] })
    })
    const html = await page.goto(`${h5.base}/#/pages/login/index`)
    expect(html?.headers()['cache-control']).toBe('no-cache')
    await input(page, '请输入手机号').waitFor({ timeout: 20_000 })
    await page.waitForLoadState('networkidle')

    const { entry, pages } = JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as { entry: string[]; pages: Record<string, string[]> }
    const expected = new Set([...entry, ...pages['pages/login/index']])
    expect(seen.map((s) => s.file).filter((f) => !expected.has(f))).toEqual([])
    expect(seen.filter((s) => s.file.endsWith('.js')).length).toBeGreaterThanOrEqual(2)
    // no chunk of another page, and nothing the size of the old all-pages chunk
    const loaded = seen.filter((s) => s.file.endsWith('.js')).reduce((sum, s) => sum + fs.statSync(path.join(H5, s.file)).size, 0)
    const everything = Object.values(pages).flat().concat(entry).filter((f, i, a) => f.endsWith('.js') && a.indexOf(f) === i)
    expect(loaded).toBeLessThan(everything.reduce((sum, f) => sum + fs.statSync(path.join(H5, f)).size, 0) * 0.75)
    // files under 1 KB are not worth compressing (config/h5-plugins.ts)
    for (const s of seen) {
      const big = fs.statSync(path.join(H5, s.file)).size >= 1024
      expect(s).toEqual({ file: s.file, encoding: big ? 'br' : undefined, cache: 'public, max-age=31536000, immutable' })
    }
  }, 60_000)
})

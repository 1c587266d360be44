import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { DEMO_ACCOUNTS, createTestApp, type TestApp } from '../helpers/app'

// A small H5 build of our own (the real one is checked in test/e2e/h5-delivery.e2e.test.ts): an index.html, a hashed
// script with its brotli and gzip copies, a hashed stylesheet with only a gzip copy, an unhashed file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-h5-'))
const script = Buffer.from(`console.log(${JSON.stringify('文明共建 '.repeat(400))})\n`)
const style = Buffer.from(`.a{color:#d93026}\n`.repeat(200))
const index = `<!doctype html><html><head><script defer src="/js/app.1c0c55f2.js"></script></head><body><div id="app"></div></body></html>`
fs.mkdirSync(path.join(dir, 'js'))
fs.mkdirSync(path.join(dir, 'css'))
fs.writeFileSync(path.join(dir, 'index.html'), index)
fs.writeFileSync(path.join(dir, 'js/app.1c0c55f2.js'), script)
fs.writeFileSync(path.join(dir, 'js/app.1c0c55f2.js.br'), zlib.brotliCompressSync(script))
fs.writeFileSync(path.join(dir, 'js/app.1c0c55f2.js.gz'), zlib.gzipSync(script))
fs.writeFileSync(path.join(dir, 'css/app.0a1b2c3d.css'), style)
fs.writeFileSync(path.join(dir, 'css/app.0a1b2c3d.css.gz'), zlib.gzipSync(style))
fs.writeFileSync(path.join(dir, 'robots.txt'), 'User-agent: *\n')

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ serveH5: true, seed: false, config: { h5Dir: dir } })
})
afterAll(async () => {
  await t.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const get = (url: string, acceptEncoding?: string) =>
  t.app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} })

describe('the H5 build is served compressed', () => {
  it('a browser that takes brotli gets the .br file, labelled as the script it is', async () => {
    const res = await get('/js/app.1c0c55f2.js', 'gzip, deflate, br')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBe('br')
    expect(res.headers['content-type']).toMatch(/^(application|text)\/javascript/)
    expect(res.headers.vary).toMatch(/accept-encoding/i)
    expect(Number(res.headers['content-length'])).toBeLessThan(script.length / 3)
    expect(zlib.brotliDecompressSync(res.rawPayload).equals(script)).toBe(true)
  })

  it('gzip when the browser takes only gzip, or prefers it', async () => {
    for (const ae of ['gzip', 'br;q=0.5, gzip;q=1']) {
      const res = await get('/js/app.1c0c55f2.js', ae)
      expect(res.headers['content-encoding']).toBe('gzip')
      expect(res.headers.vary).toMatch(/accept-encoding/i)
      expect(zlib.gunzipSync(res.rawPayload).equals(script)).toBe(true)
    }
  })

  it('the plain file when the browser takes no compression, or one the build did not make', async () => {
    for (const ae of [undefined, 'identity', 'deflate']) {
      const res = await get('/js/app.1c0c55f2.js', ae)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-encoding']).toBeUndefined()
      expect(res.rawPayload.equals(script)).toBe(true)
    }
    // only a gzip copy of the stylesheet: brotli asked first, gzip given
    const css = await get('/css/app.0a1b2c3d.css', 'br, gzip')
    expect(css.headers['content-encoding']).toBe('gzip')
    expect(css.headers['content-type']).toMatch(/^text\/css/)
    expect(zlib.gunzipSync(css.rawPayload).equals(style)).toBe(true)
  })

  it('a missing file is 404 whatever the browser takes', async () => {
    expect((await get('/js/missing.1c0c55f2.js', 'br')).statusCode).toBe(404)
  })
})

describe('cache headers', () => {
  it('files named by their content are kept for a year without revalidation, compressed or not', async () => {
    for (const ae of ['br', 'gzip', undefined]) {
      expect((await get('/js/app.1c0c55f2.js', ae)).headers['cache-control']).toBe('public, max-age=31536000, immutable')
    }
    expect((await get('/css/app.0a1b2c3d.css', 'gzip')).headers['cache-control']).toBe('public, max-age=31536000, immutable')
  })

  it('index.html is revalidated on every load, so a new build reaches the phone at once', async () => {
    for (const url of ['/', '/index.html']) {
      const res = await get(url, 'br, gzip')
      expect(res.statusCode).toBe(200)
      expect(res.body).toBe(index)
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.headers.etag).toBeTruthy()
    }
    const first = await get('/', 'br')
    const again = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) } })
    expect(again.statusCode).toBe(304)
  })

  it('a file without a content hash in its name is not kept either', async () => {
    expect((await get('/robots.txt')).headers['cache-control']).toBe('no-cache')
  })

  it('the API is not cached as a static file', async () => {
    const res = await get('/api/v1/health', 'br')
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control'] ?? '').not.toMatch(/immutable|max-age/)
    expect(res.headers.vary ?? '').not.toMatch(/accept-encoding/i)
  })
})

describe('API responses are compressed for the phones that take it', () => {
  let seeded: TestApp
  beforeAll(async () => {
    seeded = await createTestApp()
  })
  afterAll(async () => {
    await seeded.close()
  })
  const api = (url: string, acceptEncoding?: string) =>
    seeded.app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} })

  it('a large JSON answer comes as brotli, or gzip, and decodes to the same body', async () => {
    // the standard 创文 survey, a few KB of questions
    const office = await seeded.login(DEMO_ACCOUNTS.office.phone)
    const url = '/api/v1/surveys/templates'
    const api = (u: string, acceptEncoding?: string) =>
      seeded.as(office, { method: 'GET', url: u, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} })
    const plain = await api(url)
    expect(plain.statusCode).toBe(200)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.rawPayload.length).toBeGreaterThan(1024)

    const br = await api(url, 'gzip, deflate, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toMatch(/accept-encoding/i)
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2)
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(plain.payload)

    const gz = await api(url, 'gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(plain.payload)
  })

  it('Open311 is compressed too', async () => {
    const res = await api('/open311/v2/services.json', 'br')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBe('br')
    expect(JSON.parse(zlib.brotliDecompressSync(res.rawPayload).toString()).length).toBeGreaterThan(0)
  })

  it('a small answer is sent as it is: compressing it would cost more than it saves', async () => {
    const res = await api('/api/v1/health', 'br')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.json()).toBeTruthy()
  })

  it('a compressed request body is refused rather than inflated', async () => {
    const res = await seeded.app.inject({
      method: 'POST', url: '/api/v1/auth/sms/send', payload: zlib.gzipSync(JSON.stringify({ phone: '13800000009' })),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    })
    expect(res.statusCode).toBeGreaterThanOrEqual(400)
    expect(res.statusCode).toBeLessThan(500)
  })
})

import { loadConfig } from '../../server/config'

// Absolute URLs come from PUBLIC_BASE_URL (never from request headers); photo links and Open311 privacy are settings.
describe('public base URL and photo link settings', () => {
  it('defaults to the local address, keeps a path, drops a trailing slash', () => {
    expect(loadConfig({}).publicBaseUrl).toBe('http://localhost:3000')
    expect(loadConfig({ PORT: '4000', HOST: '10.0.0.5' }).publicBaseUrl).toBe('http://10.0.0.5:4000')
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://civic.example.cn/' }).publicBaseUrl).toBe('https://civic.example.cn')
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://example.cn/civic/' }).publicBaseUrl).toBe('https://example.cn/civic')
  })

  it('refuses a base URL that is not http(s) or carries a query', () => {
    for (const bad of ['civic.example.cn', 'ftp://civic.example.cn', 'https://civic.example.cn/?x=1', 'https://civic.example.cn/#top']) {
      expect(() => loadConfig({ PUBLIC_BASE_URL: bad })).toThrow(/PUBLIC_BASE_URL/)
    }
  })

  it('reads the photo link and Open311 settings, within bounds', () => {
    const c = loadConfig({ PHOTO_URL_SECRET: 's3cret', PHOTO_URL_TTL_SECONDS: '5', OPEN311_PUBLIC_COORD_DECIMALS: '9', OPEN311_PUBLIC_PHOTOS: '1' })
    expect(c.photoLinks).toEqual({ secret: 's3cret', ttlSeconds: 60 })
    expect(c.open311Public).toEqual({ coordDecimals: 6, photos: true })
    expect(loadConfig({}).open311Public).toEqual({ coordDecimals: 3, photos: false })
    // without a configured secret each process makes its own: never empty, never shared by accident
    expect(loadConfig({}).photoLinks.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(loadConfig({}).photoLinks.secret).not.toBe(loadConfig({}).photoLinks.secret)
  })
})

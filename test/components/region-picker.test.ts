import { json, mountPage, type MountedPage } from './harness'

let page: MountedPage | undefined
afterEach(() => page?.unmount())

const r = (code: string, name: string, level: string, parentCode: string | null, hasChildren = true) => ({ code, name, level, parentCode, population: 1000, hasChildren })

describe('选择社区 (subpackage packages/accounts)', () => {
  it('walks city → district → street → community lazily and saves the community', async () => {
    page = await mountPage('packages/accounts/pages/region/index', {
      signedIn: true,
      api: {
        'GET /regions': (req) => {
          const items = {
            '': [r('4201', '示范市', 'city', null)],
            '4201': [r('420102', '东湖区', 'district', '4201')],
            '420102': [r('420102001', '湖滨街道', 'street', '420102')],
            '420102001': [r('420102001001', '幸福里社区', 'community', '420102001')],
          }[req.query.parent ?? '']
          return json(200, { items: items ?? [] })
        },
        'PATCH /me': (req) => json(200, { id: 1, nickname: '居民', phoneMasked: null, hasWechat: false, community: null, roles: [], elderMode: false, ...(req.data as object) }),
      },
    })
    await page.tap('示范市')
    await page.tap('东湖区')
    await page.tap('湖滨街道')
    await page.waitForText('幸福里社区')
    expect(page.text()).toContain('请选择社区')
    await page.tap('幸福里社区')
    const patch = await page.waitForRequest('PATCH /me')
    expect(patch.data).toEqual({ communityCode: '420102001001' })
    expect(page.requests.filter((q) => q.path === '/regions').map((q) => q.query.parent ?? '')).toEqual(['', '4201', '420102', '420102001'])
  })

  it('uses my location: locate, confirm, save', async () => {
    page = await mountPage('packages/accounts/pages/region/index', {
      signedIn: true,
      api: {
        'GET /regions': json(200, { items: [] }),
        'GET /regions/locate': json(200, {
          grid: null,
          community: { code: '420102001001', name: '幸福里社区' },
          street: { code: '420102001', name: '湖滨街道' },
          district: { code: '420102', name: '东湖区' },
          city: { code: '4201', name: '示范市' },
        }),
        'PATCH /me': (req) => json(200, { id: 1, nickname: '居民', phoneMasked: null, hasWechat: false, community: null, roles: [], elderMode: false, ...(req.data as object) }),
      },
    })
    await page.waitForText('暂无可选地区')
    await page.tap('使用我的位置')
    const locate = await page.waitForRequest('GET /regions/locate')
    expect(locate.query).toEqual({ lng: '114.3', lat: '30.6' })
    const patch = await page.waitForRequest('PATCH /me')
    expect(patch.data).toEqual({ communityCode: '420102001001' })
    expect(page.modals[0].content).toContain('幸福里社区')
  })

  it('says so when the location is outside the city', async () => {
    page = await mountPage('packages/accounts/pages/region/index', {
      signedIn: true,
      api: { 'GET /regions': json(200, { items: [] }), 'GET /regions/locate': json(404, { code: 'OUTSIDE_CITY', message: '该位置不在本市服务范围内' }) },
    })
    await page.tap('使用我的位置')
    await page.waitFor(() => page!.toasts.includes('该位置不在本市服务范围内'), 'the toast')
    expect(page.requests.some((q) => q.method === 'PATCH')).toBe(false)
  })
})

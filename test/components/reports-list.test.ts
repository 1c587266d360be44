import { apiError, json, mountPage, networkError, type MountedPage } from './harness'
import { detail, uploadMock } from './reports-fixtures'

let page: MountedPage | undefined
afterEach(() => page?.unmount())

const item = (over: Record<string, unknown> = {}) => {
  const d = detail(over as any)
  const { id, number, category, state, stateLabel, description, address, community, createdAt, dueAt, closedAt, overdue, held, coReporters, thumbUrl, reporterName } = d
  return { id, number, category, state, stateLabel, description, address, community, createdAt, dueAt, closedAt, overdue, held, coReporters, thumbUrl, reporterName }
}
const me = (roles: { role: string; regionCode: string | null; regionName: string | null }[] = []) => ({ id: 1, nickname: '小王', phoneMasked: null, hasWechat: false, community: null, roles, elderMode: false })

const draft = {
  key: 'draft-key-0001-abcdef',
  createdAt: '2025-03-01T02:30:00.000Z',
  categoryCode: 'litter',
  categoryName: '乱扔垃圾',
  lng: 114.3,
  lat: 30.6,
  address: '湖滨路 8 号',
  description: '',
  anonymous: false,
  photos: [{ localPath: 'wxfile://store/a.jpg', photoId: 'photo_aaaaaaaaaaaaaaaa' }, { localPath: 'wxfile://store/b.jpg' }],
  status: 'queued',
}

describe('随手拍 tab: 我的随手拍 (compiled weapp page)', () => {
  it('lists my reports with state, category, time and due time; opens the detail', async () => {
    page = await mountPage('pages/report/index', {
      signedIn: true,
      api: {
        'GET /me': json(200, me()),
        'GET /reports/mine': json(200, { items: [item({ state: 'accepted', stateLabel: '已受理', closedAt: null }), item({ id: 8, number: 'SSP000008', category: { code: 'litter', name: '乱扔垃圾', icon: 'litter' } })], nextCursor: null }),
      },
    })
    await page.waitForText('人行道上有车辆违停')
    const t = page.text()
    expect(t).toContain('已受理')
    expect(t).toContain('已销号')
    expect(t).toContain('乱扔垃圾')
    expect(t).toContain('2025-03-01 10:30 上报')
    expect(t).toContain('预计 2025-03-01 14:30 前办结')
    expect(t).not.toContain('即将开放')
    expect(t).not.toContain('工单处理') // not a worker
    await page.tapElement(page.findAllByClass('report__item')[1])
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: '/packages/reports/pages/detail/index?id=8' })
  })

  it('has the big 随手拍 button to the new-report page, and an empty state', async () => {
    page = await mountPage('pages/report/index', { signedIn: true, api: { 'GET /me': json(200, me()), 'GET /reports/mine': json(200, { items: [], nextCursor: null }) } })
    await page.waitForText('还没有上报记录')
    await page.tapElement(page.findByClass('report__new')!)
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: '/packages/reports/pages/new/index' })
  })

  it('shows the 工单 entry to workers', async () => {
    page = await mountPage('pages/report/index', {
      signedIn: true,
      api: { 'GET /me': json(200, me([{ role: 'worker', regionCode: 'c1', regionName: '幸福里社区' }])), 'GET /reports/mine': json(200, { items: [], nextCursor: null }) },
    })
    await page.tap('工单处理')
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: '/packages/reports/pages/work/index' })
  })

  it('shows a load error with retry', async () => {
    page = await mountPage('pages/report/index', { signedIn: true, api: { 'GET /me': json(200, me()), 'GET /reports/mine': apiError(403, 'FORBIDDEN', '没有权限') } })
    await page.waitForText('没有权限')
    expect(page.text()).toContain('重试')
  })

  it('shows a queued draft as 待发送 and re-sends it on show with its own key (uploading the photo still missing)', async () => {
    const upload = uploadMock(20)
    const posts: any[] = []
    page = await mountPage('pages/report/index', {
      signedIn: true,
      storage: { 'civiclink.reports.drafts': JSON.stringify([draft]) },
      wx: { uploadFile: upload.fn, onNetworkStatusChange: () => undefined, onAppShow: () => undefined },
      api: {
        'GET /me': json(200, me()),
        'GET /reports/mine': json(200, { items: [], nextCursor: null }),
        'POST /reports': (req) => (posts.push(req), networkError()),
      },
    })
    await page.waitForText('待发送')
    expect(page.text()).toContain('湖滨路 8 号')
    await page.waitFor(() => posts.length === 4, 'four attempts (1 + 3 retries)', 8000)
    expect(posts.every((p) => p.header['Idempotency-Key'] === draft.key)).toBe(true)
    expect(upload.calls.map((c) => c.filePath)).toEqual(['wxfile://store/b.jpg'])
    // the photo uploaded meanwhile is remembered in the draft
    await page.waitFor(() => JSON.parse(String(page!.storage.get('civiclink.reports.drafts')))[0].photos[1].photoId !== undefined, 'photo id kept')
    expect(page.text()).toContain('待发送')

    // shown again with the network back: sent, list reloaded, draft gone
    page.routes['POST /reports'] = (req) => (posts.push(req), json(201, detail({ id: 55 })))
    page.routes['GET /reports/mine'] = json(200, { items: [item({ id: 55, description: '草稿已送达' })], nextCursor: null })
    await page.show()
    await page.waitForText('草稿已送达', 6000)
    expect(posts[4].header['Idempotency-Key']).toBe(draft.key)
    expect(posts[4].data.photoIds).toHaveLength(2)
    expect(upload.calls).toHaveLength(1) // not uploaded twice
    expect(JSON.parse(String(page.storage.get('civiclink.reports.drafts')))).toEqual([])
    expect(page.text()).not.toContain('待发送')
  }, 20000)
})

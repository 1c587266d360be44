import { apiError, json, mountPage, type MountedPage } from './harness'
import { asyncOk, categories, chooseMediaMock, detail, uploadMock } from './reports-fixtures'

let page: MountedPage | undefined
afterEach(() => page?.unmount())

const row = (id: number, over: Record<string, unknown> = {}) => ({
  id, number: `SSP${String(id).padStart(6, '0')}`, category: { code: 'parking', name: '违规停车', icon: 'parking' }, state: 'submitted', stateLabel: '待受理',
  description: `问题${id}`, address: `湖滨路 ${id} 号`, community: { code: 'c1', name: '幸福里社区' }, createdAt: '2025-03-01T02:30:00.000Z', dueAt: '2025-03-01T06:30:00.000Z',
  closedAt: null, overdue: false, held: false, coReporters: 0, thumbUrl: null, reporterName: '小王', ...over,
})
const counts = { submitted: 3, accepted: 1, dispatched: 0, rectified: 0, closed: 5, closed_not_fixed: 0, rejected: 0, merged: 0 }

describe('工单 list (compiled weapp page)', () => {
  it('filters by state with counts, overdue, and loads the next page by cursor', async () => {
    page = await mountPage('packages/reports/pages/work/index', {
      signedIn: true,
      api: {
        'GET /reports/categories': json(200, categories),
        'GET /reports/work': (req) =>
          req.query.cursor === 'c2'
            ? json(200, { items: [row(3)], nextCursor: null, counts, overdueCount: 1 })
            : json(200, { items: [row(1, { overdue: true }), row(2)], nextCursor: 'c2', counts, overdueCount: 1 }),
      },
    })
    await page.waitForText('问题1')
    const t = page.text()
    expect(t).toContain('全部 9')
    expect(t).toContain('待受理 3')
    expect(t).toContain('已销号 5')
    expect(t).toContain('超期')
    expect(page.requests.find((r) => r.path === '/reports/work')!.query).toMatchObject({ state: 'submitted', limit: '20' })
    await page.tap('加载更多')
    await page.waitForText('问题3')
    expect(page.requests.filter((r) => r.path === '/reports/work').pop()!.query.cursor).toBe('c2')
    expect(page.text()).toContain('没有更多了')
    await page.tap('已销号 5')
    await page.waitFor(() => page!.requests.some((r) => r.path === '/reports/work' && r.query.state === 'closed'), 'closed filter')
    await page.tap('仅超期')
    await page.waitFor(() => page!.requests.some((r) => r.path === '/reports/work' && r.query.overdue === 'true'), 'overdue filter')
    await page.tap('问题1')
    expect(page.navigations).toContainEqual({ api: 'navigateTo', url: '/packages/reports/pages/handle/index?id=1' })
  })

  it('says so when the caller is not a worker', async () => {
    page = await mountPage('packages/reports/pages/work/index', {
      signedIn: true,
      api: { 'GET /reports/categories': json(200, categories), 'GET /reports/work': apiError(403, 'FORBIDDEN_ROLE', '只有网格员或创文办用户可以查看工单') },
    })
    await page.waitForText('只有网格员或创文办用户可以查看工单')
  })
})

describe('处理工单 (compiled weapp page)', () => {
  it('offers the actions the server allows; rectify needs after-photos and sends their ids with the note', async () => {
    let body: any
    const upload = uploadMock(20)
    const open = detail({ state: 'dispatched', stateLabel: '处置中', isMine: false, canRate: false, closedAt: null, actions: ['rectify', 'close_not_fixed'] })
    page = await mountPage('packages/reports/pages/handle/index', {
      signedIn: true,
      query: { id: '7' },
      wx: { chooseMedia: chooseMediaMock([100]).fn, uploadFile: upload.fn, compressImage: asyncOk({}) },
      api: {
        'GET /reports/:id': json(200, open),
        'POST /reports/:id/transitions': (req) => ((body = req.data), json(200, detail({ state: 'rectified', stateLabel: '已整改待核查', isMine: false, canRate: false, closedAt: null, actions: ['close', 'close_not_fixed', 'reopen'] }))),
      },
    })
    await page.waitForText('整改完成')
    expect(page.text()).toContain('关闭（未解决）')
    expect(page.findAllByClass('rp-handle__action').map((b) => b.textContent!.trim())).toEqual(['整改完成', '关闭（未解决）'])
    await page.tap('整改完成')
    await page.tap('确认整改完成')
    expect(page.toasts).toContain('请上传整改后的照片')
    await page.tap('整改照片')
    await page.waitFor(() => page!.findAllByClass('rp-photos__ok').length === 1, 'uploaded after-photo')
    await page.input('整改情况说明（选填）', '已清理')
    await page.tap('确认整改完成')
    await page.waitFor(() => !!body, 'the transition')
    expect(body.action).toBe('rectify')
    expect(body.note).toBe('已清理')
    expect(body.photoIds).toHaveLength(1)
    await page.waitForText('核查销号')
  })

  it('requires a reason to reject, and shows a concurrent change as a toast and reloads', async () => {
    let gets = 0
    const fresh = detail({ state: 'submitted', stateLabel: '待受理', isMine: false, canRate: false, closedAt: null, actions: ['accept', 'reject', 'merge', 'dispatch'] })
    page = await mountPage('packages/reports/pages/handle/index', {
      signedIn: true,
      query: { id: '7' },
      api: {
        'GET /reports/:id': () => (++gets === 1 ? json(200, fresh) : json(200, { ...fresh, state: 'accepted', stateLabel: '已受理', actions: ['dispatch'] })),
        'POST /reports/:id/transitions': apiError(409, 'ILLEGAL_TRANSITION', '该问题状态已变化，请刷新后重试'),
      },
    })
    await page.waitForText('不予受理')
    await page.tap('不予受理')
    await page.tap('确认不予受理')
    expect(page.toasts).toContain('请填写原因')
    await page.input('请填写不予受理的原因（必填）', '不在辖区')
    await page.tap('确认不予受理')
    await page.waitFor(() => page!.toasts.includes('该问题状态已变化，请刷新后重试'), 'the conflict toast')
    await page.waitFor(() => gets === 2, 'a reload')
    await page.waitForText('已受理')
  })

  it('merges into a nearby duplicate picked from a list (or a typed number) and dispatches to a picked worker', async () => {
    const bodies: any[] = []
    const fresh = detail({ state: 'accepted', stateLabel: '已受理', isMine: false, canRate: false, closedAt: null, actions: ['merge', 'dispatch'] })
    const candidate = { id: 41, number: 'SSP000041', state: 'accepted', stateLabel: '已受理', description: '同一处垃圾', address: '湖滨路 1 号', distanceM: 12, coReporters: 0, createdAt: '2025-03-01T02:30:00.000Z', thumbUrl: null }
    page = await mountPage('packages/reports/pages/handle/index', {
      signedIn: true,
      query: { id: '7' },
      api: {
        'GET /reports/:id': json(200, fresh),
        'GET /reports/:id/handling-options': json(200, {
          department: '交警大队',
          assignees: [{ id: 501, name: '李网格', phoneMasked: '139****0201', region: { code: 'g1', name: '第一网格' } }],
          mergeCandidates: [candidate],
        }),
        'POST /reports/:id/transitions': (req) => (bodies.push(req.data), json(200, fresh)),
      },
    })
    await page.tap('合并到其他问题')
    await page.waitForText('SSP000041 · 已受理 · 相距 12 米 · 同一处垃圾')
    await page.tap('SSP000041 · 已受理 · 相距 12 米 · 同一处垃圾')
    await page.tap('确认合并到其他问题')
    await page.waitFor(() => bodies.length === 1, 'merge')
    expect(bodies[0]).toEqual({ action: 'merge', targetReportId: 41 })
    // done (the form closes) before the next tap: a tap while it is still open would close it
    await page.waitFor(() => page!.toasts.filter((x) => x === '已合并').length === 1, 'the first merge done')
    await page.waitFor(() => !page!.text().includes('确认合并到其他问题'), 'the merge form closed')
    // a number typed by hand works too
    await page.tap('合并到其他问题')
    await page.input('或填写要合并到的问题编号', '42')
    await page.tap('确认合并到其他问题')
    await page.waitFor(() => bodies.length === 2, 'merge by number')
    expect(bodies[1]).toEqual({ action: 'merge', targetReportId: 42 })
    await page.waitFor(() => page!.toasts.filter((x) => x === '已合并').length === 2, 'the second merge done')

    await page.tap('派遣')
    await page.waitForText('李网格 · 第一网格 · 139****0201')
    await page.tap('李网格 · 第一网格 · 139****0201')
    await page.input('派遣说明（选填）', '请尽快处理')
    await page.tap('确认派遣')
    await page.waitFor(() => bodies.length === 3, 'dispatch')
    expect(bodies[2]).toEqual({ action: 'dispatch', department: '交警大队', assigneeId: 501, note: '请尽快处理' })
  })
})

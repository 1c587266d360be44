import { apiError, json, mountPage, networkError, type MountedPage } from './harness'
import { asyncFail, asyncOk, categories, chooseMediaMock, detail, located, uploadMock } from './reports-fixtures'

const NEW = 'packages/reports/pages/new/index'
const DRAFTS_KEY = 'civiclink.reports.drafts'

let page: MountedPage | undefined
afterEach(() => page?.unmount())

function setup(extraApi: Record<string, any> = {}, sizes = [2_000_000]) {
  const upload = uploadMock()
  const choose = chooseMediaMock(sizes)
  const compress: string[] = []
  const subscribe: any[] = []
  const removedFiles: string[] = []
  const netListeners: ((r: { isConnected: boolean; networkType: string }) => void)[] = []
  const wx = {
    chooseMedia: choose.fn,
    uploadFile: upload.fn,
    compressImage: (o: any) => (compress.push(o.src), asyncOk({ tempFilePath: `${o.src}.small.jpg` })(o)),
    requestSubscribeMessage: (o: any) => (subscribe.push(o), asyncFail('requestSubscribeMessage:fail user refused')(o)),
    onNetworkStatusChange: (cb: any) => netListeners.push(cb),
    onAppShow: () => undefined,
    saveFile: (o: any) => asyncOk({ savedFilePath: o.tempFilePath.replace('tmp', 'store') })(o),
    removeSavedFile: (o: any) => (removedFiles.push(o.filePath), asyncOk()(o)),
  }
  const api = {
    'GET /reports/categories': json(200, categories),
    'GET /regions/locate': json(200, located),
    'GET /reports/nearby': json(200, { radiusM: 30, items: [] }),
    ...extraApi,
  }
  return { upload, choose, compress, subscribe, removedFiles, netListeners, wx, api }
}

/** category → photo (uploaded) → current position. */
async function fillForm(p: MountedPage, upload: ReturnType<typeof uploadMock>) {
  await p.waitForText('乱扔垃圾')
  await p.tap('违规停车')
  await p.waitForText('交警大队受理，一般 4 小时内办结')
  upload.hold = true
  await p.tap('拍照/相册')
  await p.waitForText('上传中 40%') // the UploadTask's progress, per photo
  upload.release()
  await p.waitForText('已上传')
  expect(upload.calls.length).toBeGreaterThan(0)
  await p.tap('当前位置')
  await p.waitForText('经纬度 114.30000, 30.60000')
}

describe('随手拍 new report (compiled weapp page)', () => {
  it('shows the categories from the server, with icons', async () => {
    const s = setup()
    page = await mountPage(NEW, { signedIn: true, api: s.api, wx: s.wx })
    await page.waitForText('乱扔垃圾')
    expect(page.text()).toContain('违规停车')
    expect(page.text()).toContain('🚗')
    expect(page.text()).toContain('请选择问题类别')
  })

  it('shows an error with retry when the categories fail', async () => {
    const s = setup({ 'GET /reports/categories': apiError(500, 'INTERNAL', '服务器开小差了') })
    page = await mountPage(NEW, { signedIn: true, api: s.api, wx: s.wx })
    await page.waitForText('服务器开小差了', 8000)
    expect(page.text()).toContain('重试')
  }, 15000)

  it('chooses compressed photos, compresses large ones and uploads each with the bearer token and progress', async () => {
    const s = setup({}, [2_000_000, 300_000])
    page = await mountPage(NEW, { signedIn: true, api: s.api, wx: s.wx })
    await page.waitForText('乱扔垃圾')
    s.upload.hold = true
    await page.tap('拍照/相册')
    await page.waitForText('照片1 上传中 40%')
    s.upload.release()
    await page.waitFor(() => page!.findAllByClass('rp-photos__ok').length === 2, 'two uploaded photos')
    expect(s.choose.calls[0].sizeType).toEqual(['compressed'])
    expect(s.choose.calls[0].count).toBe(9)
    expect(s.compress).toEqual(['wxfile://tmp/pick_1_0.jpg']) // only the large one
    expect(s.upload.calls.map((c) => c.filePath)).toEqual(['wxfile://tmp/pick_1_0.jpg.small.jpg', 'wxfile://tmp/pick_1_1.jpg'])
    expect(s.upload.calls[0].url).toMatch(/\/api\/v1\/reports\/photos$/)
    expect(s.upload.calls[0].name).toBe('file')
    expect(s.upload.calls[0].header.Authorization).toBe('Bearer test-token')
    expect(page.text()).toContain('2/9')
  })

  it('offers the open report nearby: +1 calls the me-too endpoint instead of submitting', async () => {
    const s = setup({
      'GET /reports/nearby': json(200, {
        radiusM: 30,
        items: [{ id: 42, number: 'SSP000042', state: 'accepted', stateLabel: '已受理', description: '路口违停', address: '湖滨路 10 号', distanceM: 18, coReporters: 3, createdAt: new Date().toISOString(), thumbUrl: null }],
      }),
      'POST /reports/:id/metoo': json(200, { reportId: 42, coReporters: 4 }),
    })
    page = await mountPage(NEW, { signedIn: true, api: s.api, wx: s.wx })
    await fillForm(page, s.upload)
    await page.tap('提交')
    await page.waitForText('附近已有相同问题')
    expect(page.text()).toContain('距此约 18 米')
    expect(page.text()).toContain('已有 3 人也遇到了')
    const nearby = page.requests.find((r) => r.path === '/reports/nearby')!
    expect(nearby.query).toEqual({ categoryCode: 'parking', lng: '114.3', lat: '30.6' })
    // co-reporters get the state messages too: consent was asked in the tap on 提交, before the +1 is offered
    expect(s.subscribe).toEqual([expect.objectContaining({ tmplIds: ['demo-report-status'] })])
    await page.tap('+1 我也遇到了')
    await page.waitForRequest('POST /reports/42/metoo')
    await page.waitFor(() => page!.navigations.some((n) => n.url === '/packages/reports/pages/detail/index?id=42'), 'go to the report +1ed', 3000)
    expect(page.requests.some((r) => r.method === 'POST' && r.path === '/reports')).toBe(false)
  })

  it('submits with an Idempotency-Key even when the subscribe message is refused ("仍然提交新问题")', async () => {
    let body: any
    const s = setup({
      'GET /reports/nearby': json(200, { radiusM: 30, items: [{ id: 42, number: 'SSP000042', state: 'submitted', stateLabel: '待受理', description: '', address: '湖滨路 10 号', distanceM: 5, coReporters: 0, createdAt: new Date().toISOString(), thumbUrl: null }] }),
      'POST /reports': (req: any) => ((body = req.data), json(201, detail({ id: 99, state: 'submitted', stateLabel: '待受理' }))),
    })
    page = await mountPage(NEW, { signedIn: true, api: s.api, wx: s.wx })
    await fillForm(page, s.upload)
    await page.tap('对公众匿名') // the cell; the switch itself:
    await page.tapElement(page.findByClass('nut-switch')!)
    await page.input('简要描述问题（选填），如：人行道上有车辆违停，影响通行', '  车停在盲道上  ')
    await page.tap('提交')
    await page.waitForText('仍然提交新问题')
    expect(s.subscribe).toHaveLength(1)
    expect(s.subscribe[0].tmplIds).toEqual(['demo-report-status'])
    await page.tap('仍然提交新问题')
    const req = await page.waitForRequest('POST /reports')
    expect(req.header['Idempotency-Key']).toMatch(/^[A-Za-z0-9_.:-]{8,100}$/)
    expect(body).toMatchObject({ categoryCode: 'parking', lng: 114.3, lat: 30.6, address: '东湖区湖滨街道幸福里社区附近', description: '车停在盲道上', anonymous: true })
    expect(body.photoIds).toHaveLength(1)
    await page.waitFor(() => page!.navigations.some((n) => n.url === '/packages/reports/pages/detail/index?id=99'), 'go to the new report', 3000)
  })

  it('does not submit without a photo and a place', async () => {
    const s = setup()
    page = await mountPage(NEW, { signedIn: true, api: s.api, wx: s.wx })
    await page.waitForText('乱扔垃圾')
    await page.tap('乱扔垃圾')
    await page.tap('提交')
    expect(page.toasts).toContain('请至少拍摄或选择 1 张照片')
    expect(page.requests.some((r) => r.path === '/reports')).toBe(false)
  })

  it('keeps a draft when the network fails (uploaded ids + unsent photo paths) and re-sends it with the same key when the network is back', async () => {
    const posts: { key: string; body: any }[] = []
    const s = setup({ 'POST /reports': networkError() })
    page = await mountPage(NEW, { signedIn: true, api: s.api, wx: s.wx })
    await fillForm(page, s.upload) // photo 1 uploaded
    // photo 2: the network is gone
    s.upload.mode = 'network'
    await page.tap('拍照/相册')
    await page.waitForText('网络不佳，点此重试')
    page.routes['GET /reports/nearby'] = networkError()
    await page.tap('提交')
    await page.waitFor(() => page!.modals.some((m) => m.title === '已保存为待发送'), 'the draft modal', 12000)
    const drafts = JSON.parse(String(page.storage.get(DRAFTS_KEY)))
    expect(drafts).toHaveLength(1)
    const [d] = drafts
    expect(d.status).toBe('queued')
    expect(d.key).toMatch(/^[A-Za-z0-9_.:-]{8,100}$/)
    expect(d.photos[0].photoId).toMatch(/^photo_/)
    expect(d.photos[1].photoId).toBeUndefined()
    // both kept as saved files: photo 2 is still to upload, photo 1 may have to go again if the server clears it
    expect(d.photos.map((p: { localPath: string; saved?: boolean }) => [p.localPath, p.saved]))
      .toEqual([['wxfile://store/pick_1_0.jpg.small.jpg', true], ['wxfile://store/pick_2_0.jpg.small.jpg', true]])
    // nothing reached POST /reports: the photo upload failed first
    expect(page.requests.filter((r) => r.method === 'POST' && r.path === '/reports')).toHaveLength(0)

    // back online: the draft goes out, photo 2 uploaded now, with the SAME key
    s.upload.mode = 'ok'
    page.routes['POST /reports'] = (req: any) => (posts.push({ key: req.header['Idempotency-Key'], body: req.data }), json(201, detail({ id: 100 })))
    s.netListeners.forEach((l) => l({ isConnected: true, networkType: 'wifi' }))
    await page.waitFor(() => posts.length === 1, 'the re-sent report', 5000)
    expect(posts[0].key).toBe(d.key)
    expect(posts[0].body.photoIds).toHaveLength(2)
    expect(posts[0].body.photoIds[0]).toBe(d.photos[0].photoId)
    await page.waitFor(() => JSON.parse(String(page!.storage.get(DRAFTS_KEY))).length === 0, 'the draft removed')
    // and the saved copies with it (the mini-program has 10 MB for saved files)
    await page.waitFor(() => s.removedFiles.length === 2, 'the saved files removed')
    expect(s.removedFiles.sort()).toEqual(['wxfile://store/pick_1_0.jpg.small.jpg', 'wxfile://store/pick_2_0.jpg.small.jpg'])
  }, 20000)

  it('uploads the photos again, once, when the server no longer has them (cleared while the report waited), with the same key', async () => {
    const posts: { key: string; body: any }[] = []
    const s = setup({
      'POST /reports': (req: any) => (
        posts.push({ key: req.header['Idempotency-Key'], body: req.data }),
        posts.length === 1 ? apiError(400, 'PHOTO_NOT_FOUND', '照片不存在或已被使用，请重新上传') : json(201, detail({ id: 101 }))
      ),
    })
    page = await mountPage(NEW, { signedIn: true, api: s.api, wx: s.wx })
    await fillForm(page, s.upload)
    expect(s.upload.calls).toHaveLength(1)
    await page.tap('提交')
    await page.waitFor(() => page!.navigations.some((n) => n.url === '/packages/reports/pages/detail/index?id=101'), 'the sent report', 5000)
    expect(s.upload.calls).toHaveLength(2)
    expect(s.upload.calls[1].filePath).toBe(s.upload.calls[0].filePath)
    expect(posts.map((p) => p.key)).toEqual([posts[0].key, posts[0].key])
    expect(page.toasts).not.toContain('照片不存在或已被使用，请重新上传')
  }, 20000)

  it('keeps the draft when POST /reports itself times out, and re-sends with the same key', async () => {
    const keys: string[] = []
    const s = setup({ 'POST /reports': (req: any) => (keys.push(req.header['Idempotency-Key']), networkError()) })
    page = await mountPage(NEW, { signedIn: true, api: s.api, wx: s.wx })
    await fillForm(page, s.upload)
    await page.tap('提交')
    await page.waitFor(() => page!.modals.some((m) => m.title === '已保存为待发送'), 'the draft modal', 12000)
    expect(keys.length).toBe(4) // 1 + 3 retries, all with the same key
    expect(new Set(keys).size).toBe(1)
    const [d] = JSON.parse(String(page.storage.get(DRAFTS_KEY)))
    expect(d.key).toBe(keys[0])
    page.routes['POST /reports'] = (req: any) => (keys.push(req.header['Idempotency-Key']), json(201, detail({ id: 100 })))
    s.netListeners.forEach((l) => l({ isConnected: true, networkType: 'wifi' }))
    await page.waitFor(() => keys.length === 5, 'the re-sent report', 5000)
    expect(keys[4]).toBe(keys[0])
  }, 20000)
})

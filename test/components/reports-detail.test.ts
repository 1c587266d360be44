import { apiError, json, mountPage, type MountedPage } from './harness'
import { asyncFail, asyncOk, detail } from './reports-fixtures'

const DETAIL = 'packages/reports/pages/detail/index'
let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('随手拍 detail (compiled weapp page)', () => {
  it('shows photos, place, state and the whole timeline with roles, Beijing times, notes and after-photos', async () => {
    page = await mountPage(DETAIL, { signedIn: true, query: { id: '7' }, api: { 'GET /reports/:id': json(200, detail()) } })
    await page.waitForText('处理进度')
    const t = page.text()
    expect(page.requests[0].path).toBe('/reports/7')
    expect(t).toContain('违规停车')
    expect(t).toContain('已销号')
    expect(t).toContain('湖滨路 12 号门口')
    expect(t).toContain('SSP000007')
    expect(t).toContain('另有 2 人也遇到了')
    expect(t).toContain('办结时间2025-03-01 13:00')
    for (const label of ['提交上报', '已受理', '整改完成', '核查销号']) expect(t).toContain(label)
    expect(t).toContain('网格员 · 张网格')
    expect(t).toContain('上报人')
    expect(t).toContain('车辆已挪走')
    expect(t).toContain('2025-03-01 12:15') // 04:15Z in Beijing
    // newest first
    expect(t.indexOf('核查销号')).toBeLessThan(t.indexOf('提交上报'))
    const photos = page.findAllByClass('rp-tl__photo')
    expect(photos).toHaveLength(1)
    expect(page.findAllByClass('rp-head__photo')).toHaveLength(1)
  })

  it('shows workers for whom a city system filed the report (Open311), and shows nothing of it otherwise', async () => {
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: { 'GET /reports/:id': json(200, detail({ filedFor: { system: '12345 热线', name: '李雷', email: 'li.lei@example.org', phoneMasked: '139****1111' } })) },
    })
    await page.waitForText('代为提交')
    expect(page.text()).toContain('12345 热线：李雷 139****1111 li.lei@example.org')
    page.unmount()
    page = await mountPage(DETAIL, { signedIn: true, query: { id: '7' }, api: { 'GET /reports/:id': json(200, detail({ filedFor: null })) } })
    await page.waitForText('处理进度')
    expect(page.text()).not.toContain('代为提交')
  })

  it('shows an overdue open report as overdue', async () => {
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: { 'GET /reports/:id': json(200, detail({ state: 'accepted', stateLabel: '已受理', overdue: true, closedAt: null, canRate: false, actions: [] })) },
    })
    await page.waitForText('已超期（应于 2025-03-01 14:30 前办结）')
  })

  it('rates the handling once: 1–5 stars and a comment, then shows the rating', async () => {
    let sent: any
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: {
        'GET /reports/:id': json(200, detail()),
        'POST /reports/:id/rating': (req) => (
          (sent = req.data),
          json(200, detail({ canRate: false, rating: { score: 4, comment: '很及时', ratedAt: '2025-03-02T01:00:00.000Z' } }))
        ),
      },
    })
    await page.waitForText('评价处理结果')
    await page.tap('提交评价')
    expect(page.toasts).toContain('请选择评分')
    expect(sent).toBeUndefined()
    const stars = page.findAllByClass('nut-rate-item')
    expect(stars.length).toBe(5)
    await page.tapElement(stars[3])
    await page.waitForText('满意')
    await page.input('说说处理得怎么样（选填）', '很及时')
    await page.tap('提交评价')
    await page.waitForText('我的评价')
    expect(sent).toEqual({ score: 4, comment: '很及时' })
    expect(page.text()).toContain('评价于 2025-03-02 09:00')
    expect(page.text()).not.toContain('提交评价')
  })

  it('reopens within 7 days with a reason', async () => {
    let sent: any
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: {
        'GET /reports/:id': json(200, detail()),
        'POST /reports/:id/transitions': (req) => ((sent = req.data), json(200, detail({ state: 'submitted', stateLabel: '待受理', actions: [], canRate: false, closedAt: null }))),
      },
    })
    await page.waitForText('问题没有解决？')
    await page.tap('重新打开')
    await page.tap('确认重新打开')
    expect(page.toasts).toContain('请说明问题仍未解决的情况')
    await page.input('请说明问题仍然存在的情况', '车又停回来了')
    await page.tap('确认重新打开')
    await page.waitFor(() => !!sent, 'the reopen request')
    expect(sent).toEqual({ action: 'reopen', note: '车又停回来了' })
    await page.waitForText('待受理')
  })

  it('shows the server error of a refused rating and reloads', async () => {
    let gets = 0
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: {
        'GET /reports/:id': () => (++gets, json(200, detail())),
        'POST /reports/:id/rating': apiError(409, 'ALREADY_RATED', '您已经评价过了'),
      },
    })
    await page.waitForText('评价处理结果')
    await page.tapElement(page.findAllByClass('nut-rate-item')[4])
    await page.tap('提交评价')
    await page.waitFor(() => page!.toasts.includes('您已经评价过了'), 'the toast')
    await page.waitFor(() => gets === 2, 'a reload')
  })

  it('lets the reporter of an open report subscribe to the next progress message, and says so when refused', async () => {
    const asked: any[] = []
    let accept = true
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: { 'GET /reports/:id': json(200, detail({ state: 'accepted', stateLabel: '已受理', closedAt: null, canRate: false, actions: [] })) },
      wx: {
        requestSubscribeMessage: (o: any) => {
          asked.push(o.tmplIds)
          return accept ? asyncOk({ errMsg: 'requestSubscribeMessage:ok', 'demo-report-status': 'accept' })(o) : asyncFail('requestSubscribeMessage:fail user refused')(o)
        },
      },
    })
    await page.waitForText('办理进度提醒')
    await page.tap('订阅下一条进度提醒')
    await page.waitFor(() => page!.toasts.includes('已订阅，下一次进度变化会通过微信通知您'), 'the accepted toast')
    expect(asked).toEqual([['demo-report-status']])
    accept = false
    await page.tap('订阅下一条进度提醒')
    await page.waitFor(() => page!.toasts.includes('未订阅，可随时再点此订阅'), 'the refused toast')
  })

  it('offers no progress subscription on a closed report or to someone who did not report it', async () => {
    page = await mountPage(DETAIL, { signedIn: true, query: { id: '7' }, api: { 'GET /reports/:id': json(200, detail()) } })
    await page.waitForText('处理进度')
    expect(page.text()).not.toContain('办理进度提醒')
    page.unmount()
    page = await mountPage(DETAIL, {
      signedIn: true,
      query: { id: '7' },
      api: { 'GET /reports/:id': json(200, detail({ state: 'accepted', stateLabel: '已受理', closedAt: null, canRate: false, actions: [], isMine: false })) },
    })
    await page.waitForText('处理进度')
    expect(page.text()).not.toContain('办理进度提醒')
  })
})

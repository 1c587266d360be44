/**
 * WeChat's privacy consent on the compiled weapp: the app answers onNeedPrivacyAuthorization with its own sheet,
 * a held privacy call goes on only after 同意 (WeChat's agreePrivacyAuthorization button), and after 拒绝 the
 * feature says why it cannot go on — the rest of the page keeps working, and the next use asks again.
 */
import { json, mountPage, type MountedPage } from './harness'
import { asyncOk, categories, chooseMediaMock, located, uploadMock } from './reports-fixtures'

const NEW = 'packages/reports/pages/new/index'
const picked = { name: '湖滨路口', address: '东湖区湖滨路 1 号', latitude: 30.61, longitude: 114.31 }

let page: MountedPage | undefined
afterEach(() => page?.unmount())

function mountNew(extraWx: Record<string, unknown> = {}) {
  const chosen: unknown[] = []
  const upload = uploadMock()
  const choose = chooseMediaMock([500_000])
  const wx = {
    chooseLocation: (o: any) => (chosen.push(o), asyncOk(picked)(o)),
    chooseMedia: choose.fn,
    uploadFile: upload.fn,
    onNetworkStatusChange: () => undefined,
    onAppShow: () => undefined,
    ...extraWx,
  }
  const api = { 'GET /reports/categories': json(200, categories), 'GET /regions/locate': json(200, located) }
  return { chosen, upload, choose, open: () => mountPage(NEW, { signedIn: true, privacy: 'undecided', api, wx }) }
}

const agreeButton = (p: MountedPage) => p.findByClass('cl-privacy__agree')!
const refuseButton = (p: MountedPage) => p.findByClass('cl-privacy__refuse')!

describe('privacy consent (compiled weapp)', () => {
  it('registers one onNeedPrivacyAuthorization listener when the app starts', async () => {
    page = await mountPage('pages/index/index', { privacy: 'undecided', api: { 'GET /home': json(200, {}) } })
    expect(page.privacy.listeners).toBe(1)
  })

  it('holds 地图选点 until the person agrees in the sheet, then the pick goes on', async () => {
    const s = mountNew()
    page = await s.open()
    await page.waitForText('乱扔垃圾')
    await page.tap('地图选点')
    await page.waitForText('隐私保护提示')
    expect(page.privacy.asked).toEqual(['chooseLocation'])
    expect(s.chosen).toHaveLength(0) // held by WeChat until answered
    expect(page.text()).toContain('在地图上选点前，请阅读并同意《用户隐私保护指引》')
    expect(page.text()).toContain('位置信息：确定随手拍的问题位置')
    await page.waitFor(() => page!.privacy.exposures > 0, 'the sheet reported as shown')

    await page.tap('查看《用户隐私保护指引》')
    await page.waitFor(() => page!.privacy.contractOpened === 1, 'openPrivacyContract')

    await page.tapElement(agreeButton(page))
    await page.waitForText('湖滨路口')
    expect(s.chosen).toHaveLength(1)
    expect(page.privacy.agreed).toBe(true)
    expect(page.privacy.agreeTaps).toEqual(['cl-privacy-agree'])
    expect(page.text()).toContain('经纬度 114.31000, 30.61000')
  })

  it('after 拒绝 the report page says why it has no position, and asks again on the next try', async () => {
    const s = mountNew()
    page = await s.open()
    await page.waitForText('乱扔垃圾')
    await page.tap('地图选点')
    await page.waitForText('隐私保护提示')
    await page.tapElement(refuseButton(page))
    await page.waitForText('您未同意《用户隐私保护指引》，无法获取问题位置')
    expect(s.chosen).toHaveLength(0)
    expect(page.privacy.agreed).toBe(false)
    // the rest of the form still works
    await page.tap('违规停车')
    await page.waitForText('交警大队受理')

    // 当前位置 asks again; agreeing now locates
    await page.tap('当前位置')
    await page.waitFor(() => page!.privacy.asked.length === 2, 'the second request')
    expect(page.privacy.asked).toEqual(['chooseLocation', 'getLocation'])
    await page.waitForText('隐私保护提示') // the sheet is drawn again (asynchronously) for the second request
    await page.tapElement(agreeButton(page))
    await page.waitForText('经纬度 114.30000, 30.60000')
    expect(page.text()).not.toContain('无法获取问题位置')
  })

  it('after 拒绝 我的 → 使用我的位置 points to choosing the community by hand', async () => {
    const me = { id: 1, nickname: '居民0001', phoneMasked: '138****0001', hasWechat: false, community: null, roles: [], elderMode: false }
    page = await mountPage('pages/mine/index', { signedIn: true, privacy: 'undecided', api: { 'GET /me': json(200, me) } })
    await page.waitForText('居民0001')
    await page.tap('按当前位置自动确定所在社区')
    await page.waitForText('隐私保护提示')
    expect(page.privacy.asked).toEqual(['getLocation'])
    await page.tapElement(refuseButton(page))
    await page.waitFor(() => page!.toasts.some((t) => t.includes('无法定位；可点「我的社区」手动选择')), 'the refusal toast')
    expect(page.requests.filter((r) => r.path === '/regions/locate')).toEqual([])
  })

  it('after 拒绝 the question-bank import says why and where else to import; nothing is sent', async () => {
    const chosen: unknown[] = []
    page = await mountPage('packages/quizzes/pages/admin/index', {
      signedIn: true,
      privacy: 'undecided',
      wx: { chooseMessageFile: (o: any) => (chosen.push(o), asyncOk({ tempFiles: [{ path: 'wxfile://tmp/bank.xlsx', size: 10 }] })(o)) },
      api: { 'GET /quiz/admin/campaigns': json(200, { items: [] }), 'GET /quiz/tags': json(200, { items: [] }), 'GET /quiz/questions': json(200, { items: [], nextCursor: null }) },
    })
    await page.tap('导入题目（Excel）')
    await page.waitForText('隐私保护提示')
    expect(page.privacy.asked).toEqual(['chooseMessageFile'])
    expect(page.text()).toContain('从聊天中选择文件前')
    await page.tapElement(refuseButton(page))
    await page.waitFor(() => page!.toasts.some((t) => t.includes('无法从聊天中选择文件；也可以在浏览器中打开组织答题导入')), 'the refusal toast')
    expect(chosen).toHaveLength(0)
    expect(page.requests.filter((r) => r.method === 'POST')).toEqual([])
    expect(page.modals).toEqual([]) // not reported as a failed import
  })

  it('after 拒绝 the photo picker tells why nothing was picked and uploads nothing', async () => {
    const s = mountNew()
    page = await s.open()
    await page.waitForText('乱扔垃圾')
    await page.tap('拍照/相册')
    await page.waitForText('隐私保护提示')
    expect(page.privacy.asked).toEqual(['chooseMedia'])
    expect(page.text()).toContain('拍照或选择照片前')
    await page.tapElement(refuseButton(page))
    await page.waitFor(() => page!.toasts.some((t) => t.includes('无法拍照或选择照片')), 'the refusal toast')
    expect(s.choose.calls).toHaveLength(0)
    expect(s.upload.calls).toHaveLength(0)
  })
})

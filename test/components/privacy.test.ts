import '../helpers/long-timeout'
import type { Me } from '../../types/accounts'
import type { ModerationItem } from '../../types/moderation'
import { apiError, json, mountPage, type MountedPage } from './harness'

const ERASE = 'packages/accounts/pages/erase/index'
const QUEUE = 'packages/reports/pages/moderation/index'
let page: MountedPage | undefined
afterEach(() => page?.unmount())

const me = (over: Partial<Me> = {}): Me => ({
  id: 5, nickname: '王居民', phoneMasked: '139****5678', hasWechat: false, community: null,
  roles: [{ role: 'resident', regionCode: null, regionName: null }], elderMode: false, ...over,
})

describe('注销账号 (compiled weapp page)', () => {
  it('says what goes and what stays, asks for the code and the phrase, then signs out for good', async () => {
    let sent: any
    page = await mountPage(ERASE, {
      signedIn: true,
      api: {
        'GET /me': json(200, me()),
        'POST /me/erasure/code': json(200, { sent: true, expiresInSeconds: 300, resendAfterSeconds: 60, demoCode: '246810' }),
        'POST /me/erasure': (req) => ((sent = req.data), json(204)),
      },
    })
    await page.waitForText('注销后将删除')
    expect(page.text()).toContain('手机号、微信身份标识')
    expect(page.text()).toContain('显示为「已注销用户」')

    await page.tap('获取验证码')
    await page.waitForText('秒后重发')
    await page.input('发送到 139****5678 的验证码', '246810')
    await page.input('请输入「注销账号」', '注销')
    const submit = page.findByClass('ac-erase__submit')!
    await page.tapElement(submit)
    await page.waitFor(() => page!.toasts.includes('请输入「注销账号」'), 'the phrase toast')
    expect(sent).toBeUndefined()

    await page.input('请输入「注销账号」', '注销账号')
    await page.tapElement(submit)
    await page.waitFor(() => page!.navigations.some((n) => n.api === 'reLaunch'), 'the relaunch')
    expect(sent).toEqual({ confirm: '注销账号', code: '246810' })
    expect(page.modals.map((m) => m.title)).toEqual(['最后确认', '账号已注销'])
    expect(page.storage.has('civiclink.token')).toBe(false)
  })

  it('a wrong code is shown and the account stays signed in', async () => {
    page = await mountPage(ERASE, {
      signedIn: true,
      api: { 'GET /me': json(200, me()), 'POST /me/erasure': apiError(400, 'SMS_CODE_INVALID', '验证码不正确，还可以再试 4 次') },
    })
    await page.waitForText('注销后将删除')
    await page.input('发送到 139****5678 的验证码', '111111')
    await page.input('请输入「注销账号」', '注销账号')
    await page.tapElement(page.findByClass('ac-erase__submit')!)
    await page.waitFor(() => page!.toasts.includes('验证码不正确，还可以再试 4 次'), 'the error toast')
    expect(page.storage.has('civiclink.token')).toBe(true)
    expect(page.navigations.some((n) => n.api === 'reLaunch')).toBe(false)
  })

  it('a WeChat-only account confirms with the phrase alone', async () => {
    let sent: any
    page = await mountPage(ERASE, {
      signedIn: true,
      api: { 'GET /me': json(200, me({ phoneMasked: null, hasWechat: true })), 'POST /me/erasure': (req) => ((sent = req.data), json(204)) },
    })
    await page.waitForText('注销后将删除')
    expect(page.text()).not.toContain('获取验证码')
    await page.input('请输入「注销账号」', '注销账号')
    await page.tapElement(page.findByClass('ac-erase__submit')!)
    await page.waitFor(() => sent !== undefined, 'the erasure request')
    expect(sent).toEqual({ confirm: '注销账号' })
  })
})

const item = (over: Partial<ModerationItem> = {}): ModerationItem => ({
  reportId: 31, number: 'SSP000031', categoryName: '乱扔垃圾', description: '门口一堆垃圾', address: '幸福里 3 号楼', communityName: '幸福里社区',
  thumbUrl: null, moderation: 'auto_hidden', pendingFlags: 3, reasons: [{ reason: 'privacy', label: '泄露他人隐私（人脸、车牌、门牌等）', count: 3 }],
  notes: ['照片里能看清人脸'], firstFlaggedAt: '2025-03-01T02:00:00.000Z', ...over,
})

describe('内容审核 (compiled weapp page)', () => {
  it('lists flagged reports with reasons and notes but no flagger, and reviews one after a confirmation', async () => {
    let sent: any
    page = await mountPage(QUEUE, {
      signedIn: true,
      api: {
        'GET /moderation/queue': json(200, { items: [item(), item({ reportId: 32, number: 'SSP000032', moderation: 'visible', pendingFlags: 1, notes: [] })], nextCursor: null }),
        'POST /moderation/reports/:id/review': (req) => ((sent = { path: req.path, body: req.data }), json(200, { reportId: 31, moderation: 'hidden', reviewedFlags: 3 })),
      },
    })
    await page.waitForText('SSP000031')
    const t = page.text()
    expect(t).toContain('被多人举报，待审核')
    expect(t).toContain('泄露他人隐私（人脸、车牌、门牌等） ×3')
    expect(t).toContain('照片里能看清人脸')
    expect(t).toContain('3 人举报')
    const hide = page.findAllByClass('rp-mod__item')[0]
    await page.tapElement(Array.from(hide.querySelectorAll('*')).filter((el) => (el.textContent ?? '').trim() === '隐藏').pop()!)
    await page.waitFor(() => sent !== undefined, 'the review')
    expect(sent).toEqual({ path: '/moderation/reports/31/review', body: { action: 'hide' } })
    expect(page.modals[0].title).toBe('隐藏：SSP000031')
    await page.waitFor(() => !page!.text().includes('SSP000031'), 'the reviewed item to leave')
    expect(page.text()).toContain('SSP000032')
  })

  it('a resident is told they may not review', async () => {
    page = await mountPage(QUEUE, {
      signedIn: true,
      api: { 'GET /moderation/queue': apiError(403, 'FORBIDDEN_ROLE', '只有网格员或创文办用户可以审核内容') },
    })
    await page.waitForText('只有网格员或创文办用户可以审核内容')
  })
})

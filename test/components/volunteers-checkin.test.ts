import { apiError, json, mountPage, type MountedPage } from './harness'
import type { ActivityView, CertificateCheck, ShiftView } from '../../types/volunteers'

const ACTIVITY = 'packages/volunteers/pages/activity/index'
const VERIFY = 'packages/volunteers/pages/verify/index'
const hours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString()
const TOKEN = `11.${Math.floor(Date.now() / 30_000)}.AbCdEfGhIjKlMnOpQrStUv`

const underWay = (over: Partial<ShiftView> = {}): ShiftView => ({
  id: 11, startsAt: hours(-0.8), endsAt: hours(0.2), capacity: 20, confirmed: 5, waitlisted: 0,
  signupDeadline: hours(-1), cancelDeadline: hours(-1), held: true, mine: { signupId: 7, status: 'confirmed', waitlistPosition: null }, ...over,
})
const activity = (s: ShiftView): ActivityView => ({
  id: 5, type: 'traffic', typeLabel: '文明交通劝导', title: '幸福路口文明交通劝导', description: '早高峰劝导', lng: 118.71, lat: 32.005, radiusM: 200,
  address: '幸福路与和平路交叉口', regionCode: '329901001001', regionName: '幸福里社区', requirements: '穿马甲', status: 'published',
  manages: false, editable: false, editLocked: false, signedUp: 0, shifts: [s],
})

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('志愿活动: check-in and check-out (compiled weapp page)', () => {
  it('checks in by scanning the worker\'s QR code: the token inside it is sent, nothing else', async () => {
    page = await mountPage(ACTIVITY, {
      signedIn: true,
      query: { id: '5' },
      wx: { scanCode: (o: { success?: (r: unknown) => void }) => { o.success?.({ result: `civiclink://volunteer-checkin?token=${TOKEN}` }); return Promise.resolve({ result: `civiclink://volunteer-checkin?token=${TOKEN}` }) } },
      api: {
        'GET /volunteers/activities/5': json(200, activity(underWay())),
        'POST /volunteers/shifts/11/attendance': json(200, { signupId: 7, checkedInAt: new Date().toISOString(), checkedOutAt: null, creditedMinutes: null, notCreditedReason: null }),
      },
    })
    await page.waitForText('扫描网格员的二维码签到')
    await page.tap('扫描网格员的二维码签到')
    const req = await page.waitForRequest('POST /volunteers/shifts/11/attendance')
    expect(req.data).toEqual({ action: 'in', token: TOKEN })
    await page.waitFor(() => page!.toasts.includes('签到成功'), 'the success toast')
  })

  it('a QR code that is not a check-in code is refused on the phone, without a request', async () => {
    page = await mountPage(ACTIVITY, {
      signedIn: true,
      query: { id: '5' },
      wx: { scanCode: (o: { success?: (r: unknown) => void }) => { o.success?.({ result: 'https://example.com/pay?x=1' }); return Promise.resolve({ result: 'https://example.com/pay?x=1' }) } },
      api: { 'GET /volunteers/activities/5': json(200, activity(underWay())) },
    })
    await page.waitForText('扫描网格员的二维码签到')
    await page.tap('扫描网格员的二维码签到')
    await page.waitFor(() => page!.toasts.includes('这不是志愿服务的签到二维码'), 'the refusal')
    expect(page.requests.filter((r) => r.method === 'POST')).toEqual([])
  })

  it('checks out with the 6-digit code and shows the minutes credited; an expired code is shown as the server says', async () => {
    let calls = 0
    page = await mountPage(ACTIVITY, {
      signedIn: true,
      query: { id: '5' },
      api: {
        'GET /volunteers/activities/5': json(200, activity(underWay())),
        'POST /volunteers/shifts/11/attendance': () => (++calls === 1
          ? apiError(400, 'CHECKIN_CODE_EXPIRED', '签到码已过期，请扫描网格员手机上的最新二维码')
          : json(200, { signupId: 7, checkedInAt: hours(-0.8), checkedOutAt: new Date().toISOString(), creditedMinutes: 48, notCreditedReason: null })),
      },
    })
    await page.waitForText('已报名')
    await page.tap('签退')
    await page.input('或输入二维码下方的 6 位签到码', '654321')
    await page.tap('用签到码签退')
    await page.waitFor(() => page!.toasts.includes('签到码已过期，请扫描网格员手机上的最新二维码'), 'the refusal toast')
    await page.input('或输入二维码下方的 6 位签到码', '123456')
    await page.tap('用签到码签退')
    await page.waitFor(() => page!.toasts.includes('签退成功，记 48 分钟'), 'the credited minutes')
    const posts = page.requests.filter((r) => r.method === 'POST')
    expect(posts.map((r) => r.data)).toEqual([{ action: 'out', code: '654321' }, { action: 'out', code: '123456' }])
  })
})

describe('证书查验 (compiled weapp page, no sign-in)', () => {
  const result: CertificateCheck = { number: 'ZY2026114K7QX2M9PD', maskedName: '王**', totalHours: 105.5, issuer: '鼓楼区和平街道幸福里社区', issuedAt: new Date().toISOString() }

  it('opened from the QR code, checks the number at once without a token and shows only the masked name, hours and issuer', async () => {
    page = await mountPage(VERIFY, {
      query: { no: result.number },
      api: { [`GET /volunteers/certificates/${result.number}/check`]: json(200, result) },
    })
    const req = await page.waitForRequest(`GET /volunteers/certificates/${result.number}/check`)
    expect(req.header?.Authorization ?? req.header?.authorization).toBeUndefined()
    await page.waitForText('真实有效')
    expect(page.text()).toContain('王**')
    expect(page.text()).toContain('105.5 小时')
    expect(page.text()).toContain('鼓楼区和平街道幸福里社区')
    expect(page.navigations.filter((n) => String(n.url).includes('login'))).toEqual([])
  })

  it('a mistyped number is refused on the phone; an unknown one shows the server\'s answer', async () => {
    page = await mountPage(VERIFY, {
      api: { 'GET /volunteers/certificates/ZY202611AAAAAAAAAA/check': apiError(404, 'CERTIFICATE_NOT_FOUND', '没有这个编号的证书，请核对编号') },
    })
    await page.waitForText('志愿服务证书查验')
    // the card's title also says 查验: the button is the only one on the page
    const button = () => page!.findAllByClass('nut-button')[0]
    await page.input('证书编号，如 ZY202611XXXXXXXXXX', 'ZY2026-abc')
    await page.tapElement(button())
    await page.waitForText('证书编号格式不对')
    expect(page.requests).toEqual([])
    await page.input('证书编号，如 ZY202611XXXXXXXXXX', 'zy202611aaaaaaaaaa')
    await page.tapElement(button())
    await page.waitForText('没有这个编号的证书，请核对编号')
  })
})

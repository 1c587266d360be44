import { apiError, json, mountPage, type MountedPage } from './harness'
import type { ActivityView, ShiftView } from '../../types/volunteers'

const PAGE = 'packages/volunteers/pages/activity/index'
const hours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString()

const shift = (over: Partial<ShiftView> = {}): ShiftView => ({
  id: 11, startsAt: hours(48), endsAt: hours(50), capacity: 20, confirmed: 20, waitlisted: 2,
  signupDeadline: hours(47), cancelDeadline: hours(46), held: false, mine: null, ...over,
})
const activity = (s: ShiftView, over: Partial<ActivityView> = {}): ActivityView => ({
  id: 5, type: 'traffic', typeLabel: '文明交通劝导', title: '幸福路口文明交通劝导', description: '早高峰劝导', lng: 118.71, lat: 32.005, radiusM: 200,
  address: '幸福路与和平路交叉口', regionCode: '329901001001', regionName: '幸福里社区', requirements: '穿马甲', status: 'published',
  manages: false, editable: false, editLocked: false, signedUp: 0, shifts: [s], ...over,
})

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('志愿活动: sign-up (compiled weapp page)', () => {
  it('a full shift offers the waitlist; after signing up the page shows my place in it', async () => {
    let signedUp = false
    page = await mountPage(PAGE, {
      signedIn: true,
      query: { id: '5' },
      api: {
        'GET /volunteers/activities/5': () => json(200, activity(signedUp ? shift({ waitlisted: 3, mine: { signupId: 99, status: 'waitlisted', waitlistPosition: 3 } }) : shift())),
        'POST /volunteers/shifts/11/signup': () => {
          signedUp = true
          return json(201, { signupId: 99, shiftId: 11, status: 'waitlisted', waitlistPosition: 3 })
        },
      },
    })
    await page.waitForText('已满 20 人，候补 2 人')
    await page.tap('报名候补')
    await page.waitForText('候补第 3 位')
    expect(page.toasts).toContain('名额已满，您是候补第 3 位')
    expect(page.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/volunteers/shifts/11/signup'])
    expect(page.text()).toContain('取消报名')
    expect(page.text()).not.toContain('报名候补')
  })

  it('a shift with places signs up at once; the server\'s refusal is shown as it says', async () => {
    page = await mountPage(PAGE, {
      signedIn: true,
      query: { id: '5' },
      api: {
        'GET /volunteers/activities/5': json(200, activity(shift({ confirmed: 3, waitlisted: 0 }))),
        'POST /volunteers/shifts/11/signup': apiError(409, 'SHIFT_OVERLAP', '该班次与您已报名的班次时间重叠'),
      },
    })
    await page.waitForText('余 17/20 个名额')
    await page.tap('立即报名')
    await page.waitFor(() => page!.toasts.includes('该班次与您已报名的班次时间重叠'), 'the refusal toast')
  })

  it('on a shift under way, a confirmed volunteer checks in with the 6-digit code', async () => {
    page = await mountPage(PAGE, {
      signedIn: true,
      query: { id: '5' },
      api: {
        'GET /volunteers/activities/5': json(200, activity(shift({ startsAt: hours(-0.2), endsAt: hours(1), signupDeadline: hours(-1), cancelDeadline: hours(-1), confirmed: 5, mine: { signupId: 7, status: 'confirmed', waitlistPosition: null } }))),
        'POST /volunteers/shifts/11/attendance': json(200, { signupId: 7, checkedInAt: new Date().toISOString(), checkedOutAt: null, creditedMinutes: null, notCreditedReason: null }),
      },
    })
    await page.waitForText('已报名')
    await page.input('或输入二维码下方的 6 位签到码', '123456')
    await page.tap('用签到码签到')
    const req = await page.waitForRequest('POST /volunteers/shifts/11/attendance')
    expect(req.data).toEqual({ action: 'in', code: '123456' })
    await page.waitFor(() => page!.toasts.includes('签到成功'), 'the success toast')
  })
})

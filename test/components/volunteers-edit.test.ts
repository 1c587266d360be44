import { apiError, json, mountPage, type MountedPage } from './harness'
import type { Me } from '../../types/accounts'
import type { ActivityBody, ActivityView, ShiftView } from '../../types/volunteers'

const PAGE = 'packages/volunteers/pages/create/index'
const hours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString()
const COMMUNITY = '420102001001'

const me: Me = {
  id: 2, nickname: '张网格', phoneMasked: '138****0002', hasWechat: false,
  community: { code: COMMUNITY, name: '幸福里社区', path: [{ code: COMMUNITY, name: '幸福里社区', level: 'community' }] },
  roles: [{ role: 'resident', regionCode: null, regionName: null }, { role: 'worker', regionCode: COMMUNITY, regionName: '幸福里社区' }],
  elderMode: false,
}
const shift = (id: number, from: number, over: Partial<ShiftView> = {}): ShiftView => ({
  id, startsAt: hours(from), endsAt: hours(from + 2), capacity: 10, confirmed: 0, waitlisted: 0,
  signupDeadline: hours(from - 3), cancelDeadline: hours(from - 13), held: false, mine: null, ...over,
})
/** Four people on the first shift (three places, one waiting); nobody yet on the second. */
const signedUp: ActivityView = {
  id: 5, type: 'traffic', typeLabel: '文明交通劝导', title: '幸福路口文明交通劝导', description: '早高峰劝导', lng: 118.71, lat: 32.005, radiusM: 200,
  address: '幸福路与和平路交叉口', regionCode: COMMUNITY, regionName: '幸福里社区', requirements: '穿马甲', status: 'published',
  manages: true, editable: true, editLocked: true, signedUp: 4,
  shifts: [shift(11, 48, { capacity: 3, confirmed: 3, waitlisted: 1, held: true }), shift(12, 72)],
}

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('志愿活动 edit mode (compiled weapp page)', () => {
  it('prefills the activity; what can no longer change says why; a refusal is explained and nothing is asked when nobody is told', async () => {
    page = await mountPage(PAGE, {
      signedIn: true,
      query: { id: '5' },
      api: {
        'GET /me': json(200, me),
        'GET /volunteers/activities/5': json(200, signedUp),
        'PUT /volunteers/activities/5': apiError(409, 'SHIFT_CHANGE_OVERLAPS', '改期后有 1 位已报名的志愿者会与其报名的其他班次时间重叠，不能这样改期'),
      },
    })
    await page.waitForText('已有志愿者报名，活动区域不能再修改')
    expect(page.text()).toContain('已报名 3 人，名额不能少于 3')
    expect(page.text()).toContain('候补 1 人')
    expect(page.text()).toContain('此班次不能删除')
    // only the second shift, nobody on it, can go
    expect(page.text().split('删除此班次').length - 1).toBe(1)
    expect(page.text()).toContain('保存修改')

    await page.tap('保存修改')
    const req = await page.waitForRequest('PUT /volunteers/activities/5')
    const body = req.data as ActivityBody
    expect(body.regionCode).toBe(COMMUNITY)
    expect(body.address).toBe('幸福路与和平路交叉口')
    // the shifts by id, their deadlines as they were (neither their time nor the deadline hours changed)
    expect(body.shifts.map((s) => [s.id, s.capacity, s.startsAt, s.signupDeadline, s.cancelDeadline])).toEqual(
      signedUp.shifts.map((s) => [s.id, s.capacity, s.startsAt, s.signupDeadline, s.cancelDeadline]))
    await page.waitForText('不能保存（改期会使志愿者的班次时间重叠）：改期后有 1 位')
    expect(page.modals).toEqual([])
  })

  it('a new meeting point asks first, naming how many will be told; declined, nothing is sent; confirmed, it is saved', async () => {
    const mount = (modalConfirm: boolean) => mountPage(PAGE, {
      signedIn: true,
      query: { id: '5' },
      modalConfirm,
      api: {
        'GET /me': json(200, me),
        'GET /volunteers/activities/5': json(200, signedUp),
        'PUT /volunteers/activities/5': (r) => json(200, { ...signedUp, address: (r.data as ActivityBody).address }),
      },
    })
    page = await mount(false)
    await page.waitForText('已有志愿者报名')
    await page.input('如：幸福路与和平路交叉口东北角', '幸福路口西南角')
    await page.tap('保存修改')
    await page.waitFor(() => page!.modals.length > 0, 'the confirmation')
    expect(page.modals[0].content).toContain('将通知已报名（含候补）的 4 位志愿者')
    expect(page.requests.filter((r) => r.method === 'PUT')).toEqual([])
    page.unmount()

    page = await mount(true)
    await page.waitForText('已有志愿者报名')
    await page.input('如：幸福路与和平路交叉口东北角', '幸福路口西南角')
    await page.tap('保存修改')
    const req = await page.waitForRequest('PUT /volunteers/activities/5')
    expect((req.data as ActivityBody).address).toBe('幸福路口西南角')
    await page.waitFor(() => page!.toasts.includes('已保存，已通知报名的志愿者'), 'the saved toast')
  })

  it('a cancelled activity cannot be edited, and says so', async () => {
    page = await mountPage(PAGE, {
      signedIn: true,
      query: { id: '5' },
      api: { 'GET /me': json(200, me), 'GET /volunteers/activities/5': json(200, { ...signedUp, status: 'cancelled', editable: false }) },
    })
    await page.waitForText('该活动已取消，不能再修改')
    expect(page.text()).not.toContain('保存修改')
  })
})

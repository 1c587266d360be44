import { DEMO_ACCOUNTS } from '../helpers/app'
import { act, COMMUNITY, INSIDE, reportsApp, submit } from './reports-helpers'

// What the handling page offers a worker: people to dispatch to and duplicates to merge into.
let t: Awaited<ReturnType<typeof reportsApp>>
let resident: string
let worker: string
let office: string
let otherWorker: string
let gridWorkerId: number
let streetWorkerId: number
let otherGridWorkerId: number

beforeAll(async () => {
  t = await reportsApp()
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  const dir = await t.ctx.regions.get()
  const grant = async (phone: string, regionCode: string) => {
    await t.login(phone)
    const g = await t.as(office, { method: 'POST', url: '/api/v1/admin/roles', payload: { phone, role: 'worker', regionCode } })
    expect(g.statusCode).toBe(201)
    return g.json().userId as number
  }
  const here = dir.locate(INSIDE.lng, INSIDE.lat)!
  expect(here.level).toBe('grid')
  const otherGrid = dir.descendants(COMMUNITY).find((r) => r.level === 'grid' && r.code !== here.code)!
  gridWorkerId = await grant('13900000201', here.code)
  otherGridWorkerId = await grant('13900000204', otherGrid.code)
  streetWorkerId = await grant('13900000202', dir.chain(COMMUNITY).find((r) => r.level === 'street')!.code)
  const otherCommunity = dir.descendants(dir.children(null)[0].code).filter((r) => r.level === 'community').find((r) => r.code !== COMMUNITY)!
  await grant('13900000203', otherCommunity.code)
  otherWorker = await t.login('13900000203')
}, 60_000)
afterAll(() => t.close())

const options = (token: string, id: number) => t.as(token, { method: 'GET', url: `/api/v1/reports/${id}/handling-options` })

describe('handling options', () => {
  it('lists the region’s workers (nearest region first) and nearby open reports of the same category', async () => {
    const first = (await submit(t, resident)).json()
    const second = (await submit(t, resident, { description: '同一个地方又有垃圾' })).json()
    const elsewhere = (await submit(t, resident, { categoryCode: 'illegal_parking' })).json()
    const res = await options(worker, second.id)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.department).toBe(second.department)
    const ids = body.assignees.map((a: { id: number }) => a.id)
    expect(ids).toContain(streetWorkerId)
    expect(body.assignees.every((a: { phoneMasked: string | null }) => a.phoneMasked === null || a.phoneMasked.includes('****'))).toBe(true)
    // a worker of another community is nobody to dispatch to
    expect(body.assignees.map((a: { name: string }) => a.name)).not.toContain('居民0203')
    // the report's grid first, the street last; a worker of another grid of the community is not offered
    expect(ids[0]).toBe(gridWorkerId)
    expect(ids.indexOf(streetWorkerId)).toBe(ids.length - 1)
    expect(ids).not.toContain(otherGridWorkerId)
    const merge = body.mergeCandidates.map((m: { id: number }) => m.id)
    expect(merge).toContain(first.id)
    expect(merge).not.toContain(second.id)
    expect(merge).not.toContain(elsewhere.id)

    // dispatching to one of them works; to someone else is refused
    expect((await act(t, worker, second.id, { action: 'accept' })).statusCode).toBe(200)
    const outsider = (await t.as(otherWorker, { method: 'GET', url: '/api/v1/me' })).json().id
    expect((await act(t, worker, second.id, { action: 'dispatch', assigneeId: outsider })).json().code).toBe('ASSIGNEE_NOT_WORKER')
    const ok = await act(t, worker, second.id, { action: 'dispatch', assigneeId: streetWorkerId })
    expect(ok.statusCode).toBe(200)
    expect(ok.json().assignee).toMatchObject({ id: streetWorkerId })
  })

  it('only workers of the report’s region and the office may ask; unknown reports are not found', async () => {
    const r = (await submit(t, resident)).json()
    expect((await options(resident, r.id)).json().code).toBe('FORBIDDEN_ROLE')
    expect((await options(otherWorker, r.id)).json().code).toBe('FORBIDDEN_REGION')
    expect((await options(office, r.id)).statusCode).toBe(200)
    expect((await options(worker, 99_999_999)).statusCode).toBe(404)
    expect((await t.as(worker, { method: 'GET', url: '/api/v1/reports/abc/handling-options' })).statusCode).toBe(400)
  })
})

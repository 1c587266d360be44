import ExcelJS from 'exceljs'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { drainOutbox } from '../../server/modules/rates/service'
import { simplifyBoundary } from '../../server/modules/regions/simplify'

process.env.RATES_INTERVAL_MS = '0'

const HAPPY = '329901001001' // 幸福里社区, the demo worker's community
const PEACE = '329901001002'
const STREET = '329901001'
const CITY = '3299'

let t: TestApp
let worker: string
let office: string
let resident: string

beforeAll(async () => {
  t = await createTestApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  const hour = 3600_000
  const created = await t.as(worker, {
    method: 'POST', url: '/api/v1/surveys/admin',
    payload: {
      template: 'chuangwen_standard', title: '导出测试问卷', regionCode: HAPPY, audience: 'residents', anonymous: false,
      startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(),
    },
  })
  const id = created.json().id as number
  expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).statusCode).toBe(200)
  for (let i = 0; i < 3; i++) {
    const token = await t.login(`1370002${String(1000 + i).padStart(4, '0')}`)
    await t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: HAPPY } })
    const answers = {
      age: { choice: 'a30_44' }, residence: { choice: 'gt3y' }, aware: { choice: i < 2 ? 'yes' : 'no' }, support: { choice: 'yes' }, overall: { value: 4 },
      areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } },
    }
    expect((await t.as(token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers } })).statusCode).toBe(201)
  }
  await drainOutbox(t.ctx.db)
}, 180_000)
afterAll(() => t.close())

async function workbook(token: string, query: string): Promise<ExcelJS.Workbook> {
  const r = await t.as(token, { method: 'GET', url: `/api/v1/rates/export?${query}` })
  expect(r.statusCode).toBe(200)
  expect(r.headers['content-type']).toContain('spreadsheetml')
  expect(String(r.headers['content-disposition'])).toContain(encodeURIComponent('比率看板'))
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(r.rawPayload as never)
  return wb
}
const rows = (ws: ExcelJS.Worksheet) => ws.getSheetValues().slice(1).map((r) => (Array.isArray(r) ? r.slice(1) : []))

describe('GET /rates/export', () => {
  it('the worker\'s community: the file parses back and says what the dashboard says', async () => {
    const dash = (await t.as(worker, { method: 'GET', url: `/api/v1/rates/dashboard?region=${HAPPY}&period=day` })).json()
    const wb = await workbook(worker, `region=${HAPPY}&period=day`)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['本区域', '下级区域', '排名', '近30天趋势', '来源'])
    const overview = rows(wb.getWorksheet('本区域')!)
    expect(String(overview[0][0])).toContain('幸福里社区')
    const aware = overview.find((r) => r[0] === '知晓率')!
    const f = dash.region.figures.find((x: { figure: string }) => x.figure === 'awareness')
    expect(f).toMatchObject({ numerator: 2, denominator: 3 })
    expect(aware.slice(1, 6)).toEqual([f.rate, f.interval.lower, f.interval.upper, 2, 3])
    expect(aware[8]).toBe('样本不足')
    const trend = rows(wb.getWorksheet('近30天趋势')!)
    expect(trend).toHaveLength(2 + 30)
    const today = dash.period.to
    const last = trend.at(-1)!
    expect(last[0]).toBe(today)
    expect(last[1]).toBe(f.rate)
    expect(last[2]).toBe(3)
    const sources = rows(wb.getWorksheet('来源')!)
    expect(sources).toContainEqual(['知晓率', '问卷', '导出测试问卷', 3])
  })

  it('90 days when asked; above the community the children and the rankings are there', async () => {
    const wb = await workbook(office, `region=${STREET}&period=week&days=90`)
    expect(rows(wb.getWorksheet('近90天趋势')!)).toHaveLength(2 + 90)
    const children = rows(wb.getWorksheet('下级区域')!)
    // 4 communities × 5 figures
    expect(children.slice(2)).toHaveLength(20)
    expect(children.filter((r) => r[1] === HAPPY && r[4] === '知晓率')[0].slice(8, 10)).toEqual([2, 3])
    const ranks = rows(wb.getWorksheet('排名')!)
    // every community is below 30 people: nothing ranked, and the file says why
    expect(ranks.some((r) => String(r[4]).includes('样本不足'))).toBe(true)
    expect(String(ranks.at(-1)![0])).toContain('置信区间下限')
  })

  it('same rules as the dashboard: a worker only their area, a resident nothing, bad input refused', async () => {
    for (const region of [PEACE, STREET, CITY]) {
      const r = await t.as(worker, { method: 'GET', url: `/api/v1/rates/export?region=${region}&period=day` })
      expect(r.statusCode).toBe(403)
      expect(r.json().code).toBe('REGION_NOT_COVERED')
    }
    expect((await t.as(resident, { method: 'GET', url: `/api/v1/rates/export?region=${HAPPY}&period=day` })).json().code).toBe('RATES_STAFF_ONLY')
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/rates/export?region=${HAPPY}&period=day` })).statusCode).toBe(401)
    expect((await t.as(office, { method: 'GET', url: `/api/v1/rates/export?region=${HAPPY}&period=day&days=365` })).statusCode).toBe(400)
    expect((await t.as(office, { method: 'GET', url: `/api/v1/rates/export?region=${HAPPY}&period=custom&date=2026-11-10&to=2026-11-01` })).json().code).toBe('PERIOD_RANGE_INVALID')
  })
})

describe('GET /regions/:code/children/geometry (the dashboard map)', () => {
  it('a street\'s communities with closed, simplified boundaries', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/regions/${STREET}/children/geometry` })
    expect(r.statusCode).toBe(200)
    const body = r.json()
    expect(body.regionCode).toBe(STREET)
    expect(body.items.map((i: { code: string }) => i.code)).toContain(HAPPY)
    for (const item of body.items) {
      expect(item.level).toBe('community')
      const ring = item.geometry.coordinates[0] as number[][]
      expect(ring.length).toBeGreaterThanOrEqual(4)
      expect(ring[0]).toEqual(ring.at(-1))
      expect(item.center).toHaveLength(2)
    }
  })

  it('404 for a region that does not exist', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/regions/nowhere/children/geometry' })
    expect(r.statusCode).toBe(404)
    expect(r.json().code).toBe('REGION_NOT_FOUND')
  })
})

describe('simplifyBoundary', () => {
  it('drops points closer than the tolerance, keeps the shape within it and the ring closed', () => {
    // a circle of 2,000 points, radius 0.01°
    const ring = Array.from({ length: 2000 }, (_, i) => [118.8 + 0.01 * Math.cos((2 * Math.PI * i) / 2000), 32 + 0.01 * Math.sin((2 * Math.PI * i) / 2000)] as [number, number])
    ring.push(ring[0])
    const out = simplifyBoundary({ type: 'Polygon', coordinates: [ring] }, 0.0001).coordinates[0] as Array<[number, number]>
    expect(out.length).toBeLessThan(200)
    expect(out.length).toBeGreaterThan(8)
    expect(out[0]).toEqual(out.at(-1))
    for (const [x, y] of out) expect(Math.abs(Math.hypot(x - 118.8, y - 32) - 0.01)).toBeLessThan(0.00002)
    // a rectangle has nothing to drop
    const rect: Array<[number, number]> = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    expect(simplifyBoundary({ type: 'MultiPolygon', coordinates: [[rect]] }, 0.1)).toEqual({ type: 'MultiPolygon', coordinates: [[rect]] })
  })
})

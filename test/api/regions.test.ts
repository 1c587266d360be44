import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { demoCityGeoJSON } from '../../server/modules/regions/demo-city'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'

const ROOT = path.resolve(__dirname, '../..')
let t: TestApp
let office: string
let resident: string
beforeAll(async () => {
  t = await createTestApp()
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
})
afterAll(() => t.close())

const regionCount = async () => (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM regions'))!.n
const importAs = (token: string, payload: unknown) => t.as(token, { method: 'POST', url: '/api/v1/admin/regions/import', payload: payload as object })

describe('regions', () => {
  it('lists the demo city down to grids with populations that add up', async () => {
    const top = (await t.app.inject({ method: 'GET', url: '/api/v1/regions' })).json().items
    expect(top).toHaveLength(1)
    expect(top[0]).toMatchObject({ name: '示范市', level: 'city', hasChildren: true })
    const districts = (await t.app.inject({ method: 'GET', url: `/api/v1/regions?parent=${top[0].code}` })).json().items
    expect(districts).toHaveLength(2)
    expect(districts.reduce((s: number, d: { population: number }) => s + d.population, 0)).toBe(top[0].population)
    const levels = await t.ctx.db.query<{ level: string; n: number }>('SELECT level, count(*)::int AS n FROM regions GROUP BY level')
    const by = Object.fromEntries(levels.map((l) => [l.level, l.n]))
    expect(by).toMatchObject({ city: 1, district: 2 })
    expect(by.street).toBeGreaterThanOrEqual(5)
    expect(by.community).toBeGreaterThanOrEqual(20)
    expect(by.grid).toBeGreaterThan(by.community)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/regions?parent=nope' })).json().code).toBe('REGION_NOT_FOUND')
    const detail = (await t.app.inject({ method: 'GET', url: '/api/v1/regions/329901001001' })).json()
    expect(detail.ancestors.map((a: { name: string }) => a.name)).toEqual(['示范市', '东湖区', '湖滨街道'])
    expect(detail.center.lng).toBeGreaterThan(118)
  })

  it('places a point in its grid and community by boundary; outside the city is refused', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/regions/locate?lng=118.71&lat=32.005' })
    expect(r.statusCode).toBe(200)
    expect(r.json()).toMatchObject({ community: { code: '329901001001' }, grid: { code: '32990100100101' }, street: { code: '329901001' } })
    const east = await t.app.inject({ method: 'GET', url: '/api/v1/regions/locate?lng=118.89&lat=32.115' })
    expect(east.json().district.name).toBe('西岭区')
    const out = await t.app.inject({ method: 'GET', url: '/api/v1/regions/locate?lng=116.4&lat=39.9' })
    expect(out.statusCode).toBe(404)
    expect(out.json().code).toBe('OUTSIDE_CITY')
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/regions/locate?lng=abc&lat=32' })).statusCode).toBe(400)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/regions/locate?lng=200&lat=32' })).statusCode).toBe(400)
  })

  it('only the office imports, and a file with any bad feature imports nothing', async () => {
    const before = await regionCount()
    const fc = demoCityGeoJSON()
    expect((await importAs(resident, fc)).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/regions/import', payload: fc })).statusCode).toBe(401)

    const feature = (code: string, parent: string | null, level: string, ring?: number[][]) => ({
      type: 'Feature',
      properties: { code, name: `区域${code}`, level, parent, population: 100 },
      geometry: ring ? { type: 'Polygon', coordinates: [ring] } : null,
    })
    const closed = [[118.7, 32.0], [118.71, 32.0], [118.71, 32.01], [118.7, 32.0]]
    const open = [[118.7, 32.0], [118.71, 32.0], [118.71, 32.01], [118.70, 32.01]]
    const cases: Array<[string, unknown, RegExp]> = [
      ['unclosed ring', { type: 'FeatureCollection', features: [feature('X1', '329901001', 'community', open)] }, /未闭合/],
      ['missing parent', { type: 'FeatureCollection', features: [feature('X2', 'NOPE', 'community', closed)] }, /上级区域 NOPE 不存在/],
      ['duplicate code', { type: 'FeatureCollection', features: [feature('X3', '329901001', 'community', closed), feature('X3', '329901001', 'community', closed)] }, /重复/],
      ['wrong parent level', { type: 'FeatureCollection', features: [feature('X4', '329901', 'community', closed)] }, /上级必须是街道/],
      ['one good, one bad', { type: 'FeatureCollection', features: [feature('X5', '329901001', 'community', closed), feature('X6', '329901001', 'planet', closed)] }, /层级/],
    ]
    for (const [name, payload, message] of cases) {
      const r = await importAs(office, payload)
      expect([name, r.statusCode, r.json().code]).toEqual([name, 400, 'REGIONS_INVALID'])
      expect(r.json().message).toMatch(message)
    }
    expect(await regionCount()).toBe(before)
    expect((await importAs(office, { type: 'Nope' })).statusCode).toBe(400)
  })

  it('a valid import is applied at once and every API process sees the new version', async () => {
    const ring = [[118.9, 32.0], [118.95, 32.0], [118.95, 32.05], [118.9, 32.05], [118.9, 32.0]]
    const fc = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { code: '32990100T', name: '新区街道', level: 'street', parent: '329901', population: 0 }, geometry: null },
        { type: 'Feature', properties: { code: '32990100T01', name: '新建社区', level: 'community', parent: '32990100T', population: 4200 }, geometry: { type: 'Polygon', coordinates: [ring] } },
      ],
    }
    const r = await importAs(office, fc)
    expect(r.statusCode).toBe(200)
    expect(r.json()).toMatchObject({ created: 2, updated: 0, byLevel: { street: 1, community: 1 } })
    const hit = await t.app.inject({ method: 'GET', url: '/api/v1/regions/locate?lng=118.92&lat=32.02' })
    expect(hit.json()).toMatchObject({ community: { code: '32990100T01' }, grid: null })
    const again = await importAs(office, fc)
    expect(again.json()).toMatchObject({ created: 0, updated: 2 })
    const audits = await t.ctx.db.query(`SELECT 1 FROM audit_log WHERE action = 'regions.import'`)
    expect(audits.length).toBeGreaterThanOrEqual(3)
  })

  it('the CLI writes the demo city and imports a GeoJSON file into an embedded database, all or nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-cli-'))
    const env = { ...process.env, DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' }
    const run = (script: string, args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/modules/regions', script), ...args], { env, encoding: 'utf8', timeout: 120_000 })
    try {
      const file = path.join(dir, 'city.geojson')
      expect(run('demo-city-cli.ts', [file]).status).toBe(0)
      const ok = run('cli-import.ts', [file])
      expect([ok.status, ok.stdout]).toEqual([0, expect.stringContaining('新增 129')])
      const bad = JSON.parse(fs.readFileSync(file, 'utf8'))
      bad.features[5].properties.parent = 'NOPE'
      fs.writeFileSync(file, JSON.stringify(bad))
      const refused = run('cli-import.ts', [file])
      expect(refused.status).toBe(1)
      expect(refused.stderr).toContain('上级区域 NOPE 不存在')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('system', () => {
  it('health reports database readiness; OpenAPI is served; unknown routes answer in our shape', async () => {
    const h = await t.app.inject({ method: 'GET', url: '/api/v1/health' })
    expect(h.json()).toEqual({ status: 'ok', database: { kind: t.ctx.db.kind, ready: true } })
    const docs = await t.app.inject({ method: 'GET', url: '/docs/json' })
    expect(docs.statusCode).toBe(200)
    expect(Object.keys(docs.json().paths)).toEqual(expect.arrayContaining(['/api/v1/auth/sms/send', '/api/v1/regions/locate', '/api/v1/home']))
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().code).toBe('ROUTE_NOT_FOUND')
  })

  it('home shows the community with counted figures and no invented sections', async () => {
    const fresh = await t.login('13900000061')
    expect((await t.as(fresh, { method: 'GET', url: '/api/v1/home' })).json()).toEqual({ community: null, sections: [] })
    await t.as(fresh, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: '329901001001' } })
    const home = (await t.as(fresh, { method: 'GET', url: '/api/v1/home' })).json()
    const residents = (await t.ctx.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE community_code = '329901001001'`))!.n
    expect(home.community).toMatchObject({ code: '329901001001', name: '幸福里社区', registeredResidents: residents, workers: 1 })
    expect(home.sections).toEqual([])
  })
})

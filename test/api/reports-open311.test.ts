import gcoord from 'gcoord'
import { DEMO_ACCOUNTS } from '../helpers/app'
import { INSIDE, reportsApp, submit } from './reports-helpers'

let t: Awaited<ReturnType<typeof reportsApp>>
let office: string
let resident: string
let apiKey: string
let existing: number

beforeAll(async () => {
  t = await reportsApp()
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  existing = (await submit(t, resident, { description: '路口垃圾' })).json().id
}, 60_000)
afterAll(() => t.close())

/** INSIDE is GCJ-02; Open311 speaks WGS-84. */
const [WLNG, WLAT] = gcoord.transform([INSIDE.lng, INSIDE.lat], gcoord.GCJ02, gcoord.WGS84)
const form = (o: Record<string, string>) => ({ payload: new URLSearchParams(o).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })

describe('Open311 GeoReport v2', () => {
  it('only the office creates API keys', async () => {
    expect((await t.as(resident, { method: 'POST', url: '/api/v1/admin/open311-keys', payload: { name: '12345 热线' } })).statusCode).toBe(403)
    const res = await t.as(office, { method: 'POST', url: '/api/v1/admin/open311-keys', payload: { name: '12345 热线' } })
    expect(res.statusCode).toBe(201)
    apiKey = res.json().apiKey
    expect(apiKey).toMatch(/^o311_/)
  })

  it('discovery and services in JSON and XML', async () => {
    const d = await t.app.inject({ method: 'GET', url: '/open311/v2/discovery.json' })
    expect(d.json().endpoints[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', formats: ['text/xml', 'application/json'] })
    const dx = await t.app.inject({ method: 'GET', url: '/open311/v2/discovery.xml' })
    expect(dx.headers['content-type']).toContain('text/xml')
    expect(dx.body).toContain('<discovery>')
    expect(dx.body).toContain('<endpoints><endpoint>')
    const s = (await t.app.inject({ method: 'GET', url: '/open311/v2/services.json' })).json()
    expect(s.find((x: { service_code: string }) => x.service_code === 'littering')).toMatchObject({ service_name: '乱扔垃圾', metadata: false, type: 'realtime' })
    const sx = await t.app.inject({ method: 'GET', url: '/open311/v2/services.xml' })
    expect(sx.body).toMatch(/<services><service><service_code>spitting<\/service_code><service_name>随地吐痰<\/service_name>/)
    const def = await t.app.inject({ method: 'GET', url: '/open311/v2/services/littering.json' })
    expect(def.json()).toEqual({ service_code: 'littering', attributes: [] })
    const missing = await t.app.inject({ method: 'GET', url: '/open311/v2/services/nope.xml' })
    expect(missing.statusCode).toBe(404)
    expect(missing.body).toContain('<errors><error><code>404</code><description>service_code not found: nope</description></error></errors>')
  })

  it('POST requests with an api_key (form-encoded or JSON) files a report as the named account', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      ...form({ api_key: apiKey, service_code: 'illegal_parking', lat: String(WLAT), long: String(WLNG), description: '消防通道停车', address_string: '幸福里北门', media_url: 'https://example.org/p.jpg' }),
    })
    expect(res.statusCode).toBe(201)
    const [created] = res.json()
    expect(created.service_request_id).toMatch(/^\d+$/)
    const row = await t.ctx.db.one<{ source: string; nickname: string; community: string }>(
      `SELECT r.source, u.nickname, r.community_code AS community FROM reports r JOIN users u ON u.id = r.reporter_id WHERE r.id = $1`,
      [Number(created.service_request_id)],
    )
    expect(row).toEqual({ source: 'open311', nickname: '系统：12345 热线', community: '329901001001' })
    const x = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', payload: { api_key: apiKey, service_code: 'spitting', lat: WLAT, long: WLNG } })
    expect(x.statusCode).toBe(201)
    expect(x.body).toMatch(/<service_requests><request><service_request_id>\d+<\/service_request_id>/)

    const one = (await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${created.service_request_id}.json` })).json()
    // a key without read access reads what anyone reads: no photo, the area instead of the address
    expect(one[0]).toMatchObject({ status: 'open', status_notes: '待受理 (submitted)', service_code: 'illegal_parking', description: '消防通道停车', media_url: null })
    expect(one[0].address).not.toContain('北门')
    const token = (await t.app.inject({ method: 'GET', url: `/open311/v2/tokens/${created.service_request_id}.json` })).json()
    expect(token).toEqual([{ service_request_id: created.service_request_id, token: created.service_request_id }])
  })

  it('POST errors say why (400/403/404), in the format asked for', async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ service_code: 'spitting', lat: '32', long: '118' }, 403, 'api_key is required'],
      [{ api_key: 'o311_wrong', service_code: 'spitting', lat: '32', long: '118' }, 403, 'api_key is invalid'],
      [{ api_key: apiKey, lat: '32', long: '118' }, 400, 'service_code is required'],
      [{ api_key: apiKey, service_code: 'nope', lat: '32', long: '118' }, 404, 'service_code not found'],
      [{ api_key: apiKey, service_code: 'spitting', lat: '', long: '' }, 400, 'lat and long are required'],
      [{ api_key: apiKey, service_code: 'spitting' }, 400, 'lat and long are required'],
      [{ api_key: apiKey, service_code: 'spitting', lat: 'x', long: '118' }, 400, 'lat must be a decimal degree'],
      [{ api_key: apiKey, service_code: 'spitting', lat: '39.9', long: '116.4' }, 400, 'outside the city'],
      [{ api_key: apiKey, service_code: 'spitting', lat: '32.005', long: '118.71', media_url: 'file:///etc/passwd' }, 400, 'media_url'],
    ]
    for (const [body, status, text] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', ...form(body) })
      expect([res.statusCode, res.json()[0].code]).toEqual([status, status])
      expect(res.json()[0].description).toContain(text)
    }
    const xml = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.xml', ...form({ service_code: 'x' }) })
    expect(xml.statusCode).toBe(403)
    expect(xml.body).toContain('<errors><error><code>403</code><description>api_key is required to write')
  })

  it('GET requests with filters, both formats; held reports never appear', async () => {
    const all = (await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json' })).json()
    expect(all.length).toBe(3)
    const byId = (await t.app.inject({ method: 'GET', url: `/open311/v2/requests.json?service_request_id=${existing}` })).json()
    expect(byId.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([String(existing)])
    expect(byId[0].media_url).toBeNull()
    const bycode = (await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?service_code=spitting' })).json()
    expect(bycode.every((r: { service_code: string }) => r.service_code === 'spitting')).toBe(true)
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?status=closed' })).json()).toEqual([])
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?status=open' })).json()).toHaveLength(3)
    const future = new Date(Date.now() + 86400_000).toISOString()
    expect((await t.app.inject({ method: 'GET', url: `/open311/v2/requests.json?start_date=${future}` })).json()).toEqual([])
    const bad = await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?start_date=yesterday' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()[0].description).toContain('start_date')
    const xml = await t.app.inject({ method: 'GET', url: '/open311/v2/requests.xml?status=open' })
    expect(xml.body.match(/<request>/g)).toHaveLength(3)
    expect(xml.body).toContain('<status>open</status>')
    await submit(t, resident, { description: '违禁内容' })
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json' })).json()).toHaveLength(3)
    const nf = await t.app.inject({ method: 'GET', url: '/open311/v2/requests/99999.xml' })
    expect(nf.statusCode).toBe(404)
    expect(nf.body).toContain('<description>service request not found: 99999</description>')
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/requests/1.csv' })).statusCode).toBe(404)
    expect((await t.app.inject({ method: 'GET', url: '/open311/v2/tokens/abc.json' })).statusCode).toBe(404)
  })
})

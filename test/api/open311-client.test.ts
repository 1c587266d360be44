import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import gcoord from 'gcoord'
import { DEMO_ACCOUNTS } from '../helpers/app'
import { parseXml, type XmlObject } from '../helpers/open311-xml'
import { act, INSIDE, jpeg, multipart, reportsApp, submit } from './reports-helpers'

/**
 * A GeoReport v2 client written from the spec and from FixMyStreet's perllib/Open311.pm: it finds the endpoint in
 * discovery.xml and appends resource names to it, speaks XML only, posts form-encoded bodies with api_key and
 * jurisdiction_id, sends WGS-84 coordinates and W3C dates, and reads errors as <errors><error>.
 */
const BASE = 'https://civic.example.cn'
let t: Awaited<ReturnType<typeof reportsApp>>
let office: string
let resident: string
let worker: string

class Client {
  constructor(readonly endpoint: string, readonly apiKey = '') {}
  private path(resource: string, params: Record<string, string> = {}) {
    const url = new URL(this.endpoint + resource) // the endpoint ends with '/', as Open311.pm expects
    expect(url.origin).toBe(BASE)
    // Open311.pm sends its api_key with the reads of updates; this client sends it with every read
    for (const [k, v] of Object.entries({ jurisdiction_id: 'civiclink', ...(this.apiKey ? { api_key: this.apiKey } : {}), ...params })) url.searchParams.set(k, v)
    return url.pathname + url.search
  }
  async get(resource: string, params: Record<string, string> = {}) {
    const res = await t.app.inject({ method: 'GET', url: this.path(resource, params), headers: { 'x-forwarded-host': 'evil.example' } })
    expect(res.headers['content-type']).toContain('text/xml')
    return { status: res.statusCode, ...parseXml(res.body) }
  }
  async post(resource: string, params: Record<string, string | string[]>) {
    const body = new URLSearchParams({ jurisdiction_id: 'civiclink', ...(this.apiKey ? { api_key: this.apiKey } : {}) })
    for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) body.append(k, x)
    const res = await t.app.inject({
      method: 'POST',
      url: new URL(this.endpoint + resource).pathname,
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-host': 'evil.example' },
    })
    expect(res.headers['content-type']).toContain('text/xml')
    return { status: res.statusCode, ...parseXml(res.body) }
  }
}

/** Open311.pm's _process_error: "code: description" per error. */
const errorsOf = (v: XmlObject) => ((v.error ?? []) as XmlObject[]).map((e) => `${e.code}: ${e.description}`)
const first = (v: XmlObject, item: string) => ((v[item] ?? []) as XmlObject[])[0]
const wgs = (lng: number, lat: number) => gcoord.transform([lng, lat], gcoord.GCJ02, gcoord.WGS84) as [number, number]
/** DateTime::Format::W3CDTF of a UTC time: whole seconds, Z. */
const w3c = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

async function newKey(name: string, opts: { readPrivate?: boolean; extendedStatuses?: boolean } = {}) {
  const res = await t.as(office, { method: 'POST', url: '/api/v1/admin/open311-keys', payload: { name, ...opts } })
  expect(res.statusCode).toBe(201)
  expect(res.json()).toMatchObject({ readPrivate: opts.readPrivate ?? false, extendedStatuses: opts.extendedStatuses ?? false })
  return res.json().apiKey as string
}

let endpoint: string
let plainKey: string
let readKey: string
let extendedKey: string

beforeAll(async () => {
  // with an H5 build served at / (as npm start does): its wildcard route must not answer under /open311/v2
  const h5Dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-h5-'))
  fs.writeFileSync(path.join(h5Dir, 'index.html'), '<!doctype html><title>h5</title>')
  t = await reportsApp({ publicBaseUrl: BASE, h5Dir }, { serveH5: true })
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  plainKey = await newKey('FixMyStreet 测试')
  readKey = await newKey('12345 热线', { readPrivate: true })
  extendedKey = await newKey('FixMyStreet 扩展状态', { readPrivate: true, extendedStatuses: true })
}, 60_000)
afterAll(() => t.close())

describe('an Open311 client from the spec (XML, as FixMyStreet speaks it)', () => {
  it('discovery names the endpoint at the configured public URL, with the trailing slash; a spoofed X-Forwarded-Host changes nothing', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/open311/v2/discovery.xml', headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' } })
    const d = parseXml(res.body)
    expect(d.root).toBe('discovery')
    const ep = first(d.value.endpoints as XmlObject, 'endpoint')
    expect(ep.url).toBe(`${BASE}/open311/v2/`)
    expect(res.body).not.toContain('evil.example')
    endpoint = ep.url as string
    const services = await new Client(endpoint).get('services.xml')
    expect(services.root).toBe('services')
    expect((services.value.service as XmlObject[]).map((s) => s.service_code)).toContain('littering')
  })

  it('send_service_request: WGS-84 in, GCJ-02 stored; a long description with the report URL at its end is kept whole; the person is kept', async () => {
    const [lng, lat] = wgs(INSIDE.lng, INSIDE.lat)
    const url = 'https://www.fixmystreet.example/report/123456'
    const description = `路口垃圾堆积\n\n${'垃圾桶满溢，周边散落塑料袋和纸箱。'.repeat(40)}\n\n${url}\n`
    expect(description.length).toBeGreaterThan(500)
    const res = await new Client(endpoint, plainKey).post('requests.xml', {
      lat: lat.toFixed(6), long: lng.toFixed(6), email: 'li.lei@example.org', description, service_code: 'littering',
      first_name: '雷', last_name: '李', phone: '13900001111', media_url: 'https://www.fixmystreet.example/photo/123456.0.full.jpeg', 'attribute[x]': '1',
    })
    expect(res.status).toBe(201)
    const id = first(res.value, 'request').service_request_id as string
    expect(id).toMatch(/^\d+$/)
    const row = await t.ctx.db.one<{ description: string; lng: number; lat: number }>('SELECT description, lng, lat FROM reports WHERE id = $1', [Number(id)])
    expect(row!.description).toBe(description.trim())
    expect(row!.description.endsWith(url)).toBe(true)
    // the stored point is where the client meant, in GCJ-02 (the WGS-84 figures are ~500 m away from it here)
    expect(Math.abs(row!.lng - INSIDE.lng)).toBeLessThan(2e-6)
    expect(Math.abs(row!.lat - INSIDE.lat)).toBeLessThan(2e-6)
    const person = await t.ctx.db.one('SELECT first_name, last_name, email, phone FROM open311_submitters WHERE report_id = $1', [Number(id)])
    expect(person).toEqual({ first_name: '雷', last_name: '李', email: 'li.lei@example.org', phone: '13900001111' })
    // the person is staff-only: nowhere in what Open311 returns
    const back = await new Client(endpoint, readKey).get('requests.xml', { service_request_id: id })
    expect(JSON.stringify(back.value)).not.toMatch(/li\.lei|13900001111|李/)
    // the workers of the region see for whom a system filed it; a resident does not
    const forWorker = (await t.as(worker, { method: 'GET', url: `/api/v1/reports/${id}` })).json()
    expect(forWorker.filedFor).toEqual({ system: 'FixMyStreet 测试', name: '李雷', email: 'li.lei@example.org', phoneMasked: '139****1111' })
    const forResident = (await t.as(resident, { method: 'GET', url: `/api/v1/reports/${id}` })).json()
    expect(forResident.filedFor ?? null).toBeNull()
    expect(JSON.stringify(forResident)).not.toMatch(/li\.lei|1111/)
    const token = await new Client(endpoint).get(`tokens/${id}.xml`)
    expect(first(token.value, 'request').service_request_id).toBe(id)
  })

  it('a description over the spec\'s 4,000 characters is refused with a clear error, never cut', async () => {
    const [lng, lat] = wgs(INSIDE.lng, INSIDE.lat)
    const c = new Client(endpoint, plainKey)
    const ok = await c.post('requests.xml', { service_code: 'spitting', lat: String(lat), long: String(lng), description: '痰'.repeat(4000) })
    expect(ok.status).toBe(201)
    const row = await t.ctx.db.one<{ n: number }>('SELECT length(description) AS n FROM reports WHERE id = $1', [Number(first(ok.value, 'request').service_request_id)])
    expect(row!.n).toBe(4000)
    const count = await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM reports')
    const tooLong = await c.post('requests.xml', { service_code: 'spitting', lat: String(lat), long: String(lng), description: '痰'.repeat(4001) })
    expect(tooLong.status).toBe(400)
    expect(errorsOf(tooLong.value)).toEqual(['400: description is longer than 4000 characters'])
    expect((await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM reports'))!.n).toBe(count!.n)
  })

  it('get_service_requests: anonymous reads get rounded WGS-84 coordinates, the area and no photo; a key with read access gets exact ones and a signed photo link that works without sign-in', async () => {
    const r = (await submit(t, resident, { address: '幸福里 3 号楼东侧单元门口', description: '门口堆放杂物' })).json()
    const [lng, lat] = wgs(r.lng, r.lat)
    const anon = first((await new Client(endpoint).get('requests.xml', { service_request_id: String(r.id) })).value, 'request')
    expect(Number(anon.lat)).toBe(Number(lat.toFixed(3)))
    expect(Number(anon.long)).toBe(Number(lng.toFixed(3)))
    expect(anon.media_url).toBeNull()
    expect(anon.address).not.toContain('3 号楼')
    expect(anon.address).toContain('幸福里')
    const full = first((await new Client(endpoint, readKey).get('requests.xml', { service_request_id: String(r.id) })).value, 'request')
    expect(Math.abs(Number(full.lat) - lat)).toBeLessThan(1e-6)
    expect(Math.abs(Number(full.long) - lng)).toBeLessThan(1e-6)
    expect(full.address).toBe('幸福里 3 号楼东侧单元门口')
    const media = new URL(full.media_url as string)
    expect(media.origin).toBe(BASE)
    expect(media.pathname).toBe(`/api/v1/photos/${r.photos[0].id}`)
    const img = await t.app.inject({ method: 'GET', url: media.pathname + media.search })
    expect([img.statusCode, img.headers['content-type']]).toEqual([200, 'image/jpeg'])
    // the bare photo path (what Open311 used to hand out) serves nothing
    expect((await t.app.inject({ method: 'GET', url: media.pathname })).statusCode).toBe(403)
    // an unknown key is refused, not read as anonymous
    const wrong = await new Client(endpoint, 'o311_nope').get('requests.xml')
    expect(wrong.status).toBe(403)
  })

  it('statuses: open/closed by default; rejected, merged, 未解决办结 and fixed stay apart for a key that asks for extended statuses', async () => {
    const ids: Record<string, number> = {}
    for (const name of ['fixed', 'notFixed', 'rejected', 'dup', 'target', 'dispatched']) ids[name] = (await submit(t, resident, { description: `状态 ${name}` })).json().id
    await act(t, worker, ids.rejected, { action: 'reject', note: '不属于文明城市测评范围' })
    for (const id of [ids.fixed, ids.notFixed, ids.dup, ids.target, ids.dispatched]) expect((await act(t, worker, id, { action: 'accept' })).statusCode).toBe(200)
    expect((await act(t, worker, ids.dup, { action: 'merge', targetReportId: ids.target })).statusCode).toBe(200)
    for (const id of [ids.fixed, ids.notFixed, ids.dispatched]) expect((await act(t, worker, id, { action: 'dispatch', department: '城管中队' })).statusCode).toBe(200)
    for (const id of [ids.fixed, ids.notFixed]) {
      const up = await t.as(worker, { method: 'POST', url: '/api/v1/reports/photos', ...multipart(await jpeg(), 'a.jpg', 'image/jpeg') })
      expect((await act(t, worker, id, { action: 'rectify', photoIds: [up.json().id] })).statusCode).toBe(200)
    }
    expect((await act(t, worker, ids.fixed, { action: 'close' })).statusCode).toBe(200)
    expect((await act(t, worker, ids.notFixed, { action: 'close_not_fixed', note: '摊贩反复出现' })).statusCode).toBe(200)
    const list = Object.values(ids).join(',')
    const read = async (c: Client) =>
      Object.fromEntries(((await c.get('requests.xml', { service_request_id: list })).value.request as XmlObject[]).map((x) => [Number(x.service_request_id), x.status]))
    const plain = await read(new Client(endpoint))
    expect([plain[ids.fixed], plain[ids.notFixed], plain[ids.rejected], plain[ids.dup], plain[ids.target], plain[ids.dispatched]])
      .toEqual(['closed', 'closed', 'closed', 'closed', 'open', 'open'])
    const ext = await read(new Client(endpoint, extendedKey))
    expect([ext[ids.fixed], ext[ids.notFixed], ext[ids.rejected], ext[ids.dup], ext[ids.target], ext[ids.dispatched]])
      .toEqual(['FIXED', 'NO_FURTHER_ACTION', 'NOT_COUNCILS_RESPONSIBILITY', 'DUPLICATE', 'INVESTIGATING', 'ACTION_SCHEDULED'])
    // the status filter takes the same words
    const dupOnly = await new Client(endpoint, extendedKey).get('requests.xml', { status: 'duplicate' })
    expect((dupOnly.value.request as XmlObject[]).map((x) => Number(x.service_request_id))).toEqual([ids.dup])
  })

  it('get_service_request_updates by start_date/end_date: the 台账 as updates, with the status at each step', async () => {
    const start = Date.now() - 1000
    const r = (await submit(t, resident, { description: '共享单车乱停' })).json()
    await act(t, worker, r.id, { action: 'accept' })
    await act(t, worker, r.id, { action: 'dispatch', department: '城管中队' })
    const end = Date.now() + 1000
    const res = await new Client(endpoint, extendedKey).get('servicerequestupdates.xml', { start_date: w3c(start), end_date: w3c(end) })
    expect([res.status, res.root]).toEqual([200, 'service_request_updates'])
    const mine = (res.value.request_update as XmlObject[]).filter((u) => u.service_request_id === String(r.id))
    expect(mine.map((u) => [u.status, u.description, u.external_status_code])).toEqual([['INVESTIGATING', '受理', 'accepted'], ['ACTION_SCHEDULED', '派遣处置', 'dispatched']])
    for (const u of mine) {
      expect(u.update_id).toMatch(/^\d+$/)
      // Open311::UpdatesBase check_date: the time parses and lies inside the window asked for, compared as W3C strings
      const at = u.updated_datetime as string
      expect(at >= w3c(start) && at <= w3c(end)).toBe(true)
    }
    // a plain key reads open/closed; a window before the report has none of its updates
    const plain = await new Client(endpoint).get('servicerequestupdates.xml', { start_date: w3c(start), end_date: w3c(end) })
    expect((plain.value.request_update as XmlObject[]).filter((u) => u.service_request_id === String(r.id)).map((u) => u.status)).toEqual(['open', 'open'])
    const before = await new Client(endpoint).get('servicerequestupdates.xml', { start_date: w3c(start - 3600_000), end_date: w3c(start - 1800_000) })
    expect(before.value.request_update ?? []).toEqual([])
  })

  it('post_service_request_update: a comment lands in the 台账 once, however often it is retried; it comes back in the updates', async () => {
    const r = (await submit(t, resident, { description: '井盖松动' })).json()
    const c = new Client(endpoint, plainKey)
    const params = {
      updated_datetime: w3c(Date.now()), service_request_id: String(r.id), status: 'OPEN', description: '市民补充：晚上更危险',
      last_name: '李', first_name: '雷', email: 'li.lei@example.org', update_id: '9001',
    }
    const res = await c.post('servicerequestupdates.xml', params)
    expect([res.status, res.root]).toEqual([201, 'service_request_updates'])
    const updateId = first(res.value, 'request_update').update_id as string
    expect(updateId).toMatch(/^\d+$/)
    const again = await c.post('servicerequestupdates.xml', params)
    expect(first(again.value, 'request_update').update_id).toBe(updateId)
    const timeline = (await t.as(resident, { method: 'GET', url: `/api/v1/reports/${r.id}` })).json().timeline
    expect(timeline.filter((e: { action: string }) => e.action === 'comment')).toMatchObject([{ label: '城市系统留言', note: '市民补充：晚上更危险', actor: { role: 'open311' } }])
    expect(JSON.stringify(timeline)).not.toContain('li.lei')
    const ups = await new Client(endpoint).get('servicerequestupdates.xml', { start_date: w3c(Date.now() - 60_000), end_date: w3c(Date.now() + 1000) })
    expect((ups.value.request_update as XmlObject[]).find((u) => u.update_id === updateId)).toMatchObject({ service_request_id: String(r.id), status: 'open', description: '市民补充：晚上更危险' })
    // the state stays with the workers
    expect((await t.ctx.db.one<{ state: string }>('SELECT state FROM reports WHERE id = $1', [r.id]))!.state).toBe('submitted')
    const missing = await c.post('servicerequestupdates.xml', { service_request_id: String(r.id), update_id: '9002' })
    expect([missing.status, errorsOf(missing.value)]).toEqual([400, ['400: description is required']])
  })

  it('held reports do not exist for Open311: not in requests, tokens, updates, nor open to comments', async () => {
    const held = (await submit(t, resident, { description: '违禁内容' })).json()
    expect(held.held).toBe(true)
    await act(t, worker, held.id, { action: 'accept' })
    const id = String(held.id)
    for (const path of [`requests/${id}.xml`, `tokens/${id}.xml`]) {
      const res = await new Client(endpoint, readKey).get(path)
      expect(res.status).toBe(404)
      expect(errorsOf(res.value)[0]).toMatch(/^404: (service request|token) not found/)
    }
    const byId = await new Client(endpoint, readKey).get('requests.xml', { service_request_id: id })
    expect(byId.value.request ?? []).toEqual([])
    const ups = await new Client(endpoint, readKey).get('servicerequestupdates.xml', { service_request_id: id })
    expect(ups.value.request_update ?? []).toEqual([])
    const comment = await new Client(endpoint, readKey).post('servicerequestupdates.xml', { service_request_id: id, description: '有人吗', update_id: 'h1' })
    expect([comment.status, errorsOf(comment.value)]).toEqual([404, [`404: service request not found: ${id}`]])
  })

  it('the office changes what a key may read, or revokes it; the key then reads accordingly, or not at all', async () => {
    const key = await newKey('区数字城管')
    const r = (await submit(t, resident)).json()
    const read = () => new Client(endpoint, key).get('requests.xml', { service_request_id: String(r.id) })
    expect(first((await read()).value, 'request').media_url).toBeNull()
    const list = (await t.as(office, { method: 'GET', url: '/api/v1/admin/open311-keys' })).json().items
    const id = list.find((k: { name: string }) => k.name === '区数字城管').id
    expect(JSON.stringify(list)).not.toMatch(/o311_|key_hash/)
    expect((await t.as(resident, { method: 'PATCH', url: `/api/v1/admin/open311-keys/${id}`, payload: { readPrivate: true } })).statusCode).toBe(403)
    const up = await t.as(office, { method: 'PATCH', url: `/api/v1/admin/open311-keys/${id}`, payload: { readPrivate: true, extendedStatuses: true } })
    expect(up.json()).toMatchObject({ id, readPrivate: true, extendedStatuses: true, revokedAt: null })
    const now = first((await read()).value, 'request')
    expect(now.media_url).toMatch(/^https:\/\/civic\.example\.cn\/api\/v1\/photos\//)
    expect(now.status).toBe('OPEN')
    expect((await t.as(office, { method: 'PATCH', url: `/api/v1/admin/open311-keys/${id}`, payload: {} })).statusCode).toBe(400)
    expect((await t.as(office, { method: 'PATCH', url: '/api/v1/admin/open311-keys/999999', payload: { revoked: true } })).statusCode).toBe(404)
    const revoked = await t.as(office, { method: 'PATCH', url: `/api/v1/admin/open311-keys/${id}`, payload: { revoked: true } })
    expect(revoked.json().revokedAt).not.toBeNull()
    expect((await read()).status).toBe(403)
    const [lng, lat] = wgs(INSIDE.lng, INSIDE.lat)
    expect((await new Client(endpoint, key).post('requests.xml', { service_code: 'spitting', lat: String(lat), long: String(lng) })).status).toBe(403)
  })

  it('errors in <errors> with the spec\'s codes, for every kind of bad request', async () => {
    const [lng, lat] = wgs(INSIDE.lng, INSIDE.lat)
    const anon = new Client(endpoint)
    const keyed = new Client(endpoint, plainKey)
    const cases: Array<[Client, Record<string, string>, number, RegExp]> = [
      [anon, { service_code: 'spitting', lat: String(lat), long: String(lng) }, 403, /^403: api_key is required/],
      [new Client(endpoint, 'o311_wrong'), { service_code: 'spitting', lat: String(lat), long: String(lng) }, 403, /^403: api_key is invalid/],
      [keyed, { service_code: 'nope', lat: String(lat), long: String(lng) }, 404, /^404: service_code not found: nope$/],
      [keyed, { service_code: 'spitting', lat: '', long: '' }, 400, /^400: lat and long are required/],
      [keyed, { service_code: 'spitting', address_string: '幸福里北门' }, 400, /cannot look up address_string$/],
      [keyed, { service_code: 'spitting', lat: String(lat), long: String(lng), media_url: 'file:///etc/passwd' }, 400, /media_url/],
      [keyed, { service_code: 'spitting', lat: String(lat), long: String(lng), description: 'a\u0000b' }, 400, /description 含有无法保存的字符/],
    ]
    const count = async () => (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM reports'))!.n
    const before = await count()
    for (const [client, params, status, text] of cases) {
      const res = await client.post('requests.xml', params)
      expect([res.root, res.status]).toEqual(['errors', status])
      expect(errorsOf(res.value)).toEqual([expect.stringMatching(text)])
    }
    expect(await count()).toBe(before)
    for (const unknown of ['nope.xml', 'requests/1/extra.xml', 'services/littering/x.xml', 'servicerequestupdates/1.xml']) {
      const res = await anon.get(unknown)
      expect([res.root, res.status, errorsOf(res.value)[0]]).toEqual(['errors', 404, expect.stringMatching(/^404: no such resource/)])
    }
    const json = await t.app.inject({ method: 'GET', url: '/open311/v2/nope.json' })
    expect([json.statusCode, json.json()]).toEqual([404, [{ code: 404, description: 'no such resource: GET /open311/v2/nope.json' }]])
    // and the H5 build still answers its own paths, CORS its preflights
    expect((await t.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200)
    const pre = await t.app.inject({
      method: 'OPTIONS', url: '/open311/v2/requests.xml', headers: { origin: 'http://localhost:10086', 'access-control-request-method': 'POST' },
    })
    expect([pre.statusCode, pre.headers['access-control-allow-origin']]).toEqual([204, 'http://localhost:10086'])
    for (const bad of ['2026-02-31T00:00:00Z', '0000-01-01', '9999-99-99', '-100000-01-01', '2026-13-01', '2026-01-01T24:00:00Z', 'yesterday']) {
      for (const resource of ['requests.xml', 'servicerequestupdates.xml']) {
        const res = await anon.get(resource, { start_date: bad })
        expect([res.status, errorsOf(res.value)[0]]).toEqual([400, expect.stringContaining('start_date must be a real W3C date-time')])
      }
    }
  })
})

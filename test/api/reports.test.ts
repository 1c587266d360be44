import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import ExcelJS from 'exceljs'
import { DEMO_ACCOUNTS } from '../helpers/app'
import { processOutbox } from '../../server/modules/reports/notify'
import { startPeriodic } from '../../server/lib/periodic'
import { act, COMMUNITY, INSIDE, jpeg, reportsApp, submit, upload } from './reports-helpers'

let t: Awaited<ReturnType<typeof reportsApp>>
let resident: string
let worker: string
let office: string
let other: string
let otherWorker: string

beforeAll(async () => {
  t = await reportsApp()
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  other = await t.login('13900000101')
  // a worker of another community
  await t.login('13900000102')
  const dir = await t.ctx.regions.get()
  const otherCommunity = dir.descendants(dir.children(null)[0].code).filter((r) => r.level === 'community').find((r) => r.code !== COMMUNITY)!
  const g = await t.as(office, { method: 'POST', url: '/api/v1/admin/roles', payload: { phone: '13900000102', role: 'worker', regionCode: otherCommunity.code } })
  expect(g.statusCode).toBe(201)
  otherWorker = await t.login('13900000102')
}, 60_000)
afterAll(() => t.close())

const count = async (sql: string, params: unknown[] = []) => (await t.ctx.db.one<{ n: number }>(sql, params))!.n

describe('categories', () => {
  it('lists the seeded city categories with SLA, department, icon and radius', async () => {
    const res = await t.as(resident, { method: 'GET', url: '/api/v1/reports/categories' })
    expect(res.statusCode).toBe(200)
    const items = res.json().items
    expect(items.length).toBeGreaterThanOrEqual(12)
    const names = items.map((c: { name: string }) => c.name)
    for (const n of ['随地吐痰', '乱扔垃圾', '车辆乱停乱放', '占用盲道', '占道经营', '不文明养犬', '闯红灯', '乱涂乱贴/小广告', '电动车不戴头盔', '乱搭乱建', '车窗抛物', '公共设施损坏']) {
      expect(names).toContain(n)
    }
    expect(items[0]).toEqual(expect.objectContaining({ code: expect.any(String), icon: expect.any(String), slaHours: expect.any(Number), department: expect.any(String), duplicateRadiusM: 50 }))
  })
})

describe('photos', () => {
  it('strips EXIF (GPS) and re-encodes; the stored photo has no metadata left', async () => {
    const withGps = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#228844' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'PhoneCo', Model: 'X1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '32/1 0/1 18/1', GPSLongitudeRef: 'E', GPSLongitude: '118/1 42/1 36/1' } })
      .toBuffer()
    expect((await sharp(withGps).metadata()).exif).toBeDefined()
    const res = await upload(t, resident, withGps)
    expect(res.statusCode).toBe(201)
    const { url, thumbUrl, width, height } = res.json()
    expect([width, height]).toEqual([80, 60])
    for (const u of [url, thumbUrl]) {
      const img = await t.app.inject({ method: 'GET', url: u })
      expect(img.statusCode).toBe(200)
      expect(img.headers['content-type']).toBe('image/jpeg')
      const meta = await sharp(img.rawPayload).metadata()
      expect(meta.exif).toBeUndefined()
      expect(meta.xmp).toBeUndefined()
      expect(img.rawPayload.includes(Buffer.from('PhoneCo'))).toBe(false)
    }
  })

  it('rotates by EXIF orientation before dropping it', async () => {
    const rotated = await sharp({ create: { width: 100, height: 40, channels: 3, background: '#888' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer()
    const res = await upload(t, resident, rotated)
    expect(res.statusCode).toBe(201)
    expect([res.json().width, res.json().height]).toEqual([40, 100])
  })

  it('accepts a PNG named .jpg (as PNG) and refuses a text file named .jpg', async () => {
    const png = await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } }).png().toBuffer()
    const ok = await upload(t, resident, png, 'fake.jpg', 'image/jpeg')
    expect(ok.statusCode).toBe(201)
    expect(await count(`SELECT count(*)::int AS n FROM report_photos WHERE id = $1 AND source_format = 'png'`, [ok.json().id])).toBe(1)
    const txt = await upload(t, resident, Buffer.from('hello, this is not a picture at all'), 'evil.jpg', 'image/jpeg')
    expect(txt.statusCode).toBe(415)
    expect(txt.json().code).toBe('PHOTO_FORMAT_UNSUPPORTED')
  })

  it('refuses a 20000×20000 image from its header, without decoding it', async () => {
    const small = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).png().toBuffer()
    const bomb = Buffer.from(small)
    // IHDR: width and height at bytes 16..23, CRC over type+data at 29..32
    bomb.writeUInt32BE(20000, 16)
    bomb.writeUInt32BE(20000, 20)
    bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29)
    expect((await sharp(bomb, { limitInputPixels: false }).metadata()).width).toBe(20000)
    const started = Date.now()
    const res = await upload(t, resident, bomb, 'bomb.png', 'image/png')
    expect(res.statusCode).toBe(413)
    expect(res.json().code).toBe('PHOTO_TOO_MANY_PIXELS')
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('takes an iPhone HEIC (HEVC) photo: decoded, re-encoded as JPEG, its EXIF GPS gone; a broken HEIC is refused', async () => {
    // made with libheif's heif-enc (x265) from a 640×480 JPEG carrying EXIF with GPS and "Apple"
    const heic = fs.readFileSync(path.join(__dirname, '../fixtures/photo-gps.heic'))
    expect(heic.includes(Buffer.from('Apple'))).toBe(true)
    const res = await upload(t, resident, heic, 'IMG_0001.HEIC', 'image/heic')
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ width: 640, height: 480 })
    const img = await t.app.inject({ method: 'GET', url: res.json().url })
    expect(img.headers['content-type']).toBe('image/jpeg')
    const meta = await sharp(img.rawPayload).metadata()
    expect(meta).toMatchObject({ format: 'jpeg', width: 640, height: 480 })
    expect(meta.exif).toBeUndefined()
    expect(img.rawPayload.includes(Buffer.from('Apple'))).toBe(false)
    // the red circle in the middle survived the trip
    const { data } = await sharp(img.rawPayload).extract({ left: 315, top: 235, width: 10, height: 10 }).raw().toBuffer({ resolveWithObject: true })
    expect(data[0]).toBeGreaterThan(180)
    expect(data[1]).toBeLessThan(90)

    const broken = await upload(t, resident, heic.subarray(0, 400), 'IMG_0002.HEIC', 'image/heic')
    expect(broken.statusCode).toBe(400)
    expect(broken.json().code).toBe('PHOTO_UNREADABLE')
  })

  it('refuses oversize files, non-multipart bodies and anonymous callers', async () => {
    const big = Buffer.concat([await jpeg(), Buffer.alloc(10 * 1024 * 1024 + 10)])
    const res = await upload(t, resident, big)
    expect(res.statusCode).toBe(413)
    expect(res.json().code).toBe('PHOTO_TOO_LARGE')
    const json = await t.as(resident, { method: 'POST', url: '/api/v1/reports/photos', payload: { file: 'x' } })
    expect(json.statusCode).toBe(415)
    const anon = await t.app.inject({ method: 'POST', url: '/api/v1/reports/photos', payload: { file: 'x' } })
    expect(anon.statusCode).toBe(401)
    // photos only through signed links (test/api/photo-links.test.ts)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/photos/AAAAAAAAAAAAAAAAAAAAAA' })).statusCode).toBe(403)
  })
})

describe('submitting', () => {
  it('places the report in its community, sets the due time from the SLA and answers with the detail', async () => {
    const res = await submit(t, resident)
    expect(res.statusCode).toBe(201)
    const r = res.json()
    expect(r).toMatchObject({ state: 'submitted', community: { code: COMMUNITY }, category: { code: 'littering' }, isMine: true, held: false })
    expect(new Date(r.dueAt).getTime() - new Date(r.createdAt).getTime()).toBe(24 * 3600_000)
    expect(r.photos).toHaveLength(1)
    expect(r.timeline.map((e: { action: string }) => e.action)).toEqual(['submit'])
    const again = await t.as(resident, { method: 'GET', url: `/api/v1/reports/${r.id}` })
    expect(again.json()).toMatchObject({ id: r.id, state: 'submitted', photos: [{ id: r.photos[0].id }] })
    // no message for the submission itself: the one-time subscription is kept for the first change (受理)
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE ref = $1`, [`report:${r.id}`])).toBe(0)
  })

  it('refuses a point outside the city with OUTSIDE_CITY and stores nothing', async () => {
    const before = await count('SELECT count(*)::int AS n FROM reports')
    const res = await submit(t, resident, { lng: 116.4, lat: 39.9 })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('OUTSIDE_CITY')
    expect(await count('SELECT count(*)::int AS n FROM reports')).toBe(before)
  })

  it('refuses malformed bodies', async () => {
    const photo = (await upload(t, resident)).json().id
    const base = { categoryCode: 'littering', lng: INSIDE.lng, lat: INSIDE.lat, address: 'x', description: '', anonymous: false, photoIds: [photo] }
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, photoIds: [] }, 'VALIDATION_FAILED'],
      [{ ...base, photoIds: Array(10).fill(photo) }, 'VALIDATION_FAILED'],
      [{ ...base, lat: 'north' }, 'VALIDATION_FAILED'],
      [{ ...base, extra: 1 }, 'VALIDATION_FAILED'],
      [{ ...base, categoryCode: 'nope' }, 'CATEGORY_NOT_FOUND'],
      [{ ...base, photoIds: ['AAAAAAAAAAAAAAAAAAAAAA'] }, 'PHOTO_NOT_FOUND'],
    ]
    for (const [payload, code] of cases) {
      const res = await t.as(resident, { method: 'POST', url: '/api/v1/reports', payload })
      expect(res.statusCode).toBe(400)
      expect(res.json().code).toBe(code)
    }
    const raw = await t.as(resident, { method: 'POST', url: '/api/v1/reports', payload: '{"categoryCode":', headers: { 'content-type': 'application/json' } })
    expect(raw.statusCode).toBe(400)
    expect(raw.json().code).toBe('MALFORMED_JSON')
    const badKey = await t.as(resident, { method: 'POST', url: '/api/v1/reports', payload: base, headers: { 'idempotency-key': 'x' } })
    expect(badKey.json().code).toBe('IDEMPOTENCY_KEY_INVALID')
  })

  it("cannot use another resident's photo, nor one photo twice", async () => {
    const photo = (await upload(t, resident)).json().id
    const theirs = await submit(t, other, { photoIds: [photo] })
    expect(theirs.json().code).toBe('PHOTO_NOT_FOUND')
    expect((await submit(t, resident, { photoIds: [photo] })).statusCode).toBe(201)
    expect((await submit(t, resident, { photoIds: [photo] })).json().code).toBe('PHOTO_NOT_FOUND')
  })

  it('20 concurrent retries with one Idempotency-Key make one report', async () => {
    const photo = (await upload(t, resident)).json().id
    const before = await count('SELECT count(*)::int AS n FROM reports')
    const results = await Promise.all(Array.from({ length: 20 }, () => submit(t, resident, { photoIds: [photo], description: '同一个请求' }, 'retry-key-0001')))
    // a retry that arrives while the first is in flight waits for it and gets the same answer
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201))
    const ok = results
    expect(new Set(ok.map((r) => r.json().id)).size).toBe(1)
    expect(results.filter((r) => r.headers['idempotency-replayed'] === 'true')).toHaveLength(19)
    expect(await count('SELECT count(*)::int AS n FROM reports')).toBe(before + 1)
    const replay = await submit(t, resident, { photoIds: [photo], description: '同一个请求' }, 'retry-key-0001')
    expect(replay.statusCode).toBe(201)
    expect(replay.headers['idempotency-replayed']).toBe('true')
    expect(replay.json().id).toBe(ok[0].json().id)
  })
})

describe('near-duplicates and +1', () => {
  it('finds an open report of the same category nearby; +1 once per person, never on your own', async () => {
    const first = (await submit(t, resident, { categoryCode: 'blind_lane', lng: 118.7101, lat: 32.0051 })).json()
    const near = await t.as(other, { method: 'GET', url: `/api/v1/reports/nearby?categoryCode=blind_lane&lng=${INSIDE.lng}&lat=${INSIDE.lat}` })
    expect(near.statusCode).toBe(200)
    expect(near.json().radiusM).toBe(50)
    const hit = near.json().items.find((i: { id: number }) => i.id === first.id)
    expect(hit).toBeDefined()
    expect(hit.distanceM).toBeGreaterThan(5)
    expect(hit.distanceM).toBeLessThan(20)
    const far = await t.as(other, { method: 'GET', url: `/api/v1/reports/nearby?categoryCode=blind_lane&lng=${INSIDE.lng + 0.001}&lat=${INSIDE.lat}` })
    expect(far.json().items.find((i: { id: number }) => i.id === first.id)).toBeUndefined()
    const otherCat = await t.as(other, { method: 'GET', url: `/api/v1/reports/nearby?categoryCode=spitting&lng=${INSIDE.lng}&lat=${INSIDE.lat}` })
    expect(otherCat.json().items.find((i: { id: number }) => i.id === first.id)).toBeUndefined()

    const plus = await t.as(other, { method: 'POST', url: `/api/v1/reports/${first.id}/metoo` })
    expect(plus.json()).toEqual({ reportId: first.id, coReporters: 1 })
    const twice = await t.as(other, { method: 'POST', url: `/api/v1/reports/${first.id}/metoo` })
    expect(twice.statusCode).toBe(409)
    expect(twice.json().code).toBe('METOO_ALREADY')
    expect((await t.as(resident, { method: 'POST', url: `/api/v1/reports/${first.id}/metoo` })).json().code).toBe('METOO_OWN_REPORT')
    expect((await t.as(other, { method: 'GET', url: `/api/v1/reports/${first.id}` })).json().meToo).toBe(true)
  })
})

describe('lifecycle', () => {
  it('accept → dispatch → rectify (after-photos) → close; the reporter sees the timeline and rates once', async () => {
    const r = (await submit(t, resident)).json()
    expect((await act(t, worker, r.id, { action: 'accept', note: '已收到' })).json().state).toBe('accepted')
    const d = await act(t, worker, r.id, { action: 'dispatch', department: '城管中队', note: '请城管处置' })
    expect(d.json()).toMatchObject({ state: 'dispatched', department: '城管中队' })
    const noPhotos = await act(t, worker, r.id, { action: 'rectify' })
    expect(noPhotos.json().code).toBe('PHOTOS_REQUIRED')
    const after = (await upload(t, worker, await jpeg('#aaddaa'))).json().id
    expect((await act(t, worker, r.id, { action: 'rectify', photoIds: [after], note: '已清理' })).json().state).toBe('rectified')
    const closed = await act(t, worker, r.id, { action: 'close', note: '核查通过' })
    expect(closed.json()).toMatchObject({ state: 'closed', stateLabel: '已销号' })
    expect(closed.json().closedAt).not.toBeNull()

    const mine = await t.as(resident, { method: 'GET', url: `/api/v1/reports/${r.id}` })
    const body = mine.json()
    expect(body.canRate).toBe(true)
    expect(body.actions).toEqual(['reopen'])
    expect(body.timeline.map((e: { action: string }) => e.action)).toEqual(['submit', 'accept', 'dispatch', 'rectify', 'close'])
    const rect = body.timeline.find((e: { action: string }) => e.action === 'rectify')
    expect(rect).toMatchObject({ note: '已清理', actor: { role: 'worker', name: DEMO_ACCOUNTS.worker.nickname }, photos: [{ id: after }] })
    expect(body.photos.map((p: { id: string }) => p.id)).not.toContain(after)

    const rated = await t.as(resident, { method: 'POST', url: `/api/v1/reports/${r.id}/rating`, payload: { score: 5, comment: '很快' } })
    expect(rated.json().rating).toMatchObject({ score: 5, comment: '很快' })
    expect((await t.as(resident, { method: 'POST', url: `/api/v1/reports/${r.id}/rating`, payload: { score: 1 } })).json().code).toBe('ALREADY_RATED')
    expect((await t.as(resident, { method: 'POST', url: `/api/v1/reports/${r.id}/rating`, payload: { score: 6 } })).statusCode).toBe(400)
    // accept, dispatch, rectify, close (the submission itself sends nothing)
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE ref = $1`, [`report:${r.id}`])).toBe(4)
    // the 台账 (report_events) is the audit trail of a report: every act with its actor
    expect(await count(`SELECT count(*)::int AS n FROM report_events WHERE report_id = $1 AND actor_id IS NOT NULL`, [r.id])).toBe(6)
  })

  it('refuses illegal transitions and missing reasons', async () => {
    const r = (await submit(t, resident)).json()
    for (const action of ['close', 'rectify', 'dispatch', 'close_not_fixed', 'reopen', 'merge']) {
      const extra = action === 'rectify' ? { photoIds: [(await upload(t, worker)).json().id] } : action === 'merge' ? { targetReportId: 1 } : action === 'dispatch' ? { department: 'x' } : { note: 'n' }
      const res = await act(t, worker, r.id, { action, ...extra })
      expect([action, res.statusCode, res.json().code]).toEqual([action, 409, 'ILLEGAL_TRANSITION'])
    }
    expect((await act(t, worker, r.id, { action: 'reject' })).json().code).toBe('REASON_REQUIRED')
    expect((await act(t, worker, r.id, { action: 'fly' })).statusCode).toBe(400)
    const rej = await act(t, worker, r.id, { action: 'reject', note: '不属于不文明行为' })
    expect(rej.json().state).toBe('rejected')
    expect((await act(t, worker, r.id, { action: 'accept' })).json().code).toBe('ILLEGAL_TRANSITION')
    expect((await act(t, worker, 99999999, { action: 'accept' })).statusCode).toBe(404)
    const rate = await t.as(resident, { method: 'POST', url: `/api/v1/reports/${r.id}/rating`, payload: { score: 3 } })
    expect(rate.json().code).toBe('REPORT_NOT_CLOSED')
  })

  it('a worker of another community, a resident and the office cannot act on the report', async () => {
    const r = (await submit(t, resident)).json()
    const w = await act(t, otherWorker, r.id, { action: 'accept' })
    expect(w.statusCode).toBe(403)
    expect(w.json().code).toBe('FORBIDDEN_REGION')
    const someoneElse = await act(t, other, r.id, { action: 'accept' })
    expect(someoneElse.statusCode).toBe(403)
    expect(someoneElse.json().code).toBe('REPORT_FORBIDDEN')
    const own = await act(t, resident, r.id, { action: 'accept' })
    expect(own.statusCode).toBe(403)
    expect(own.json().code).toBe('FORBIDDEN_ROLE')
    expect((await act(t, office, r.id, { action: 'accept' })).statusCode).toBe(403)
    expect((await t.as(other, { method: 'POST', url: `/api/v1/reports/${r.id}/rating`, payload: { score: 5 } })).statusCode).toBe(403)
    expect((await t.as(office, { method: 'GET', url: `/api/v1/reports/${r.id}` })).json().reporter).not.toBeNull()
    expect(await count(`SELECT count(*)::int AS n FROM reports WHERE id = $1 AND state = 'submitted'`, [r.id])).toBe(1)
  })

  it('concurrent transitions on one report: exactly one wins', async () => {
    const r = (await submit(t, resident)).json()
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => act(t, worker, r.id, { action: 'accept' })),
      ...Array.from({ length: 4 }, () => act(t, worker, r.id, { action: 'reject', note: '重复' })),
    ])
    expect(results.filter((x) => x.statusCode === 200)).toHaveLength(1)
    for (const x of results.filter((y) => y.statusCode !== 200)) expect(x.json().code).toBe('ILLEGAL_TRANSITION')
    expect(await count(`SELECT count(*)::int AS n FROM report_events WHERE report_id = $1 AND action IN ('accept', 'reject')`, [r.id])).toBe(1)
  })

  it('closed — not fixed is its own state; the reporter reopens within 7 days, not after', async () => {
    const r = (await submit(t, resident)).json()
    await act(t, worker, r.id, { action: 'accept' })
    await act(t, worker, r.id, { action: 'dispatch', assigneeId: (await t.ctx.db.one<{ id: number }>(`SELECT id::int AS id FROM users WHERE phone = $1`, [DEMO_ACCOUNTS.worker.phone]))!.id })
    expect((await act(t, worker, r.id, { action: 'dispatch', assigneeId: 1 })).json().code).toBe('ILLEGAL_TRANSITION')
    await act(t, worker, r.id, { action: 'rectify', photoIds: [(await upload(t, worker)).json().id] })
    expect((await act(t, worker, r.id, { action: 'close_not_fixed' })).json().code).toBe('REASON_REQUIRED')
    const nf = await act(t, worker, r.id, { action: 'close_not_fixed', note: '产权不清，无法整改' })
    expect(nf.json()).toMatchObject({ state: 'closed_not_fixed', stateLabel: '已关闭（未解决）' })
    expect((await act(t, other, r.id, { action: 'reopen' })).statusCode).toBe(403)
    const re = await act(t, resident, r.id, { action: 'reopen', note: '还是没解决' })
    expect(re.json().state).toBe('accepted')
    // close it again and move the closing 8 days back
    await act(t, worker, r.id, { action: 'dispatch', department: '城管' })
    await act(t, worker, r.id, { action: 'rectify', photoIds: [(await upload(t, worker)).json().id] })
    await act(t, worker, r.id, { action: 'close' })
    await t.ctx.db.query(`UPDATE reports SET closed_at = now() - interval '8 days' WHERE id = $1`, [r.id])
    const late = await act(t, resident, r.id, { action: 'reopen' })
    expect(late.statusCode).toBe(409)
    expect(late.json().code).toBe('REOPEN_WINDOW_PASSED')
    expect((await act(t, worker, r.id, { action: 'reopen', note: '复查发现反弹' })).json().state).toBe('accepted')
  })

  it('merges a duplicate: its reporter becomes a co-reporter of the kept one', async () => {
    const keep = (await submit(t, resident, { categoryCode: 'street_vending' })).json()
    const dup = (await submit(t, other, { categoryCode: 'street_vending' })).json()
    await act(t, worker, keep.id, { action: 'accept' })
    await act(t, worker, dup.id, { action: 'accept' })
    expect((await act(t, worker, dup.id, { action: 'merge', targetReportId: dup.id })).json().code).toBe('MERGE_TARGET_INVALID')
    const m = await act(t, worker, dup.id, { action: 'merge', targetReportId: keep.id, note: '同一摊位' })
    expect(m.json()).toMatchObject({ state: 'merged', mergedInto: keep.id })
    expect((await t.as(resident, { method: 'GET', url: `/api/v1/reports/${keep.id}` })).json().coReporters).toBe(1)
    expect((await t.as(other, { method: 'GET', url: `/api/v1/reports/${keep.id}` })).json().meToo).toBe(true)
  })
})

describe('privacy and content security', () => {
  it("hides the reporter's identity from other residents; anonymous hides the name in the public list", async () => {
    const r = (await submit(t, resident, { anonymous: true, description: '匿名上报' })).json()
    const seen = await t.as(other, { method: 'GET', url: `/api/v1/reports/${r.id}` })
    expect(seen.statusCode).toBe(200)
    expect(seen.json().reporter).toBeNull()
    expect(seen.json().reporterName).toBe('匿名居民')
    expect(seen.body).not.toContain(DEMO_ACCOUNTS.resident.phone)
    expect(seen.body).not.toContain('****')
    const list = await t.as(other, { method: 'GET', url: `/api/v1/reports?communityCode=${COMMUNITY}&limit=100` })
    const item = list.json().items.find((i: { id: number }) => i.id === r.id)
    expect(item.reporterName).toBe('匿名居民')
    expect(JSON.stringify(item)).not.toContain(DEMO_ACCOUNTS.resident.nickname)
    expect(list.body).not.toContain(DEMO_ACCOUNTS.resident.phone)
    expect(list.body).not.toContain('138****')
    const w = await t.as(worker, { method: 'GET', url: `/api/v1/reports/${r.id}` })
    expect(w.json().reporter).toMatchObject({ name: DEMO_ACCOUNTS.resident.nickname, phoneMasked: '138****0001' })
  })

  it('holds a report whose text or photo is flagged; a worker releases it', async () => {
    const text = (await submit(t, resident, { description: '这里有违禁内容' })).json()
    expect(text).toMatchObject({ held: true, holdReason: '文字内容待人工审核' })
    const redPhoto = await upload(t, resident, await jpeg('#ff0000'))
    expect(redPhoto.statusCode).toBe(201)
    const img = (await submit(t, resident, { photoIds: [redPhoto.json().id] })).json()
    expect(img).toMatchObject({ held: true, holdReason: '图片内容待人工审核' })
    expect((await t.as(other, { method: 'GET', url: `/api/v1/reports/${text.id}` })).statusCode).toBe(404)
    const list = await t.as(other, { method: 'GET', url: `/api/v1/reports?communityCode=${COMMUNITY}&limit=100` })
    expect(list.json().items.map((i: { id: number }) => i.id)).not.toContain(text.id)
    const held = await t.as(worker, { method: 'GET', url: `/api/v1/reports/${text.id}` })
    expect(held.json().actions).toContain('release')
    expect((await act(t, worker, text.id, { action: 'release' })).json().held).toBe(false)
    expect((await t.as(other, { method: 'GET', url: `/api/v1/reports/${text.id}` })).statusCode).toBe(200)
    expect((await act(t, worker, text.id, { action: 'release' })).json().code).toBe('REPORT_NOT_HELD')
  })
})

describe('worker lists, figures and export', () => {
  it('lists my regions with filters, counts and cursor pagination; overdue from the SLA', async () => {
    const a = (await submit(t, resident, { categoryCode: 'dog_walking' })).json()
    await t.ctx.db.query(`UPDATE reports SET due_at = now() - interval '1 hour' WHERE id = $1`, [a.id])
    const all = await t.as(worker, { method: 'GET', url: '/api/v1/reports/work?limit=3' })
    expect(all.statusCode).toBe(200)
    const body = all.json()
    expect(body.items).toHaveLength(3)
    expect(body.counts.submitted).toBeGreaterThan(0)
    expect(body.overdueCount).toBeGreaterThanOrEqual(1)
    const seen = new Set<number>(body.items.map((i: { id: number }) => i.id))
    let cursor = body.nextCursor
    while (cursor) {
      const next = (await t.as(worker, { method: 'GET', url: `/api/v1/reports/work?limit=3&cursor=${cursor}` })).json()
      for (const i of next.items) {
        expect(seen.has(i.id)).toBe(false)
        seen.add(i.id)
      }
      cursor = next.nextCursor
    }
    const total = Object.values(body.counts as Record<string, number>).reduce((s, n) => s + n, 0)
    expect(seen.size).toBe(total)
    const overdue = (await t.as(worker, { method: 'GET', url: '/api/v1/reports/work?overdue=true&categoryCode=dog_walking' })).json()
    expect(overdue.items.map((i: { id: number }) => i.id)).toEqual([a.id])
    expect(overdue.items[0].overdue).toBe(true)
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
    const ranged = await t.as(worker, { method: 'GET', url: `/api/v1/reports/work?state=submitted&from=${today}&to=${today}` })
    expect(ranged.json().items.every((i: { state: string }) => i.state === 'submitted')).toBe(true)
    // the other community's worker sees none of these
    expect((await t.as(otherWorker, { method: 'GET', url: '/api/v1/reports/work' })).json().items).toHaveLength(0)
    expect((await t.as(otherWorker, { method: 'GET', url: `/api/v1/reports/work?communityCode=${COMMUNITY}` })).statusCode).toBe(403)
    expect((await t.as(resident, { method: 'GET', url: '/api/v1/reports/work' })).statusCode).toBe(403)
    expect((await t.as(worker, { method: 'GET', url: '/api/v1/reports/work?cursor=garbage' })).json().code).toBe('CURSOR_INVALID')
    expect((await t.as(worker, { method: 'GET', url: '/api/v1/reports/work?state=bogus' })).statusCode).toBe(400)
    const officeView = (await t.as(office, { method: 'GET', url: '/api/v1/reports/work?limit=100' })).json()
    expect(Object.values(officeView.counts as Record<string, number>).reduce((s, n) => s + n, 0)).toBe(await count('SELECT count(*)::int AS n FROM reports'))
  })

  it('my reports list shows status and due time', async () => {
    const mine = (await t.as(resident, { method: 'GET', url: '/api/v1/reports/mine?limit=100' })).json()
    expect(mine.items.length).toBe(await count(`SELECT count(*)::int AS n FROM reports r JOIN users u ON u.id = r.reporter_id WHERE u.phone = $1`, [DEMO_ACCOUNTS.resident.phone]))
    expect(mine.items[0]).toEqual(expect.objectContaining({ state: expect.any(String), stateLabel: expect.any(String), dueAt: expect.any(String) }))
  })

  it('daily counts of new, closed and overdue per community', async () => {
    const res = await t.as(worker, { method: 'GET', url: '/api/v1/reports/stats/daily' })
    expect(res.statusCode).toBe(200)
    const items = res.json().items
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
    const row = items.find((i: { day: string; communityCode: string }) => i.day === today && i.communityCode === COMMUNITY)
    expect(row.new).toBe(await count(`SELECT count(*)::int AS n FROM reports WHERE community_code = $1`, [COMMUNITY]))
    expect(row.closed).toBeGreaterThanOrEqual(1)
    // counted on the Beijing day it fell due (an hour ago: yesterday, just after midnight)
    const dueDay = await t.ctx.db.one<{ day: string }>(
      `SELECT ((due_at AT TIME ZONE 'Asia/Shanghai')::date)::text AS day FROM reports
        WHERE community_code = $1 AND closed_at IS NULL AND state NOT IN ('rejected', 'merged') AND due_at < now() ORDER BY due_at DESC LIMIT 1`, [COMMUNITY])
    const dueRow = items.find((i: { day: string; communityCode: string }) => i.day === dueDay!.day && i.communityCode === COMMUNITY)
    expect(dueRow.overdue).toBeGreaterThanOrEqual(1)
    expect(row.communityName).toBe('幸福里社区')
    expect((await t.as(resident, { method: 'GET', url: '/api/v1/reports/stats/daily' })).statusCode).toBe(403)
  })

  it('exports the 问题台账 as a streamed Excel file that parses back', async () => {
    const res = await t.as(worker, { method: 'GET', url: '/api/v1/reports/export.xlsx' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as never)
    const ws = wb.getWorksheet('问题台账')!
    const header = (ws.getRow(1).values as unknown[]).slice(1)
    expect(header).toEqual(['编号', '类别', '位置', '社区', '上报时间', '状态', '责任部门', '处置时限', '销号时间', '是否超期', '处置满意度'])
    const n = await count(`SELECT count(*)::int AS n FROM reports WHERE community_code = $1`, [COMMUNITY])
    expect(ws.actualRowCount).toBe(n + 1)
    const rows = Array.from({ length: n }, (_, i) => (ws.getRow(i + 2).values as unknown[]).slice(1))
    const rated = rows.find((r) => r[10] === 5)
    expect(rated).toBeDefined()
    expect(rated![5]).toBe('已销号')
    expect(rated![8]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    expect(rows.some((r) => r[9] === '是')).toBe(true)
    expect(rows.every((r) => r[3] === '幸福里社区')).toBe(true)
    expect((await t.as(resident, { method: 'GET', url: '/api/v1/reports/export.xlsx' })).statusCode).toBe(403)
  })

  it('home shows the community\'s latest reports', async () => {
    const home = (await t.as(worker, { method: 'GET', url: '/api/v1/home' })).json()
    const section = home.sections.find((s: { key: string }) => s.key === 'reports')
    expect(section.title).toBe('本社区最新随手拍')
    expect(section.items.length).toBeGreaterThan(0)
  })
})

describe('notifications', () => {
  it('sends through the WeChat adapter; retries transient failures with back-off; failures visible to the office', async () => {
    const users = await t.ctx.db.query<{ id: number; phone: string }>(`SELECT id::int AS id, phone FROM users WHERE phone IN ($1, $2, $3)`, [DEMO_ACCOUNTS.resident.phone, '13900000101', DEMO_ACCOUNTS.worker.phone])
    const id = (p: string) => users.find((u) => u.phone === p)!.id
    await t.ctx.db.query(`UPDATE users SET openid = 'o_resident_ok' WHERE id = $1`, [id(DEMO_ACCOUNTS.resident.phone)])
    await t.ctx.db.query(`UPDATE users SET openid = 'fail-busy-1' WHERE id = $1`, [id('13900000101')])
    await t.ctx.db.query(`UPDATE users SET openid = 'fail-refused-1' WHERE id = $1`, [id(DEMO_ACCOUNTS.worker.phone)])
    await t.ctx.db.query(`INSERT INTO notification_outbox (user_id, kind, ref, payload) VALUES ($1, 'report.state', 'report:0', $2)`, [
      id(DEMO_ACCOUNTS.worker.phone), JSON.stringify({ templateId: 't', data: {} }),
    ])
    const noWechat = await t.login('13900000109')
    const skipped = (await submit(t, noWechat)).json().id
    expect((await act(t, worker, skipped, { action: 'accept' })).statusCode).toBe(200)
    let totals = { sent: 0, retried: 0, failed: 0, skipped: 0 }
    for (;;) {
      const run = await processOutbox(t.ctx, 500)
      totals = { sent: totals.sent + run.sent, retried: totals.retried + run.retried, failed: totals.failed + run.failed, skipped: totals.skipped + run.skipped }
      if (run.sent + run.retried + run.failed + run.skipped === 0) break
    }
    expect(totals.sent).toBeGreaterThan(0)
    expect(totals.retried).toBeGreaterThan(0)
    expect(totals.failed).toBe(1)
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE ref = $1 AND status = 'skipped'`, [`report:${skipped}`])).toBe(1)
    const busy = await t.ctx.db.one<{ attempts: number; wait: number; status: string }>(
      `SELECT attempts, extract(epoch FROM next_attempt_at - now())::int AS wait, status FROM notification_outbox WHERE user_id = $1 LIMIT 1`, [id('13900000101')])
    expect(busy).toMatchObject({ attempts: 1, status: 'pending' })
    expect(busy!.wait).toBeGreaterThanOrEqual(20)
    // after five attempts it gives up and shows as failed
    for (let i = 0; i < 5; i++) {
      await t.ctx.db.query(`UPDATE notification_outbox SET next_attempt_at = now() WHERE user_id = $1 AND status = 'pending'`, [id('13900000101')])
      await processOutbox(t.ctx, 500)
    }
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE user_id = $1 AND status = 'failed' AND attempts = 5`, [id('13900000101')])).toBeGreaterThan(0)
    const list = await t.as(office, { method: 'GET', url: '/api/v1/admin/notifications?status=failed' })
    expect(list.statusCode).toBe(200)
    expect(list.json().items.some((i: { lastError: string }) => i.lastError.startsWith('43101'))).toBe(true)
    expect(list.json().counts.failed).toBeGreaterThanOrEqual(2)
    expect((await t.as(worker, { method: 'GET', url: '/api/v1/admin/notifications' })).statusCode).toBe(403)
  })

  it('a state change is never blocked by WeChat being down, and the loop starts and stops', async () => {
    const r = (await submit(t, other)).json()
    expect((await act(t, worker, r.id, { action: 'accept' })).statusCode).toBe(200)
    const loop = startPeriodic(10, () => processOutbox(t.ctx))
    await new Promise((res) => setTimeout(res, 300))
    await loop.stop()
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE ref = $1 AND attempts > 0`, [`report:${r.id}`])).toBe(1)
  })
})

function crc32(buf: Buffer): number {
  let c = ~0
  for (const b of buf) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
  }
  return ~c >>> 0
}

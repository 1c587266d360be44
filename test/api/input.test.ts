/**
 * Bad input is a 400 with a stable code, never a 500, and changes nothing: integers beyond the columns, NUL and
 * lone surrogates in any text, impossible dates, crafted cursors, and multipart bodies that are not exactly one
 * photo. Each rule is held by one shared mechanism; these tests try it through the routes that used to break.
 */
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import { validatorCompiler } from '../../server/lib/validation'
import { DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { COMMUNITY, jpeg, multipart, reportsApp, submit } from './reports-helpers'

const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

describe('input the database cannot take is refused up front', () => {
  let t: TestApp
  let resident: string
  let worker: string
  let office: string
  let reportId: number

  beforeAll(async () => {
    t = await reportsApp()
    resident = await t.login(DEMO_ACCOUNTS.resident.phone)
    worker = await t.login(DEMO_ACCOUNTS.worker.phone)
    office = await t.login(DEMO_ACCOUNTS.office.phone)
    await t.as(resident, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })
    const r = await submit(t, resident)
    expect(r.statusCode).toBe(201)
    reportId = r.json().id
  })
  afterAll(async () => {
    await t?.close()
  })

  const expect400 = async (token: string, opts: Parameters<TestApp['as']>[1], code: string) => {
    const res = await t.as(token, opts)
    expect({ url: opts.url, status: res.statusCode, code: res.json().code }).toEqual({ url: opts.url, status: 400, code })
    expect(res.json().message).toMatch(/[\u4e00-\u9fff]/)
    return res
  }

  it('integers beyond a column in paths, query strings and bodies', async () => {
    const huge = '99999999999999999999'
    for (const url of [
      `/api/v1/quiz/attempts/${huge}`, `/api/v1/quiz/campaigns/${huge}`, `/api/v1/live/sessions/${huge}`, '/api/v1/quiz/campaigns/1e30',
      `/api/v1/reports/${huge}`, `/api/v1/quiz/leaderboard?campaignId=${huge}`, '/api/v1/quiz/leaderboard?campaignId=9007199254740993',
    ]) await expect400(worker, { method: 'GET', url }, 'VALIDATION_FAILED')
    await expect400(resident, { method: 'POST', url: '/api/v1/quiz/attempts/1/submit', payload: { answers: [{ questionId: 1e20, choice: [0] }] } }, 'VALIDATION_FAILED')
    await expect400(worker, { method: 'POST', url: `/api/v1/reports/${reportId}/transitions`, payload: { action: 'dispatch', assigneeId: 1e20 } }, 'VALIDATION_FAILED')
    await expect400(worker, { method: 'POST', url: `/api/v1/reports/${reportId}/transitions`, payload: { action: 'merge', targetReportId: 2 ** 63 } }, 'VALIDATION_FAILED')
    await expect400(worker, { method: 'POST', url: '/api/v1/live/sessions', payload: { title: '大数', questionIds: [1e20] } }, 'VALIDATION_FAILED')
    await expect400(resident, { method: 'POST', url: '/api/v1/live/123456/answer', payload: { questionIndex: 3e9, choice: [0] } }, 'VALIDATION_FAILED')
    await expect400(office, { method: 'DELETE', url: `/api/v1/admin/roles/${huge}` }, 'VALIDATION_FAILED')
    // nothing reached the report
    const detail = await t.as(worker, { method: 'GET', url: `/api/v1/reports/${reportId}` })
    expect(detail.json().state).toBe('submitted')
  })

  it('a route whose schema leaves a number unbounded does not start', async () => {
    const app = Fastify()
    app.setValidatorCompiler(validatorCompiler)
    app.get('/x', { schema: { querystring: Type.Object({ n: Type.Integer({ minimum: 1 }) }) } }, async () => ({}))
    await expect(app.ready()).rejects.toThrow(/GET \/x querystring: the number at "\/n" needs a minimum and a maximum/)
    await app.close()
  })

  it('NUL and lone surrogates anywhere in the text: INVALID_TEXT, nothing saved', async () => {
    for (const nickname of ['a\u0000b', 'x\ud800', '\udc00y']) {
      const res = await expect400(resident, { method: 'PATCH', url: '/api/v1/me', payload: { nickname } }, 'INVALID_TEXT')
      expect(res.json().message).toContain('nickname')
    }
    expect((await t.as(resident, { method: 'GET', url: '/api/v1/me' })).json().nickname).toBe(DEMO_ACCOUNTS.resident.nickname)
    await expect400(resident, { method: 'PATCH', url: '/api/v1/me', payload: { ['k\u0000']: 1 } }, 'INVALID_TEXT')
    const before = (await t.as(resident, { method: 'GET', url: '/api/v1/reports/mine' })).json().items.length
    const bad = await submit(t, resident, { description: '路边\u0000垃圾' })
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'INVALID_TEXT'])
    const bad2 = await submit(t, resident, { address: '3 号楼\ud83d' })
    expect([bad2.statusCode, bad2.json().code]).toEqual([400, 'INVALID_TEXT'])
    expect((await t.as(resident, { method: 'GET', url: '/api/v1/reports/mine' })).json().items.length).toBe(before)
    await expect400(worker, { method: 'POST', url: `/api/v1/reports/${reportId}/transitions`, payload: { action: 'accept', note: '\u0000' } }, 'INVALID_TEXT')
    await expect400(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: { title: '标题\ud800' } }, 'INVALID_TEXT')
    await expect400(worker, { method: 'PATCH', url: '/api/v1/quiz/questions/1', payload: { tags: ['文明\u0000'] } }, 'INVALID_TEXT')
    // query strings and paths, as a client sends them: %00, and a surrogate's WTF-8 bytes
    await expect400(resident, { method: 'GET', url: '/api/v1/regions?parent=%00' }, 'INVALID_TEXT')
    await expect400(resident, { method: 'GET', url: '/api/v1/regions/32%00' }, 'INVALID_TEXT')
    await expect400(worker, { method: 'GET', url: '/api/v1/reports/work?categoryCode=a%00' }, 'INVALID_TEXT')
    // routes without a schema are covered too
    const o311 = await t.app.inject({ method: 'GET', url: '/open311/v2/requests.json?service_code=%00' })
    expect(o311.statusCode).toBe(400)
  })

  it('impossible dates in stats, the work list, the export and campaigns', async () => {
    for (const d of ['2026-02-31', '0000-01-01', '9999-99-99', '-100000-01-01', '2023-02-29']) {
      await expect400(worker, { method: 'GET', url: `/api/v1/reports/stats/daily?from=${d}` }, 'VALIDATION_FAILED')
      await expect400(worker, { method: 'GET', url: `/api/v1/reports/work?to=${d}` }, 'VALIDATION_FAILED')
      // refused before a single byte of the spreadsheet goes out
      const x = await t.as(worker, { method: 'GET', url: `/api/v1/reports/export.xlsx?from=${d}` })
      expect([x.statusCode, x.headers['content-type']]).toEqual([400, 'application/json; charset=utf-8'])
    }
    expect((await t.as(worker, { method: 'GET', url: '/api/v1/reports/stats/daily?from=2024-02-29&to=2024-03-01' })).statusCode).toBe(200)
    const campaign = {
      title: '日期', regionCode: COMMUNITY, questionCount: 5, timeLimitSeconds: 600, passScore: 60, maxAttempts: 3,
      startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86400_000).toISOString(),
    }
    for (const at of ['0000-01-01T00:00:00Z', '2026-02-31T00:00:00Z', '9999-12-31T23:00:00-05:00', '2026-01-01T24:00:00Z']) {
      await expect400(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: { ...campaign, endsAt: at } }, 'VALIDATION_FAILED')
    }
    expect((await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: campaign })).statusCode).toBe(201)
  })

  it('crafted cursors on every list: CURSOR_INVALID', async () => {
    const crafted = [
      enc(['9999-12-31T23:59:59.999Z', 1e30]), enc(['0000-01-01T00:00:00.000Z', 1]), enc(['2026-02-31T00:00:00.000Z', 1]),
      enc(['2026-01-01T00:00:00.000Z', 2 ** 63]), enc(['2026-01-01T00:00:00.000Z', 'x']), enc([1e30]), enc(['1']), enc([1.5]),
      enc([-1]), '99999999999999999999', 'abc', '%00x', `${enc([5])}=`, enc({ a: 1 }),
    ]
    const lists: Array<[string, string]> = [
      [resident, '/api/v1/reports/mine'], [resident, '/api/v1/reports'], [worker, '/api/v1/reports/work'], [resident, '/api/v1/quiz/wrong-answers'],
      [resident, '/api/v1/quiz/attempts'], [worker, '/api/v1/quiz/questions'],
    ]
    for (const [token, url] of lists) {
      for (const c of crafted) {
        const res = await t.as(token, { method: 'GET', url: `${url}?cursor=${encodeURIComponent(c)}` })
        expect({ url, c, status: res.statusCode, code: res.json().code }).toEqual({ url, c, status: 400, code: 'CURSOR_INVALID' })
      }
    }
    // the cursors the server hands out still page
    const first = (await t.as(worker, { method: 'GET', url: '/api/v1/quiz/questions' })).json()
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await t.as(worker, { method: 'GET', url: `/api/v1/quiz/questions?cursor=${first.nextCursor}` })
    expect(second.statusCode).toBe(200)
    expect(second.json().items[0].id).toBeGreaterThan(first.items[first.items.length - 1].id)
  })

  it('a photo upload is exactly one file part named file', async () => {
    const photo = await jpeg()
    const count = async () => (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM report_photos'))!.n
    const before = await count()
    const boundary = 'b0undary'
    const part = (name: string, content: Buffer | string, file = true) => Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? '; filename="p.jpg"\r\nContent-Type: image/jpeg' : ''}\r\n\r\n`),
      Buffer.from(content), Buffer.from('\r\n'),
    ])
    const send = (...parts: Buffer[]) => t.as(resident, {
      method: 'POST', url: '/api/v1/reports/photos',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
    })
    const cases: Array<[Buffer[], string]> = [
      [[part('file', photo), part('file', photo)], 'PHOTO_ONE_AT_A_TIME'],
      [[part('file', photo), part('other', photo)], 'PHOTO_FIELD_INVALID'],
      [[part('file', photo), part('note', 'hello', false)], 'PHOTO_FIELD_INVALID'],
      [[part('note', 'hello', false), part('file', photo)], 'PHOTO_FIELD_INVALID'],
      [[part('photo', photo)], 'PHOTO_FIELD_INVALID'],
      [[], 'PHOTO_MISSING'],
    ]
    for (const [parts, code] of cases) {
      const res = await send(...parts)
      expect({ code, status: res.statusCode, got: res.json().code }).toEqual({ code, status: 400, got: code })
      expect(res.json().message).toMatch(/[\u4e00-\u9fff]/)
    }
    expect(await count()).toBe(before)
    const ok = await t.as(resident, { method: 'POST', url: '/api/v1/reports/photos', ...multipart(photo, 'p.jpg', 'image/jpeg') })
    expect(ok.statusCode).toBe(201)
    expect(await count()).toBe(before + 1)
  })
})

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app'
import { buildFakeWechat } from '../../server/platform/fake-wechat'
import { httpWechatAdapter } from '../../server/platform/wechat'
import { storageFor } from '../../server/platform/storage'
import { processOutbox } from '../../server/modules/reports/notify'
import { startPeriodic } from '../../server/lib/periodic'
import { photoUrls, sweepUnattachedPhotos } from '../../server/modules/reports/photos'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { act, submit, upload } from './reports-helpers'

/**
 * 随手拍 upkeep: the office's "retry now" for failed subscribe messages, messages to co-reporters, and the sweep of
 * abandoned uploads. WeChat is the local fake, kept here so that the messages it accepted can be read back.
 */
const WECHAT = { appId: 'wxupkeep00000000', secret: 'upkeep-secret' }

let t: TestApp
let dataDir: string
let fake: FastifyInstance & { sent?: Array<{ touser: string; template_id: string; page?: string; data: Record<string, { value: string }> }> }
let resident: string
let worker: string
let office: string

beforeAll(async () => {
  process.env.OUTBOX_INTERVAL_MS = '0' // the tests run the sender themselves
  process.env.PHOTO_SWEEP_INTERVAL_MS = '0' // …and the sweep, except where its loop is under test
  fake = buildFakeWechat(WECHAT)
  const url = await fake.listen({ port: 0, host: '127.0.0.1' })
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-upkeep-'))
  t = await createTestApp({ config: { dataDir }, overrides: { wechat: httpWechatAdapter({ baseUrl: url, ...WECHAT }) } })
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
}, 60_000)
afterAll(async () => {
  await t?.close()
  await fake?.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

const count = async (sql: string, params: unknown[] = []) => (await t.ctx.db.one<{ n: number }>(sql, params))!.n
const userId = async (phone: string) => (await t.ctx.db.one<{ id: number }>('SELECT id::int AS id FROM users WHERE phone = $1', [phone]))!.id
const setOpenid = (phone: string, openid: string) => t.ctx.db.query('UPDATE users SET openid = $2 WHERE phone = $1', [phone, openid])
const sentTo = (openid: string) => (fake.sent ?? []).filter((m) => m.touser === openid)

/** Runs the sender until nothing is due. */
async function drainOutbox() {
  for (;;) {
    const run = await processOutbox(t.ctx, 500)
    if (run.sent + run.retried + run.failed + run.skipped === 0) return
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('retry a failed subscribe message now (office)', () => {
  const phone = '13900000201'
  let person: string
  let failedId: number
  let reportId: number

  beforeAll(async () => {
    person = await t.login(phone)
    await drainOutbox() // messages of earlier logins' reports, if any
    await setOpenid(phone, 'fail-refused-upkeep') // 43101: not subscribed — permanent, ends as failed at once
    reportId = (await submit(t, person)).json().id
    expect((await act(t, worker, reportId, { action: 'accept' })).statusCode).toBe(200) // the first message
    await drainOutbox()
    const row = await t.ctx.db.one<{ id: number; status: string }>(`SELECT id::int AS id, status FROM notification_outbox WHERE ref = $1`, [`report:${reportId}`])
    expect(row?.status).toBe('failed')
    failedId = row!.id
  })

  const retry = (token: string, id: number | string) => t.as(token, { method: 'POST', url: `/api/v1/admin/notifications/${id}/retry` })

  it('refuses residents, workers and callers without a session; the message stays failed', async () => {
    for (const token of [resident, worker, person]) {
      const res = await retry(token, failedId)
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN_ROLE', message: expect.stringContaining('创文办') })
    }
    const anon = await t.app.inject({ method: 'POST', url: `/api/v1/admin/notifications/${failedId}/retry` })
    expect(anon.statusCode).toBe(401)
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE id = $1 AND status = 'failed' AND attempts = 1`, [failedId])).toBe(1)
  })

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await retry(office, 99_999_999)
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toEqual({ code: 'NOTIFICATION_NOT_FOUND', message: '该订阅消息不存在' })
    for (const bad of ['abc', '0', '-3', '1.5']) {
      const res = await retry(office, bad)
      expect([bad, res.statusCode, res.json().code]).toEqual([bad, 400, 'VALIDATION_FAILED'])
    }
  })

  it('refuses a message that is not failed (pending, sent or skipped) with 409', async () => {
    const other = await t.login('13900000202')
    await setOpenid('13900000202', 'o_upkeep_pending')
    const r = (await submit(t, other)).json()
    await act(t, worker, r.id, { action: 'accept' })
    const pending = (await t.ctx.db.one<{ id: number }>(`SELECT id::int AS id FROM notification_outbox WHERE ref = $1 AND user_id = $2`, [`report:${r.id}`, await userId('13900000202')]))!.id
    const res = await retry(office, pending)
    expect(res.statusCode).toBe(409)
    expect(res.json().code).toBe('NOTIFICATION_NOT_FAILED')
    expect(res.json().message).toContain('待发送')
    await drainOutbox()
    const sent = await retry(office, pending)
    expect(sent.statusCode).toBe(409)
    expect(sent.json().message).toContain('已发送')
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE id = $1 AND status = 'sent'`, [pending])).toBe(1)
    // no WeChat account at all: skipped, and a retry cannot change that
    const noWechat = await t.login('13900000203')
    const s = (await submit(t, noWechat)).json()
    await act(t, worker, s.id, { action: 'accept' })
    await drainOutbox()
    const skipped = (await t.ctx.db.one<{ id: number }>(`SELECT id::int AS id FROM notification_outbox WHERE ref = $1 AND status = 'skipped'`, [`report:${s.id}`]))!.id
    const res2 = await retry(office, skipped)
    expect([res2.statusCode, res2.json().code]).toEqual([409, 'NOTIFICATION_NOT_FAILED'])
    expect(res2.json().message).toContain('未发送')
  })

  it('puts it back to pending, due now, attempts reset; the sender loop then delivers it', async () => {
    await setOpenid(phone, 'o_upkeep_resubscribed') // the user has accepted the subscription again
    const before = Date.now()
    const res = await retry(office, failedId)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ id: failedId, status: 'pending', attempts: 0, ref: `report:${reportId}`, kind: 'report.state' })
    expect(Date.parse(body.nextAttemptAt)).toBeLessThanOrEqual(Date.now() + 1000)
    expect(Date.parse(body.nextAttemptAt)).toBeGreaterThanOrEqual(before - 5000)
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'notification.retry' AND target = $1`, [`notification:${failedId}`])).toBe(1)
    // pressed again while queued: nothing to retry
    expect((await retry(office, failedId)).json().code).toBe('NOTIFICATION_NOT_FAILED')

    const loop = startPeriodic(10, () => processOutbox(t.ctx))
    try {
      await waitFor('the retried message to be sent', async () => (await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE id = $1 AND status = 'sent'`, [failedId])) === 1)
    } finally {
      await loop.stop()
    }
    const [msg] = sentTo('o_upkeep_resubscribed')
    expect(msg).toMatchObject({ page: `packages/reports/pages/detail/index?id=${reportId}`, data: { phrase2: { value: '已受理' } } })
    const row = await t.ctx.db.one<{ attempts: number; lastError: string | null }>(`SELECT attempts, last_error AS "lastError" FROM notification_outbox WHERE id = $1`, [failedId])
    expect(row).toEqual({ attempts: 1, lastError: null })
    const list = (await t.as(office, { method: 'GET', url: '/api/v1/admin/notifications?status=failed&limit=200' })).json()
    expect(list.items.map((i: { id: number }) => i.id)).not.toContain(failedId)
  })

  it('five offices pressing retry at once queue it once', async () => {
    await t.ctx.db.query(`UPDATE notification_outbox SET status = 'failed', last_error = '43101 user refuse to accept the msg' WHERE id = $1`, [failedId])
    const results = await Promise.all(Array.from({ length: 5 }, () => retry(office, failedId)))
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1)
    for (const r of results.filter((x) => x.statusCode !== 200)) expect([r.statusCode, r.json().code]).toEqual([409, 'NOTIFICATION_NOT_FAILED'])
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'notification.retry' AND target = $1`, [`notification:${failedId}`])).toBe(2)
  })
})

describe('co-reporters ("+1") hear of state changes too', () => {
  const phones = { reporter: '13900000211', plusA: '13900000212', plusB: '13900000213', bystander: '13900000214', dupReporter: '13900000215', dupPlus: '13900000216' }
  const tokens: Record<string, string> = {}
  const openid = (k: string) => `o_upkeep_${k}`

  beforeAll(async () => {
    for (const [k, phone] of Object.entries(phones)) {
      tokens[k] = await t.login(phone)
      await setOpenid(phone, openid(k))
    }
    await drainOutbox()
  })

  const messagesFor = async (reportId: number, state: string) =>
    t.ctx.db.query<{ userId: number }>(
      `SELECT user_id::int AS "userId" FROM notification_outbox WHERE ref = $1 AND kind = 'report.state' AND payload->'data'->'phrase2'->>'value' = $2 ORDER BY user_id`,
      [`report:${reportId}`, state],
    )

  it('each change is queued once for the reporter and once for every co-reporter, and delivered to them', async () => {
    const r = (await submit(t, tokens.reporter, { categoryCode: 'illegal_ads', lng: 118.7102, lat: 32.0052 })).json()
    for (const k of ['plusA', 'plusB']) expect((await t.as(tokens[k], { method: 'POST', url: `/api/v1/reports/${r.id}/metoo` })).statusCode).toBe(200)
    expect((await act(t, worker, r.id, { action: 'accept', note: '已安排清理' })).statusCode).toBe(200)
    expect((await act(t, worker, r.id, { action: 'dispatch', department: '城管中队' })).statusCode).toBe(200)
    const followers = [await userId(phones.reporter), await userId(phones.plusA), await userId(phones.plusB)].sort((a, b) => a - b)
    expect((await messagesFor(r.id, '已受理')).map((m) => m.userId)).toEqual(followers)
    expect((await messagesFor(r.id, '处置中')).map((m) => m.userId)).toEqual(followers)
    // the +1 itself is not a change of state: nobody is told of it
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE ref = $1`, [`report:${r.id}`])).toBe(3 + 3)

    await drainOutbox()
    const page = `packages/reports/pages/detail/index?id=${r.id}`
    for (const k of ['reporter', 'plusA', 'plusB']) {
      const got = sentTo(openid(k)).filter((m) => m.page === page).map((m) => m.data.phrase2.value)
      expect([k, got]).toEqual([k, ['已受理', '处置中']])
      expect(sentTo(openid(k)).find((m) => m.data.phrase2.value === '已受理')!.data.thing4.value).toBe('已安排清理')
    }
    expect(sentTo(openid('bystander')).filter((m) => m.page === page)).toHaveLength(0)
  })

  it('a merged duplicate: its followers hear "merged", then follow the kept report — each person once per change', async () => {
    const keep = (await submit(t, tokens.reporter, { categoryCode: 'damaged_facility' })).json()
    const dup = (await submit(t, tokens.dupReporter, { categoryCode: 'damaged_facility' })).json()
    await t.as(tokens.dupPlus, { method: 'POST', url: `/api/v1/reports/${dup.id}/metoo` })
    // plusA follows both: after the merge still one message per change
    await t.as(tokens.plusA, { method: 'POST', url: `/api/v1/reports/${dup.id}/metoo` })
    await t.as(tokens.plusA, { method: 'POST', url: `/api/v1/reports/${keep.id}/metoo` })
    await act(t, worker, keep.id, { action: 'accept' })
    await act(t, worker, dup.id, { action: 'accept' })
    expect((await act(t, worker, dup.id, { action: 'merge', targetReportId: keep.id })).json().state).toBe('merged')
    const ids = async (...ks: string[]) => (await Promise.all(ks.map((k) => userId(phones[k as keyof typeof phones])))).sort((a, b) => a - b)
    expect((await messagesFor(dup.id, '已合并')).map((m) => m.userId)).toEqual(await ids('dupReporter', 'dupPlus', 'plusA'))
    await act(t, worker, keep.id, { action: 'dispatch', department: '市政设施管理处' })
    expect((await messagesFor(keep.id, '处置中')).map((m) => m.userId)).toEqual(await ids('reporter', 'plusA', 'dupReporter', 'dupPlus'))
  })

  it('a +1 racing a change: told exactly when its +1 came first (both lock the report)', async () => {
    const racers = ['13900000221', '13900000222', '13900000223', '13900000224', '13900000225', '13900000226']
    const racerTokens: string[] = []
    for (const p of racers) racerTokens.push(await t.login(p))
    const r = (await submit(t, tokens.reporter, { categoryCode: 'no_helmet' })).json()
    const results = await Promise.all([
      ...racerTokens.slice(0, 3).map((tok) => t.as(tok, { method: 'POST', url: `/api/v1/reports/${r.id}/metoo` })),
      act(t, worker, r.id, { action: 'accept' }),
      ...racerTokens.slice(3).map((tok) => t.as(tok, { method: 'POST', url: `/api/v1/reports/${r.id}/metoo` })),
    ])
    expect(results.map((x) => x.statusCode)).toEqual(Array(7).fill(200))
    const accept = (await t.ctx.db.one<{ id: number }>(`SELECT id::int AS id FROM report_events WHERE report_id = $1 AND action = 'accept'`, [r.id]))!.id
    const before = await t.ctx.db.query<{ userId: number }>(
      `SELECT actor_id::int AS "userId" FROM report_events WHERE report_id = $1 AND action = 'metoo' AND id < $2`,
      [r.id, accept],
    )
    const expected = [await userId(phones.reporter), ...before.map((b) => b.userId)].sort((a, b) => a - b)
    expect((await messagesFor(r.id, '已受理')).map((m) => m.userId)).toEqual(expected)
  })
})

describe('abandoned uploads are swept', () => {
  const store = () => storageFor(t.ctx.config.dataDir)
  const files = (id: string) => [`photos/${id.slice(0, 2)}/${id}.jpg`, `photos/${id.slice(0, 2)}/${id}_t.jpg`].map((k) => path.join(dataDir, 'uploads', k))
  const age = (ids: string[], hours: number) => t.ctx.db.query(`UPDATE report_photos SET created_at = now() - make_interval(hours => $2) WHERE id = ANY($1::text[])`, [ids, hours])
  const photoRows = async (ids: string[]) => count(`SELECT count(*)::int AS n FROM report_photos WHERE id = ANY($1::text[])`, [ids])
  const uploadN = async (n: number) => {
    const ids: string[] = []
    for (let i = 0; i < n; i++) ids.push((await upload(t, resident)).json().id)
    return ids
  }
  /** Sweeps until nothing is left over from earlier tests, so that each test counts only its own photos. */
  beforeEach(async () => {
    await sweepUnattachedPhotos(t.ctx)
  })

  it('removes an old unattached photo with its files; keeps a fresh one and old ones attached to a report or a 台账 entry', async () => {
    const [fresh, old, nearly] = await uploadN(3)
    const attached = (await submit(t, resident)).json()
    const r = attached.id as number
    const before = attached.photos[0].id as string
    await act(t, worker, r, { action: 'accept' })
    await act(t, worker, r, { action: 'dispatch', department: '城管中队' })
    const after = (await upload(t, worker)).json().id as string
    expect((await act(t, worker, r, { action: 'rectify', photoIds: [after] })).statusCode).toBe(200)
    await age([old, before, after], 25)
    await age([nearly], 23)
    for (const f of files(old)) expect(fs.existsSync(f)).toBe(true)

    const out = await sweepUnattachedPhotos(t.ctx)
    expect(out).toEqual({ photos: 1, files: 2, fileErrors: 0 })
    expect(await photoRows([old])).toBe(0)
    for (const f of files(old)) expect(fs.existsSync(f)).toBe(false)
    expect((await t.app.inject({ method: 'GET', url: photoUrls(t.ctx.config.photoLinks, old).url })).statusCode).toBe(404)
    for (const kept of [fresh, nearly, before, after]) {
      expect(await photoRows([kept])).toBe(1)
      for (const f of files(kept)) expect(fs.existsSync(f)).toBe(true)
      expect((await t.app.inject({ method: 'GET', url: photoUrls(t.ctx.config.photoLinks, kept).thumbUrl })).statusCode).toBe(200)
    }
    // the swept photo can no longer be used; the fresh one still can
    const late = await submit(t, resident, { photoIds: [old] })
    expect([late.statusCode, late.json().code]).toEqual([400, 'PHOTO_NOT_FOUND'])
    expect((await submit(t, resident, { photoIds: [fresh] })).statusCode).toBe(201)
    expect(await sweepUnattachedPhotos(t.ctx)).toEqual({ photos: 0, files: 0, fileErrors: 0 })
  })

  it('two sweeps at once (two API processes): every photo and file is removed exactly once', async () => {
    const ids = await uploadN(12)
    await age(ids, 30)
    const deleted: string[] = []
    const s = store()
    const spy = jest.spyOn(s, 'delete').mockImplementation(async (key: string) => {
      deleted.push(key)
      await fs.promises.rm(path.join(dataDir, 'uploads', key), { force: true })
    })
    try {
      const [a, b] = await Promise.all([sweepUnattachedPhotos(t.ctx), sweepUnattachedPhotos(t.ctx)])
      expect(a.photos + b.photos).toBe(12)
    } finally {
      spy.mockRestore()
    }
    expect(deleted).toHaveLength(24)
    expect(new Set(deleted).size).toBe(24)
    expect(await photoRows(ids)).toBe(0)
    for (const id of ids) for (const f of files(id)) expect(fs.existsSync(f)).toBe(false)
  })

  it('a sweep racing submissions: each old photo ends either in a report (kept, with its files) or swept — never half', async () => {
    const ids = await uploadN(8)
    await age(ids, 30)
    const [subs] = await Promise.all([
      Promise.all(ids.map((id, i) => submit(t, resident, { photoIds: [id], description: `竞争 ${i}` }))),
      sweepUnattachedPhotos(t.ctx),
    ])
    for (const [i, res] of subs.entries()) {
      if (res.statusCode === 201) {
        expect(await count(`SELECT count(*)::int AS n FROM report_photos WHERE id = $1 AND report_id = $2`, [ids[i], res.json().id])).toBe(1)
        for (const f of files(ids[i])) expect(fs.existsSync(f)).toBe(true)
      } else {
        expect([res.statusCode, res.json().code]).toEqual([400, 'PHOTO_NOT_FOUND'])
        expect(await photoRows([ids[i]])).toBe(0)
        for (const f of files(ids[i])) expect(fs.existsSync(f)).toBe(false)
      }
    }
    expect(await count(`SELECT count(*)::int AS n FROM report_photos WHERE report_id IS NULL AND event_id IS NULL AND id = ANY($1::text[])`, [ids])).toBe(0)
  })

  it('a file that cannot be removed is reported; the row is gone all the same and the sweep goes on', async () => {
    const ids = await uploadN(2)
    await age(ids, 30)
    const errors: string[] = []
    const s = store()
    const real = s.delete.bind(s)
    const spy = jest.spyOn(s, 'delete').mockImplementation(async (key: string) => {
      if (key.startsWith(`photos/${ids[0].slice(0, 2)}/${ids[0]}.jpg`)) throw new Error('bucket unavailable')
      await real(key)
    })
    try {
      const out = await sweepUnattachedPhotos(t.ctx, { onFileError: (key) => errors.push(key) })
      expect(out).toEqual({ photos: 2, files: 3, fileErrors: 1 })
    } finally {
      spy.mockRestore()
    }
    expect(errors).toEqual([`photos/${ids[0].slice(0, 2)}/${ids[0]}.jpg`])
    expect(await photoRows(ids)).toBe(0)
  })

  it('runs by itself in every API process started with PHOTO_SWEEP_INTERVAL_MS, and stops when the app closes', async () => {
    const [old] = await uploadN(1)
    await age([old], 48)
    await new Promise((r) => setTimeout(r, 200))
    expect(await photoRows([old])).toBe(1) // this test's app runs no sweep (interval 0)
    let second: FastifyInstance | undefined
    try {
      // a second API process on the same database, started with PHOTO_SWEEP_INTERVAL_MS=40
      second = await buildApp({ ...t.ctx, config: { ...t.ctx.config, jobs: { ...t.ctx.config.jobs, photoSweepMs: 40 } } })
      await second.ready()
      // rows go first, then their files: wait for both
      await waitFor('the sweep of the second process', async () => (await photoRows([old])) === 0 && files(old).every((f) => !fs.existsSync(f)))
    } finally {
      await second?.close()
    }
    const [later] = await uploadN(1)
    await age([later], 48)
    await new Promise((r) => setTimeout(r, 200))
    expect(await photoRows([later])).toBe(1) // closed: it sweeps no more
  })
})

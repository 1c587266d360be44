import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildApp } from '../../server/app'
import { createRuntime } from '../../server/bootstrap'
import type { AppContext } from '../../server/context'
import { openPostgres } from '../../server/db/postgres'
import { JOBS, startJobs } from '../../server/jobs'
import { storageFor, type PhotoStorage } from '../../server/platform/storage'
import type { SubscribeMessage, WechatAdapter } from '../../server/platform/wechat'
import { createTestApp, type TestApp } from '../helpers/app'
import { adminUrl } from '../helpers/db-global-setup'

/**
 * Two API processes on one PostgreSQL database, each running its background jobs as server/jobs.ts does (its own
 * pool, its own timers): every outbox message is sent once and every abandoned photo's files are deleted once.
 */

const N_MESSAGES = 240
const N_PHOTOS = 150

const dbUrl = process.env.DATABASE_URL
;(dbUrl ? describe : describe.skip)('jobs with two processes on one database', () => {
  let dataDir: string
  let t: TestApp
  const sends: Array<{ by: string; msg: SubscribeMessage }> = []
  const deletes: Array<{ by: string; key: string }> = []

  const adapters = (by: string, base: AppContext['wechat'], store: PhotoStorage): { wechat: WechatAdapter; storage: PhotoStorage } => ({
    wechat: { ...base, sendSubscribe: async (msg) => void sends.push({ by, msg }) },
    storage: { ...store, delete: async (key) => {
      deletes.push({ by, key })
      await store.delete(key)
    } },
  })

  beforeAll(async () => {
    process.env.OUTBOX_INTERVAL_MS = '0'
    process.env.PHOTO_SWEEP_INTERVAL_MS = '0'
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-jobs-'))
    t = await createTestApp({ config: { dataDir } })
  })
  afterAll(async () => {
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('sends each outbox message once and sweeps each abandoned photo once', async () => {
    const users = await t.ctx.db.query<{ id: number }>(`UPDATE users SET openid = COALESCE(openid, 'o-test-' || id) RETURNING id`)
    await t.ctx.db.query(
      `INSERT INTO notification_outbox (user_id, kind, ref, payload)
       SELECT ($1::bigint[])[1 + i % cardinality($1::bigint[])], 'test', 'm' || i, jsonb_build_object('templateId', 't', 'data', jsonb_build_object('n', jsonb_build_object('value', i::text)))
         FROM generate_series(1, $2) i`,
      [users.map((u) => u.id), N_MESSAGES],
    )
    const store = storageFor(dataDir)
    const keys: string[] = []
    for (let i = 0; i < N_PHOTOS; i++) {
      const id = `twoproc${String(i).padStart(12, '0')}`
      keys.push(`photos/tw/${id}.jpg`, `photos/tw/${id}_t.jpg`)
      await store.put(`photos/tw/${id}.jpg`, Buffer.from('x'), 'image/jpeg')
      await store.put(`photos/tw/${id}_t.jpg`, Buffer.from('t'), 'image/jpeg')
    }
    await t.ctx.db.query(
      `INSERT INTO report_photos (id, owner_id, source_format, width, height, bytes, storage_key, thumb_key, sec_status, created_at)
       SELECT 'twoproc' || lpad(i::text, 12, '0'), $1, 'jpeg', 1, 1, 1, 'photos/tw/twoproc' || lpad(i::text, 12, '0') || '.jpg',
              'photos/tw/twoproc' || lpad(i::text, 12, '0') || '_t.jpg', 'pass', now() - interval '25 hours'
         FROM generate_series(0, $2 - 1) i`,
      [users[0].id, N_PHOTOS],
    )

    // process B: its own pool on the same database, its own app
    const { name } = (await t.ctx.db.one<{ name: string }>('SELECT current_database() AS name'))!
    const dbB = openPostgres(adminUrl(dbUrl!, name), 6)
    const runtimeB = await createRuntime(t.ctx.config, dbB, adapters('B', t.ctx.wechat, store))
    const appB = await buildApp(runtimeB.ctx)
    await appB.ready()
    const fast = { ...t.ctx.config.jobs, outboxMs: 5, photoSweepMs: 5 }
    const wanted = JOBS.filter((j) => j.name === 'notification outbox' || j.name === 'abandoned photo sweep')
    const a = startJobs({ ...t.ctx, ...adapters('A', t.ctx.wechat, store), config: { ...t.ctx.config, jobs: fast } }, t.app.log, wanted)
    const b = startJobs({ ...runtimeB.ctx, config: { ...runtimeB.ctx.config, jobs: fast } }, appB.log, wanted)
    try {
      for (let i = 0; i < 600; i++) {
        const left = await t.ctx.db.one<{ m: number; p: number }>(
          `SELECT (SELECT count(*) FROM notification_outbox WHERE kind = 'test' AND status <> 'sent')::int AS m,
                  (SELECT count(*) FROM report_photos WHERE id LIKE 'twoproc%')::int AS p`,
        )
        if (left!.m === 0 && left!.p === 0 && deletes.length >= keys.length) break
        await new Promise((r) => setTimeout(r, 50))
      }
    } finally {
      await Promise.all([a.stop(), b.stop()])
      await appB.close()
      await runtimeB.close()
      await dbB.close()
    }
    const refs = sends.map((s) => s.msg.data.n.value)
    expect(refs).toHaveLength(N_MESSAGES)
    expect(new Set(refs).size).toBe(N_MESSAGES)
    const deleted = deletes.map((d) => d.key).sort()
    expect(deleted).toEqual([...keys].sort())
    for (const k of keys) expect(fs.existsSync(path.join(dataDir, 'uploads', k))).toBe(false)
    // both processes took part (each run takes at most 50 messages; the other process takes the rest meanwhile)
    expect(new Set(sends.map((s) => s.by))).toEqual(new Set(['A', 'B']))
  })
})

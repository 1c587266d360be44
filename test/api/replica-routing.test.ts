import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import pg from 'pg'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { buildApp } from '../../server/app'
import { createRuntime, type Runtime } from '../../server/bootstrap'
import { loadConfig, type Config } from '../../server/config'
import { openDatabase, type OpenedDb } from '../../server/db/open'
import { openPostgres } from '../../server/db/postgres'
import { demoSms } from '../../server/platform/sms'
import { DEMO_ACCOUNTS, seedDemo } from '../../server/seed/demo'
import { todayShanghai } from '../../server/modules/rates/service'
import { ROOT } from '../../server/paths'
import { adminUrl } from '../helpers/db-global-setup'
import { INSIDE } from './reports-helpers'

/**
 * DATABASE_READ_URL (ctx.readDb): the replica is a second database, a copy of the primary made read-only
 * (default_transaction_read_only, as a hot standby refuses writes), and after the copy the two hold different
 * data. So a figure in a response says which one served it, and a write sent to the replica would fail.
 */

const NO_JOBS: Config['jobs'] = { outboxMs: 0, photoSweepMs: 0, quizSweepMs: 0, ratesMs: 0, volunteerReminderMs: 0, bulletinMs: 0, surveyOpeningMs: 0, surveyCountsMs: 0 }
const HAPPY = '329901001001'
const dbUrl = process.env.DATABASE_URL

if (!dbUrl) {
  it('needs PostgreSQL (a replica is a second server connection; PGlite is one in-process database)', () => {
    process.stdout.write('replica-routing.test.ts: skipped on PGlite — run with DATABASE_URL=postgres://… to test DATABASE_READ_URL\n')
  })
}

;(dbUrl ? describe : describe.skip)('DATABASE_READ_URL: which reads go to the replica', () => {
  const tag = crypto.randomBytes(5).toString('hex')
  const primaryName = `civiclink_t_${tag}_primary`
  const replicaName = `civiclink_t_${tag}_replica`
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-replica-'))
  let opened: OpenedDb
  let runtime: Runtime
  let app: FastifyInstance
  let primary: pg.Client
  let replica: pg.Client
  let office: string
  let resident: string
  let copiedReport: number

  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: dbUrl })
    await c.connect()
    try {
      await c.query(sql)
    } finally {
      await c.end()
    }
  }
  const as = (token: string, opts: InjectOptions) => app.inject({ ...opts, headers: { ...(opts.headers ?? {}), authorization: `Bearer ${token}` } })
  async function login(phone: string): Promise<string> {
    const sent = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone } })
    expect(sent.statusCode).toBe(200)
    const v = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/verify', payload: { phone, code: sent.json().demoCode } })
    expect(v.statusCode).toBe(200)
    return v.json().token
  }
  async function report(token: string): Promise<number> {
    const file = await (await import('sharp')).default({ create: { width: 32, height: 24, channels: 3, background: '#557799' } }).jpeg().toBuffer()
    const boundary = `----replica${tag}`
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`), file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const up = await as(token, { method: 'POST', url: '/api/v1/reports/photos', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
    expect(up.statusCode).toBe(201)
    const r = await as(token, {
      method: 'POST', url: '/api/v1/reports',
      payload: { categoryCode: 'littering', lng: INSIDE.lng, lat: INSIDE.lat, address: '幸福里 3 号楼旁', description: `副本测试 ${tag}`, anonymous: false, photoIds: [up.json().id] },
    })
    expect(r.statusCode).toBe(201)
    return r.json().id
  }
  const config = (): Config => ({
    ...loadConfig({}), demo: true, dataDir, rateLimitPerMinute: 100_000, authRateLimitPerMinute: 100_000, jobs: NO_JOBS,
    databaseUrl: adminUrl(dbUrl!, primaryName), databaseReadUrl: adminUrl(dbUrl!, replicaName),
  })

  beforeAll(async () => {
    // the primary: the demo city and one report, as the replica will have them too
    await admin(`CREATE DATABASE ${primaryName} TEMPLATE ${process.env.CIVICLINK_TEST_TEMPLATE_DB}`)
    {
      const db = openPostgres(adminUrl(dbUrl!, primaryName), 4)
      const rt = await createRuntime(config(), db, { sms: demoSms() })
      await seedDemo(rt.ctx)
      await db.query('UPDATE users SET community_code = $1 WHERE phone = $2', [HAPPY, DEMO_ACCOUNTS.resident.phone])
      app = await buildApp(rt.ctx)
      await app.ready()
      // signed in before the copy: the session is on both (a second code within the resend window would be refused)
      resident = await login(DEMO_ACCOUNTS.resident.phone)
      copiedReport = await report(resident)
      await app.close()
      await rt.close()
      await db.close()
    }
    // the replica: a copy, read-only from now on; whatever happens on the primary afterwards is not in it
    await admin(`CREATE DATABASE ${replicaName} TEMPLATE ${primaryName}`)
    await admin(`ALTER DATABASE ${replicaName} SET default_transaction_read_only = on`)

    opened = await openDatabase(config(), undefined, undefined, true)
    runtime = await createRuntime(config(), opened.db, { sms: demoSms() }, opened.readDb)
    app = await buildApp(runtime.ctx)
    await app.ready()
    primary = new pg.Client({ connectionString: adminUrl(dbUrl!, primaryName) })
    replica = new pg.Client({ connectionString: adminUrl(dbUrl!, replicaName) })
    await primary.connect()
    await replica.connect()
    office = await login(DEMO_ACCOUNTS.office.phone)

    // today's awareness count of 幸福里: 1 of 2 on the primary, 7 of 9 on the replica (written past its read-only default)
    const today = todayShanghai()
    await primary.query(`INSERT INTO rate_counts (figure, kind, start, community_code, num, den) VALUES ('awareness', 'd', $1, $2, 1, 2)`, [today, HAPPY])
    await replica.query('BEGIN READ WRITE')
    await replica.query(`INSERT INTO rate_counts (figure, kind, start, community_code, num, den) VALUES ('awareness', 'd', $1, $2, 7, 9)`, [today, HAPPY])
    await replica.query('COMMIT')
  })

  afterAll(async () => {
    await app?.close()
    await runtime?.close()
    await opened?.db.close()
    if (opened && opened.readDb !== opened.db) await opened.readDb.close()
    await primary?.end()
    await replica?.end()
    await admin(`DROP DATABASE IF EXISTS ${replicaName} WITH (FORCE)`)
    await admin(`DROP DATABASE IF EXISTS ${primaryName} WITH (FORCE)`)
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('the replica really is another database, and refuses writes', async () => {
    expect(opened.readDb).not.toBe(opened.db)
    expect((await opened.readDb.one<{ db: string }>('SELECT current_database() AS db'))!.db).toBe(replicaName)
    expect((await opened.db.one<{ db: string }>('SELECT current_database() AS db'))!.db).toBe(primaryName)
    await expect(opened.readDb.query('INSERT INTO rate_outbox DEFAULT VALUES')).rejects.toMatchObject({ code: '25006' })
  })

  it('dashboard and trend figures come from the replica; the target just set comes from the primary', async () => {
    const put = await as(office, { method: 'PUT', url: '/api/v1/rates/targets', payload: { regionCode: HAPPY, figure: 'awareness', target: 0.6 } })
    expect(put.statusCode).toBe(200)
    const dash = await as(office, { method: 'GET', url: `/api/v1/rates/dashboard?region=${HAPPY}&period=day` })
    expect(dash.statusCode).toBe(200)
    const awareness = dash.json().region.figures.find((f: { figure: string }) => f.figure === 'awareness')
    expect(awareness).toMatchObject({ numerator: 7, denominator: 9, target: 0.6 })
    const backlog = async (c: pg.Client) => (await c.query('SELECT count(*)::int AS n FROM rate_outbox')).rows[0].n
    expect(dash.json().pendingEvents).toBe(await backlog(replica))

    const trend = await as(office, { method: 'GET', url: `/api/v1/rates/trend?region=${HAPPY}&days=7` })
    expect(trend.statusCode).toBe(200)
    const points = trend.json().series.find((s: { figure: string }) => s.figure === 'awareness').points
    expect(points.at(-1)).toMatchObject({ n: 9 })
  })

  it('the ledger export reads the replica: a report made after the copy is not in it yet; its audit row is on the primary', async () => {
    const fresh = await report(resident)
    // the reporter sees their report at once: that read goes to the primary (the replica has no such row)
    expect((await as(resident, { method: 'GET', url: `/api/v1/reports/${fresh}` })).statusCode).toBe(200)
    expect((await replica.query('SELECT 1 FROM reports WHERE id = $1', [fresh])).rowCount).toBe(0)

    const res = await as(office, { method: 'GET', url: '/api/v1/reports/export.xlsx' })
    expect(res.statusCode).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as never)
    const ids = new Set<number>()
    wb.getWorksheet('问题台账')!.eachRow((row, n) => {
      if (n > 1) ids.add(Number(String((row.values as unknown[])[1]).replace(/^SSP0*/, '')))
    })
    expect(ids.has(copiedReport)).toBe(true)
    expect(ids.has(fresh)).toBe(false)
    const onReplica = (await replica.query('SELECT count(*)::int AS n FROM reports')).rows[0].n
    expect(ids.size).toBe(onReplica)
    expect((await primary.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.export'`)).rows[0].n).toBe(1)
  })

  it('every write of a resident goes to the primary (the read-only replica would refuse it), and so do the reads that decide one', async () => {
    const survey = await as(office, {
      method: 'POST', url: '/api/v1/surveys/admin',
      payload: { template: 'chuangwen_standard', title: '副本测试', regionCode: HAPPY, audience: 'residents', anonymous: false,
        startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() },
    })
    expect(survey.statusCode).toBe(201)
    const id = survey.json().id
    expect((await as(office, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).statusCode).toBe(200)
    const answers = { age: { choice: 'a30_44' }, residence: { choice: 'gt3y' }, aware: { choice: 'yes' }, support: { choice: 'yes' }, overall: { value: 4 },
      areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } } }
    const first = await as(resident, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers } })
    expect(first.json()).toMatchObject({ surveyId: id })
    // the one-response rule reads the primary: the replica has no response and would let a second one through to the insert
    const again = await as(resident, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers } })
    expect(again.statusCode).toBe(409)
    expect((await primary.query('SELECT count(*)::int AS n FROM survey_responses WHERE survey_id = $1', [id])).rows[0].n).toBe(1)
    expect((await replica.query('SELECT count(*)::int AS n FROM surveys WHERE id = $1', [id])).rows[0].n).toBe(0)
  })

  it('only the reads README names use ctx.readDb', () => {
    const uses: string[] = []
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name)
        if (e.isDirectory()) walk(p)
        else if (p.endsWith('.ts')) {
          const src = fs.readFileSync(p, 'utf8')
          // the function each use sits in: the nearest `function name(` above it
          for (const m of src.matchAll(/ctx\.readDb/g)) {
            const before = src.slice(0, m.index)
            if (/^\s*(\/\/|\/\*|\*)/.test(before.slice(before.lastIndexOf('\n') + 1))) continue // a comment
            const fn = [...before.matchAll(/function (\w+)\(/g)].at(-1)?.[1]
            uses.push(`${path.relative(path.join(ROOT, 'server'), p)}:${fn}`)
          }
        }
      }
    }
    walk(path.join(ROOT, 'server'))
    // README (全市部署 → 只读副本): 创文办的比率看板、趋势和台账导出
    expect([...new Set(uses)].sort()).toEqual(['modules/rates/service.ts:dashboardRead', 'modules/rates/service.ts:trend', 'modules/reports/export.ts:exportLedger'])
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    expect(readme).toMatch(/只读副本.*比率看板、趋势和台账导出/)
  })
})

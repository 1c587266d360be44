import { buildApp } from '../../server/app'
import { createRuntime, stopGracefully } from '../../server/bootstrap'
import { loadConfig, type Config } from '../../server/config'
import { demoSms } from '../../server/platform/sms'
import { createTestDb } from '../helpers/db'

/** SIGTERM's path (server/main.ts → stopGracefully), on a listening app with a request in flight. */
async function listeningApp() {
  const { db, drop } = await createTestDb()
  const config: Config = { ...loadConfig({}), demo: true, jobs: { outboxMs: 0, photoSweepMs: 0, quizSweepMs: 0, ratesMs: 0, volunteerReminderMs: 0, bulletinMs: 0, surveyOpeningMs: 0, surveyCountsMs: 0 } }
  const runtime = await createRuntime(config, db, { sms: demoSms() })
  const app = await buildApp(runtime.ctx)
  let entered!: () => void
  const inHandler = new Promise<void>((r) => (entered = r))
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  let dbClosed = false
  // a request that is still working when the signal comes, and needs the database after it
  app.get('/slow', async () => {
    entered()
    await gate
    return db.one<{ n: number }>('SELECT 41 + 1 AS n')
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const closeDb = async () => {
    dbClosed = true
    await drop()
  }
  return { app, runtime, base, inHandler, release, closeDb, isDbClosed: () => dbClosed }
}

it('finishes the request in flight, refuses new connections meanwhile, and closes the database last', async () => {
  const s = await listeningApp()
  const inFlight = fetch(`${s.base}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }))
  await s.inHandler
  const stopping = stopGracefully(s.app, s.runtime, s.closeDb, 30_000)
  // the listening socket closes at once: a load balancer sends the next request to another process
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${s.base}/api/v1/health`).then(() => false, () => true)) break
    await new Promise((r) => setTimeout(r, 50))
  }
  await expect(fetch(`${s.base}/api/v1/health`)).rejects.toThrow()
  expect(s.isDbClosed()).toBe(false)
  s.release()
  expect(await inFlight).toEqual({ status: 200, body: { n: 42 } })
  expect(await stopping).toBe(true)
  expect(s.isDbClosed()).toBe(true)
})

it('gives up after the grace period when a request never ends', async () => {
  const s = await listeningApp()
  const stuck = fetch(`${s.base}/slow`).catch(() => undefined)
  await s.inHandler
  expect(await stopGracefully(s.app, s.runtime, s.closeDb, 300)).toBe(false)
  // what main.ts does next is exit; here the request ends and the orderly close carries on to the database
  s.release()
  await stuck
  for (let i = 0; i < 200 && !s.isDbClosed(); i++) await new Promise((r) => setTimeout(r, 50))
  expect(s.isDbClosed()).toBe(true)
})

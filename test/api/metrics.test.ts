import { createTestApp, type TestApp } from '../helpers/app'

/** GET /metrics: Prometheus text behind METRICS_TOKEN; absent without it. */

let t: TestApp
beforeAll(async () => {
  process.env.OUTBOX_INTERVAL_MS = '0'
  t = await createTestApp({ config: { metricsToken: 'metrics-secret-token', jobs: { outboxMs: 20, photoSweepMs: 0, quizSweepMs: 0, ratesMs: 0, volunteerReminderMs: 0, bulletinMs: 0, surveyOpeningMs: 0, surveyCountsMs: 0 } }, seed: false })
})
afterAll(async () => {
  await t?.close()
})

const scrape = () => t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-secret-token' } })

it('refuses a missing or wrong token', async () => {
  expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401)
  const wrong = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-secret-tokeN' } })
  expect(wrong.statusCode).toBe(401)
  expect(wrong.json().code).toBe('METRICS_TOKEN_REQUIRED')
})

it('counts requests per route pattern with latency, reports jobs, the pool and WebSockets', async () => {
  for (let i = 0; i < 3; i++) await t.app.inject({ method: 'GET', url: '/api/v1/health' })
  await t.app.inject({ method: 'GET', url: '/api/v1/regions/329901001001' })
  // the outbox job runs every 20 ms here: wait until a run has been recorded
  for (let i = 0; i < 100; i++) {
    if ((await scrape()).body.includes('job_last_run_timestamp_seconds{job="notification outbox",result="ok"}')) break
    await new Promise((r) => setTimeout(r, 50))
  }
  const res = await scrape()
  expect(res.statusCode).toBe(200)
  expect(res.headers['content-type']).toContain('text/plain')
  const text = res.body
  expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/health",status_code="200"\} 3\b/)
  // the pattern, not the URL: one series for every region
  expect(text).toContain('route="/api/v1/regions/:code"')
  expect(text).not.toContain('329901001001')
  expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/health"\} 3\b/)
  expect(text).toMatch(/job_last_run_timestamp_seconds\{job="notification outbox",result="ok"\} \d/)
  expect(text).toMatch(/job_lag_seconds\{job="notification outbox"\} \d/)
  expect(text).toMatch(/websocket_connections 0\b/)
  expect(text).toContain('nodejs_eventloop_lag_seconds')
  if (t.ctx.db.kind === 'postgres') expect(text).toMatch(/db_pool_connections\{state="max"\} \d+/)
})

it('does not exist without METRICS_TOKEN', async () => {
  const plain = await createTestApp({ seed: false })
  try {
    expect((await plain.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404)
  } finally {
    await plain.close()
  }
})

import crypto from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { AppContext } from '../context'
import type { Job } from '../jobs'

/**
 * Prometheus metrics of one API process at GET /metrics, behind METRICS_TOKEN (Bearer): request rate and latency per
 * route, the PostgreSQL pool, each background job's last run and lag, open WebSockets, and Node's own (event loop,
 * memory, GC). A registry per app, so that several apps in one process (tests) do not share counters.
 */
export function setupMetrics(app: FastifyInstance, ctx: AppContext, token: string): { observeJobs: (jobs: Job[]) => Job[] } {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status_code'], registers: [registry] })
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool of this process: total, idle, waiting requests, max',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const p = ctx.db.pool?.()
      if (!p) return
      for (const [state, n] of Object.entries(p)) this.set({ state }, n)
    },
  })
  let sockets = 0
  new Gauge({ name: 'websocket_connections', help: 'Open WebSocket connections (live quiz) of this process', registers: [registry], collect() {
    this.set(sockets)
  } })
  // every upgrade is a WebSocket (the live quiz); counted from the HTTP server, whichever plugin takes it
  app.server.on('upgrade', (_req, socket) => {
    sockets++
    socket.once('close', () => sockets--)
  })

  const lastRun = new Gauge({ name: 'job_last_run_timestamp_seconds', help: 'When a background job run last ended', labelNames: ['job', 'result'], registers: [registry] })
  const runTime = new Histogram({ name: 'job_run_duration_seconds', help: 'Duration of background job runs', labelNames: ['job'], buckets: [0.01, 0.05, 0.25, 1, 5, 30, 120], registers: [registry] })
  const lastOk = new Map<string, { at: number; intervalMs: number }>()
  new Gauge({
    name: 'job_lag_seconds',
    help: 'How far a background job is behind: time since its last successful run, beyond its interval',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      for (const [job, s] of lastOk) this.set({ job }, Math.max(0, (Date.now() - s.at - s.intervalMs) / 1000))
    },
  })

  app.addHook('onResponse', async (req, reply) => {
    // the route's pattern (/api/v1/reports/:id), never the URL: ids would make a series per report
    const route = req.routeOptions.url ?? 'unmatched'
    requests.inc({ method: req.method, route, status_code: reply.statusCode })
    latency.observe({ method: req.method, route }, reply.elapsedTime / 1000)
  })

  const want = Buffer.from(token)
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const got = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '')
    if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) {
      return reply.code(401).send({ code: 'METRICS_TOKEN_REQUIRED', message: '需要正确的 METRICS_TOKEN（Authorization: Bearer …）' })
    }
    return reply.type(registry.contentType).send(await registry.metrics())
  })

  return {
    observeJobs: (jobs) => jobs.map((job) => ({
      ...job,
      run: async (c, log) => {
        const started = Date.now()
        const interval = job.interval(c.config.jobs)
        if (!lastOk.has(job.name)) lastOk.set(job.name, { at: started, intervalMs: interval })
        try {
          const out = await job.run(c, log)
          lastOk.set(job.name, { at: Date.now(), intervalMs: interval })
          lastRun.set({ job: job.name, result: 'ok' }, Date.now() / 1000)
          return out
        } catch (err) {
          lastRun.set({ job: job.name, result: 'failed' }, Date.now() / 1000)
          throw err
        } finally {
          runTime.observe({ job: job.name }, (Date.now() - started) / 1000)
        }
      },
    })),
  }
}

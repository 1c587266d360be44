import fs from 'node:fs'
import path from 'node:path'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import type { AppContext } from './context'
import { AppError } from './errors'
import { describeValidation, refuseMalformedText, validatorCompiler } from './lib/validation'
import { lazySerializers } from './lib/serializers'
import { requestLogFields } from './lib/request-log'
import { registerCompression } from './lib/compression'
import { registerSecurityHeaders } from './lib/security-headers'
import { h5Static } from './lib/h5-static'
import { loadRedis } from './lib/lazy-packages'
import { registerApiDocs } from './lib/api-docs'
import { JOBS, startJobs } from './jobs'
import { systemRoutes } from './lib/system-routes'
import { accountRoutes, privacyRoutes } from './modules/accounts/routes'
import { accountPersonalData } from './modules/accounts/erasure'
import { moderationPersonalData } from './modules/moderation/personal-data'
import { quizzesPersonalData } from './modules/quizzes/personal-data'
import { reportsPersonalData } from './modules/reports/personal-data'
import { volunteersPersonalData } from './modules/volunteers/personal-data'
import { volunteerRoutes } from './modules/volunteers/routes'
import { volunteerHomeSection } from './modules/volunteers/service'
import { regionRoutes } from './modules/regions/routes'
import { homeRoutes } from './modules/home/routes'
import { quizRoutes } from './modules/quizzes/routes'
import { quizHomeSection } from './modules/quizzes/service'
import { reportRoutes } from './modules/reports/routes'
import { moderationRoutes } from './modules/moderation/routes'
import { open311Routes } from './modules/reports/open311'
import { latestForHome } from './modules/reports/service'
import { surveyRoutes } from './modules/surveys/routes'
import { rateRoutes } from './modules/rates/routes'
import { bulletinRoutes } from './modules/rates/bulletin-routes'
import { bulletinPersonalData } from './modules/rates/bulletin'
import { surveyHomeSection } from './modules/surveys/service'
import { surveysPersonalData } from './modules/surveys/personal-data'
import type { HomeSectionSource } from './modules/home/service'

export interface BuildOptions {
  logger?: boolean | object
  /** Serve the H5 build at / (when the folder exists). */
  serveH5?: boolean
}

/** Fastify's own client-error codes, in our shape. */
const FRAMEWORK_ERRORS: Record<string, [string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', '请求内容过大'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', '不支持的内容类型，请使用 application/json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['MALFORMED_JSON', '请求体不能为空'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['MALFORMED_JSON', '请求体不是合法的 JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['BAD_REQUEST', '请求长度不正确'],
}

const RETRY_AFTER_SECONDS = 5

// Fastify types the factory after @fastify/ajv-compiler's; ours returns a compiler of the same call shape
type ValidatorFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // secrets sent in a query string (an Open311 api_key) never reach the log
    logger: opts.logger ? { ...(opts.logger === true ? {} : opts.logger), serializers: { req: requestLogFields } } : false,
    bodyLimit: ctx.config.bodyLimitBytes,
    // X-Forwarded-For only from configured proxies: from anyone else it would choose the address that the per-address
    // limits count and that sign-in codes record. Fastify 5.12 reads a number as "trust nobody"; a hop count is
    // proxy-addr's (address, hop) test, hop 0 being the peer of the socket.
    trustProxy: typeof ctx.config.trustProxy === 'number' ? trustHops(ctx.config.trustProxy) : ctx.config.trustProxy,
    // our validator (server/lib/validation.ts) from the start: Fastify's default one, which it never uses, would load
    // @fastify/ajv-compiler at every start
    schemaController: { compilersFactory: { buildValidator: (() => validatorCompiler) as unknown as ValidatorFactory, buildSerializer: lazySerializers } },
  }).withTypeProvider<TypeBoxTypeProvider>()
  // JSON only: a text body is refused as an unsupported type rather than parsed as a string
  app.removeContentTypeParser('text/plain')
  // before any route is added, so that every route (with a schema or not) refuses NUL and lone surrogates
  app.addHook('preValidation', refuseMalformedText)

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      // PostgreSQL or Redis out of reach: the client (and a load balancer) may try again shortly
      if (err.status === 503) reply.header('retry-after', RETRY_AFTER_SECONDS)
      return reply.code(err.status).send({ code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) })
    }
    if (err.validation) {
      return reply.code(400).send({ code: 'VALIDATION_FAILED', message: describeValidation(err.validation as never, err.validationContext) })
    }
    if (err.code && FRAMEWORK_ERRORS[err.code]) {
      const [code, message] = FRAMEWORK_ERRORS[err.code]
      return reply.code(err.statusCode ?? 400).send({ code, message })
    }
    if (err.statusCode === 429) return reply.code(429).send({ code: 'RATE_LIMITED', message: '请求太频繁，请稍后再试' })
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // a JSON syntax error comes as a SyntaxError with status 400
      return reply.code(err.statusCode).send({ code: err.statusCode === 400 ? 'MALFORMED_JSON' : 'BAD_REQUEST', message: '请求格式不正确' })
    }
    req.log.error({ err }, 'unhandled error')
    return reply.code(500).send({ code: 'INTERNAL_ERROR', message: '服务器开小差了，请稍后再试' })
  })

  // before the routes, so that its hook sees every one; without METRICS_TOKEN there is no /metrics at all
  // prom-client loads only when metrics are on
  const metrics = ctx.config.metricsToken ? (await import('./lib/metrics')).setupMetrics(app, ctx, ctx.config.metricsToken) : undefined
  // once closing, a response in flight ends its keep-alive connection: the server's close waits for no idle client
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close')
  })

  registerSecurityHeaders(app)
  await app.register(cors, {
    origin: ctx.config.corsOrigins,
    // the plugin's default is GET, HEAD, POST: the H5 app served from another origin also edits and deletes
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    credentials: false,
    exposedHeaders: ['Idempotency-Replayed'],
  })
  const limiterRedis = ctx.config.redisUrl
    ? new (await loadRedis())(ctx.config.redisUrl, { connectTimeout: 500, commandTimeout: 500, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 100, 1000) }).on('error', () => undefined)
    : undefined
  app.addHook('onClose', async () => {
    await limiterRedis?.quit().catch(() => undefined)
  })
  await app.register(rateLimit, {
    global: true,
    max: ctx.config.rateLimitPerMinute,
    timeWindow: '1 minute',
    // Redis down: requests go on without the shared count (within 0.5 s) rather than fail; the outage shows on /ready
    ...(limiterRedis ? { redis: limiterRedis, nameSpace: 'civiclink-rl:', skipOnError: true } : {}),
    errorResponseBuilder: (_req, c) => ({ statusCode: 429, code: 'RATE_LIMITED', message: `请求太频繁，请 ${Math.ceil(c.ttl / 1000)} 秒后再试` }),
  })
  registerApiDocs(app)

  const homeSections: HomeSectionSource[] = []
  homeSections.push(quizHomeSection, surveyHomeSection)
  await app.register(async (api) => {
    await registerCompression(api)
    systemRoutes(api, ctx)
    await api.register(accountRoutes(ctx))
    await api.register(regionRoutes(ctx))
    await api.register(homeRoutes(ctx, homeSections))
    await api.register(quizRoutes(ctx))
    await api.register(reportRoutes(ctx))
    await api.register(surveyRoutes(ctx))
    await api.register(rateRoutes(ctx))
    await api.register(bulletinRoutes(ctx))
    await api.register(moderationRoutes(ctx))
    await api.register(volunteerRoutes(ctx))
    homeSections.push(volunteerHomeSection)
    // every module that holds personal data: 注销 erases through each, the export reads each
    await api.register(privacyRoutes(ctx, [accountPersonalData, reportsPersonalData(ctx), quizzesPersonalData, moderationPersonalData, surveysPersonalData, volunteersPersonalData, bulletinPersonalData]))
    homeSections.push((c, communityCode) => latestForHome(c, communityCode))
  }, { prefix: '/api/v1' })
  await app.register(async (open311) => {
    await registerCompression(open311)
    await open311.register(open311Routes(ctx))
  }, { prefix: '/open311/v2' })

  // background jobs start once the routes are ready and are awaited on close, before the database closes
  let jobs: ReturnType<typeof startJobs> | undefined
  app.addHook('onReady', async () => {
    jobs = startJobs(ctx, app.log, metrics ? metrics.observeJobs(JOBS) : JOBS)
  })
  app.addHook('onClose', async () => {
    await jobs?.stop()
  })

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ code: 'ROUTE_NOT_FOUND', message: `没有这个接口：${req.method} ${req.url.split('?')[0]}` })
  })

  if (opts.serveH5 && fs.existsSync(path.join(ctx.config.h5Dir, 'index.html'))) {
    await app.register(h5Static, { root: ctx.config.h5Dir })
  }
  return app
}

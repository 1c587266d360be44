import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { AppContext } from '../context'

const PROBE_MS = 2000

/** Resolves true when `probe` succeeds within PROBE_MS: a probe never hangs whatever the engine does. */
async function answers(probe: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_MS)
  })
  try {
    return await Promise.race([probe().then(() => true, () => false), late])
  } finally {
    clearTimeout(timer)
  }
}

const Engine = Type.Object({ kind: Type.String(), ready: Type.Boolean() })

/**
 * /health is liveness: the process answers (a load balancer or orchestrator restarts it when not); it reports the
 * database but stays 200 when the database is away, since restarting API processes would not bring it back.
 * /ready is readiness: 503 while the database or Redis is out of reach, so that traffic goes to processes that can serve it.
 */
export function systemRoutes(api: FastifyInstance, ctx: AppContext): void {
  api.get('/health', {
    schema: { tags: ['system'], summary: '存活检查（进程在运行即 200）', response: { 200: Type.Object({ status: Type.String(), database: Engine }) } },
  }, async () => ({ status: 'ok', database: { kind: ctx.db.kind, ready: await answers(() => ctx.db.one('SELECT 1')) } }))

  api.get('/ready', {
    schema: {
      tags: ['system'],
      summary: '就绪检查：数据库或 Redis 无法连接时 503',
      response: { 200: Type.Object({ ready: Type.Boolean(), database: Engine, redis: Engine }), 503: Type.Object({ code: Type.String(), message: Type.String(), ready: Type.Boolean(), database: Engine, redis: Engine }) },
    },
  }, async (_req, reply) => {
    const [db, redis] = await Promise.all([answers(() => ctx.db.one('SELECT 1')), answers(() => ctx.bus.ping())])
    const body = { ready: db && redis, database: { kind: ctx.db.kind, ready: db }, redis: { kind: ctx.config.redisUrl ? 'redis' : 'memory', ready: redis } }
    if (body.ready) return body
    reply.header('retry-after', 5)
    return reply.code(503).send({
      code: db ? 'REDIS_UNAVAILABLE' : 'DATABASE_UNAVAILABLE',
      message: db ? '实时服务（Redis）暂时无法连接' : '数据库暂时无法连接',
      ...body,
    })
  })
}

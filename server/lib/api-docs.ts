import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify'

// The API documentation (/docs: Swagger UI, /docs/json the OpenAPI document) made on its first request, not at every
// start. @fastify/swagger and @fastify/swagger-ui, with yaml, json-schema-resolver and @fastify/static behind them, were
// ~0.15 s of CPU of a start (npm run bench -- restart) for a page that few requests ask for.
//
// How: the app records each route as it is added (method, URL, schema, config: all that the document is made of);
// the first /docs request builds a separate Fastify instance with both plugins, adds the recorded routes to it with
// a handler that never runs, and from then on /docs… is answered by that instance (through inject). The app's own
// hooks (helmet's headers, the rate limit) apply to /docs as to every route.

const OPENAPI = {
  openapi: {
    info: { title: '文明共建 CivicLink API', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer' } } },
    security: [{ bearer: [] }],
  },
}

const PREFIX = '/docs'
// headers of the inner answer that belong to its own (non-existent) connection; Fastify sets the length itself
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'])
const NOT_FOUND = 'x-civiclink-docs-not-found'

async function buildDocs(routes: RouteOptions[]): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')])
  const docs = Fastify({ logger: false })
  // the schemas are only described here, never used to check or serialise anything
  docs.setValidatorCompiler(() => () => true)
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data))
  await docs.register(swagger, OPENAPI)
  await docs.register(swaggerUi, { routePrefix: PREFIX })
  // not a docs page: the app's own 404 answers (its code and message)
  const notFound = (_req: FastifyRequest, reply: FastifyReply) => reply.code(404).header(NOT_FOUND, '1').send()
  for (const r of routes) docs.route({ method: r.method, url: r.url, schema: r.schema, config: r.config, handler: notFound })
  docs.setNotFoundHandler(notFound)
  await docs.ready()
  return docs
}

/**
 * Records the routes added from now on and serves /docs from them. Call before any route is added (the same place
 * where @fastify/swagger would be registered).
 */
export function registerApiDocs(app: FastifyInstance): { document: () => Promise<unknown> } {
  const routes: RouteOptions[] = []
  let docs: Promise<FastifyInstance> | undefined
  const instance = () => {
    docs ??= buildDocs(routes).catch((err) => {
      docs = undefined
      throw err
    })
    return docs
  }
  const forward = async (req: FastifyRequest, reply: FastifyReply) => {
    const res = await (await instance()).inject({ method: req.method as 'GET' | 'HEAD', url: req.url, headers: req.headers })
    if (res.headers[NOT_FOUND]) return reply.callNotFound()
    for (const [name, value] of Object.entries(res.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) reply.header(name, value)
    // an empty answer (a redirect, a HEAD) stays without a body and so without a content type
    return reply.code(res.statusCode).send(res.rawPayload.length ? res.rawPayload : undefined)
  }
  app.addHook('onRoute', (r) => {
    // HEAD routes are Fastify's own copies of the GET ones, and hidden ones (the H5 files) are not documented:
    // @fastify/swagger leaves both out of the document
    if (r.handler === forward || r.method === 'HEAD' || r.schema?.hide === true) return
    routes.push(r)
  })
  app.get(PREFIX, forward)
  app.get(`${PREFIX}/*`, forward)
  app.addHook('onClose', async () => {
    if (docs) await (await docs.catch(() => undefined))?.close()
  })
  return {
    /** The OpenAPI document (what GET /docs/json answers). */
    document: async () => (await instance()).swagger(),
  }
}

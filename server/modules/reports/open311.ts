import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context'
import { AppError } from '../../errors'
import * as o311 from './open311-service'
import { Open311Error, type Params } from './open311-service'

/**
 * Open311 GeoReport v2 at /open311/v2 (rules in open311-service.ts): every resource in .json and .xml, errors as
 * [{ code, description }] (JSON) or <errors><error><code/><description/></error></errors> (XML) with the spec's status
 * codes — also for an unknown path and for a body that cannot be read. Writes need an api_key created by the office.
 */
type Format = 'json' | 'xml'

// characters XML 1.0 cannot carry at all, even escaped
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const esc = (v: unknown) =>
  String(v).replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
function xmlValue(name: string, v: unknown): string {
  if (v === null || v === undefined) return `<${name}/>`
  if (Array.isArray(v)) {
    const child = name.endsWith('s') ? name.slice(0, -1) : 'item'
    return `<${name}>${v.map((x) => xmlValue(child, x)).join('')}</${name}>`
  }
  if (typeof v === 'object') return `<${name}>${Object.entries(v).map(([k, x]) => xmlValue(k, x)).join('')}</${name}>`
  return `<${name}>${esc(v)}</${name}>`
}

function send(reply: FastifyReply, format: Format, status: number, root: string, item: string | null, body: unknown) {
  reply.code(status)
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(body)
  const inner = item && Array.isArray(body) ? body.map((b) => xmlValue(item, b)).join('') : Object.entries(body as object).map(([k, v]) => xmlValue(k, v)).join('')
  return reply.type('text/xml; charset=utf-8').send(`<?xml version="1.0" encoding="utf-8"?><${root}>${inner}</${root}>`)
}

function splitFormat(name: string): [string, Format] {
  const m = /^(.*)\.(json|xml)$/.exec(name)
  if (!m) throw new Open311Error(404, `unknown format: use .json or .xml (${name})`)
  return [m[1], m[2] as Format]
}

/** The format an error is written in: the one the path asks for, JSON otherwise. */
const formatOf = (req: FastifyRequest): Format => (/\.xml$/.test(req.url.split('?')[0]) ? 'xml' : 'json')

/** A form body as the spec sends it; a repeated field (media_url from a client sending several) becomes an array. */
function parseForm(body: string): Params {
  const out: Params = {}
  for (const [k, v] of new URLSearchParams(body)) {
    const had = out[k]
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v]
  }
  return out
}

const params = (v: unknown): Params => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Params) : {})

export const open311Routes = (ctx: AppContext) => async (app: FastifyInstance) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, parseForm(body as string))
  })
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const known = err instanceof Open311Error || err instanceof AppError
    const status = known ? (err as { status: number }).status : err.statusCode && err.statusCode < 500 ? err.statusCode : 500
    const description = status >= 500 ? 'internal error' : known ? err.message : `the request cannot be read: ${err.message}`
    if (status >= 500) req.log.error({ err }, 'open311 error')
    return send(reply, formatOf(req), status, 'errors', 'error', [{ code: status, description }])
  })
  const noSuchResource = (req: FastifyRequest, reply: FastifyReply) =>
    send(reply, formatOf(req), 404, 'errors', 'error', [{ code: 404, description: `no such resource: ${req.method} ${req.url.split('?')[0]}` }])
  app.setNotFoundHandler(noSuchResource)
  // a route of its own: otherwise the H5 build's wildcard route at / takes every unknown GET and answers the app's 404
  app.all('/*', noSuchResource)

  for (const format of ['json', 'xml'] as Format[]) {
    app.get(`/discovery.${format}`, async (_req, reply) =>
      send(reply, format, 200, 'discovery', null, {
        changeset: '2026-11-29T00:00:00Z',
        contact: '文明共建 CivicLink — 创文办',
        key_service: 'API keys are issued by the campaign office (POST /api/v1/admin/open311-keys)',
        endpoints: [
          // with the trailing slash: clients append the resource names to it
          { specification: 'http://wiki.open311.org/GeoReport_v2', url: `${ctx.config.publicBaseUrl}/open311/v2/`, changeset: '2026-11-29T00:00:00Z', type: 'production', formats: ['text/xml', 'application/json'] },
        ],
      }),
    )
    app.get(`/services.${format}`, async (_req, reply) => send(reply, format, 200, 'services', 'service', await o311.services(ctx)))
    app.get(`/requests.${format}`, async (req, reply) =>
      send(reply, format, 200, 'service_requests', 'request', await o311.listRequests(ctx, params(req.query))))
    app.post(`/requests.${format}`, async (req, reply) =>
      send(reply, format, 201, 'service_requests', 'request', await o311.createRequest(ctx, params(req.body))))
    app.get(`/servicerequestupdates.${format}`, async (req, reply) =>
      send(reply, format, 200, 'service_request_updates', 'request_update', await o311.listUpdates(ctx, params(req.query))))
    app.post(`/servicerequestupdates.${format}`, async (req, reply) =>
      send(reply, format, 201, 'service_request_updates', 'request_update', await o311.postUpdate(ctx, params(req.body))))
  }

  app.get('/services/:file', async (req, reply) => {
    const [code, format] = splitFormat((req.params as { file: string }).file)
    return send(reply, format, 200, 'service_definition', null, await o311.serviceDefinition(ctx, code))
  })
  app.get('/requests/:file', async (req, reply) => {
    const [id, format] = splitFormat((req.params as { file: string }).file)
    return send(reply, format, 200, 'service_requests', 'request', await o311.getRequest(ctx, id, params(req.query)))
  })
  app.get('/tokens/:file', async (req, reply) => {
    const [token, format] = splitFormat((req.params as { file: string }).file)
    return send(reply, format, 200, 'service_requests', 'request', await o311.token(ctx, token))
  })
}

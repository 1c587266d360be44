import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context'
import { AppError } from '../../errors'
import type { Caller } from '../../lib/caller'
import { hashSecret } from '../../lib/tokens'
import { OPEN_STATES, STATE_LABELS, type ReportState } from '../../../types/reports'
import * as service from './service'

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2: every resource in .json and .xml.
 * Status is open/closed; our detailed state is in status_notes. Errors: [{ code, description }] (JSON) or
 * <errors><error><code/><description/></error></errors> (XML). POST needs an api_key created by the office.
 */
type Format = 'json' | 'xml'
class Open311Error extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

const esc = (v: unknown) => String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
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

const status311 = (state: string) => (OPEN_STATES.includes(state as ReportState) ? 'open' : 'closed')

interface Row {
  id: number
  state: string
  categoryCode: string
  categoryName: string
  description: string
  department: string
  createdAt: Date
  updatedAt: Date
  dueAt: Date
  address: string
  lat: number
  lng: number
  mediaUrl: string | null
  photoId: string | null
}

function requestView(r: Row, base: string) {
  return {
    service_request_id: String(r.id),
    status: status311(r.state),
    status_notes: `${STATE_LABELS[r.state as ReportState]} (${r.state})`,
    service_name: r.categoryName,
    service_code: r.categoryCode,
    description: r.description,
    agency_responsible: r.department,
    service_notice: null,
    requested_datetime: new Date(r.createdAt).toISOString(),
    updated_datetime: new Date(r.updatedAt).toISOString(),
    expected_datetime: new Date(r.dueAt).toISOString(),
    address: r.address,
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.lng,
    media_url: r.photoId ? `${base}/api/v1/photos/${r.photoId}` : r.mediaUrl,
  }
}

const SELECT = `SELECT r.id::int AS id, r.state, r.category_code AS "categoryCode", c.name AS "categoryName", r.description, r.department,
  r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.due_at AS "dueAt", r.address, r.lat, r.lng, r.media_url AS "mediaUrl",
  (SELECT p.id FROM report_photos p WHERE p.report_id = r.id AND p.event_id IS NULL ORDER BY p.created_at, p.id LIMIT 1) AS "photoId"
  FROM reports r JOIN report_categories c ON c.code = r.category_code`

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : v === undefined || v === null ? undefined : String(v))

export const open311Routes = (ctx: AppContext) => async (app: FastifyInstance) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  const formatOf = (req: FastifyRequest): Format => (/\.xml(\?|$)/.test(req.url) ? 'xml' : 'json')
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err instanceof Open311Error || err instanceof AppError ? (err as { status: number }).status : err.statusCode && err.statusCode < 500 ? err.statusCode : 500
    const description = status >= 500 ? 'internal error' : err.message
    if (status >= 500) req.log.error({ err }, 'open311 error')
    return send(reply, formatOf(req), status, 'errors', 'error', [{ code: status, description }])
  })
  const base = (req: FastifyRequest) => `${req.protocol}://${req.host}`

  for (const format of ['json', 'xml'] as Format[]) {
    app.get(`/discovery.${format}`, async (req, reply) =>
      send(reply, format, 200, 'discovery', null, {
        changeset: '2024-01-01T00:00:00Z',
        contact: '文明共建 CivicLink — 创文办',
        key_service: 'API keys are issued by the campaign office (POST /api/v1/admin/open311-keys)',
        endpoints: [
          { specification: 'http://wiki.open311.org/GeoReport_v2', url: `${base(req)}/open311/v2`, changeset: '2024-01-01T00:00:00Z', type: 'production', formats: ['text/xml', 'application/json'] },
        ],
      }),
    )

    app.get(`/services.${format}`, async (_req, reply) => {
      const cats = await service.listCategories(ctx)
      return send(reply, format, 200, 'services', 'service', cats.map((c) => ({
        service_code: c.code,
        service_name: c.name,
        description: `${c.name}（处置时限 ${c.slaHours} 小时，责任部门：${c.department}）`,
        metadata: false,
        type: 'realtime',
        keywords: c.icon,
        group: '随手拍',
      })))
    })

    app.get(`/requests.${format}`, async (req, reply) => {
      const qs = req.query as Record<string, unknown>
      const where: string[] = ['NOT r.held']
      const params: unknown[] = []
      const p = (v: unknown) => {
        params.push(v)
        return `$${params.length}`
      }
      const ids = str(qs.service_request_id)
      if (ids) {
        const list = ids.split(',').map((s) => s.trim())
        if (!list.every((s) => /^\d{1,15}$/.test(s))) throw new Open311Error(400, 'service_request_id must be a comma-separated list of numbers')
        where.push(`r.id = ANY(${p(list.map(Number))}::bigint[])`)
      } else {
        const code = str(qs.service_code)
        if (code) where.push(`r.category_code = ANY(${p(code.split(','))}::text[])`)
        const start = str(qs.start_date)
        const end = str(qs.end_date)
        for (const [name, v] of [['start_date', start], ['end_date', end]] as const) {
          if (v !== undefined && Number.isNaN(Date.parse(v))) throw new Open311Error(400, `${name} must be a w3c (ISO 8601) date-time`)
        }
        // the spec's default window: the last 90 days
        where.push(`r.created_at >= ${p(start ? new Date(start) : new Date(Date.now() - 90 * 86400_000))}`)
        if (end) where.push(`r.created_at <= ${p(new Date(end))}`)
        const status = str(qs.status)
        if (status) {
          const wanted = status.split(',')
          if (!wanted.every((s) => s === 'open' || s === 'closed')) throw new Open311Error(400, 'status must be open or closed')
          if (wanted.length === 1) where.push(`r.state ${wanted[0] === 'open' ? '' : 'NOT'} IN ('submitted', 'accepted', 'dispatched', 'rectified')`)
        }
      }
      const rows = await ctx.db.query<Row>(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC LIMIT 1000`, params)
      return send(reply, format, 200, 'service_requests', 'request', rows.map((r) => requestView(r, base(req))))
    })

    app.post(`/requests.${format}`, async (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>
      const apiKey = str(b.api_key)
      if (!apiKey) throw new Open311Error(400, 'api_key is required')
      const account = await ctx.db.one<{ accountId: number }>('SELECT account_id::int AS "accountId" FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL', [hashSecret(apiKey)])
      if (!account) throw new Open311Error(403, 'api_key is invalid or revoked')
      const code = str(b.service_code)
      if (!code) throw new Open311Error(400, 'service_code is required')
      if (!(await service.listCategories(ctx)).some((c) => c.code === code)) throw new Open311Error(400, `service_code not found: ${code}`)
      const lat = Number(str(b.lat))
      const lng = Number(str(b.long))
      if (str(b.lat) === undefined || str(b.long) === undefined || !Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
        throw new Open311Error(400, 'lat and long are required (WGS-84/GCJ-02 decimal degrees); address_id is not supported')
      }
      const description = (str(b.description) ?? '').slice(0, 500)
      const mediaUrl = str(b.media_url)
      if (mediaUrl && (!/^https?:\/\/\S+$/.test(mediaUrl) || mediaUrl.length > 500)) throw new Open311Error(400, 'media_url must be an http(s) URL')
      const caller: Caller = { userId: account.accountId, communityCode: null, nickname: '', phone: null, openid: null, workerRegions: [], office: false, volunteer: false, tokenHash: '' }
      let created
      try {
        created = await service.submitReport(
          ctx,
          caller,
          { categoryCode: code, photoIds: [], lng, lat, address: (str(b.address_string) ?? '').slice(0, 200) || `${lat.toFixed(6)},${lng.toFixed(6)}`, description, anonymous: false },
          undefined,
          { source: 'open311', mediaUrl: mediaUrl ?? null },
        )
      } catch (err) {
        if (err instanceof AppError && err.code === 'OUTSIDE_CITY') throw new Open311Error(400, 'the location (lat/long) is outside the city')
        throw err
      }
      return send(reply, format, 201, 'service_requests', 'request', [
        { service_request_id: String(created.body.id), service_notice: created.body.held ? '待人工审核后公开' : null, account_id: String(account.accountId) },
      ])
    })
  }

  app.get('/services/:file', async (req, reply) => {
    const [code, format] = splitFormat((req.params as { file: string }).file)
    if (!(await service.listCategories(ctx)).some((c) => c.code === code)) throw new Open311Error(404, `service_code not found: ${code}`)
    return send(reply, format, 200, 'service_definition', null, { service_code: code, attributes: [] })
  })

  app.get('/requests/:file', async (req, reply) => {
    const [id, format] = splitFormat((req.params as { file: string }).file)
    if (!/^\d{1,15}$/.test(id)) throw new Open311Error(400, 'service_request_id must be a number')
    const rows = await ctx.db.query<Row>(`${SELECT} WHERE r.id = $1 AND NOT r.held`, [Number(id)])
    if (!rows.length) throw new Open311Error(404, `service request not found: ${id}`)
    return send(reply, format, 200, 'service_requests', 'request', rows.map((r) => requestView(r, base(req))))
  })

  app.get('/tokens/:file', async (req, reply) => {
    const [token, format] = splitFormat((req.params as { file: string }).file)
    // requests are created synchronously: the token is the request id
    const row = /^\d{1,15}$/.test(token) ? await ctx.db.one<{ id: number }>('SELECT id::int AS id FROM reports WHERE id = $1', [Number(token)]) : undefined
    if (!row) throw new Open311Error(404, `token not found: ${token}`)
    return send(reply, format, 200, 'service_requests', 'request', [{ service_request_id: String(row.id), token }])
  })

  app.setNotFoundHandler((req, reply) => send(reply, formatOf(req), 404, 'errors', 'error', [{ code: 404, description: `no such resource: ${req.method} ${req.url.split('?')[0]}` }]))
}

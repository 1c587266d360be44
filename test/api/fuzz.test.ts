/**
 * Property-based fuzzing of every route in the app's own OpenAPI document: paths, query strings, headers and
 * bodies shaped by each route's schema, mixed with hostile values (integers beyond every column, fractions, NUL,
 * lone surrogates, impossible dates, crafted cursors, wrong types, deep objects, stray multipart parts), sent as
 * every role. The one property: the server never answers 5xx. A failure prints the request, ready to replay.
 *
 * `npm test` runs a fixed seed with few runs per route; `npm run fuzz` runs a deeper pass with a random seed
 * (printed; FUZZ_SEED=… FUZZ_RUNS=… replays or widens it).
 */
import crypto from 'node:crypto'
import fc from 'fast-check'
import type { InjectOptions } from 'fastify'
import { createSession } from '../../server/modules/accounts/queries'
import { hashSecret, newToken } from '../../server/lib/tokens'
import { DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { INSIDE, jpeg, reportsApp, submit, upload } from './reports-helpers'

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261129
const RUNS = Number(process.env.FUZZ_RUNS ?? 20)
const COMMUNITY = '329901001001'

type Schema = Record<string, unknown>
interface Operation {
  method: string
  /** OpenAPI path, e.g. /api/v1/reports/{id} */
  path: string
  params: Schema[]
  body: Schema | undefined
  contentTypes: string[]
}
type Role = 'anonymous' | 'garbage-token' | 'resident' | 'worker' | 'office'
const ROLES: Role[] = ['anonymous', 'garbage-token', 'resident', 'worker', 'office']

interface Request {
  role: Role
  method: string
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
}

// ------------------------------------------------------------------ hostile values

const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
const HOSTILE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\udfff\ud800', '\ufffe', '😀'.repeat(300), 'a'.repeat(5000),
  '2026-02-31', '0000-01-01', '9999-99-99', '-100000-01-01', '2026-13-01', '10000-01-01', '1969-12-31',
  '2026-02-31T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-14:00', '+275760-09-13T00:00:00Z', '2026-01-01T25:61:61Z',
  '-1', '0', '1.5', '-0', '1e309', '2147483648', '-2147483649', '9007199254740993', '9223372036854775808', '99999999999999999999999',
  'NaN', 'Infinity', 'true', 'null', '[]', '{}', '%', '%00', '../../etc/passwd', "' OR 1=1 --", '<x>&amp;', '\\', '\r\n',
  enc(['9999-12-31T23:59:59.999Z', 1e30]), enc(['0000-01-01T00:00:00.000Z', 1]), enc(['2026-01-01T00:00:00.000Z', 2 ** 63]),
  enc(['not a date', 'x']), enc([1, 2, 3]), enc({}), enc('x'), enc([-1]), enc([1.5]), enc(['2026-02-31T00:00:00.000Z', 5]), 'WzFd=', '!!!',
]
const hostileString = fc.constantFrom(...HOSTILE_STRINGS)
const hostileNumber = fc.oneof(
  fc.constantFrom(2147483648, -2147483649, 2 ** 53 + 1, 1e20, -1e20, 1e308, 0.5, -0.0, -1, 0),
  fc.double(),
  fc.integer(),
)
const deepObject = fc.integer({ min: 1, max: 3000 }).map((n) => {
  let o: unknown = 1
  for (let i = 0; i < n; i++) o = { a: o }
  return o
})
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: hostileNumber, weight: 3 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 1 },
  { arbitrary: fc.array(fc.oneof(hostileString, hostileNumber), { maxLength: 4 }), weight: 1 },
  { arbitrary: deepObject, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 1 },
)

// ------------------------------------------------------------------ schema-shaped values

const ymd = (d: Date) => d.toISOString().slice(0, 10)
const dates = fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })

/**
 * Values a schema allows. With chaos, now and then a hostile one in its place (at any depth) and a key nobody
 * asked for; without, requests get past validation and into the handlers.
 */
function shaped(schema: Schema | undefined, known: Record<string, unknown[]>, chaos: boolean, name = '', depth = 0): fc.Arbitrary<unknown> {
  const valid = exact(schema, known, chaos, name, depth)
  return chaos ? fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: hostileFor(schema ?? {}, name), weight: 1 }) : valid
}

/** Hostile values aimed at what a field is: numbers beyond every column for numbers, broken dates for dates, forged cursors. */
function hostileFor(s: Schema, name: string): fc.Arbitrary<unknown> {
  const types = [s.type, ...(((s.anyOf ?? s.oneOf) as Schema[] | undefined) ?? []).map((a) => a.type)]
  if (types.includes('integer') || types.includes('number')) return fc.oneof(hostileNumber, hostileNumber.map(String), hostile)
  if (name === 'cursor') return fc.oneof(fc.constantFrom(...HOSTILE_STRINGS.filter((x) => /^[\w-]+$/.test(x))), hostile)
  if (s.format === 'date' || s.format === 'date-time') return fc.oneof(hostileString, hostile)
  return hostile
}

function exact(schema: Schema | undefined, known: Record<string, unknown[]>, chaos: boolean, name: string, depth: number): fc.Arbitrary<unknown> {
  const s = schema ?? {}
  const pool = known[name]
  const withKnown = (a: fc.Arbitrary<unknown>) => (pool?.length ? fc.oneof(a, fc.constantFrom(...pool)) : a)
  if ('const' in s) return fc.constant(s.const)
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]))
  const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined
  if (alts) return fc.oneof(...alts.map((a) => exact(a, known, chaos, name, depth)))
  const type = Array.isArray(s.type) ? s.type[0] : s.type
  switch (type) {
    case 'string': {
      if (s.format === 'date') return withKnown(dates.map(ymd))
      if (s.format === 'date-time') return withKnown(dates.map((d) => d.toISOString()))
      if (typeof s.pattern === 'string') return withKnown(fc.stringMatching(new RegExp(s.pattern as string)))
      const min = (s.minLength as number) ?? 0
      const max = Math.min((s.maxLength as number) ?? 60, Math.max(min, 60))
      return withKnown(fc.oneof(fc.string({ minLength: min, maxLength: max }), fc.string({ unit: 'grapheme', minLength: min, maxLength: max })))
    }
    case 'integer': {
      const min = Math.max((s.minimum as number) ?? -(2 ** 53 - 1), -(2 ** 53 - 1))
      const max = Math.min((s.maximum as number) ?? 2 ** 53 - 1, 2 ** 53 - 1)
      return withKnown(fc.integer({ min, max }))
    }
    case 'number':
      return withKnown(fc.double({ min: (s.minimum as number) ?? -1e9, max: (s.maximum as number) ?? 1e9, noNaN: true }))
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array': {
      const items = depth > 4 ? fc.constant(1) : shaped(s.items as Schema, known, chaos, name, depth + 1)
      return fc.array(items, { minLength: (s.minItems as number) ?? 0, maxLength: Math.min((s.maxItems as number) ?? 5, Math.max((s.minItems as number) ?? 0, 5)) })
    }
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>
      const required = (s.required as string[]) ?? []
      const record = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, depth > 4 ? fc.constant(1) : shaped(v, known, chaos, k, depth + 1)])),
        { requiredKeys: required.filter((k) => k in props) },
      )
      // sometimes a key nobody asked for, hostile names included
      if (!chaos) return record
      const extra = fc.option(fc.tuple(fc.oneof(hostileString, fc.string({ maxLength: 8 })), hostile), { freq: 6 })
      return fc.tuple(record, extra).map(([r, x]) => (x ? { ...r, [x[0]]: x[1] } : r))
    }
    default:
      return chaos ? hostile : fc.jsonValue({ maxDepth: 2 })
  }
}

// ------------------------------------------------------------------ requests

/** Percent-encodes like a browser, except that a lone surrogate goes as its WTF-8 bytes (as a hostile client sends it). */
function pct(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? ''
  let out = ''
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) {
      out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`
    } else out += encodeURIComponent(ch)
  }
  return out
}

function queryString(q: Record<string, unknown>): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue
    for (const one of Array.isArray(v) && v.length ? v : [v]) parts.push(`${pct(k)}=${pct(one)}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

function multipartBody(parts: Array<{ name: string; file: boolean; content: Buffer }>) {
  const boundary = 'fuzzBoundary7MA4YWxkTrZu0gW'
  const chunks: Buffer[] = []
  for (const p of parts) {
    const disp = p.file ? `form-data; name="${p.name}"; filename="x.jpg"\r\nContent-Type: image/jpeg` : `form-data; name="${p.name}"`
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\n\r\n`), p.content, Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** Query keys worth trying on routes that take any query (Open311 reads its own). */
const FREE_QUERY = fc.dictionary(
  fc.constantFrom('start_date', 'end_date', 'status', 'service_code', 'service_request_id', 'api_key', 'lat', 'long', 'cursor', 'from', 'to', 'id', 'page_size', 'jurisdiction_id', 'extensions'),
  fc.oneof(hostile, fc.string({ maxLength: 12 })),
  { maxKeys: 4 },
)

function requestFor(op: Operation, known: Record<string, unknown[]>, photo: Buffer, chaos: boolean): fc.Arbitrary<Omit<Request, 'role'>> {
  const pathParams = op.params.filter((p) => p.in === 'path')
  const queryParams = op.params.filter((p) => p.in === 'query')
  const headerParams = op.params.filter((p) => p.in === 'header')
  const obj = (ps: Schema[]) =>
    fc.record(Object.fromEntries(ps.map((p) => [p.name as string, shaped(p.schema as Schema, known, chaos, p.name as string)])), {
      requiredKeys: ps.filter((p) => p.required).map((p) => p.name as string),
    }) as fc.Arbitrary<Record<string, unknown>>
  const query = !queryParams.length ? FREE_QUERY : chaos ? fc.oneof({ arbitrary: obj(queryParams), weight: 4 }, { arbitrary: FREE_QUERY, weight: 1 }) : obj(queryParams)
  const multipart = op.contentTypes.includes('multipart/form-data')
  const takesBody = op.method !== 'GET' && op.method !== 'HEAD' && op.method !== 'DELETE'
  const body: fc.Arbitrary<{ payload?: string | Buffer; contentType?: string }> = multipart
    ? fc.array(
      fc.record({
        name: fc.constantFrom('file', 'file', 'photo', 'files', '', 'file\u0000'),
        file: fc.boolean(),
        content: fc.oneof(fc.constant(photo), fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), fc.constant(Buffer.from('\u0000'))),
      }),
      { maxLength: 3 },
    ).map((parts) => ({ ...multipartBody(parts) }))
    : !takesBody
      ? fc.constant({})
      : !chaos
        ? (op.body ? shaped(op.body, known, false) : fc.constant(undefined)).map((b) => (b === undefined ? {} : { payload: JSON.stringify(b), contentType: 'application/json' }))
        : fc.oneof(
        { arbitrary: (op.body ? shaped(op.body, known, true) : fc.oneof(FREE_QUERY, hostile)).map((b) => ({ payload: JSON.stringify(b) ?? 'null', contentType: 'application/json' })), weight: 6 },
        { arbitrary: fc.constantFrom('{', '', '{"a":', '\u0000', '[1,2', 'null').map((payload) => ({ payload, contentType: 'application/json' })), weight: 1 },
        { arbitrary: FREE_QUERY.map((b) => ({ payload: queryString(b).slice(1), contentType: 'application/x-www-form-urlencoded' })), weight: 1 },
        { arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => ({ payload: Buffer.from(a), contentType: 'application/octet-stream' })), weight: 1 },
      )
  return fc.record({ path: obj(pathParams), query, headers: obj(headerParams), body }).map(({ path, query: q, headers, body: b }) => {
    const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => pct(path[name] ?? 'x')) + queryString(q)
    const h: Record<string, string> = {}
    for (const [k, v] of Object.entries(headers)) {
      // a header that HTTP cannot carry would not reach the server at all
      const s = typeof v === 'string' ? v : JSON.stringify(v) ?? ''
      if (/^[\t\x20-\x7e]*$/.test(s)) h[k] = s
    }
    if (b.contentType) h['content-type'] = b.contentType
    return { method: op.method, url, headers: h, payload: b.payload }
  })
}

function codeOf(body: string): string {
  try {
    return String(JSON.parse(body)?.code ?? '')
  } catch {
    return ''
  }
}

function describeRequest(r: Request): string {
  const body = r.payload === undefined ? '' : Buffer.isBuffer(r.payload) ? `\n  body (base64): ${r.payload.toString('base64')}` : `\n  body: ${JSON.stringify(r.payload)}`
  return `as ${r.role}: ${r.method} ${r.url}\n  headers: ${JSON.stringify(r.headers)}${body}`
}

// ------------------------------------------------------------------ the run

function operations(doc: { paths: Record<string, Record<string, Schema>> }): Operation[] {
  const ops: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const content = ((op.requestBody as Schema | undefined)?.content ?? {}) as Record<string, { schema?: Schema }>
      // a multipart route has no JSON body schema; its summary and description say multipart
      const consumes = /multipart\/form-data/.test(`${op.summary ?? ''} ${op.description ?? ''}`) ? ['multipart/form-data'] : []
      ops.push({
        method: method.toUpperCase(),
        path,
        params: [...((item.parameters as unknown as Schema[]) ?? []), ...((op.parameters as Schema[]) ?? [])],
        body: content['application/json']?.schema,
        contentTypes: [...Object.keys(content), ...consumes],
      })
    }
  }
  // what can take a role away (revoking, signing out) runs last, so the others run with every role intact
  return ops.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'))
}

describe('every route, fuzzed as every role', () => {
  let t: TestApp & { dataDir?: string }
  const tokens: Partial<Record<Role, string>> = {}
  const known: Record<string, unknown[]> = {}

  beforeAll(async () => {
    t = await reportsApp()
    tokens.resident = await t.login(DEMO_ACCOUNTS.resident.phone)
    tokens.worker = await t.login(DEMO_ACCOUNTS.worker.phone)
    tokens.office = await t.login(DEMO_ACCOUNTS.office.phone)
    tokens['garbage-token'] = crypto.randomBytes(24).toString('base64url')
    // a little of everything, so that generated ids and codes sometimes name real rows
    await t.as(tokens.resident, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })
    const report = await submit(t, tokens.resident)
    const photos = await Promise.all([1, 2, 3, 4].map(() => upload(t, tokens.resident!)))
    const practice = await t.as(tokens.resident, { method: 'POST', url: '/api/v1/quiz/practice' })
    const live = await t.as(tokens.worker, { method: 'POST', url: '/api/v1/live/sessions', payload: { title: '模糊测试', count: 3 } })
    known.id = [1, 2, 3, report.json().id, practice.json().id, live.json().id].filter(Number.isInteger)
    known.code = [live.json().code].filter(Boolean)
    known.communityCode = [COMMUNITY]
    known.regionCode = [COMMUNITY, '3299']
    known.parent = [COMMUNITY]
    known.categoryCode = ['littering']
    known.photoIds = photos.map((p) => p.json().id)
    // real tags and questions, so that campaigns and live sessions get created and played now and then
    known.tag = (await t.as(tokens.worker, { method: 'GET', url: '/api/v1/quiz/tags' })).json().items.map((i: { tag: string }) => i.tag).slice(0, 5)
    const questions = (await t.as(tokens.worker, { method: 'GET', url: '/api/v1/quiz/questions' })).json().items.map((q: { id: number }) => q.id)
    known.questionIds = questions.slice(0, 20)
    known.startsAt = [new Date(Date.now() - 3600_000).toISOString()]
    known.endsAt = [new Date(Date.now() + 86400_000).toISOString()]
    known.questionId = [...known.questionIds, ...practice.json().questions.map((q: { id: number }) => q.id)]
    known.lng = [INSIDE.lng]
    known.lat = [INSIDE.lat]
    known.file = ['requests.json', 'requests.xml', `${report.json().id}.json`, `${report.json().id}.xml`, 'littering.xml', '1.json']
  })
  afterAll(async () => {
    await t?.close()
  })

  it(`never answers 5xx (seed ${SEED}, ${RUNS} runs per route)`, async () => {
    if (process.env.FUZZ_SEED || process.env.FUZZ_RUNS) console.log(`fuzz: seed ${SEED}, ${RUNS} runs per route`)
    // the OpenAPI document as /docs/json serves it (made on that first request: server/lib/api-docs.ts)
    const docs = await t.app.inject({ method: 'GET', url: '/docs/json' })
    expect(docs.statusCode).toBe(200)
    const doc = docs.json() as { paths: Record<string, Record<string, Schema>> }
    const ops = operations(doc)
    expect(ops.length).toBeGreaterThan(50)
    const photo = await jpeg()
    const failures: string[] = []
    let sent = 0
    const statuses = new Map<string, number>()
    for (const [i, op] of ops.entries()) {
      const arb = fc.tuple(fc.constantFrom(...ROLES), fc.oneof(requestFor(op, known, photo, false), requestFor(op, known, photo, true)))
      const result = await fc.check(
        fc.asyncProperty(arb, async ([role, r]) => {
          let token = role === 'anonymous' ? undefined : tokens[role]
          // signing out would end the session the other routes use: sign out a session of its own
          if (op.path.endsWith('/auth/logout') && (role === 'resident' || role === 'worker' || role === 'office')) {
            token = newToken()
            const user = await t.ctx.db.one<{ id: number }>('SELECT id::int AS id FROM users WHERE phone = $1', [DEMO_ACCOUNTS[role].phone])
            await createSession(t.ctx.db, hashSecret(token), user!.id, 'sms', 1)
          }
          const req: Request = { role, ...r }
          const headers = { ...r.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }
          sent++
          let res
          try {
            res = await t.app.inject({ method: r.method as InjectOptions['method'], url: r.url, headers, payload: r.payload })
          } catch (err) {
            // the connection dropped mid-answer (a stream that failed after its 200 went out): as bad as a 500
            throw new Error(`no complete answer: ${(err as Error).message}\n${describeRequest(req)}`, { cause: err })
          }
          const k = `${op.method} ${op.path} ${res.statusCode}${res.statusCode >= 400 ? ` ${codeOf(res.body)}` : ''}`
          statuses.set(k, (statuses.get(k) ?? 0) + 1)
          if (res.statusCode >= 500) throw new Error(`${res.statusCode} ${res.body.slice(0, 300)}\n${describeRequest(req)}`)
        }),
        { seed: SEED + i, numRuns: RUNS, endOnFailure: process.env.FUZZ_SHRINK !== '1' },
      )
      if (result.failed) failures.push(`${op.method} ${op.path}: ${(result.errorInstance as Error)?.message ?? String(result.errorInstance)}`)
    }
    if (process.env.FUZZ_SEED || process.env.FUZZ_RUNS) console.log(`fuzz: ${sent} requests\n${[...statuses].map(([k, n]) => `${k} ×${n}`).join('\n')}`)
    if (failures.length) console.log(`fuzz (seed ${SEED}): ${failures.length} route(s) answered 5xx after ${sent} requests\n\n${failures.join('\n\n')}`)
    expect(failures).toEqual([])
  }, 15 * 60_000)
})

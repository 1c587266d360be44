import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify'
import { badRequest } from '../errors'
import { isCalendarDate, isInstant } from './dates'

function makeAjv(coerce: boolean) {
  // removeAdditional off: an unknown field is an error, never silently dropped
  const ajv = new Ajv({ coerceTypes: coerce ? 'array' : false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false })
  addFormats(ajv)
  // ajv-formats lets through dates PostgreSQL cannot store (year 0, year 10000 after the offset); ours are real and in range
  ajv.addFormat('date', isCalendarDate)
  ajv.addFormat('date-time', isInstant)
  return ajv
}

const strict = makeAjv(false)
const coercing = makeAjv(true)

/**
 * Every number a request may carry has both bounds, so nothing beyond a column's range (or beyond 2^53, where a
 * JSON number stops being exact) reaches the database. Checked when a route is registered: a route that forgets
 * does not start.
 */
function assertBounded(schema: unknown, where: string, path = ''): void {
  if (!schema || typeof schema !== 'object') return
  const s = schema as Record<string, unknown>
  const types = Array.isArray(s.type) ? s.type : [s.type]
  if (types.includes('integer') || types.includes('number')) {
    const lo = s.minimum ?? s.exclusiveMinimum
    const hi = s.maximum ?? s.exclusiveMaximum
    if (typeof lo !== 'number' || typeof hi !== 'number' || Math.abs(lo) > Number.MAX_SAFE_INTEGER || Math.abs(hi) > Number.MAX_SAFE_INTEGER) {
      throw new Error(`${where}: the number at "${path || '/'}" needs a minimum and a maximum within ±2^53 (use Id or INT4_MAX from types/common)`)
    }
  }
  for (const key of ['properties', 'patternProperties']) {
    for (const [k, v] of Object.entries((s[key] as Record<string, unknown>) ?? {})) assertBounded(v, where, `${path}/${k}`)
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) for (const v of (s[key] as unknown[]) ?? []) assertBounded(v, where, path)
  for (const key of ['items', 'additionalProperties', 'not']) {
    const v = s[key]
    if (Array.isArray(v)) v.forEach((x) => assertBounded(x, where, `${path}/*`))
    else assertBounded(v, where, `${path}/*`)
  }
}

/**
 * Bodies are JSON and must have the right types; path, query and headers are text and are coerced.
 * Compiled at a route's first request, not when it is registered: compiling the ~300 schemas took ~0.3 s of every
 * start (npm run bench -- restart), most of them for routes a given run never sees. The bounds are still checked now.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart, method, url }) => {
  assertBounded(schema, `${method} ${url} ${httpPart}`)
  const ajv = httpPart === 'body' ? strict : coercing
  let compiled: ValidateFunction | undefined
  // Fastify reads .errors after a false, and passes the parent object when .schemaEnv is set (coercing a root value)
  const validate = Object.assign((data: unknown, dataCxt?: Parameters<ValidateFunction>[1]) => {
    compiled ??= ajv.compile(schema as object)
    const ok = compiled(data, dataCxt)
    validate.errors = compiled.errors
    return ok
  }, { errors: null as ValidateFunction['errors'], schemaEnv: true })
  return validate as never
}

/**
 * Text PostgreSQL cannot take as it came: NUL (refused by text and jsonb) and a lone UTF-16 surrogate (not
 * encodable as UTF-8: it would be stored as U+FFFD, silently changed).
 */
const MALFORMED = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The path of the first string (or object key) in `value` that holds malformed text, or null. Iterative: deep JSON stays on the heap. */
export function malformedTextAt(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']]
  while (stack.length) {
    const [v, path] = stack.pop()!
    if (typeof v === 'string') {
      if (MALFORMED.test(v)) return path
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, path ? `${path}.${i}` : String(i)]))
    } else if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
      for (const [k, x] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k
        if (MALFORMED.test(k)) return path || '(字段名)'
        stack.push([x, p])
      }
    }
  }
  return null
}

/**
 * preValidation hook for the whole app: refuses malformed text anywhere in the path, query string or JSON body,
 * whatever the route's schema says (and for routes without one), before any handler sees it.
 */
export async function refuseMalformedText(req: FastifyRequest): Promise<void> {
  for (const [part, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
    const found = malformedTextAt(value)
    if (found !== null) {
      const at = found.length > 60 ? `${found.slice(0, 60)}…` : found
      throw badRequest('INVALID_TEXT', `${PART[part]}${at ? `字段 ${at} ` : ''}含有无法保存的字符（空字符或残缺的 Unicode 字符），请删除后重试`)
    }
  }
}

const PART: Record<string, string> = { body: '请求体', querystring: '查询参数', params: '路径参数', headers: '请求头' }

function field(e: ErrorObject): string {
  const p = e.instancePath.replace(/^\//, '').replace(/\//g, '.')
  return p || ''
}

/** One readable Chinese sentence for the first validation error. */
export function describeValidation(errors: ErrorObject[], part: string | undefined): string {
  const e = errors[0]
  const where = PART[part ?? ''] ?? '请求'
  const f = field(e)
  const name = f ? `字段 ${f} ` : ''
  const params = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'required':
      return `${where}缺少字段 ${f ? `${f}.` : ''}${String(params.missingProperty)}`
    case 'additionalProperties':
      return `${where}包含不允许的字段 ${f ? `${f}.` : ''}${String(params.additionalProperty)}`
    case 'type':
      return `${where}${name}类型不正确，应为 ${String(params.type)}`
    case 'pattern':
    case 'format':
      return `${where}${name}格式不正确`
    case 'minLength':
    case 'maxLength':
      return `${where}${name}长度不符合要求`
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${where}${name}超出允许范围`
    case 'minItems':
    case 'maxItems':
      return `${where}${name}数量不符合要求`
    case 'minProperties':
      return `${where}不能为空`
    default:
      return `${where}${name}取值不正确`
  }
}

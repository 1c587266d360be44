import Ajv, { type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

function makeAjv(coerce: boolean) {
  // removeAdditional off: an unknown field is an error, never silently dropped
  const ajv = new Ajv({ coerceTypes: coerce ? 'array' : false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false })
  addFormats(ajv)
  return ajv
}

const strict = makeAjv(false)
const coercing = makeAjv(true)

/** Bodies are JSON and must have the right types; path, query and headers are text and are coerced. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema as object) as never

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

import type { FastifyRequest } from 'fastify'
import { AppError, badRequest } from '../errors'

export interface SingleFileRule {
  /** the one part name accepted */
  field: string
  maxBytes: number
  /** what the file is, for messages: 照片 */
  noun: string
  /** error codes are <prefix>_MISSING, _ONE_AT_A_TIME, _FIELD_INVALID, _TOO_LARGE */
  codePrefix: string
}

/**
 * A multipart body that is exactly one file part under the expected name and nothing else: another file, any
 * other field or a file under another name is refused, never ignored (a client that sends them means something
 * the server would otherwise silently drop). Reads every part, so nothing after the file goes unseen.
 */
export async function readSingleFile(req: FastifyRequest, rule: SingleFileRule): Promise<Buffer> {
  if (!req.isMultipart()) throw new AppError(415, 'MULTIPART_REQUIRED', `请以 multipart/form-data 上传${rule.noun}（字段名 ${rule.field}）`)
  let buf: Buffer | null = null
  try {
    for await (const part of req.parts({ limits: { fileSize: rule.maxBytes, files: 2, fields: 1, parts: 2 } })) {
      if (part.type === 'field' || part.fieldname !== rule.field) {
        if (part.type === 'file') await part.toBuffer().catch(() => undefined)
        throw badRequest(`${rule.codePrefix}_FIELD_INVALID`, `上传内容只能有一个名为 ${rule.field} 的文件，不能有其他字段（收到 ${part.fieldname || '无名字段'}）`)
      }
      if (buf) throw badRequest(`${rule.codePrefix}_ONE_AT_A_TIME`, `一次上传一个${rule.noun}`)
      buf = await part.toBuffer()
    }
  } catch (err) {
    if (err instanceof AppError) throw err
    const code = (err as { code?: string }).code
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError(413, `${rule.codePrefix}_TOO_LARGE`, `${rule.noun}不能超过 ${Math.round(rule.maxBytes / 1024 / 1024)} MB`)
    if (code === 'FST_FILES_LIMIT') throw badRequest(`${rule.codePrefix}_ONE_AT_A_TIME`, `一次上传一个${rule.noun}`)
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw badRequest(`${rule.codePrefix}_FIELD_INVALID`, `上传内容只能有一个名为 ${rule.field} 的文件，不能有其他字段`)
    }
    throw badRequest('MALFORMED_MULTIPART', '上传内容格式不正确')
  }
  if (!buf) throw badRequest(`${rule.codePrefix}_MISSING`, `请选择要上传的${rule.noun}`)
  return buf
}

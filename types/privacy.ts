/**
 * The person's rights (个人信息保护法): 注销账号 and the export of one's own data.
 *
 *  POST /api/v1/me/erasure/code                     → SmsSendResult (a code to the account's own phone; 409 NO_PHONE)
 *  POST /api/v1/me/erasure { confirm: '注销账号', code? } → 204 (code required when the account has a phone)
 *  GET  /api/v1/me/export                           → PersonalDataExport (everything linked to the caller)
 */
import { Type, type Static } from '@sinclair/typebox'

export { SmsSendResult } from './accounts'

/** Typed by the person on the confirmation page, and checked by the server. */
export { ERASURE_PHRASE } from './privacy-constants'

export const ErasureBody = Type.Object(
  {
    confirm: Type.String({ maxLength: 20 }),
    code: Type.Optional(Type.String({ pattern: '^\\d{6}$' })),
  },
  { additionalProperties: false },
)
export type ErasureBody = Static<typeof ErasureBody>

export const PersonalDataExport = Type.Object({
  format: Type.Literal('civiclink-personal-data/1'),
  exportedAt: Type.String({ format: 'date-time' }),
  userId: Type.Integer(),
  /** one section per module: account, reports, quizzes, moderation, … */
  sections: Type.Record(Type.String(), Type.Unknown()),
})
export type PersonalDataExport = Static<typeof PersonalDataExport>

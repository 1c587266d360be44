import { Type, type Static } from '@sinclair/typebox'

/** Every error the API returns: a stable code for programs, a Chinese message for people. */
export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
})
export type ErrorBody = Static<typeof ErrorBody>

export const RegionLevel = Type.Union([
  Type.Literal('city'),
  Type.Literal('district'),
  Type.Literal('street'),
  Type.Literal('community'),
  Type.Literal('grid'),
])
export type RegionLevel = Static<typeof RegionLevel>

export const Cursor = Type.String({ maxLength: 200, description: 'opaque cursor from the previous page (nextCursor); anything else is 400 CURSOR_INVALID' })

/** The largest value of a PostgreSQL `integer` (int4) column. */
export const INT4_MAX = 2_147_483_647

/**
 * A row id. The tables use bigint identities; a JSON number is exact only up to 2^53 − 1, which bounds ids here
 * (a larger one would reach the database rounded, or beyond bigint).
 */
export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
export const IdParams = Type.Object({ id: Id })

/** A calendar date that exists (no 2026-02-31, no year 0), years 1970–9999; checked by the server's `date` format. */
export const DateOnly = Type.String({ format: 'date', description: 'YYYY-MM-DD（Asia/Shanghai），须为真实存在的日期' })

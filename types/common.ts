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

export const Cursor = Type.String({ maxLength: 200, description: 'opaque cursor from the previous page' })

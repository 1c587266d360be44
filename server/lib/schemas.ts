import { ErrorBody } from '../../types/common'

/** The error shape for the client-error statuses a route can answer with (documented in OpenAPI). */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  429: ErrorBody,
} as const

/** A client-facing error: a stable `code` for programs, a Chinese `message` for people. */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message)
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details)
export const unauthorized = (code: string, message: string) => new AppError(401, code, message)
export const forbidden = (code: string, message: string) => new AppError(403, code, message)
export const notFound = (code: string, message: string) => new AppError(404, code, message)
export const conflict = (code: string, message: string) => new AppError(409, code, message)
export const tooMany = (code: string, message: string) => new AppError(429, code, message)
/** An engine this request needs (PostgreSQL, Redis) is unreachable: 503 with Retry-After, the client tries again later. */
export const unavailable = (code: 'DATABASE_UNAVAILABLE' | 'DATABASE_BUSY' | 'REDIS_UNAVAILABLE', message: string) => new AppError(503, code, message)

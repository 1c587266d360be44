import type { FastifyRequest } from 'fastify'

/**
 * Query parameters whose values are credentials somewhere (a bearer token, an Open311 api_key, a WeChat code, a
 * signed URL's signature). Matched by name on every route, so that a new route or a client that puts a secret in
 * the URL by mistake is covered without anyone remembering to list it.
 */
const SENSITIVE = /(token|key|secret|password|passwd|signature|sign|sig|ticket|session|auth|authorization|credential)$/i
const EXACT = new Set(['code', 'jwt', 'otp'])

function nameOf(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).trim()
  } catch {
    return raw
  }
}

/** The URL as logged: path and query as sent, but the value of every sensitive parameter replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=')
    const name = nameOf(eq < 0 ? pair : pair.slice(0, eq))
    if (eq < 0 || !(SENSITIVE.test(name) || EXACT.has(name.toLowerCase()))) return pair
    return `${pair.slice(0, eq)}=[REDACTED]`
  })
  return `${url.slice(0, q)}?${pairs.join('&')}`
}

/** Fastify's own request fields (lib/logger-pino.js), with the URL redacted. */
export function requestLogFields(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers?.['accept-version'] as string | undefined,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }
}

import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'

/**
 * helmet's security headers on every reply, its middleware built once. @fastify/helmet built helmet's middleware
 * anew on every request — parsing the content-security-policy each time, 3–5% of the API process's CPU on a survey
 * submission or any small request (issue 11's profile).
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const apply = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        fontSrc: ["'self'", 'data:'],
      },
    },
    crossOriginEmbedderPolicy: false,
  })
  app.addHook('onRequest', (req, reply, done) => apply(req.raw, reply.raw, (err) => done(err as Error | undefined)))
}

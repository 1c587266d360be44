import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static'

/** A name the H5 build gives by content (config/index.ts: `[name].[contenthash:8].js`): its bytes never change. */
const HASHED = /\.[0-9a-f]{8}\.[a-z0-9.]+$/i
const COMPRESSED = /\.(br|gz)$/

/**
 * Hashed files are kept for a year without revalidation: a new build gives them new names. Everything else
 * (index.html, which names the current hashed files) is revalidated on every load, so a new build reaches a phone on
 * its next visit.
 */
function cacheControl(res: SetHeadersResponse, file: string): void {
  const name = path.basename(file).replace(COMPRESSED, '')
  res.setHeader('Cache-Control', HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache')
}

/**
 * Serves the H5 build at /, sending the brotli or gzip file the build wrote beside each one (config/precompress.ts)
 * when the browser takes it. Encapsulated: its hook touches these files only, not the API.
 */
export async function h5Static(app: FastifyInstance, opts: { root: string }): Promise<void> {
  // the answer depends on Accept-Encoding: shared caches must keep the variants apart (added to CORS's Vary: Origin)
  app.addHook('onSend', async (_req, reply, payload) => {
    const vary = reply.getHeader('vary')
    if (!/accept-encoding/i.test(String(vary ?? ''))) reply.header('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding')
    return payload
  })
  await app.register(fastifyStatic, { root: opts.root, prefix: '/', wildcard: true, preCompressed: true, cacheControl: false, setHeaders: cacheControl })
}

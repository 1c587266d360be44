import { constants } from 'node:zlib'
import compress from '@fastify/compress'
import type { FastifyInstance } from 'fastify'

/**
 * Compresses the API's own responses (JSON lists, Open311 XML, CSV) for phones on slow links. The H5 files are not
 * compressed here: the build writes .br/.gz beside them (h5-static.ts). Brotli at quality 4 costs about what gzip
 * does at its default and is smaller; node's default (11) would spend the server's CPU on every response.
 * Request bodies are not inflated: nothing we accept is sent compressed, and inflating invites zip bombs.
 */
export async function registerCompression(scope: FastifyInstance): Promise<void> {
  await scope.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    globalDecompression: false,
  })
}

import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { Chunk, Compilation, Compiler } from 'webpack'

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)

/** Text files worth compressing; images and fonts are compressed already. */
const TEXT = /\.(js|css|html|svg|json|txt|map)$/
/** Below this a compressed copy saves less than the request headers cost. */
const MIN_BYTES = 1024

/**
 * Writes `name.br` (brotli, quality 11) and `name.gz` (gzip, level 9) beside every text file of the H5 build, for the
 * server to send as they are (@fastify/static's `preCompressed`): the best compression, paid once at build time
 * instead of on every request. A copy that would not be at least a tenth smaller is left out.
 */
export class PrecompressPlugin {
  apply(compiler: Compiler): void {
    const { Compilation, sources } = compiler.webpack
    compiler.hooks.thisCompilation.tap('PrecompressPlugin', (compilation) => {
      // after minification and after html-webpack-plugin has written index.html
      compilation.hooks.processAssets.tapPromise({ name: 'PrecompressPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_TRANSFER }, async (assets) => {
        await Promise.all(Object.keys(assets).filter((name) => TEXT.test(name)).map(async (name) => {
          const raw = compilation.getAsset(name)!.source.buffer()
          if (raw.length < MIN_BYTES) return
          const [br, gz] = await Promise.all([
            brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
            gzip(raw, { level: 9 }),
          ])
          for (const [ext, out] of [['br', br], ['gz', gz]] as const) {
            if (out.length <= raw.length * 0.9) compilation.emitAsset(`${name}.${ext}`, new sources.RawSource(out), { compressed: true, immutable: compilation.getAsset(name)!.info.immutable })
          }
        }))
      })
    })
  }
}

/** Where `npm run size` finds which files each H5 page loads (outside dist/h5, which the server publishes). */
export const PAGE_MANIFEST = path.resolve(__dirname, '..', 'dist', 'h5-pages.json')

/** The files the entry loads, and for each page (`pages/login/index`, …) the files its import() loads besides. */
function pageFiles(compilation: Compilation): { entry: string[]; pages: Record<string, string[]> } {
  const entry = [...compilation.entrypoints.values()].flatMap((e) => e.getFiles())
  const pages: Record<string, string[]> = {}
  for (const group of compilation.chunkGroups) {
    for (const o of group.origins) {
      const page = pageOfRequest(o.request)
      if (page) pages[page] = [...new Set([...(pages[page] ?? []), ...group.getFiles()])]
    }
  }
  return { entry, pages }
}

/** Writes PAGE_MANIFEST: the files of the entry and of each page (its own chunk and the chunks it shares). */
export class PageManifestPlugin {
  apply(compiler: Compiler): void {
    compiler.hooks.afterEmit.tap('PageManifestPlugin', (compilation) => {
      fs.mkdirSync(path.dirname(PAGE_MANIFEST), { recursive: true })
      fs.writeFileSync(PAGE_MANIFEST, `${JSON.stringify(pageFiles(compilation), null, 2)}\n`)
    })
  }
}

/**
 * Adds to index.html a preload of the chunks that every main-package page loads (Taro's components, NutUI's common
 * parts). The router asks for a page only once the entry has run; on a slow phone the network would sit idle
 * meanwhile. Chunks of one page only are left to the router, so a page still downloads nothing it does not use.
 */
export class PreloadSharedChunksPlugin {
  apply(compiler: Compiler): void {
    const { Compilation, sources } = compiler.webpack
    compiler.hooks.thisCompilation.tap('PreloadSharedChunksPlugin', (compilation) => {
      // after html-webpack-plugin has written index.html, before PrecompressPlugin
      compilation.hooks.processAssets.tap({ name: 'PreloadSharedChunksPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_INLINE + 1 }, () => {
        const html = compilation.getAsset('index.html')
        if (!html) return
        const { entry, pages } = pageFiles(compilation)
        const main = Object.entries(pages).filter(([page]) => page.startsWith('pages/')).map(([, files]) => files)
        if (main.length === 0) return
        const everywhere = main[0].filter((f) => main.every((files) => files.includes(f)) && !entry.includes(f))
        const publicPath = String(compilation.outputOptions.publicPath ?? '/')
        const links = everywhere
          .filter((f) => /\.(js|css)$/.test(f))
          .map((f) => `<link rel="preload" href="${publicPath}${f}" as="${f.endsWith('.js') ? 'script' : 'style'}">`)
          .join('')
        const text = html.source.source().toString()
        if (!text.includes('</head>')) throw new Error('index.html has no </head> for the preload links')
        compilation.updateAsset('index.html', new sources.RawSource(text.replace('</head>', `${links}</head>`)))
      })
    })
  }
}

/** `./pages/login/index` (an import() of Taro's H5 router) → `pages/login/index`; anything else → ''. */
export function pageOfRequest(request: string | undefined): string {
  const m = /^(?:\.\/)?((?:pages|packages)\/.+\/index)$/.exec(request ?? '')
  return m ? m[1] : ''
}

/** The page a lazily loaded chunk belongs to (its chunk group's import() request), or ''. */
export function pageOfChunk(chunk: Chunk): string {
  for (const group of chunk.groupsIterable) {
    for (const o of group.origins) {
      const page = pageOfRequest(o.request)
      if (page) return page
    }
  }
  return ''
}

// The server compiled into one JavaScript file for npm start (.cache/server/main.js), rebuilt when its sources
// changed. Run from the sources through tsx, every start compiled and resolved some 150 TypeScript files (~1 s of a
// ~3 s start, measured by npm run bench -- restart). The packages stay outside the bundle, loaded from node_modules.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { ROOT } from './builds.mjs'

const OUT = path.join(ROOT, '.cache', 'server')
const STAMP = path.join(OUT, '.build-stamp')
const INPUTS = ['server', 'types', 'tsconfig.json', 'package-lock.json', 'scripts/server-build.mjs']
const INLINE = /^@sinclair\/typebox(\/|$)/

function newest(p) {
  if (!fs.existsSync(p)) return 0
  const st = fs.statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let max = st.mtimeMs
  for (const e of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, e)))
  return max
}

function isStale() {
  if (!fs.existsSync(STAMP) || !fs.existsSync(path.join(OUT, 'main.js'))) return true
  const built = fs.statSync(STAMP).mtimeMs
  return INPUTS.some((p) => newest(path.join(ROOT, p)) > built)
}

/** Compiles server/main.ts if its sources changed since the last build; returns the file to run. */
export async function ensureServerBuilt() {
  const main = path.join(OUT, 'main.js')
  if (!isStale()) return main
  const started = Date.now()
  // esbuild comes with tsx, a dependency (not a devDependency): there on every install that can run the server
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild')
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'server', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    // the packages stay in node_modules, but for TypeBox: only the server uses it at run time, and in the bundle its
    // ~200 small CommonJS files are neither looked up, read nor compiled one by one at every start (~0.1 s)
    plugins: [{
      name: 'external-packages',
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) => (INLINE.test(args.path) ? undefined : { path: args.path, external: true }))
      },
    }],
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    define: { CIVICLINK_BUNDLED: 'true' },
    sourcemap: true,
    sourcesContent: false,
    outfile: main,
    write: false,
    logLevel: 'silent',
  }).catch((err) => {
    console.error(`[civiclink] 服务端编译失败：\n${err.message}`)
    process.exit(1)
  })
  fs.mkdirSync(OUT, { recursive: true })
  // written aside and renamed: a start interrupted here never leaves half a file to run
  for (const f of result.outputFiles) {
    fs.writeFileSync(`${f.path}.tmp`, f.contents)
    fs.renameSync(`${f.path}.tmp`, f.path)
  }
  // stamped with the time the build began: a source saved during the build makes the next start build again
  fs.writeFileSync(STAMP, '')
  fs.utimesSync(STAMP, started / 1000, started / 1000)
  console.log(`[civiclink] 服务端已编译（${((Date.now() - started) / 1000).toFixed(1)} 秒）`)
  return main
}

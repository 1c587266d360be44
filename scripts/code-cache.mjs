// npm start keeps V8's compiled code of the packages it loads (node_modules/…) in .cache/server/code-cache-*.bin, so
// that a restart does not parse and compile them again: ~0.2 s of CPU of a ~2 s start (npm run bench -- restart).
// Node.js 22 has this built in (module.enableCompileCache); Node.js 20 does not, so CommonJS modules under
// node_modules are compiled here through vm.Script with V8's cached data, the way Node.js itself would run them.
// Keyed by the file's path and a hash of its text (V8 checks only the length); V8 refuses data from another
// Node.js or other flags (then the module compiles as usual and the cache is written again). Written after the
// server is ready (process event 'civiclink:ready'), only when a module was compiled without it.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import Module from 'node:module'
import { ROOT } from './builds.mjs'

const FILE = path.join(ROOT, '.cache', 'server', `code-cache-${process.version}-${process.arch}.bin`)
const MODULES = path.join(ROOT, 'node_modules') + path.sep

function read() {
  const entries = new Map()
  let buf
  try {
    buf = fs.readFileSync(FILE)
  } catch {
    return entries
  }
  // [key length u32][key][data length u32][data]…; a damaged file is ignored as a whole
  try {
    for (let at = 0; at < buf.length; ) {
      const k = buf.readUInt32LE(at)
      const key = buf.toString('utf8', at + 4, at + 4 + k)
      at += 4 + k
      const d = buf.readUInt32LE(at)
      entries.set(key, buf.subarray(at + 4, at + 4 + d))
      at += 4 + d
    }
  } catch {
    entries.clear()
  }
  return entries
}

function makeRequire(mod) {
  const require = (id) => mod.require(id)
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options)
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod)
  require.main = process.mainModule
  require.extensions = Module._extensions
  require.cache = Module._cache
  return require
}

export function installCodeCache() {
  if (process.env.CIVICLINK_CODE_CACHE === '0') return // to compare, or to rule it out
  // Node.js 22 and later: its own cache (every module, the bundle too)
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(path.join(ROOT, '.cache', 'server', 'compile-cache'))
    return
  }
  const entries = read()
  const fresh = new Map() // key → script compiled without usable data
  const compile = Module.prototype._compile
  Module.prototype._compile = function (content, filename, ...rest) {
    // Node.js's own path for: the server's bundle (its source map), a hashbang (cannot sit inside the wrapper), a
    // module with import() (which a vm.Script runs only with an option Node.js 20 calls experimental, and warns of),
    // and an ES module that require() loads (its format passed after the file name)
    if (!filename.startsWith(MODULES) || content.startsWith('#!') || /\bimport\s*\(/.test(content) || (rest[0] && rest[0] !== 'commonjs')) {
      return compile.call(this, content, filename, ...rest)
    }
    const key = `${filename}\0${crypto.createHash('sha1').update(content).digest('base64')}`
    const cachedData = entries.get(key)
    let script
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData })
    } catch {
      return compile.call(this, content, filename, ...rest) // a syntax error: reported as Node.js reports it
    }
    if (!cachedData || script.cachedDataRejected) {
      entries.delete(key)
      fresh.set(key, script)
    }
    const fn = script.runInThisContext({ displayErrors: true })
    return fn.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename))
  }
  process.once('civiclink:ready', () => {
    if (fresh.size === 0) return
    // after the start, so that the functions the start ran are in the data too; at once, before the first request
    // (a server stopped right after it is ready still leaves its cache). Only a start that compiled something afresh
    // (a first start, changed packages) spends the time (~0.1 s).
    try {
      const parts = []
      const add = (key, data) => {
        const k = Buffer.from(key)
        const head = Buffer.alloc(4)
        head.writeUInt32LE(k.length)
        const len = Buffer.alloc(4)
        len.writeUInt32LE(data.length)
        parts.push(head, k, len, data)
      }
      // an older text of a file compiled afresh this time is left out
      const changed = new Set([...fresh.keys()].map((k) => k.split('\0')[0]))
      for (const [key, data] of entries) if (!changed.has(key.split('\0')[0])) add(key, data)
      for (const [key, script] of fresh) add(key, script.createCachedData())
      fs.writeFileSync(`${FILE}.${process.pid}`, Buffer.concat(parts))
      fs.renameSync(`${FILE}.${process.pid}`, FILE) // two servers at once: the last complete file wins
    } catch {
      // a cache only: the next start compiles again
    }
    fresh.clear()
  })
}

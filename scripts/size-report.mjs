// npm run size [-- --budget-kb 800]: weapp main package, each subpackage, H5 first-load JS (gzipped).
// Exits 1 when the weapp main package is over the budget (CI uses it).
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { ROOT } from './builds.mjs'

const budgetArg = process.argv.indexOf('--budget-kb')
const budgetKb = budgetArg > 0 ? Number(process.argv[budgetArg + 1]) : 800

function files(dir) {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? files(p) : [p]
  })
}
const kb = (n) => (n / 1024).toFixed(1)
const size = (list) => list.reduce((s, f) => s + fs.statSync(f).size, 0)

const weapp = path.join(ROOT, 'dist/weapp')
if (!fs.existsSync(path.join(weapp, 'app.json'))) {
  console.error('dist/weapp 不存在：先运行 npm run build:weapp')
  process.exit(1)
}
const all = files(weapp).filter((f) => !f.endsWith('.build-stamp') && !f.endsWith('.map'))
const pkgRoot = path.join(weapp, 'packages') + path.sep
const main = all.filter((f) => !f.startsWith(pkgRoot))
console.log(`weapp 主包：${kb(size(main))} KB（预算 ${budgetKb} KB，微信上限 2048 KB）`)
const subs = fs.existsSync(pkgRoot) ? fs.readdirSync(pkgRoot) : []
for (const s of subs) console.log(`  分包 packages/${s}：${kb(size(all.filter((f) => f.startsWith(path.join(pkgRoot, s) + path.sep))))} KB`)
console.log(`weapp 合计：${kb(size(all))} KB`)

const h5 = path.join(ROOT, 'dist/h5')
const index = path.join(h5, 'index.html')
if (fs.existsSync(index)) {
  const html = fs.readFileSync(index, 'utf8')
  // the entry scripts plus the chunk every page imports (split out in config/index.ts); a page's own chunk adds a few KB
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1].replace(/^\//, ''))
  for (const f of fs.readdirSync(path.join(h5, 'js'))) if (/^shared\..*\.js$/.test(f)) scripts.push(`js/${f}`)
  let raw = 0
  let gz = 0
  for (const s of scripts) {
    const buf = fs.readFileSync(path.join(h5, s))
    raw += buf.length
    gz += zlib.gzipSync(buf, { level: 9 }).length
  }
  const allJs = files(h5).filter((f) => f.endsWith('.js'))
  const allGz = allJs.reduce((s, f) => s + zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length, 0)
  console.log(`H5 首屏 JS：${scripts.length} 个文件，${kb(raw)} KB，gzip 后 ${kb(gz)} KB；全部 JS gzip 后 ${kb(allGz)} KB`)
}
if (size(main) / 1024 > budgetKb) {
  console.error(`weapp 主包超出预算：${kb(size(main))} KB > ${budgetKb} KB`)
  process.exit(1)
}

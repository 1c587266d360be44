// npm run size [-- --budget-kb 500 --h5-budget-kb 230]: weapp main package and each subpackage; for H5, the JS each
// page loads on a first visit (the entry plus the page's chunks, gzipped), from dist/h5-pages.json that the H5 build
// writes (config/h5-plugins.ts). Exits 1 when the weapp main package or an H5 main-package page (any of them can be
// the first page: 登录 for a new user, 首页 for a returning one) is over its budget (CI uses both).
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { ROOT } from './builds.mjs'

function arg(name, fallback) {
  const i = process.argv.indexOf(name)
  if (i < 0) return fallback
  const v = Number(process.argv[i + 1])
  if (!(v > 0)) {
    console.error(`${name} 需要一个正数（KB）`)
    process.exit(2)
  }
  return v
}
const budgetKb = arg('--budget-kb', 500)
const h5BudgetKb = arg('--h5-budget-kb', 230)

function files(dir) {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? files(p) : [p]
  })
}
const kb = (n) => (n / 1024).toFixed(1)
const size = (list) => list.reduce((s, f) => s + fs.statSync(f).size, 0)
const over = []

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
if (size(main) / 1024 > budgetKb) over.push(`weapp 主包超出预算：${kb(size(main))} KB > ${budgetKb} KB`)

const h5 = path.join(ROOT, 'dist/h5')
const manifestFile = path.join(ROOT, 'dist/h5-pages.json')
if (fs.existsSync(path.join(h5, 'index.html'))) {
  if (!fs.existsSync(manifestFile) || fs.statSync(manifestFile).mtimeMs < fs.statSync(path.join(h5, 'index.html')).mtimeMs - 60_000) {
    console.error('dist/h5-pages.json 缺失或比 dist/h5 旧：重新运行 npm run build:h5')
    process.exit(1)
  }
  const { entry, pages } = JSON.parse(fs.readFileSync(manifestFile, 'utf8'))
  const gzCache = new Map()
  const gz = (f) => {
    if (!gzCache.has(f)) gzCache.set(f, zlib.gzipSync(fs.readFileSync(path.join(h5, f)), { level: 9 }).length)
    return gzCache.get(f)
  }
  const js = (list) => list.filter((f) => f.endsWith('.js'))
  const load = (page) => {
    const list = js([...new Set([...entry, ...pages[page]])])
    return { page, count: list.length, raw: list.reduce((s, f) => s + fs.statSync(path.join(h5, f)).size, 0), gz: list.reduce((s, f) => s + gz(f), 0) }
  }
  const loads = Object.keys(pages).sort().map(load)
  const mainPages = loads.filter((l) => l.page.startsWith('pages/'))
  if (mainPages.length === 0) {
    console.error('dist/h5-pages.json 里没有主包页面')
    process.exit(1)
  }
  console.log(`H5 首次打开各页加载的 JS（入口 + 页面及其共享块，gzip 后；预算 ${h5BudgetKb} KB）：`)
  for (const l of mainPages) console.log(`  ${l.page}：${l.count} 个文件，${kb(l.raw)} KB，gzip 后 ${kb(l.gz)} KB`)
  const biggestSub = loads.filter((l) => !l.page.startsWith('pages/')).sort((a, b) => b.gz - a.gz)[0]
  if (biggestSub) console.log(`  分包页面最大：${biggestSub.page}，gzip 后 ${kb(biggestSub.gz)} KB`)
  const first = mainPages.reduce((a, b) => (b.gz > a.gz ? b : a))
  const allGz = files(h5).filter((f) => f.endsWith('.js')).reduce((s, f) => s + gz(path.relative(h5, f)), 0)
  console.log(`H5 首屏 JS（主包页面中最大）：${kb(first.gz)} KB gzip（${first.page}）；全部 JS gzip 后 ${kb(allGz)} KB`)
  if (first.gz / 1024 > h5BudgetKb) over.push(`H5 首屏 JS 超出预算：${first.page} ${kb(first.gz)} KB > ${h5BudgetKb} KB（gzip）`)
}
for (const o of over) console.error(o)
if (over.length) process.exit(1)

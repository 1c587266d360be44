// Builds the mini-program targets when their sources changed since the last build (used by start and test).
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const INPUTS = ['src', 'config', 'types', 'babel.config.js', 'project.config.json', 'package-lock.json']

function newest(p) {
  if (!fs.existsSync(p)) return 0
  const st = fs.statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let max = st.mtimeMs
  for (const e of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, e)))
  return max
}

const stampOf = (target) => path.join(ROOT, 'dist', target, '.build-stamp')

export function isStale(target) {
  const stamp = stampOf(target)
  if (!fs.existsSync(stamp)) return true
  const built = fs.statSync(stamp).mtimeMs
  return INPUTS.some((p) => newest(path.join(ROOT, p)) > built)
}

/** Builds `target` (weapp | h5) if stale; exits the process on failure. */
export function ensureBuilt(target, { force = false, env = {} } = {}) {
  if (!force && !isStale(target)) return false
  const started = Date.now()
  console.log(`[civiclink] 正在构建 ${target}（首次约 ${target === 'h5' ? '30–60' : '15–30'} 秒，进度见下方）…`)
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/@tarojs/cli/bin/taro'), 'build', '--type', target], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', ...env },
  })
  if (r.status !== 0) {
    console.error(`[civiclink] ${target} 构建失败`)
    process.exit(r.status ?? 1)
  }
  fs.writeFileSync(stampOf(target), new Date().toISOString())
  console.log(`[civiclink] ${target} 构建完成，用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒`)
  return true
}

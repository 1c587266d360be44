// npm run start:cluster -- --processes N: N API processes (node:cluster) sharing one port, on DATABASE_URL + REDIS_URL.
// The H5 app is served from dist/h5 as built (npm run build:h5), not rebuilt here. The primary only forks, restarts a worker that dies, and passes SIGTERM/SIGINT on (each worker stops gracefully,
// see server/main.ts). Not for the embedded PGlite: one process owns its data directory.
import cluster from 'node:cluster'
import os from 'node:os'
import { ROOT } from './builds.mjs'
import { ensureServerBuilt } from './server-build.mjs'

const say = (msg) => process.stdout.write(`[civiclink cluster] ${msg}\n`)

function processesArg(argv) {
  const i = argv.findIndex((a) => a === '--processes' || a === '-n' || a.startsWith('--processes='))
  if (i < 0) return Math.max(1, os.availableParallelism?.() ?? os.cpus().length)
  const raw = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    process.stderr.write(`--processes 须为 1 到 64 之间的整数：${raw}\n`)
    process.exit(2)
  }
  return n
}

if (cluster.isPrimary) {
  const n = processesArg(process.argv.slice(2))
  if (!process.env.DATABASE_URL) {
    process.stderr.write('[civiclink cluster] 多进程需要 PostgreSQL：请设置 DATABASE_URL。内置数据库（PGlite）只能由一个进程打开，请用 npm start。\n')
    process.exit(2)
  }
  if (n > 1 && !process.env.REDIS_URL) {
    process.stderr.write('[civiclink cluster] 多进程需要 Redis：请设置 REDIS_URL（限流计数、退出登录和现场答题推送要在进程之间共享）。\n')
    process.exit(2)
  }
  const main = await ensureServerBuilt()
  cluster.setupPrimary({ exec: main, execArgv: ['--enable-source-maps'], cwd: ROOT })
  let stopping = false
  const fork = () => cluster.fork()
  say(`启动 ${n} 个 API 进程，共用端口 ${process.env.PORT || 3000}`)
  for (let i = 0; i < n; i++) fork()
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
      return
    }
    // exit code 2: a configuration the server refuses (it said why); restarting would only repeat it
    if (code === 2) {
      say(`进程 ${worker.process.pid} 拒绝启动（见上），全部停止`)
      stopping = true
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
      process.exitCode = 2
      return
    }
    say(`进程 ${worker.process.pid} 退出（${signal ?? code}），重新启动一个`)
    fork()
  })
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      if (stopping) return
      stopping = true
      say(`收到 ${sig}，各进程完成进行中的请求后退出`)
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
    })
  }
}

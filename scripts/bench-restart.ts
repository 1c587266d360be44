// npm run bench -- restart — figures, not a test: how long `npm start` takes to be ready on an existing data
// directory (the built-in PGlite database, demo mode, H5 already built), and where that time goes.
//  1. A first `npm start` creates the database in a throw-away DATA_DIR (and builds what is stale); not counted.
//  2. BENCH_RESTARTS (default 5) restarts, each timed from spawning `npm start` to the health check answering, with
//     the server's own breakdown (CIVICLINK_STARTUP_TIMING=1; the first phase runs from the server process's start),
//     wall clock and the server process's CPU time (less distorted when the machine is busy).
// BENCH_DATA_DIR: restart on that existing data directory instead (kept; step 1 then only checks it starts).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn } from 'node:child_process'

const ROOT = path.resolve(__dirname, '..')
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 5)
const PORT = Number(process.env.BENCH_PORT ?? 3000 + 100 + (process.pid % 800))
const say = (s: string) => process.stdout.write(`${s}\n`)

interface Start {
  /** spawn → health check answering, ms */
  ready: number
  phases: Array<[string, number]>
  cpu: Array<[string, number]>
}

async function healthy(): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${PORT}/api/v1/health`)).ok
  } catch {
    return false
  }
}

function start(dataDir: string): Promise<Start> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    // its own process group: npm, scripts/start.mjs and the server stop together
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(PORT), HOST: '127.0.0.1', CIVICLINK_STARTUP_TIMING: '1', OUTBOX_INTERVAL_MS: '0' },
    })
    let out = ''
    let phases: Array<[string, number]> | null = null
    let cpu: Array<[string, number]> | null = null
    const split = (line: string): Array<[string, number]> => line.split('，').map((p) => { const i = p.lastIndexOf(' '); return [p.slice(0, i), Number(p.slice(i + 1))] })
    let listening = false
    const stop = (result: Start | Error) => {
      child.once('exit', () => (result instanceof Error ? reject(result) : resolve(result)))
      process.kill(-child.pid!, 'SIGTERM')
    }
    child.stderr.on('data', (d) => (out += d))
    child.stdout.on('data', async (d) => {
      out += d
      const m = /启动各阶段（毫秒）：(.+)/.exec(out)
      if (m && !phases) phases = split(m[1])
      const c = /启动各阶段 CPU（毫秒）：(.+)/.exec(out)
      if (c && !cpu) cpu = split(c[1])
      if (!listening && out.includes('就绪')) {
        listening = true
        // ready when it answers: the first request it serves is the end of the start
        while (!(await healthy())) await new Promise((r) => setImmediate(r))
        const ready = performance.now() - t0
        stop({ ready, phases: phases ?? [], cpu: cpu ?? [] })
      }
    })
    child.on('exit', (code) => {
      if (!listening) reject(new Error(`npm start exited (${code}) before it was ready:\n${out}`))
    })
  })
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

async function main() {
  const dataDir = process.env.BENCH_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-restart-'))
  try {
    say(`bench:restart — ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`)
    const first = await start(dataDir)
    say(`first start (creates the database, builds what is stale): ${(first.ready / 1000).toFixed(1)} s`)
    const runs: Start[] = []
    for (let i = 0; i < RESTARTS; i++) runs.push(await start(dataDir))
    const ready = runs.map((r) => r.ready)
    say(`restart, npm start → health check answering: median ${(median(ready) / 1000).toFixed(2)} s  (min ${(Math.min(...ready) / 1000).toFixed(2)}, max ${(Math.max(...ready) / 1000).toFixed(2)}, ${runs.length} runs)`)
    const names = runs[0].phases.map(([n]) => n)
    const inServer = runs.map((r) => r.phases.reduce((a, [, ms]) => a + ms, 0))
    const parts = [
      ['npm 本身（到 scripts/start.mjs 的进程启动为止）', median(runs.map((r, i) => r.ready - inServer[i])), NaN] as const,
      ...names.map((n, j) => [n, median(runs.map((r) => r.phases[j]?.[1] ?? 0)), median(runs.map((r) => r.cpu[j]?.[1] ?? 0))] as const),
    ]
    say('  wall ms   CPU ms  (medians)')
    for (const [name, ms, cpu] of parts) say(`  ${String(Math.round(ms)).padStart(7)}  ${Number.isNaN(cpu) ? '       ' : String(Math.round(cpu)).padStart(7)}  ${name}`)
    say(`load after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  } finally {
    if (!process.env.BENCH_DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`)
  process.exit(1)
})

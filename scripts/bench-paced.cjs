// A worker thread that sends requests at an even pace (an open loop), for the benchmarks: request k is due at
// start + k / rate and is sent then, whether or not earlier ones have been answered; its time counts from when it was
// due, so a server that falls behind shows it in the figures. autocannon's overallRate sends each second's requests
// in a burst at the start of the second, which measures the burst. The pool's connections are opened first, with a
// GET /api/v1/health each, outside the timed part: without it the first ~0.3 s measured the connects (bare p99 105–122 ms
// at 650–860 req/s, every slow request in that first part). workerData: { url, file, rate, seconds,
// connections }, the requests ({ path, headers, body }, POSTed in turn) read from `file`.
const { parentPort, workerData } = require('node:worker_threads')
const fs = require('node:fs')
const { Pool } = require('undici')

async function main() {
  const { url, file, rate, seconds, connections } = workerData
  const jobs = JSON.parse(fs.readFileSync(file, 'utf8'))
  const pool = new Pool(url, { connections })
  await Promise.all(Array.from({ length: connections }, () =>
    pool.request({ path: '/api/v1/health', method: 'GET' }).then((res) => res.body.dump())))
  const total = Math.round(rate * seconds)
  const times = []
  let failed = 0
  const sent = []
  const start = performance.now()
  for (let k = 0; k < total; k++) {
    const due = start + (k * 1000) / rate
    const wait = due - performance.now()
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait))
    const j = jobs[k % jobs.length]
    sent.push(pool.request({ path: j.path, method: 'POST', headers: j.headers, body: j.body }).then(async (res) => {
      await res.body.dump()
      if (res.statusCode >= 200 && res.statusCode < 300) times.push(performance.now() - due)
      else failed++
    }, () => failed++))
  }
  await Promise.all(sent)
  await pool.close()
  parentPort.postMessage({ times, failed })
}

// a failure rejects unhandled, which ends the worker with an 'error' event for pacedRun
void main()

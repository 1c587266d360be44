// autocannon setupRequest for benchmark runs in a worker thread: requests are read from the JSON file named by
// BENCH_REQUESTS_FILE ([{ path, headers, body }]) when the worker starts, and sent in turn.
const fs = require('node:fs')

const jobs = JSON.parse(fs.readFileSync(process.env.BENCH_REQUESTS_FILE, 'utf8'))
let next = 0

module.exports = (req) => {
  const j = jobs[next++ % jobs.length]
  return { ...req, method: 'POST', path: j.path, headers: j.headers, body: j.body }
}

// npm run fuzz: the route fuzz test (test/api/fuzz.test.ts) deeper than in npm test, with a fresh random seed.
// FUZZ_SEED=<n> replays a run; FUZZ_RUNS=<n> sets the requests per route (default 200); FUZZ_SHRINK=1 shrinks a
// failure to its smallest request (slower). Extra arguments go to jest. Works with DATABASE_URL as npm test does.
import crypto from 'node:crypto'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const seed = process.env.FUZZ_SEED ?? String(crypto.randomInt(1, 2 ** 31 - 1))
const runs = process.env.FUZZ_RUNS ?? '200'
console.log(`fuzz: seed ${seed}, ${runs} runs per route — replay with FUZZ_SEED=${seed} FUZZ_RUNS=${runs} npm run fuzz`)
const res = spawnSync(process.execPath, [path.join(root, 'scripts/test.mjs'), '--selectProjects', 'api', '--', 'test/api/fuzz.test.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
})
process.exit(res.status ?? 1)

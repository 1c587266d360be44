// npm test: builds weapp and h5 if their sources changed (the component and browser tests run the builds),
// then runs every jest project. Extra arguments go to jest (e.g. npm test -- --selectProjects api).
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { ROOT, ensureBuilt } from './builds.mjs'

const args = process.argv.slice(2)
const only = args.join(' ')
const wants = (project) => !only.includes('--selectProjects') || only.includes(project)
if (wants('components')) ensureBuilt('weapp')
if (wants('e2e')) ensureBuilt('h5')
const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--maxWorkers=2', ...args], {
  cwd: ROOT,
  stdio: 'inherit',
  // PGlite loads its parts with dynamic import(), which jest supports only with this flag
  env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim() },
})
process.exit(r.status ?? 1)

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
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim() }
const jest = (extra) =>
  spawnSync(process.execPath, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), ...extra], { cwd: ROOT, stdio: 'inherit', env }).status ?? 1
// PGlite loads its parts with dynamic import(), which jest supports only with --experimental-vm-modules (env above).
// Without arguments: everything but the browser in parallel, then the browser tests one at a time (two chromium
// journeys at once on two cores make each other time out).
const status = args.length > 0
  ? jest(['--maxWorkers=2', ...args])
  : jest(['--maxWorkers=2', '--selectProjects', 'unit', 'api', 'components']) || jest(['--runInBand', '--selectProjects', 'e2e'])
process.exit(status)

// npm start: builds the H5 app if needed, then runs the server (demo mode unless DEMO is set) on PORT (3000).
import path from 'node:path'
import { spawn } from 'node:child_process'
import { ROOT, ensureBuilt } from './builds.mjs'

ensureBuilt('h5')
const env = { ...process.env, DEMO: process.env.DEMO ?? '1' }
const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], { cwd: ROOT, stdio: 'inherit', env })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))

// npm start: builds the H5 app if needed, then runs the server on PORT (3000). Demo mode when DEMO is unset and
// neither SMS_GATEWAY_URL nor WECHAT_APPID is configured (server/config.ts decides; DEMO=0 turns it off).
// The server runs compiled (scripts/server-build.mjs); `npm run serve` runs it from the sources.
import { spawn } from 'node:child_process'
import { ROOT, ensureBuilt } from './builds.mjs'
import { ensureServerBuilt } from './server-build.mjs'

ensureBuilt('h5')
const main = await ensureServerBuilt()
const env = { ...process.env, CIVICLINK_DEMO_DEFAULT: '1' }
// source maps: a stack trace in the log names the TypeScript file and line
const child = spawn(process.execPath, ['--enable-source-maps', main], { cwd: ROOT, stdio: 'inherit', env })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))

// npm start: builds the H5 app if needed, then runs the server on PORT (3000). Demo mode when DEMO is unset and
// neither SMS_GATEWAY_URL nor WECHAT_APPID is configured (server/config.ts decides; DEMO=0 turns it off).
import path from 'node:path'
import { spawn } from 'node:child_process'
import { ROOT, ensureBuilt } from './builds.mjs'

ensureBuilt('h5')
const env = { ...process.env, CIVICLINK_DEMO_DEFAULT: '1' }
const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], { cwd: ROOT, stdio: 'inherit', env })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))

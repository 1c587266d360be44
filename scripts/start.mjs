// npm start: builds the H5 app if needed, then runs the server on PORT (3000). Demo mode when DEMO is unset and
// neither SMS_GATEWAY_URL nor WECHAT_APPID is configured (server/config.ts decides; DEMO=0 turns it off).
// The server runs compiled (scripts/server-build.mjs); `npm run serve` runs it from the sources.
import { createRequire } from 'node:module'
import { ensureBuilt } from './builds.mjs'
import { ensureServerBuilt } from './server-build.mjs'

ensureBuilt('h5')
const main = await ensureServerBuilt()
process.env.CIVICLINK_DEMO_DEFAULT = '1'
// In this process rather than a child: a second Node.js start was ~0.1 s of a restart (npm run bench -- restart).
// Source maps on, so that a stack trace in the log names the TypeScript file and line.
process.setSourceMapsEnabled(true)
// required rather than imported: import() of a CommonJS file has Node.js scan all of it first (for ES module syntax, then
// for its exports; ~0.1 s of CPU for the 0.8 MB bundle)
createRequire(import.meta.url)(main)

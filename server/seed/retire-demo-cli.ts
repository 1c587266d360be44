// npm run demo:retire   (DATABASE_URL, or the embedded database under ./data; the server stopped)
// Makes a demo database real: see retireDemo.
import { ConfigError, loadConfig } from '../config'
import { openDatabase } from '../db/open'
import { DataDirLockedError } from '../db/lock'
import { DatabaseModeError, retireDemo } from './demo'

async function main() {
  const config = loadConfig()
  const opened = await openDatabase(config, (m) => console.log(m))
  try {
    const r = await retireDemo(opened.db)
    console.log(`已停用 ${r.accounts} 个演示账号（撤销角色 ${r.grants} 个、登录 ${r.sessions} 个，手机号已解除），这个数据库现在是正式库。`)
    console.log('演示城市「示范市」的区域仍在（可能已有真实问题落在其中）。第一个创文办账号：对方登录一次后运行 npm run office:grant -- <手机号>。')
  } finally {
    await opened.db.close()
    opened.release()
  }
}

main().catch((err) => {
  const known = err instanceof DatabaseModeError || err instanceof DataDirLockedError || err instanceof ConfigError
  console.error(known ? err.message : err?.stack ?? err)
  process.exit(known ? 2 : 1)
})

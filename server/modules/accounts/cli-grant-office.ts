// npm run office:grant -- 13912345678   (DATABASE_URL, or the embedded database under ./data with the server stopped)
// The first 创文办 user of a real database: the person signs in once (SMS or WeChat), then this grants the role.
import { loadConfig } from '../../config'
import { openDatabase } from '../../db/open'
import { createRuntime } from '../../bootstrap'
import { AppError } from '../../errors'
import { grantOfficeFromConsole } from './service'

async function main() {
  const phone = process.argv[2]
  if (!phone || !/^1\d{10}$/.test(phone)) throw new Error('用法：npm run office:grant -- <11 位手机号>（对方需先登录一次）')
  const config = loadConfig()
  const opened = await openDatabase(config, (m) => console.log(m))
  const runtime = await createRuntime(config, opened.db)
  try {
    const g = await grantOfficeFromConsole(runtime.ctx, phone)
    console.log(`已授予创文办角色：用户 ${g.userId}（${phone.slice(0, 3)}****${phone.slice(7)}），授权编号 ${g.id}`)
  } finally {
    await runtime.close()
    await opened.db.close()
    opened.release()
  }
}

main().catch((err) => {
  console.error(err?.message ?? err)
  process.exit(err instanceof AppError ? 2 : 1)
})

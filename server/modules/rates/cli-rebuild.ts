import { loadConfig } from '../../config'
import { openDatabase } from '../../db/open'
import { drainOutbox, rebuild } from './service'

// Recomputes every count from the raw rows; events that arrive meanwhile wait in the outbox and are applied after.
async function main() {
  const opened = await openDatabase(loadConfig(), (m) => console.log(m))
  const db = opened.db
  try {
    const t0 = Date.now()
    await rebuild(db)
    const pending = await drainOutbox(db)
    console.log(`比率已从原始数据重算，用时 ${((Date.now() - t0) / 1000).toFixed(1)} 秒（其后计入新事件 ${pending} 条）`)
  } finally {
    await db.close()
    opened.release()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})

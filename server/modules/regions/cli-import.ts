// npm run regions:import -- file.geojson   (uses DATABASE_URL, or the embedded database under ./data)
import fs from 'node:fs'
import { loadConfig } from '../../config'
import { openDatabase } from '../../db/open'
import { createRuntime } from '../../bootstrap'
import { AppError } from '../../errors'
import { importRegions } from './service'

async function main() {
  const file = process.argv[2]
  if (!file) throw new Error('用法：npm run regions:import -- <文件.geojson>')
  const input = JSON.parse(fs.readFileSync(file, 'utf8'))
  const config = loadConfig()
  const opened = await openDatabase(config, (m) => console.log(m))
  const runtime = await createRuntime(config, opened.db)
  try {
    const summary = await importRegions(runtime.ctx, null, input)
    console.log(`导入完成：新增 ${summary.created}，更新 ${summary.updated}，各层级 ${JSON.stringify(summary.byLevel)}，版本 ${summary.version}`)
  } finally {
    await runtime.close()
    await opened.db.close()
    opened.release()
  }
}

main().catch((err) => {
  if (err instanceof AppError) {
    console.error(err.message)
    for (const line of ((err.details as { problems?: string[] })?.problems ?? []).slice(1)) console.error(`  ${line}`)
  } else console.error(err?.message ?? err)
  process.exit(1)
})

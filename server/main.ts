import { ConfigError, loadConfig } from './config'
import { openDatabase } from './db/open'
import { DataDirLockedError } from './db/lock'
import { createRuntime, stopGracefully } from './bootstrap'
import { buildApp } from './app'
import { DEMO_ACCOUNTS, DatabaseModeError, claimDatabaseMode, seedDemo } from './seed/demo'
import { seedDemoHistory } from './seed/history'
import { syncQuestionBank } from './modules/quizzes/bank-sync'

// Loud on purpose: in demo mode anyone signs in as any demo account, the 创文办 one included.
const DEMO_BANNER = [
  '!'.repeat(72),
  '!! 演示模式（DEMO）：验证码直接显示在登录页上，任何人都能以演示账号（含创文办）登录。',
  '!! 只用于演示和开发，不要让真实用户使用；上线前见 README「生产环境检查清单」。',
  '!'.repeat(72),
]

// Where a start spends its time, from the process's own start (under npm start, scripts/start.mjs's: its build checks are
// in the first phase; npm run bench -- restart prints it): wall clock, and
// the CPU time of this process (which a busy machine distorts less).
const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}
const phases: Array<[string, number, number]> = [['启动脚本与加载代码', performance.now(), cpuMs()]]
const phase = (name: string) => phases.push([name, performance.now(), cpuMs()])

async function main() {
  const started = Date.now()
  const config = loadConfig()
  const say = (msg: string) => process.stdout.write(`[civiclink] ${msg}\n`)
  say(config.databaseUrl ? '连接 PostgreSQL…' : `打开内置数据库（PGlite，${config.dataDir}）…`)
  const opened = await openDatabase(config, say, phase, true)
  const closeDb = async () => {
    if (opened.readDb !== opened.db) await opened.readDb.close()
    await opened.db.close()
  }
  await claimDatabaseMode(opened.db, config.demo).catch(async (err) => {
    await closeDb()
    opened.release()
    throw err
  })
  phase('数据库模式检查')
  const runtime = await createRuntime(config, opened.db, {}, opened.readDb)
  phase('适配器与区域索引')
  const bank = await syncQuestionBank(opened.db)
  phase('内置题库同步')
  const corrected = bank.rewritten + bank.superseded
  if (bank.added || corrected) {
    const parts = [bank.added && `新增 ${bank.added} 道`, corrected && `按新版更正 ${corrected} 道`, corrected && bank.kept && `${bank.kept} 道改过的保持原样`]
    say(`内置题库：${parts.filter(Boolean).join('，')}`)
  }
  if (config.demo && (await seedDemo(runtime.ctx))) say('已生成演示城市「示范市」：2 个区、6 个街道、24 个社区、96 个网格')
  phase('演示数据检查')
  if (config.demo && config.demoHistory) {
    const made = await seedDemoHistory(runtime.ctx, say)
    if (made) say(`已生成演示城市近两个月的数据：居民 ${made.residents} 人，随手拍 ${made.reports} 条，答题 ${made.attempts} 次，问卷答卷 ${made.responses} 份，志愿者 ${made.volunteers} 人`)
    phase('演示历史数据')
  }
  // readable logs in a terminal, JSON lines (for a log collector) otherwise
  const logger = process.stdout.isTTY
    ? { level: config.logLevel, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } }
    : { level: config.logLevel }
  const app = await buildApp(runtime.ctx, { logger, serveH5: true })
  phase('组装接口')

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    say(`收到 ${signal}，正在停止：不再接受新连接，等待进行中的请求和后台任务完成（最多 ${config.shutdownGraceMs} 毫秒）…`)
    let clean = false
    try {
      clean = await stopGracefully(app, runtime, closeDb, config.shutdownGraceMs)
      if (!clean) say('等待超时，强制退出（SHUTDOWN_GRACE_MS）')
    } catch (err) {
      say(`停止时出错：${(err as Error)?.message ?? err}`)
    } finally {
      opened.release()
      process.exit(clean ? 0 : 1)
    }
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  await app.listen({ port: config.port, host: config.host })
  phase('注册路由并监听')
  const url = `http://localhost:${config.port}`
  say(`就绪，用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒（数据库：${opened.db.kind}${opened.created ? '，首次创建' : ''}）`)
  if (process.env.CIVICLINK_STARTUP_TIMING === '1') {
    const list = (k: 1 | 2) => phases.map((p, i) => `${p[0]} ${Math.round(p[k] - (i ? phases[i - 1][k] : 0))}`).join('，')
    say(`启动各阶段（毫秒）：${list(1)}`)
    say(`启动各阶段 CPU（毫秒）：${list(2)}`)
  }
  say(`H5 应用：${url}/    接口文档：${url}/docs    健康检查：${url}/api/v1/health`)
  if (config.demo) {
    app.log.warn({ demo: true }, DEMO_BANNER.slice(1, 3).map((l) => l.slice(3)).join(''))
    DEMO_BANNER.forEach(say)
    say('演示模式：在登录页输入手机号、点「获取验证码」，验证码会直接显示在页面上（标有“演示”）。')
    say(`  演示居民    ${DEMO_ACCOUNTS.resident.phone}`)
    say(`  演示网格员  ${DEMO_ACCOUNTS.worker.phone}（负责第一个社区）`)
    say(`  演示创文办  ${DEMO_ACCOUNTS.office.phone}`)
  } else {
    // not refused (a first try on a laptop needs neither), but a real deployment without them misbehaves quietly
    const missing = [
      !process.env.PUBLIC_BASE_URL && 'PUBLIC_BASE_URL（服务端给出的绝对地址现在是 ' + config.publicBaseUrl + '）',
      !process.env.PHOTO_URL_SECRET && 'PHOTO_URL_SECRET（照片链接在重启后失效，多个进程之间互不认）',
    ].filter(Boolean)
    for (const m of missing) {
      app.log.warn({ setting: String(m).split('（')[0] }, `未设置 ${m}`)
      say(`注意：未设置 ${m}；上线前见 README「生产环境检查清单」。`)
    }
  }
}

main().catch((err) => {
  if (err instanceof DataDirLockedError || err instanceof ConfigError || err instanceof DatabaseModeError) {
    process.stderr.write(`[civiclink] ${err.message}\n`)
    process.exit(2)
  }
  process.stderr.write(`[civiclink] 启动失败：${err?.stack ?? err}\n`)
  process.exit(1)
})

import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import type { Config } from '../config'
import type { Db } from './types'
import { openPGlite } from './pglite'
import { lockDataDir } from './lock'
import { migrate } from './migrate'
import { ROOT } from '../paths'

export interface OpenedDb {
  db: Db
  /** The replica of DATABASE_READ_URL, or db itself (see AppContext.readDb). */
  readDb: Db
  created: boolean
  release: () => void
}

export function pgliteDir(config: Config): string {
  return path.join(config.dataDir, 'pglite')
}

/**
 * Creating a PGlite data directory leaves the process holding ~800 MB that is never returned, while reopening
 * an existing one costs ~300–450 MB (measured). So a new directory is created and migrated by a short-lived
 * child process, and this process only ever opens it.
 */
async function createInChild(dir: string, onProgress?: (msg: string) => void): Promise<void> {
  // from its TypeScript source (tsx) even when this process runs the compiled server: only a first start gets here
  const script = path.join(ROOT, 'server', 'db', 'create-pglite.ts')
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'inherit', 'inherit'] })
    const started = Date.now()
    const timer = setInterval(() => onProgress?.(`正在创建内置数据库… ${Math.round((Date.now() - started) / 1000)} 秒`), 1000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearInterval(timer)
      if (code === 0) resolve()
      else reject(new Error(`创建内置数据库失败（子进程退出码 ${code}）`))
    })
  })
}

/**
 * Opens the configured database and applies pending migrations. `serving`: an API process, whose pool bounds every
 * wait (Config.databaseTimeouts) and which opens the read replica; a command-line tool waits as long as its work takes.
 */
export async function openDatabase(config: Config, onProgress?: (msg: string) => void, phase?: (name: string) => void, serving = false): Promise<OpenedDb> {
  if (config.databaseUrl) {
    // node-postgres loads only for PostgreSQL: a start on PGlite never needs it
    const { openPostgres } = await import('./postgres')
    // migrations on a connection of their own, without the request timeouts (an index build may take minutes)
    const migrator = openPostgres(config.databaseUrl, 1)
    try {
      await migrate(migrator)
    } finally {
      await migrator.close()
    }
    phase?.('迁移检查')
    const db = openPostgres(config.databaseUrl, config.databasePoolSize, serving ? config.databaseTimeouts : {})
    const readDb = serving && config.databaseReadUrl ? openPostgres(config.databaseReadUrl, config.databasePoolSize, config.databaseTimeouts) : db
    return { db, readDb, created: false, release: () => undefined }
  }
  const release = lockDataDir(config.dataDir)
  try {
    const dir = pgliteDir(config)
    const created = !fs.existsSync(path.join(dir, 'PG_VERSION'))
    if (created) {
      onProgress?.('首次启动：正在创建内置数据库（PGlite，约 5–10 秒）…')
      // built aside and renamed, so that an interrupted first start never leaves a half-made directory
      const tmp = `${dir}.creating`
      fs.rmSync(tmp, { recursive: true, force: true })
      fs.rmSync(dir, { recursive: true, force: true })
      await createInChild(tmp, onProgress)
      fs.renameSync(tmp, dir)
    }
    const db = await openPGlite(dir)
    phase?.(created ? '创建并打开 PGlite' : '打开 PGlite')
    await migrate(db)
    phase?.('迁移检查')
    return { db, readDb: db, created, release }
  } catch (err) {
    release()
    throw err
  }
}

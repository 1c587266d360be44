import fs from 'node:fs'
import path from 'node:path'

export class DataDirLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * PGlite takes no lock on its data directory and two processes writing one lose rows silently (measured),
 * so we hold a lock file with our pid and refuse a second process while the first is alive.
 */
export function lockDataDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'civiclink.lock')
  for (let tries = 0; tries < 2; tries++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' })
      let released = false
      return () => {
        if (released) return
        released = true
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file)
        } catch {
          /* already gone */
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10)
      if (Number.isFinite(holder) && holder !== process.pid && alive(holder)) {
        throw new DataDirLockedError(
          `内置数据库 ${dir} 正被另一个进程（pid ${holder}）使用。PGlite 不能被两个进程同时打开——` +
            `请先停止那个进程；要运行多个 API 进程，请设置 DATABASE_URL 使用 PostgreSQL。`,
        )
      }
      fs.unlinkSync(file) // stale: its process is gone
    }
  }
  throw new DataDirLockedError(`无法锁定数据目录 ${dir}`)
}

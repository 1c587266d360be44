import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { DataDirLockedError, lockDataDir } from '../../server/db/lock'

describe('embedded database lock', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-lock-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('refuses a second process while the first holds the data directory, with a clear message', async () => {
    const child = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'civiclink.lock'))}, String(process.pid)); setTimeout(() => {}, 20000)`])
    try {
      // wait for the child's pid in the file (a node start takes seconds on a busy machine; an empty file is a lock
      // half written)
      const lock = path.join(dir, 'civiclink.lock')
      const holds = () => fs.existsSync(lock) && fs.readFileSync(lock, 'utf8') === String(child.pid)
      for (const end = Date.now() + 60_000; !holds() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20))
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError)
      expect(() => lockDataDir(dir)).toThrow(/另一个进程/)
    } finally {
      child.kill()
    }
  })

  it('takes over a lock whose process is gone, and releases its own', () => {
    fs.writeFileSync(path.join(dir, 'civiclink.lock'), '999999999')
    const release = lockDataDir(dir)
    expect(fs.readFileSync(path.join(dir, 'civiclink.lock'), 'utf8')).toBe(String(process.pid))
    release()
    expect(fs.existsSync(path.join(dir, 'civiclink.lock'))).toBe(false)
  })
})

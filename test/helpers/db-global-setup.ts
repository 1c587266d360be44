import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import pg from 'pg'

const ROOT = path.resolve(__dirname, '../..')

function migrationsHash(): string {
  const h = crypto.createHash('sha256')
  for (const sub of ['migrations', 'functions']) {
    const dir = path.join(ROOT, 'server/db', sub)
    for (const f of fs.readdirSync(dir).sort()) h.update(sub).update(f).update(fs.readFileSync(path.join(dir, f)))
  }
  h.update(fs.readFileSync(path.join(ROOT, 'server/db/migrate.ts')))
  return h.digest('hex').slice(0, 16)
}

export function adminUrl(url: string, database = 'postgres'): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** PGlite: a migrated template tarball (cached by the content of the migrations and functions). PostgreSQL: a migrated template database. */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    const name = `civiclink_tpl_${process.pid}_${Date.now()}`
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = adminUrl(process.env.DATABASE_URL, name)
    execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'migrate-url.ts'), url], { stdio: 'inherit' })
    process.env.CIVICLINK_TEST_TEMPLATE_DB = name
    return
  }
  const cache = path.join(ROOT, '.cache')
  fs.mkdirSync(cache, { recursive: true })
  const file = path.join(cache, `pglite-template-${migrationsHash()}.tar`)
  if (!fs.existsSync(file)) {
    execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'make-template.ts'), `${file}.tmp`], { stdio: 'inherit' })
    fs.renameSync(`${file}.tmp`, file)
  }
  process.env.CIVICLINK_TEST_TEMPLATE_TAR = file
}

import fs from 'node:fs'
import path from 'node:path'
import type { Db } from './types'
import { ROOT } from '../paths'

const DIR = path.join(ROOT, 'server', 'db', 'migrations')
// Any constant: serialises migrations when several API processes start at once on one PostgreSQL.
const LOCK_KEY = 7_202_611

export function migrationFiles(): string[] {
  return fs.readdirSync(DIR).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort()
}

/** Applies pending plain-SQL migrations in order, all in one transaction. Returns the names applied. */
export async function migrate(db: Db): Promise<string[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())')
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY])
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name))
    const applied: string[] = []
    for (const file of migrationFiles()) {
      if (done.has(file)) continue
      await tx.exec(fs.readFileSync(path.join(DIR, file), 'utf8'))
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file])
      applied.push(file)
    }
    return applied
  })
}

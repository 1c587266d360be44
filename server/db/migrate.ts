import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Db } from './types'
import { ROOT } from '../paths'

const DIR = path.join(ROOT, 'server', 'db', 'migrations')
const FUNCTIONS_DIR = path.join(ROOT, 'server', 'db', 'functions')
// Any constant: serialises migrations when several API processes start at once on one PostgreSQL.
const LOCK_KEY = 7_202_611

export function migrationFiles(): string[] {
  return fs.readdirSync(DIR).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort()
}

function functionFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()
}

/**
 * Applies pending plain-SQL migrations in order, then every file of server/db/functions (each a function's current
 * definition, CREATE OR REPLACE), all in one transaction under the migration lock. The functions are applied on
 * every start, so that editing a file is all a change of a function's body takes; older definitions stay in the
 * migrations as history. A changed signature or return type still needs a numbered migration that drops the old
 * function (CREATE OR REPLACE would add an overload, or refuse). Returns the names of the migrations applied.
 * The functions' digest is kept as the comment of schema_migrations: a restart with the same files and no new
 * migration skips them (re-creating them took ~0.2 s of every start on PGlite, npm run bench -- restart).
 */
export async function migrate(db: Db, functionsDir = FUNCTIONS_DIR): Promise<string[]> {
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
    const functions = functionFiles(functionsDir).map((file) => fs.readFileSync(path.join(functionsDir, file), 'utf8'))
    const digest = `functions ${crypto.createHash('sha256').update(functions.join('\0')).digest('hex')}`
    const recorded = (await tx.one<{ d: string | null }>("SELECT obj_description('schema_migrations'::regclass, 'pg_class') AS d"))?.d
    if (applied.length === 0 && recorded === digest) return applied
    for (const sql of functions) await tx.exec(sql)
    await tx.exec(`COMMENT ON TABLE schema_migrations IS '${digest}'`)
    return applied
  })
}

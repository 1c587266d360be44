import crypto from 'node:crypto'
import fs from 'node:fs'
import pg from 'pg'
import type { Db } from '../../server/db/types'
import { openPGlite } from '../../server/db/pglite'
import { openPostgres } from '../../server/db/postgres'
import { adminUrl } from './db-global-setup'

export interface TestDb {
  db: Db
  drop: () => Promise<void>
}

/** A fresh migrated database for one test file: in-memory PGlite from the template, or a PostgreSQL copy of it. */
export async function createTestDb(): Promise<TestDb> {
  const url = process.env.DATABASE_URL
  if (url) {
    const template = process.env.CIVICLINK_TEST_TEMPLATE_DB
    if (!template) throw new Error('API tests need the jest globalSetup (test/helpers/db-global-setup.ts)')
    const name = `civiclink_t_${crypto.randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`)
    await admin.end()
    const db = openPostgres(adminUrl(url, name), 12)
    return {
      db,
      drop: async () => {
        await db.close()
        const a = new pg.Client({ connectionString: url })
        await a.connect()
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await a.end()
      },
    }
  }
  const tar = process.env.CIVICLINK_TEST_TEMPLATE_TAR
  if (!tar) throw new Error('API tests need the jest globalSetup (test/helpers/db-global-setup.ts)')
  const db = await openPGlite(undefined, new Blob([fs.readFileSync(tar)]))
  return { db, drop: () => db.close() }
}

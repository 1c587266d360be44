import { PGlite } from '@electric-sql/pglite'
import { sqlText, type Db, type Queryable, type Sql } from './types'

function wrap(q: Pick<PGlite, 'query' | 'exec'>): Queryable {
  return {
    async query<T>(sql: Sql, params?: unknown[]) {
      return (await q.query<T>(sqlText(sql), params as unknown[])).rows
    },
    async one<T>(sql: Sql, params?: unknown[]) {
      return (await q.query<T>(sqlText(sql), params as unknown[])).rows[0]
    },
    async exec(sql: string) {
      await q.exec(sql)
    },
  }
}

export function wrapPGlite(pg: PGlite): Db {
  return {
    kind: 'pglite',
    ...wrap(pg),
    // PGlite has one connection: its transaction() holds it, so other queries wait until it ends.
    transaction(fn) {
      return pg.transaction((tx) => fn(wrap(tx)))
    },
    async close() {
      await pg.close()
    },
  }
}

/** Opens (or creates) a PGlite data directory; `undefined` keeps the database in memory. */
export async function openPGlite(dataDir?: string, loadDataDir?: Blob): Promise<Db> {
  const pg = await PGlite.create({
    dataDir,
    loadDataDir,
    // Keeps the WAL and so the data directory small (measured: 430 MB → 190 MB for 1M rows).
    postgresqlconf: ['max_wal_size = 64MB'],
  })
  return wrapPGlite(pg)
}

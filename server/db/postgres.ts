import pg from 'pg'
import type { Db, Queryable, Sql } from './types'
import { pgCode } from './types'

// Match PGlite: int8 (counts, sums) as numbers rather than strings.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format)
  },
}

function config(sql: Sql, params?: unknown[]): pg.QueryConfig {
  return typeof sql === 'string' ? { text: sql, values: params } : { name: sql.name, text: sql.text, values: params }
}

function wrap(run: (q: pg.QueryConfig) => Promise<pg.QueryResult>): Queryable {
  return {
    async query<T>(sql: Sql, params?: unknown[]) {
      return (await run(config(sql, params))).rows as T[]
    },
    async one<T>(sql: Sql, params?: unknown[]) {
      return (await run(config(sql, params))).rows[0] as T | undefined
    },
    async exec(sql: string) {
      await run({ text: sql })
    },
  }
}

const RETRYABLE = new Set(['40001', '40P01'])

export function openPostgres(url: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined)
  const base = wrap((q) => pool.query(q))
  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      for (let attempt = 0; ; attempt++) {
        const client = await pool.connect()
        try {
          await client.query('BEGIN')
          const result = await fn(wrap((q) => client.query(q)))
          await client.query('COMMIT')
          return result
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined)
          if (RETRYABLE.has(pgCode(err) ?? '') && attempt < 5) continue
          throw err
        } finally {
          client.release()
        }
      }
    },
    async close() {
      await pool.end()
    },
  }
}

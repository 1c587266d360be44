/**
 * The one query layer: the same SQL (PostgreSQL 15 dialect, `$1` parameters) on PGlite and on node-postgres.
 * Both drivers are set up to return the same JS types (int8 as number, timestamptz as Date, jsonb parsed).
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: Sql, params?: unknown[]): Promise<T[]>
  /** First row or undefined. */
  one<T = Record<string, unknown>>(sql: Sql, params?: unknown[]): Promise<T | undefined>
  /** Several statements, no parameters (migrations, seeds). */
  exec(sql: string): Promise<void>
}

/**
 * A statement run on every request of a hot path: on a PostgreSQL server it is prepared once per connection
 * (parsed and planned once) under its name. PGlite runs the text (it has no named statements over query()).
 */
export interface Prepared {
  readonly name: string
  readonly text: string
}
export type Sql = string | Prepared

export function prepared(name: string, text: string): Prepared {
  return { name, text }
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  /** Runs fn in one transaction; retried on serialization failure or deadlock (PostgreSQL server only). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
  /** Connections of a PostgreSQL pool (metrics); PGlite has none. */
  pool?: () => { total: number; idle: number; waiting: number; max: number }
}

/** PostgreSQL error code of a driver error (both drivers set `code`). */
export function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined
}

export const UNIQUE_VIOLATION = '23505'

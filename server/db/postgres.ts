import pg from 'pg'
import type { Db, Queryable, Sql } from './types'
import { pgCode } from './types'
import { AppError, unavailable } from '../errors'

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

// The server cannot be reached or went away: socket errors, SQLSTATE class 08 (connection exception), the server
// shutting down or refusing connections (57P01–57P03, 53300 too many connections), and node-postgres's own timeouts.
const GONE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300'])
const GONE_MESSAGES = /timeout expired|Connection terminated|Query read timeout|not queryable|Connection ended|the database system is (starting up|shutting down|in recovery)/i
// node-postgres's pool gave up waiting for one of its clients to come free: the server answers, we are just queued
const QUEUE_FULL_MESSAGE = /timeout exceeded when trying to connect/i

/** The client-facing error for a driver error that says the database is out of reach, else the error itself. */
export function classifyPgError(err: unknown): unknown {
  if (err instanceof AppError) return err
  const code = pgCode(err) ?? ''
  if (QUEUE_FULL_MESSAGE.test(String((err as Error)?.message))) {
    return Object.assign(unavailable('DATABASE_BUSY', '数据库繁忙，请稍后再试'), { cause: err })
  }
  if (GONE_CODES.has(code) || code.startsWith('08') || GONE_MESSAGES.test(String((err as Error)?.message))) {
    return Object.assign(unavailable('DATABASE_UNAVAILABLE', '数据库暂时无法连接，请稍后再试'), { cause: err })
  }
  // statement_timeout: the statement ran longer than DATABASE_STATEMENT_TIMEOUT_MS and the server cancelled it
  if (code === '57014') return Object.assign(unavailable('DATABASE_BUSY', '数据库繁忙，请稍后再试'), { cause: err })
  return err
}

const isGone = (err: unknown) => err instanceof AppError && err.code === 'DATABASE_UNAVAILABLE'

function wrap(run: (q: pg.QueryConfig) => Promise<pg.QueryResult>): Queryable {
  const go = (q: pg.QueryConfig) => run(q).catch((err) => {
    throw classifyPgError(err)
  })
  return {
    async query<T>(sql: Sql, params?: unknown[]) {
      return (await go(config(sql, params))).rows as T[]
    },
    async one<T>(sql: Sql, params?: unknown[]) {
      return (await go(config(sql, params))).rows[0] as T | undefined
    },
    async exec(sql: string) {
      await go({ text: sql })
    },
  }
}

const RETRYABLE = new Set(['40001', '40P01'])

export interface PostgresTimeouts {
  /** Opening a new connection fails after this (DATABASE_UNAVAILABLE). */
  connectMs?: number
  /** Waiting in the pool's queue for a free connection fails after this (DATABASE_BUSY). 0: none. */
  queueMs?: number
  /** The server cancels a longer statement; the client gives up on an answer 1 s later (a server gone silent). 0: none. */
  statementMs?: number
}

/**
 * A pool that fails fast when the server is out of reach: every wait is bounded (connectMs, statementMs), and such
 * failures come out as 503 DATABASE_UNAVAILABLE (see classifyPgError). Nothing needs restarting afterwards: the pool
 * drops broken connections and opens new ones once the server answers again.
 */
export function openPostgres(url: string, poolSize = 10, timeouts: PostgresTimeouts = {}): Db {
  // no limit unless the serving process sets one: a tool or a test waits for a connection as long as its work needs.
  // The pool's connectionTimeoutMillis bounds the queue for a free client (a burst of requests on a healthy server);
  // each client's own bounds opening its socket (an unreachable server) — two different answers to the caller.
  const { connectMs = 0, queueMs = 0, statementMs = 0 } = timeouts
  class BoundedClient extends pg.Client {
    constructor(options?: pg.ClientConfig) {
      super({ ...options, connectionTimeoutMillis: connectMs })
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
    Client: BoundedClient,
    // the pool's own timer also bounds opening a client; it must not fire before the client's
    ...(queueMs > 0 ? { connectionTimeoutMillis: connectMs > 0 ? Math.max(queueMs, connectMs + 1000) : queueMs } : {}),
    keepAlive: true,
    ...(statementMs > 0 ? { statement_timeout: statementMs, query_timeout: statementMs + 1000, idle_in_transaction_session_timeout: statementMs * 2 } : {}),
  })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined)
  const base = wrap((q) => pool.query(q))
  return {
    kind: 'postgres',
    ...base,
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolSize }),
    async transaction(fn) {
      for (let attempt = 0; ; attempt++) {
        const client = await pool.connect().catch((err) => {
          throw classifyPgError(err)
        })
        let broken: unknown
        // a checked-out client losing its connection emits 'error' besides failing its query: without a listener that
        // event would end the process (the pool listens only while the client is idle)
        const ignore = () => undefined
        client.on('error', ignore)
        try {
          await client.query('BEGIN').catch((err) => {
            throw classifyPgError(err)
          })
          const result = await fn(wrap((q) => client.query(q)))
          await client.query('COMMIT').catch((err) => {
            throw classifyPgError(err)
          })
          return result
        } catch (err) {
          if (isGone(err)) broken = err
          else await client.query('ROLLBACK').catch(() => undefined)
          if (RETRYABLE.has(pgCode(err) ?? '') && attempt < 5) continue
          throw err
        } finally {
          client.off('error', ignore)
          // a connection that failed is closed rather than handed to the next request
          client.release(broken instanceof Error ? broken : undefined)
        }
      }
    },
    async close() {
      await pool.end()
    },
  }
}

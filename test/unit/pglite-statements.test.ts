import { openPGlite } from '../../server/db/pglite'
import { prepared, type Db } from '../../server/db/types'

describe('PGlite named statements', () => {
  let db: Db
  beforeAll(async () => {
    db = await openPGlite(undefined)
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)')
  })
  afterAll(() => db.close())

  it('a name used by many at once the first time is parsed once', async () => {
    const sql = prepared('t_count', 'SELECT count(*)::int AS n FROM t WHERE id > $1')
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => db.one<{ n: number }>(sql, [i])))
    expect(all.map((r) => r!.n)).toEqual(Array.from({ length: 20 }, () => 0))
  })

  it('a statement that fails on its first use works afterwards, also in a transaction', async () => {
    const sql = prepared('t_insert', 'INSERT INTO t (id) VALUES ($1) RETURNING id')
    await db.query(sql, [1])
    await expect(db.query(sql, [1])).rejects.toThrow(/duplicate key/)
    const fresh = prepared('t_insert_fresh', 'INSERT INTO t (id) VALUES ($1) RETURNING id')
    await expect(db.query(fresh, [1])).rejects.toThrow(/duplicate key/)
    expect(await db.query(fresh, [2])).toEqual([{ id: 2 }])
    await expect(db.transaction(async (tx) => tx.query(prepared('t_insert_tx', 'INSERT INTO t (id) VALUES ($1)'), [2]))).rejects.toThrow(/duplicate key/)
    await db.transaction(async (tx) => tx.query(prepared('t_insert_tx', 'INSERT INTO t (id) VALUES ($1)'), [3]))
    expect((await db.query<{ id: number }>('SELECT id FROM t ORDER BY id')).map((r) => r.id)).toEqual([1, 2, 3])
  })
})

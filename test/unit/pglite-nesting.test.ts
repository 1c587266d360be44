import { openPGlite } from '../../server/db/pglite'
import { detachFromTransaction } from '../../server/db/transaction-context'
import type { Db } from '../../server/db/types'

// PGlite has one connection; its transaction holds it. A top-level call awaited inside one would wait forever.
describe('PGlite: top-level calls inside a transaction', () => {
  let db: Db
  beforeAll(async () => {
    db = await openPGlite(undefined)
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)')
  })
  afterAll(() => db.close())

  it('fail at once (NESTED_DB_CALL) instead of hanging, and the transaction goes on', async () => {
    const ids = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id) VALUES (1)')
      await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'NESTED_DB_CALL' })
      await expect(db.one('SELECT 1')).rejects.toMatchObject({ code: 'NESTED_DB_CALL' })
      await expect(db.exec('SELECT 1')).rejects.toMatchObject({ code: 'NESTED_DB_CALL' })
      await expect(db.transaction(async () => 1)).rejects.toMatchObject({ code: 'NESTED_DB_CALL' })
      // also from deeper in the same async work
      await expect(Promise.resolve().then(() => new Promise((r) => setTimeout(r, 1))).then(() => db.query('SELECT 1'))).rejects.toMatchObject({ code: 'NESTED_DB_CALL' })
      return (await tx.query<{ id: number }>('SELECT id FROM t')).map((r) => r.id)
    })
    expect(ids).toEqual([1])
    expect(await db.query<{ id: number }>('SELECT id FROM t')).toEqual([{ id: 1 }])
  })

  it('detached work started inside runs after the transaction and sees what it committed', async () => {
    let later: Promise<{ id: number }[]> | undefined
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id) VALUES (2)')
      later = detachFromTransaction(() => db.query<{ id: number }>('SELECT id FROM t ORDER BY id'))
    })
    expect(await later).toEqual([{ id: 1 }, { id: 2 }])
  })

  it('calls outside any transaction are not affected, also many at once beside one', async () => {
    const inside = db.transaction(async (tx) => {
      await new Promise((r) => setTimeout(r, 20))
      return tx.one<{ n: number }>('SELECT count(*)::int AS n FROM t')
    })
    const outside = await Promise.all(Array.from({ length: 5 }, () => db.one<{ n: number }>('SELECT count(*)::int AS n FROM t')))
    expect(outside.map((r) => r!.n)).toEqual([2, 2, 2, 2, 2])
    expect((await inside)!.n).toBe(2)
  })
})

import type { Db } from '../../server/db/types'
import { rebuild } from '../../server/modules/rates/service'
import { createTestDb, type TestDb } from '../helpers/db'

// 参与率's denominator (migration 0028): rate_headcount, moved by statement-level triggers on users. Every test here
// writes users the ways the code does and the ways it might, and compares the count with a recount of users.
const A = '779901001001'
const B = '779901001002'
const C = '779901002001'

let t: TestDb
let db: Db
beforeAll(async () => {
  t = await createTestDb()
  db = t.db
  await db.query(`INSERT INTO regions (code, parent_code, level, name) VALUES ('7799', NULL, 'city', '测试市'), ('779901', '7799', 'district', '区'),
                  ('779901001', '779901', 'street', '街道一'), ('779901002', '779901', 'street', '街道二')`)
  await db.query(`INSERT INTO regions (code, parent_code, level, name) VALUES ($1, '779901001', 'community', '甲'), ($2, '779901001', 'community', '乙'),
                  ($3, '779901002', 'community', '丙')`, [A, B, C])
}, 120_000)
afterAll(() => t.drop())

const kept = () => db.query<{ code: string; n: number }>(
  `SELECT community_code AS code, residents AS n FROM rate_headcount WHERE residents > 0 ORDER BY community_code`)
const recount = () => db.query<{ code: string; n: number }>(
  `SELECT community_code AS code, count(*)::int AS n FROM users WHERE community_code IS NOT NULL GROUP BY community_code ORDER BY community_code`)
const expectExact = async () => expect(await kept()).toEqual(await recount())
const residentsOf = async (code: string) => (await db.one<{ n: number }>('SELECT coalesce(sum(residents), 0)::int AS n FROM rate_headcount WHERE community_code = $1', [code]))!.n

describe('registered residents per community (rate_headcount)', () => {
  it('follows a bulk insert across communities, with and without a community', async () => {
    await db.query(`INSERT INTO users (nickname, community_code)
                    SELECT 'h', (ARRAY[$1, $2, $3, NULL])[1 + i % 4] FROM generate_series(1, 1000) i`, [A, B, C])
    await expectExact()
    expect(await residentsOf(A)).toBe(250)
  })

  it('follows moves in one statement, swaps between two communities included, and ignores updates that move nobody', async () => {
    const before = await kept()
    await db.query(`UPDATE users SET nickname = nickname || '改', updated_at = now() WHERE nickname LIKE 'h%'`)
    expect(await kept()).toEqual(before)
    // A ↔ B swapped, a third of C to nobody, the unregistered to C: one statement
    await db.query(`UPDATE users SET community_code = CASE community_code WHEN $1 THEN $2 WHEN $2 THEN $1
                                                 WHEN $3 THEN CASE WHEN id % 3 = 0 THEN NULL ELSE $3 END ELSE $3 END
                     WHERE nickname LIKE 'h%'`, [A, B, C])
    await expectExact()
    // a move back and forth in one transaction nets out
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE users SET community_code = $2 WHERE community_code = $1`, [A, B])
      await tx.query(`UPDATE users SET community_code = $1 WHERE id IN (SELECT id FROM users WHERE community_code = $2 ORDER BY id LIMIT 10)`, [A, B])
    })
    await expectExact()
  })

  it('follows deletions and erasures, and a rolled-back statement leaves it as it was', async () => {
    await db.query(`DELETE FROM users WHERE nickname LIKE 'h%' AND id % 5 = 0`)
    await expectExact()
    await db.query(`UPDATE users SET community_code = NULL, erased_at = now() WHERE nickname LIKE 'h%' AND id % 7 = 0`)
    await expectExact()
    const before = await kept()
    await expect(db.transaction(async (tx) => {
      await tx.query(`INSERT INTO users (nickname, community_code) SELECT 'r', $1 FROM generate_series(1, 50)`, [A])
      await tx.query(`DELETE FROM users WHERE community_code = $1`, [B])
      throw new Error('rolled back')
    })).rejects.toThrow('rolled back')
    expect(await kept()).toEqual(before)
    // a statement that fails (a community that does not exist) changes nothing either
    await expect(db.query(`INSERT INTO users (nickname, community_code) VALUES ('x', $1), ('x', '000000000000')`, [A])).rejects.toThrow()
    expect(await kept()).toEqual(before)
  })

  it('stays exact under concurrent registrations, moves and deletions in the same communities', async () => {
    const work: Array<Promise<unknown>> = []
    for (let i = 0; i < 40; i++) {
      const [x, y] = i % 2 === 0 ? [A, B] : [B, A]
      work.push(db.query(`INSERT INTO users (nickname, community_code) VALUES ('c', $1), ('c', $2), ('c', $1)`, [x, y]))
      if (i % 4 === 0) work.push(db.query(`UPDATE users SET community_code = CASE community_code WHEN $1 THEN $2 ELSE $1 END
                                            WHERE id IN (SELECT id FROM users WHERE nickname = 'c' AND community_code IN ($1, $2) ORDER BY id DESC LIMIT 6)`, [x, y]))
      if (i % 5 === 0) work.push(db.query(`DELETE FROM users WHERE id IN (SELECT id FROM users WHERE nickname = 'c' ORDER BY id LIMIT 2)`))
      if (i % 8 === 0) work.push(db.transaction((tx) => tx.query(`INSERT INTO users (nickname, community_code) VALUES ('c', $1)`, [C])))
    }
    const results = await Promise.allSettled(work)
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    await expectExact()
  })

  it('is emptied with users truncated, and the rebuild recounts it from users whatever it held', async () => {
    await db.query(`UPDATE rate_headcount SET residents = residents + 7 WHERE community_code = $1`, [A])
    await db.query(`INSERT INTO rate_headcount (community_code, residents) VALUES ($1, 3) ON CONFLICT (community_code) DO UPDATE SET residents = 3`, ['779901002999'])
    expect(await kept()).not.toEqual(await recount())
    await rebuild(db)
    await expectExact()
    await db.query('TRUNCATE users CASCADE')
    expect(await kept()).toEqual([])
    await db.query(`INSERT INTO users (nickname, community_code) VALUES ('t', $1)`, [C])
    await expectExact()
  })

  it('cannot fall below zero', async () => {
    await expect(db.query(`UPDATE rate_headcount SET residents = -1 WHERE community_code = $1`, [C])).rejects.toThrow(/rate_headcount_residents_check/)
  })
})

import { openPGlite } from '../../server/db/pglite'
import { migrate } from '../../server/db/migrate'
import type { Db } from '../../server/db/types'
import { RegionStore } from '../../server/modules/regions/store'

/** The store reloads beside its callers: ask until it has seen the new version (a busy machine takes longer). */
async function nextVersion(store: RegionStore, before: number) {
  for (;;) {
    const dir = await store.get()
    if (dir.version !== before) return dir
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('RegionStore on PGlite', () => {
  let db: Db
  beforeAll(async () => {
    db = await openPGlite(undefined)
    await migrate(db)
  }, 60_000)
  afterAll(() => db.close())

  it('answers inside a transaction when its check is due, instead of waiting for the transaction to end', async () => {
    const store = new RegionStore(db, 0) // every get() finds the check due
    await store.get()
    const inside = db.transaction(async (tx) => {
      await tx.query('SELECT 1')
      return (await store.get()).version
    })
    // before: the check queried PGlite from outside the open transaction and waited for it, which waited for the check
    // (forever: the deadline only names the hang, well inside the test's own timeout and far beyond a busy machine)
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('the transaction waited for the region check')), 20_000).unref())
    await expect(Promise.race([inside, timeout])).resolves.toBe((await store.get()).version)
  })

  it('a check noticed inside a transaction runs after it ends and sees what it committed', async () => {
    const store = new RegionStore(db, 0)
    const before = (await store.get()).version
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO regions (code, name, level, parent_code) VALUES ('888888', '另一市', 'city', NULL)`)
      await tx.query(`INSERT INTO region_versions (imported_by, summary) VALUES (NULL, '{}')`)
      expect((await store.get()).version).toBe(before) // answered at once; the check waits for the commit
    })
    const after = await nextVersion(store, before)
    expect(after.get('888888')?.name).toBe('另一市')
  })

  it('sees an import by another process at its next check', async () => {
    const store = new RegionStore(db, 0)
    const before = (await store.get()).version
    await db.query(`INSERT INTO regions (code, name, level, parent_code) VALUES ('999999', '测试市', 'city', NULL)`)
    await db.query(`INSERT INTO region_versions (imported_by, summary) VALUES (NULL, '{}')`)
    await store.get() // notices the new version, loads beside this call
    const after = await nextVersion(store, before)
    expect(after.get('999999')?.name).toBe('测试市')
  })
})

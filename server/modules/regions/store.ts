import { detachFromTransaction } from '../../db/transaction-context'
import type { Db } from '../../db/types'
import { RegionDirectory } from './directory'
import { allRegions, currentVersion } from './queries'

/**
 * Keeps this process's RegionDirectory current. Another API process may import regions, so the version is
 * re-read at most every `checkEveryMs` and the directory rebuilt when it changed.
 *
 * Once loaded, get() never waits for the database: a due check runs beside the request that noticed it. Services
 * ask for the directory inside transactions, and on PGlite (one connection) a query from outside the transaction
 * waits for it to end — a transaction waiting for the check would wait for itself, and the database with it.
 */
export class RegionStore {
  private dir: RegionDirectory | null = null
  private checkedAt = 0
  private loading: Promise<RegionDirectory> | null = null

  constructor(private readonly db: Db, private readonly checkEveryMs = 5000) {}

  async get(): Promise<RegionDirectory> {
    if (!this.dir) return this.load()
    if (Date.now() - this.checkedAt >= this.checkEveryMs) detachFromTransaction(() => this.load()).catch(() => undefined)
    return this.dir
  }

  /** After an import in this process (its transaction ended): the new directory, before the import answers. */
  async reload(): Promise<void> {
    await this.loading?.catch(() => undefined)
    await this.load()
  }

  private load(): Promise<RegionDirectory> {
    if (!this.loading) {
      this.loading = (async () => {
        const version = await currentVersion(this.db)
        if (!this.dir || this.dir.version !== version) this.dir = new RegionDirectory(await allRegions(this.db), version)
        this.checkedAt = Date.now()
        return this.dir
      })().finally(() => {
        this.loading = null
      })
    }
    return this.loading
  }
}

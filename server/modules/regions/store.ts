import type { Db } from '../../db/types'
import { RegionDirectory } from './directory'
import { allRegions, currentVersion } from './queries'

/**
 * Keeps this process's RegionDirectory current. Another API process may import regions, so the version is
 * re-read at most every `checkEveryMs` and the directory rebuilt when it changed.
 */
export class RegionStore {
  private dir: RegionDirectory | null = null
  private checkedAt = 0
  private loading: Promise<RegionDirectory> | null = null

  constructor(private readonly db: Db, private readonly checkEveryMs = 5000) {}

  async get(): Promise<RegionDirectory> {
    const now = Date.now()
    if (this.dir && now - this.checkedAt < this.checkEveryMs) return this.dir
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

  /** After an import in this process: reload now. */
  invalidate(): void {
    this.checkedAt = 0
  }
}

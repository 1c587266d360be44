import type { Config } from './config'
import type { Db } from './db/types'
import type { Bus } from './lib/bus'
import type { CallerCache } from './lib/caller-cache'
import type { WechatAdapter } from './platform/wechat'
import type { SmsAdapter } from './platform/sms'
import type { RegionStore } from './modules/regions/store'
import type { PhotoStorage } from './platform/storage'

/** What every feature's service receives: no HTTP, no globals. */
export interface AppContext {
  config: Config
  db: Db
  /**
   * Reads that may lag the primary by a few seconds (DATABASE_READ_URL, a replica; db when unset): dashboards and
   * exports only — never a read that decides a write, nor one a person expects to show what they just did.
   */
  readDb: Db
  bus: Bus
  wechat: WechatAdapter
  sms: SmsAdapter
  regions: RegionStore
  /** Signed-in callers remembered for a few seconds (see lib/caller-cache.ts). */
  callers: CallerCache
  /** Where photos live (local files, or the S3-compatible bucket of STORAGE_URL). */
  storage: PhotoStorage
}

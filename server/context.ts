import type { Config } from './config'
import type { Db } from './db/types'
import type { Bus } from './lib/bus'
import type { CallerCache } from './lib/caller-cache'
import type { WechatAdapter } from './platform/wechat'
import type { SmsAdapter } from './platform/sms'
import type { RegionStore } from './modules/regions/store'

/** What every feature's service receives: no HTTP, no globals. */
export interface AppContext {
  config: Config
  db: Db
  bus: Bus
  wechat: WechatAdapter
  sms: SmsAdapter
  regions: RegionStore
  /** Signed-in callers remembered for a few seconds (see lib/caller-cache.ts). */
  callers: CallerCache
}

import type { FastifyInstance } from 'fastify'
import type { Config } from './config'
import type { AppContext } from './context'
import type { Db } from './db/types'
import { memoryBus } from './lib/bus'
import { CallerCache } from './lib/caller-cache'
import { buildFakeWechat } from './platform/fake-wechat'
import { demoSms, httpSms, unavailableSms } from './platform/sms'
import { httpWechatAdapter, type WechatAdapter } from './platform/wechat'
import { RegionStore } from './modules/regions/store'
import { storageFor } from './platform/storage'

export interface Runtime {
  ctx: AppContext
  /** Closes what the context opened (not the database, which the caller owns). */
  close: () => Promise<void>
}

const DEMO_WECHAT = { appId: 'wxdemo0000000000', secret: 'demo-secret' }

/**
 * Demo mode's WeChat: the local fake, started (a Fastify instance on a loopback port) on the first call that needs it
 * rather than at every start (~0.1 s of CPU of a start, npm run bench -- restart); most demo sessions sign in by SMS.
 */
function demoWechat(): { adapter: WechatAdapter; close: () => Promise<void> } {
  let fake: FastifyInstance | undefined
  let started: Promise<WechatAdapter> | undefined
  const real = () => {
    started ??= (async () => {
      const app = buildFakeWechat(DEMO_WECHAT)
      fake = app
      return httpWechatAdapter({ baseUrl: await app.listen({ port: 0, host: '127.0.0.1' }), ...DEMO_WECHAT })
    })().catch((err) => {
      started = undefined
      throw err
    })
    return started
  }
  return {
    adapter: {
      code2session: async (code) => (await real()).code2session(code),
      msgSecCheck: async (content, openid) => (await real()).msgSecCheck!(content, openid),
      imgSecCheck: async (jpeg) => (await real()).imgSecCheck!(jpeg),
      sendSubscribe: async (msg) => (await real()).sendSubscribe!(msg),
    },
    close: async () => {
      await started?.catch(() => undefined)
      await fake?.close()
    },
  }
}

/**
 * Wires the platform adapters from configuration. In demo mode without a WeChat appid, WeChat sign-in goes
 * to the local fake of WeChat's API (the same one the tests use), started on a loopback port when first needed.
 */
export async function createRuntime(config: Config, db: Db, overrides: Partial<AppContext> = {}, readDb: Db = db): Promise<Runtime> {
  const closers: Array<() => Promise<unknown>> = []
  let wechat: WechatAdapter | undefined = overrides.wechat
  if (!wechat) {
    if (config.wechat.appId) {
      wechat = httpWechatAdapter(config.wechat)
    } else if (config.demo) {
      const demo = demoWechat()
      closers.push(demo.close)
      wechat = demo.adapter
    } else {
      wechat = httpWechatAdapter(config.wechat) // answers WeChat's own "invalid appid" error
    }
  }
  const sms = overrides.sms ?? (config.demo ? demoSms() : config.sms.gatewayUrl ? httpSms(config.sms.gatewayUrl, config.sms.gatewayToken) : unavailableSms())
  const bus = overrides.bus ?? (config.redisUrl ? (await import('./lib/redis-bus')).redisBus(config.redisUrl) : memoryBus())
  // the AWS SDK loads only when a bucket is configured (~0.15 s of a start)
  const storage = overrides.storage ?? (config.storage.kind === 's3' ? (await import('./platform/storage-s3')).s3Storage(config.storage) : storageFor(config.dataDir))
  closers.push(() => bus.close())
  if (!overrides.storage && storage.close) closers.push(() => storage.close!())
  const callers = overrides.callers ?? new CallerCache(bus, config.callerCacheSeconds * 1000)
  await callers.start()
  closers.push(() => callers.stop())
  const ctx: AppContext = { config, db, readDb: overrides.readDb ?? readDb, bus, wechat, sms, regions: overrides.regions ?? new RegionStore(db), callers, storage }
  // loaded now, outside any transaction (RegionStore); a database without regions yet loads on first use
  await ctx.regions.get().catch(() => undefined)
  return {
    ctx,
    close: async () => {
      for (const c of closers.reverse()) await c().catch(() => undefined)
    },
  }
}

/**
 * SIGTERM: stop accepting (the listening socket closes; live quiz sockets get 1012 and reconnect elsewhere), let
 * in-flight requests and job runs finish, then close Redis, the photo store and the database — in that order, so that
 * nothing in flight loses its database. False when `graceMs` ran out first (the caller exits anyway).
 */
export async function stopGracefully(app: { close: () => Promise<unknown> }, runtime: Runtime, closeDb: () => Promise<void>, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs)
  })
  const orderly = (async () => {
    await app.close()
    await runtime.close()
    await closeDb()
    return true as const
  })()
  try {
    return await Promise.race([orderly, deadline])
  } finally {
    clearTimeout(timer)
  }
}

import Redis from 'ioredis'
import { unavailable } from '../errors'
import type { Bus } from './bus'

const REDIS_DOWN = '实时服务（Redis）暂时无法连接，请稍后再试'

/**
 * Fails fast when Redis is out of reach: a command waits at most `commandMs` (then 503 REDIS_UNAVAILABLE) instead of
 * queueing until Redis returns; the connections keep reconnecting by themselves (at most 1 s apart), and ioredis
 * subscribes again on the new connection.
 */
export function redisBus(url: string, commandMs = 2000): Bus {
  const options = { lazyConnect: false, maxRetriesPerRequest: 1, connectTimeout: commandMs, retryStrategy: (n: number) => Math.min(n * 100, 1000) }
  const pub = new Redis(url, { ...options, commandTimeout: commandMs })
  const sub = new Redis(url, options)
  // without a listener ioredis prints every failed reconnect; readiness and the 503s report the outage instead
  pub.on('error', () => undefined)
  sub.on('error', () => undefined)
  const handlers = new Map<string, Set<(m: unknown) => void>>()
  const resubscribed = new Set<() => void>()
  let dropped = false
  sub.on('close', () => {
    dropped = true
  })
  sub.on('ready', () => {
    // channels whose SUBSCRIBE failed during the outage too (ioredis resubscribes only those it had)
    if (handlers.size > 0) void sub.subscribe(...handlers.keys()).catch(() => undefined)
    if (!dropped) return
    dropped = false
    for (const h of resubscribed) h()
  })
  const down = (err: unknown) => Object.assign(unavailable('REDIS_UNAVAILABLE', REDIS_DOWN), { cause: err })
  sub.on('message', (channel: string, raw: string) => {
    const set = handlers.get(channel)
    if (!set) return
    let message: unknown
    try {
      message = JSON.parse(raw)
    } catch {
      return
    }
    for (const h of set) h(message)
  })
  return {
    async publish(channel, message) {
      await pub.publish(channel, JSON.stringify(message)).catch((err) => {
        throw down(err)
      })
    },
    async subscribe(channel, handler) {
      let set = handlers.get(channel)
      if (!set) {
        set = new Set()
        handlers.set(channel, set)
        // while Redis is down the subscription is taken when it returns (the 'ready' handler above)
        await sub.subscribe(channel).catch(() => undefined)
      }
      set.add(handler)
      return async () => {
        set!.delete(handler)
        if (set!.size === 0) {
          handlers.delete(channel)
          await sub.unsubscribe(channel).catch(() => undefined)
        }
      }
    },
    async ping() {
      if (pub.status !== 'ready' || sub.status !== 'ready') throw down(new Error(`redis ${pub.status}/${sub.status}`))
      await pub.ping().catch((err) => {
        throw down(err)
      })
    },
    onResubscribed(handler) {
      resubscribed.add(handler)
    },
    async close() {
      handlers.clear()
      resubscribed.clear()
      await Promise.allSettled([pub.quit(), sub.quit()])
    },
  }
}

import { EventEmitter } from 'node:events'
import Redis from 'ioredis'

/**
 * Publish/subscribe between API processes: through Redis when REDIS_URL is set, in memory otherwise
 * (one process). Messages are JSON.
 */
export interface Bus {
  publish(channel: string, message: unknown): Promise<void>
  subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

export function memoryBus(): Bus {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  return {
    async publish(channel, message) {
      // a copy, as Redis would deliver, so that no subscriber shares the publisher's object
      emitter.emit(channel, JSON.parse(JSON.stringify(message)))
    },
    async subscribe(channel, handler) {
      emitter.on(channel, handler)
      return async () => {
        emitter.off(channel, handler)
      }
    },
    async close() {
      emitter.removeAllListeners()
    },
  }
}

export function redisBus(url: string): Bus {
  const pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 })
  const sub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 })
  const handlers = new Map<string, Set<(m: unknown) => void>>()
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
      await pub.publish(channel, JSON.stringify(message))
    },
    async subscribe(channel, handler) {
      let set = handlers.get(channel)
      if (!set) {
        set = new Set()
        handlers.set(channel, set)
        await sub.subscribe(channel)
      }
      set.add(handler)
      return async () => {
        set!.delete(handler)
        if (set!.size === 0) {
          handlers.delete(channel)
          await sub.unsubscribe(channel)
        }
      }
    },
    async close() {
      handlers.clear()
      await Promise.allSettled([pub.quit(), sub.quit()])
    },
  }
}

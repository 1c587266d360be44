import { EventEmitter } from 'node:events'

/**
 * Publish/subscribe between API processes: through Redis when REDIS_URL is set, in memory otherwise
 * (one process; the Redis one is in ./redis-bus, loaded only with REDIS_URL). Messages are JSON.
 */
export interface Bus {
  publish(channel: string, message: unknown): Promise<void>
  subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>>
  /** Resolves when the bus answers (readiness); rejects with 503 REDIS_UNAVAILABLE otherwise. */
  ping(): Promise<void>
  /**
   * Called when the subscriptions are back after the connection to Redis dropped: messages published meanwhile
   * were lost, so whoever keeps state from the bus refreshes it (caller cache cleared, live quiz sockets resent).
   */
  onResubscribed(handler: () => void): void
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
    async ping() {},
    onResubscribed() {},
    async close() {
      emitter.removeAllListeners()
    },
  }
}

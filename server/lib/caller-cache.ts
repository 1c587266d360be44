import type { Bus } from './bus'
import type { Caller } from './caller'

const CHANNEL = 'callers:forget'
type Forget = { userId: number } | { tokenHash: string } | { all: true }

/**
 * Signed-in callers remembered per API process for a few seconds, so that a busy route (a 随手拍 submission, a quiz
 * answer) does not spend a database round trip on the session before its own work. Whatever changes what a caller
 * is — sign-out, a role granted or revoked, the profile — calls forget(), which reaches every process through the
 * bus; the short lifetime bounds staleness should a bus message be lost.
 */
export class CallerCache {
  private readonly entries = new Map<string, { caller: Caller; sessionExpiresAt: number; until: number }>()
  private unsubscribe: (() => Promise<void>) | null = null

  constructor(private readonly bus: Bus, private readonly ttlMs = 10_000, private readonly max = 50_000) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe(CHANNEL, (m) => this.drop(m as Forget))
    // forget() messages sent while the bus was down are lost: start afresh
    this.bus.onResubscribed(() => this.entries.clear())
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.()
    this.unsubscribe = null
  }

  get(tokenHash: string): { caller: Caller; sessionExpiresAt: number } | undefined {
    const e = this.entries.get(tokenHash)
    if (!e) return undefined
    if (Date.now() >= e.until) {
      this.entries.delete(tokenHash)
      return undefined
    }
    return e
  }

  set(tokenHash: string, caller: Caller, sessionExpiresAt: number): void {
    if (this.ttlMs <= 0) return
    // Map keeps insertion order: the oldest entry goes first when full.
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(tokenHash, { caller, sessionExpiresAt, until: Date.now() + this.ttlMs })
  }

  /** Here at once, in the other processes as soon as the bus delivers. */
  async forget(what: Forget): Promise<void> {
    this.drop(what)
    await this.bus.publish(CHANNEL, what).catch(() => undefined)
  }

  private drop(what: Forget): void {
    if ('all' in what) this.entries.clear()
    else if ('tokenHash' in what) this.entries.delete(what.tokenHash)
    else for (const [k, e] of this.entries) if (e.caller.userId === what.userId) this.entries.delete(k)
  }
}

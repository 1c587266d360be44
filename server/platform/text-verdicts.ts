/**
 * The content check's verdicts on texts seen lately, per process. Short answers repeat ("无", "没有", "很好", a
 * survey's "其他" notes), and every msg_sec_check call spends WeChat's per-minute quota, a round trip and ~40 µs of
 * our CPU (issue 11). The verdict is about the words, so one text's verdict serves whoever writes it again within
 * `ttlMs`; a check that fails is not kept (the next caller asks again), and callers asking at the same time share one
 * call.
 */
export class RecentVerdicts<V> {
  private readonly entries = new Map<string, { verdict: Promise<V>; until: number }>()

  constructor(private readonly ttlMs = 10 * 60_000, private readonly max = 5000, private readonly now = () => Date.now()) {}

  get(text: string, check: () => Promise<V>): Promise<V> {
    const e = this.entries.get(text)
    if (e && e.until > this.now()) return e.verdict
    if (e) this.entries.delete(text)
    // the oldest entry makes room (a Map iterates in insertion order)
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string)
    const verdict = check()
    const entry = { verdict, until: this.now() + this.ttlMs }
    this.entries.set(text, entry)
    verdict.catch(() => {
      if (this.entries.get(text) === entry) this.entries.delete(text)
    })
    return verdict
  }
}

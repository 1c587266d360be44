/**
 * A background job run every `intervalMs` for as long as the app runs. The next run is scheduled when the last one
 * ends, so a slow run never overlaps the next; `stop()` waits for a run in progress (the app closes the database
 * right after). Timers are unref'd: a forgotten loop never keeps the process alive.
 */
export function startPeriodic(intervalMs: number, run: () => Promise<unknown>, onError: (err: unknown) => void = () => undefined) {
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  let current: Promise<unknown> = Promise.resolve()
  const tick = () => {
    if (stopped) return
    current = run()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs).unref()
      })
  }
  timer = setTimeout(tick, intervalMs).unref()
  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await current
    },
  }
}

export type Periodic = ReturnType<typeof startPeriodic>

import { loadConfig } from '../../server/config'
import type { AppContext } from '../../server/context'
import { startJobs, type Job } from '../../server/jobs'

const log = { warn: jest.fn() } as never

function ctxWith(jobs: Partial<ReturnType<typeof loadConfig>['jobs']>): AppContext {
  const config = loadConfig({})
  return { config: { ...config, jobs: { ...config.jobs, ...jobs } } } as AppContext
}

describe('background jobs', () => {
  it('stop() waits for a run in progress, so the database can close right after', async () => {
    let release!: () => void
    let started!: () => void
    const running = new Promise<void>((r) => (started = r))
    let finished = false
    const job: Job = {
      name: 'slow', interval: (j) => j.outboxMs,
      run: () => {
        started()
        return new Promise<void>((r) => (release = r)).then(() => { finished = true })
      },
    }
    const jobs = startJobs(ctxWith({ outboxMs: 5 }), log, [job])
    await running
    let stopped = false
    const stopping = jobs.stop().then(() => { stopped = true })
    await new Promise((r) => setImmediate(r))
    expect(stopped).toBe(false)
    release()
    await stopping
    expect(finished).toBe(true)
  })

  it('an interval of 0 turns the job off in this process', async () => {
    const run = jest.fn(async () => undefined)
    const jobs = startJobs(ctxWith({ ratesMs: 0 }), log, [{ name: 'off', interval: (j) => j.ratesMs, run }])
    await new Promise((r) => setTimeout(r, 30))
    await jobs.stop()
    expect(run).not.toHaveBeenCalled()
  })

  it('a failing run is logged and the job keeps running', async () => {
    const warn = jest.fn()
    let calls = 0
    let second!: () => void
    const again = new Promise<void>((r) => (second = r))
    const jobs = startJobs(ctxWith({ quizSweepMs: 2 }), { warn } as never, [{
      name: 'flaky', interval: (j) => j.quizSweepMs,
      run: async () => {
        if (++calls === 1) throw new Error('boom')
        second()
      },
    }])
    await again
    await jobs.stop()
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ job: 'flaky' }), 'background job run failed')
  })
})

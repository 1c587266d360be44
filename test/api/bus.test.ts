import { memoryBus, type Bus } from '../../server/lib/bus'
import { redisBus } from '../../server/lib/redis-bus'

const cases: Array<[string, () => [Bus, Bus]]> = [['memory', () => { const b = memoryBus(); return [b, b] }]]
// Two connections stand for two API processes; runs where REDIS_URL is set (CI sets it for the PostgreSQL run).
if (process.env.REDIS_URL) cases.push(['redis', () => [redisBus(process.env.REDIS_URL!), redisBus(process.env.REDIS_URL!)]])

describe.each(cases)('%s bus', (_name, make) => {
  it('delivers a published message to a subscriber of the channel only', async () => {
    const [a, b] = make()
    try {
      const channel = `test:${Date.now()}:${Math.random()}`
      const got: unknown[] = []
      const other: unknown[] = []
      const off = await b.subscribe(channel, (m) => got.push(m))
      await b.subscribe(`${channel}:other`, (m) => other.push(m))
      await a.publish(channel, { n: 1 })
      await a.publish(channel, { n: 2 })
      for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20))
      expect(got).toEqual([{ n: 1 }, { n: 2 }])
      expect(other).toEqual([])
      await off()
      await a.publish(channel, { n: 3 })
      await new Promise((r) => setTimeout(r, 100))
      expect(got).toHaveLength(2)
    } finally {
      await a.close()
      if (b !== a) await b.close()
    }
  })
})

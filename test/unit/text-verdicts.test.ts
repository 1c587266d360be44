import { RecentVerdicts } from '../../server/platform/text-verdicts'

/** The content check's kept verdicts (server/platform/text-verdicts.ts): one call per text while it is fresh. */
describe('RecentVerdicts', () => {
  let clock = 0
  const now = () => clock
  beforeEach(() => {
    clock = 1000
  })

  function checker() {
    const asked: string[] = []
    const check = (text: string, verdict = 'pass') => () => {
      asked.push(text)
      return Promise.resolve(verdict)
    }
    return { asked, check }
  }

  it('asks once for a text written again, and once for texts asked at the same time', async () => {
    const v = new RecentVerdicts<string>(60_000, 100, now)
    const { asked, check } = checker()
    expect(await Promise.all([v.get('无', check('无')), v.get('无', check('无')), v.get('违禁', check('违禁', 'risky'))])).toEqual(['pass', 'pass', 'risky'])
    expect(await v.get('违禁', check('违禁'))).toBe('risky')
    expect(asked).toEqual(['无', '违禁'])
  })

  it('asks again once the verdict is older than its time', async () => {
    const v = new RecentVerdicts<string>(60_000, 100, now)
    const { asked, check } = checker()
    await v.get('无', check('无'))
    clock += 59_999
    await v.get('无', check('无'))
    clock += 1
    await v.get('无', check('无'))
    expect(asked).toEqual(['无', '无'])
  })

  it('keeps no failed check: the next caller asks again', async () => {
    const v = new RecentVerdicts<string>(60_000, 100, now)
    await expect(v.get('无', () => Promise.reject(new Error('WeChat down')))).rejects.toThrow('WeChat down')
    const { asked, check } = checker()
    expect(await v.get('无', check('无'))).toBe('pass')
    expect(asked).toEqual(['无'])
  })

  it('forgets the oldest text when full', async () => {
    const v = new RecentVerdicts<string>(60_000, 2, now)
    const { asked, check } = checker()
    for (const t of ['甲', '乙', '丙', '乙', '甲']) await v.get(t, check(t))
    expect(asked).toEqual(['甲', '乙', '丙', '甲'])
  })
})

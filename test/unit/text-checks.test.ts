import { SEC_CHECK_MAX_CHARS, textsNotPassed } from '../../server/platform/text-checks'
import type { SecVerdict, WechatAdapter } from '../../server/platform/wechat'

/** One submission's texts through WeChat's content check (server/platform/text-checks.ts): together, one by one only when needed. */
describe('textsNotPassed', () => {
  function wechat(verdict: (content: string) => SecVerdict | Error) {
    const asked: Array<{ content: string; openid: string | null | undefined }> = []
    const adapter: WechatAdapter = {
      code2session: () => Promise.reject(new Error('not here')),
      msgSecCheck: async (content, openid) => {
        asked.push({ content, openid })
        const v = verdict(content)
        if (v instanceof Error) throw v
        return v
      },
    }
    return { adapter, asked }
  }
  const bad = (c: string) => (c.includes('违禁') ? 'risky' : 'pass')

  it('checks the texts of a submission in one call, with the openid given', async () => {
    const w = wechat(bad)
    expect(await textsNotPassed(w.adapter, ['多种树', '别的', '路灯坏了'], 'o-1')).toEqual(new Set())
    expect(w.asked).toEqual([{ content: '多种树\n别的\n路灯坏了', openid: 'o-1' }])
  })

  it('when the joined texts do not pass, asks each: only the flagged one is held', async () => {
    const w = wechat(bad)
    expect(await textsNotPassed(w.adapter, ['多种树', '这里有违禁内容', '路灯坏了'], null)).toEqual(new Set(['这里有违禁内容']))
    expect(w.asked.map((a) => a.content)).toEqual(['多种树\n这里有违禁内容\n路灯坏了', '多种树', '这里有违禁内容', '路灯坏了'])
    expect(w.asked.every((a) => a.openid === null)).toBe(true)
  })

  it('holds what could not be checked, and only that', async () => {
    const w = wechat((c) => (c.includes('\n') || c === '断网' ? new Error('WECHAT_UNAVAILABLE') : 'pass'))
    expect(await textsNotPassed(w.adapter, ['多种树', '断网'], null)).toEqual(new Set(['断网']))
    const review = wechat(() => 'review')
    expect(await textsNotPassed(review.adapter, ['甲', '乙'], null)).toEqual(new Set(['甲', '乙']))
  })

  it('holds every text when no check is configured', async () => {
    expect(await textsNotPassed({ code2session: () => Promise.reject(new Error('not here')) }, ['甲', '乙'], null)).toEqual(new Set(['甲', '乙']))
  })

  it('keeps each call within WeChat\'s length limit, a text never split', async () => {
    const w = wechat(bad)
    const long = ['甲'.repeat(2000), '乙'.repeat(400), '丙'.repeat(98), '丁'.repeat(2000), '戊']
    expect(await textsNotPassed(w.adapter, long, null)).toEqual(new Set())
    expect(w.asked.map((a) => a.content.length)).toEqual([2000 + 1 + 400 + 1 + 98, 2000 + 1 + 1])
    expect(w.asked.every((a) => a.content.length <= SEC_CHECK_MAX_CHARS)).toBe(true)
    expect(w.asked.map((a) => a.content).join('\n')).toBe(long.join('\n'))
  })
})

import type { WechatAdapter } from './wechat'

/** WeChat's msg_sec_check takes up to 2,500 characters a call. */
export const SEC_CHECK_MAX_CHARS = 2500

/**
 * The texts of one submission that WeChat's content check does not pass, or could not check. They go together, a
 * line each, in as few calls as the length limit allows: a survey response with three texts cost three calls, each a
 * round trip, ~0.1 ms of our CPU and a share of WeChat's per-minute quota (issue 11). The texts are one person's
 * words in one submission, checked as WeChat checks a post of several lines. Only when a joined check does not pass
 * (or fails) are its texts asked one by one, so that one flagged text holds only itself.
 */
export async function textsNotPassed(wechat: WechatAdapter, texts: readonly string[], openid: string | null): Promise<Set<string>> {
  const check = wechat.msgSecCheck?.bind(wechat)
  if (!check) return new Set(texts)
  const passes = (content: string) => check(content, openid).then((v) => v === 'pass', () => false)
  const held = new Set<string>()
  await Promise.all(groups(texts).map(async (group) => {
    if (group.length > 1 && (await passes(group.join('\n')))) return
    const verdicts = await Promise.all(group.map(passes))
    group.forEach((t, i) => (verdicts[i] ? undefined : held.add(t)))
  }))
  return held
}

/** Consecutive texts packed into groups whose lines joined fit one call. */
function groups(texts: readonly string[]): string[][] {
  const out: string[][] = []
  let chars = Infinity
  for (const t of texts) {
    if (chars + 1 + t.length > SEC_CHECK_MAX_CHARS) {
      out.push([])
      chars = -1
    }
    out[out.length - 1].push(t)
    chars += 1 + t.length
  }
  return out
}

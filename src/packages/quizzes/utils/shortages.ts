import type { CampaignShortage } from '@contract/quizzes'

/** What a worker reads after a change left running campaigns short of questions, one line per shortage. */
export function describeShortages(shortages: CampaignShortage[]): string {
  const lines = shortages.map((s) =>
    s.tag === null
      ? `「${s.campaignTitle}」可抽的题只剩 ${s.available} 道，每次答题需要 ${s.needed} 道：居民暂时无法开始答题。`
      : `「${s.campaignTitle}」的“${s.tag}”题只剩 ${s.available} 道（需要 ${s.needed} 道），不足的将用其他题补上。`,
  )
  return [...lines, '请补充题目，或恢复原来的题。'].join('\n')
}

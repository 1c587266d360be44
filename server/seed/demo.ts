import type { AppContext } from '../context'
import { demoCityGeoJSON } from '../modules/regions/demo-city'
import { importRegions } from '../modules/regions/service'
import { syncQuestionBank } from '../modules/quizzes/bank-sync'

export const DEMO_ACCOUNTS = {
  resident: { phone: '13800000001', nickname: '演示居民' },
  worker: { phone: '13800000002', nickname: '演示网格员' },
  office: { phone: '13800000003', nickname: '演示创文办' },
} as const

/** First run in demo mode: the demo city and one user of each kind. Does nothing when regions exist. */
export async function seedDemo(ctx: AppContext): Promise<boolean> {
  await syncQuestionBank(ctx.db)
  const existing = await ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM regions')
  if ((existing?.n ?? 0) > 0) return false
  await importRegions(ctx, null, demoCityGeoJSON())
  const dir = await ctx.regions.get()
  const firstCommunity = dir.descendants(dir.children(null)[0].code).find((r) => r.level === 'community')!
  await ctx.db.transaction(async (tx) => {
    const ids: Record<string, number> = {}
    for (const [kind, acc] of Object.entries(DEMO_ACCOUNTS)) {
      const row = await tx.one<{ id: number }>(
        `INSERT INTO users (phone, nickname, community_code) VALUES ($1, $2, $3)
         ON CONFLICT (phone) DO UPDATE SET nickname = EXCLUDED.nickname RETURNING id::int AS id`,
        [acc.phone, acc.nickname, kind === 'resident' ? null : firstCommunity.code],
      )
      ids[kind] = row!.id
    }
    await tx.query(`INSERT INTO role_grants (user_id, role, region_code) VALUES ($1, 'worker', $2) ON CONFLICT DO NOTHING`, [ids.worker, firstCommunity.code])
    await tx.query(`INSERT INTO role_grants (user_id, role) VALUES ($1, 'office') ON CONFLICT DO NOTHING`, [ids.office])
  })
  return true
}

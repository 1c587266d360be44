import type { AppContext } from '../context'
import type { Db } from '../db/types'
import { demoCityGeoJSON } from '../modules/regions/demo-city'
import { importRegions } from '../modules/regions/service'
import { syncQuestionBank } from '../modules/quizzes/bank-sync'

export const DEMO_ACCOUNTS = {
  resident: { phone: '13800000001', nickname: '演示居民' },
  worker: { phone: '13800000002', nickname: '演示网格员' },
  office: { phone: '13800000003', nickname: '演示创文办' },
} as const

/** A database started in the other mode than the one it was created in; the message says what to do. */
export class DatabaseModeError extends Error {}

/**
 * Demo accounts sign in with codes shown on the page, so they must never live beside real ones: a database is
 * demo or not from its first start, and a start in the other mode is refused. A database from before the marker
 * is judged by what it holds: demo accounts make it demo, other users make it real, an empty one takes the mode asked.
 */
export async function claimDatabaseMode(db: Db, demo: boolean): Promise<void> {
  const phones = Object.values(DEMO_ACCOUNTS).map((a) => a.phone)
  await db.query(
    `INSERT INTO instance_settings (key, value)
     SELECT 'demo', to_jsonb(CASE WHEN EXISTS (SELECT 1 FROM users WHERE phone = ANY($2::text[])) THEN true
                                  WHEN EXISTS (SELECT 1 FROM users) THEN false
                                  ELSE $1::boolean END)
     ON CONFLICT (key) DO NOTHING`,
    [demo, phones],
  )
  // a statement of its own: it sees the row whichever of two processes starting at once wrote it
  const row = await db.one<{ demo: boolean }>(`SELECT (value #>> '{}')::boolean AS demo FROM instance_settings WHERE key = 'demo'`)
  if (row!.demo === demo) return
  throw new DatabaseModeError(row!.demo
    ? '这个数据库是演示库（含演示城市和演示账号，演示账号的验证码直接显示在页面上），不能在非演示模式下启动。' +
      '生产环境请换一个新的数据库（DATABASE_URL 指向新库，或 DATA_DIR 指向新目录）；继续演示请去掉 SMS_GATEWAY_URL、WECHAT_APPID，并且不设置 DEMO 或设为 DEMO=1。'
    : '这个数据库不是以演示模式创建的（已有或将有真实用户），不能用演示模式（DEMO=1）启动：演示账号不能与真实账号共存。' +
      '演示请用一个新的数据库（DATA_DIR 指向新目录，或 DATABASE_URL 指向新库）。')
}

/** First run in demo mode: the demo city and one user of each kind. Does nothing when regions exist. */
export async function seedDemo(ctx: AppContext): Promise<boolean> {
  await claimDatabaseMode(ctx.db, true)
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

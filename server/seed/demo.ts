import type { AppContext } from '../context'
import type { Db } from '../db/types'
import { audit } from '../lib/audit'
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

export interface RetiredDemo {
  accounts: number
  grants: number
  sessions: number
}

/**
 * For a database that real people came to use while it was demo (before demo mode was kept off beside a real
 * gateway): the demo accounts lose their roles, sessions and phone numbers — their history stays, nobody can sign in
 * as them again, and the number, maybe a stranger's, signs in as a plain resident — and the database becomes real.
 * Refused on a database that is real already. The demo city's regions stay: real reports may lie in them.
 */
export async function retireDemo(db: Db): Promise<RetiredDemo> {
  await claimDatabaseMode(db, true).catch((err) => {
    throw err instanceof DatabaseModeError ? new DatabaseModeError('这个数据库已经是正式库，没有可停用的演示账号。') : err
  })
  const phones = Object.values(DEMO_ACCOUNTS).map((a) => a.phone)
  return db.transaction(async (tx) => {
    const demo = await tx.one<{ demo: boolean }>(`SELECT (value #>> '{}')::boolean AS demo FROM instance_settings WHERE key = 'demo' FOR UPDATE`)
    if (!demo!.demo) throw new DatabaseModeError('这个数据库已经是正式库，没有可停用的演示账号。')
    const ids = (await tx.query<{ id: number }>('SELECT id::int AS id FROM users WHERE phone = ANY($1::text[]) FOR UPDATE', [phones])).map((r) => r.id)
    const grants = await tx.query(`UPDATE role_grants SET revoked_at = now() WHERE user_id = ANY($1::bigint[]) AND revoked_at IS NULL RETURNING id`, [ids])
    const sessions = await tx.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = ANY($1::bigint[]) AND revoked_at IS NULL RETURNING user_id`, [ids])
    await tx.query(`UPDATE users SET phone = NULL, nickname = nickname || '（已停用的演示账号）', updated_at = now() WHERE id = ANY($1::bigint[])`, [ids])
    await tx.query(`UPDATE instance_settings SET value = 'false'::jsonb, set_at = now() WHERE key = 'demo'`)
    const result = { accounts: ids.length, grants: grants.length, sessions: sessions.length }
    await audit(tx, null, 'demo.retire', 'instance', result)
    return result
  })
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

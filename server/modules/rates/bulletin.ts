import os from 'node:os'
import type { AppContext } from '../../context'
import type { Queryable } from '../../db/types'
import { badRequest, forbidden, notFound } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import { cursorCodec } from '../../lib/cursor'
import { isCalendarDate } from '../../lib/dates'
import { loadExcel } from '../../lib/excel'
import type { RegionDirectory, RegionRow } from '../regions/directory'
import type { PersonalDataSource } from '../accounts/personal-data'
import { FIGURE_NAMES, MIN_SAMPLE, RATE_FIGURES, type RegionFigures } from '../../../types/rates'
import type {
  Bulletin, BulletinActivity, BulletinContent, BulletinListItem, BulletinListQuery, BulletinPage, BulletinRanking, BulletinRegion,
  BulletinSubscription,
} from '../../../types/rates-bulletin'
import * as bq from './bulletin-queries'
import { outboxBacklog } from './queries'
import { rank } from './figures'
import { periodFigures } from './service'

const DAY_MS = 86_400_000
const SHANGHAI_MS = 8 * 3600_000
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)

// ------------------------------------------------------------------ when

/**
 * The latest day whose bulletin is due at `now`: yesterday once today's configured time (Asia/Shanghai) has passed,
 * else the day before.
 */
export function dueDay(now: Date, minuteOfDay: number): string {
  const local = new Date(now.getTime() + SHANGHAI_MS)
  const today = local.toISOString().slice(0, 10)
  const minutes = local.getUTCHours() * 60 + local.getUTCMinutes()
  return addDays(today, minutes >= minuteOfDay ? -1 : -2)
}

/**
 * Days to generate, oldest first: the due day, and after a downtime the days missed since the latest bulletin —
 * `catchUpDays` at most (older ones are not made up: their figures stay on the dashboard). A first run makes only
 * the due day: nobody was waiting for the days before the service ran.
 */
export function daysToGenerate(latest: string | null, due: string, catchUpDays: number): string[] {
  if (latest === null) return [due]
  const out: string[] = []
  const first = addDays(due, -(catchUpDays - 1))
  for (let d = latest > first ? addDays(latest, 1) : first; d <= due; d = addDays(d, 1)) out.push(d)
  return out
}

/** Whether a bulletin came later than the configured time of the following day (allowing one check interval). */
function wasLate(day: string, generatedAt: Date, minuteOfDay: number, intervalMs: number): boolean {
  const dueAt = Date.parse(`${addDays(day, 1)}T00:00:00Z`) - SHANGHAI_MS + minuteOfDay * 60_000
  return generatedAt.getTime() > dueAt + Math.max(intervalMs, 60_000) * 2
}

// ------------------------------------------------------------------ what

const EMPTY: BulletinActivity = {
  reportsNew: 0, reportsClosed: 0, reportsNewlyOverdue: 0, reportsOverdueOpen: 0, quizResidents: 0, quizAttempts: 0, surveyResponses: 0, volunteers: 0,
}

function sumActivity(rows: BulletinActivity[]): BulletinActivity {
  const out = { ...EMPTY }
  for (const r of rows) for (const k of Object.keys(out) as Array<keyof BulletinActivity>) out[k] += r[k]
  return out
}

const NOTES = [
  '各项比率的口径同比率看板（见 README「比率口径」）：每人每项每天只按最后一次回答计；处置满意度按被评价的随手拍计，每条一次。',
  `街道及全市的主数字按社区常住人口事后分层加权，并给出合并的分子、分母；少于 ${MIN_SAMPLE} 人的标“样本不足”，不参与排名。`,
  '较前日：与前一天同一口径的主数字之差。参与率的分母为生成通报时登记的居民数。',
  '超期：当天到期而未按时办结的随手拍（同工单「每日统计」）；超期未办结：当天 24 时仍未办结且已过处置时限的。',
  '答题人数按交卷时所在社区，问卷答卷数含匿名答卷，志愿者为当天开始的班次中记了时长的人。',
]

/** The bulletin of `day` for the city, from the counts as they stand (the dashboard's own reading of them). */
export async function composeBulletin(db: Queryable, dir: RegionDirectory, city: RegionRow, day: string): Promise<BulletinContent> {
  const all = dir.descendants(city.code)
  const byLevel = (level: RegionRow['level']) => all.filter((r) => r.level === level)
  const streets = byLevel('street')
  const districts = byLevel('district')
  const communities = byLevel('community')
  const { period, figures } = await periodFigures(db, dir, city, [city, ...districts, ...streets, ...communities], 'day', day)
  const figuresOf = new Map(figures.map((f) => [f.regionCode, f]))
  const activityRows = new Map((await bq.activity(db, day, communities.map((c) => c.code))).map((r) => [r.communityCode, r]))
  const activityOf = (region: RegionRow) => sumActivity(
    (region.level === 'community' ? [region] : dir.descendants(region.code).filter((r) => r.level === 'community'))
      .map((c) => activityRows.get(c.code) ?? EMPTY))
  const regionOf = (r: RegionRow): BulletinRegion => {
    const f = figuresOf.get(r.code)!
    return {
      regionCode: r.code, name: r.name, level: r.level, parentName: r.parentCode ? dir.get(r.parentCode)?.name ?? null : null,
      population: r.population, figures: f.figures, activity: activityOf(r),
    }
  }
  const rankings: BulletinRanking[] = []
  const levels: Array<[BulletinRanking['level'], RegionRow[]]> = [['district', districts], ['street', streets], ['community', communities]]
  for (const [level, regions] of levels) {
    if (regions.length < 2) continue
    const entries: RegionFigures[] = regions.map((r) => figuresOf.get(r.code)!)
    for (const figure of RATE_FIGURES) {
      const { top, bottom, excludedInsufficient } = rank(entries, figure, 'communities')
      rankings.push({ figure, name: FIGURE_NAMES[figure], level, top, bottom, excludedInsufficient })
    }
  }
  return {
    day,
    period,
    city: regionOf(city),
    streets: streets.map(regionOf),
    rankings,
    rankingRule: rank([], 'awareness', 'communities').rule,
    pendingEvents: await outboxBacklog(db),
    notes: NOTES,
  }
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)

/** The subscribe message (WeChat's field limits: thing ≤ 20 characters). Opens the bulletin's page. */
export function bulletinMessage(templateId: string, c: BulletinContent) {
  const [, m, d] = c.day.split('-').map(Number)
  const participation = c.city.figures.find((f) => f.figure === 'participation')!
  return {
    templateId,
    page: `packages/rates/pages/bulletin/index?day=${c.day}`,
    data: {
      thing1: { value: `${c.city.name}创文每日通报`.slice(0, 20) },
      date2: { value: c.day },
      thing3: { value: `${m}月${d}日参与率${pct(participation.rate)}，超期未办${c.city.activity.reportsOverdueOpen}件`.slice(0, 20) },
    },
  }
}

// ------------------------------------------------------------------ the job

const WHO = `${os.hostname()}:${process.pid}`

/**
 * One day's bulletin, in one transaction: the generator lock (another process generating → wait, then find the day
 * made), the day's row (ON CONFLICT DO NOTHING: written once whatever happens), and the messages — enqueued only by
 * the transaction that wrote the row, so each subscriber gets one.
 */
async function generateDay(ctx: AppContext, dir: RegionDirectory, city: RegionRow, day: string): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    await bq.generatorLock(tx)
    if (await bq.exists(tx, day)) return false
    const content = await composeBulletin(tx, dir, city, day)
    if (!(await bq.insert(tx, day, city.code, content, WHO))) return false
    await bq.enqueueMessages(tx, day, bulletinMessage(ctx.config.bulletin.templateId, content))
    return true
  })
}

/**
 * One check-and-generate run: every bulletin due and missing is made (see daysToGenerate). Safe in any number of
 * processes at once. Returns the days this process generated.
 */
export async function bulletinJob(ctx: AppContext, now: Date = new Date()): Promise<string[]> {
  const cfg = ctx.config.bulletin
  const days = daysToGenerate(await bq.latestDay(ctx.db), dueDay(now, cfg.minuteOfDay), cfg.catchUpDays)
  if (days.length === 0) return []
  const dir = await ctx.regions.get()
  const city = dir.children(null).find((r) => r.level === 'city')
  if (!city) return []
  const made: string[] = []
  for (const day of days) if (await generateDay(ctx, dir, city, day)) made.push(day)
  return made
}

// ------------------------------------------------------------------ reading

/**
 * Staff only. The office and every worker read the whole bulletin: a 通报 is circulated to all units — it names the best
 * and the worst streets and communities — and holds figures, never a person. Residents read none (as the dashboard).
 */
function assertCanReadBulletins(caller: Caller): void {
  if (!caller.office && caller.workerRegions.length === 0) throw forbidden('RATES_STAFF_ONLY', '每日通报仅对社区工作人员和创文办开放')
}

function checkDay(day: string): string {
  if (!isCalendarDate(day)) throw badRequest('INVALID_DATE', `日期无效：${day}`)
  return day
}

const cursor = cursorCodec('instant')

const view = (ctx: AppContext, row: bq.BulletinRow) => ({
  day: row.day,
  generatedAt: new Date(row.generatedAt).toISOString(),
  late: wasLate(row.day, new Date(row.generatedAt), ctx.config.bulletin.minuteOfDay, ctx.config.jobs.bulletinMs),
})

export async function listBulletins(ctx: AppContext, caller: Caller, query: BulletinListQuery): Promise<BulletinPage> {
  assertCanReadBulletins(caller)
  const after = cursor.decode(query.cursor)
  const limit = query.limit ?? 20
  const rows = await bq.page(ctx.db, after ? after[0].toISOString().slice(0, 10) : null, limit + 1)
  const items: BulletinListItem[] = rows.slice(0, limit).map((r) => ({
    ...view(ctx, r),
    cityName: r.content.city.name,
    headline: r.content.city.figures.map((f) => ({ figure: f.figure, name: f.name, rate: f.rate, change: f.change, n: f.n, insufficient: f.insufficient })),
    reportsOverdueOpen: r.content.city.activity.reportsOverdueOpen,
  }))
  const last = items[items.length - 1]
  return { items, nextCursor: rows.length > limit ? cursor.encode([new Date(`${last.day}T00:00:00Z`)]) : null }
}

async function loadBulletin(ctx: AppContext, caller: Caller, day: string): Promise<bq.BulletinRow> {
  assertCanReadBulletins(caller)
  const row = await bq.byDay(ctx.db, checkDay(day))
  if (!row) throw notFound('BULLETIN_NOT_FOUND', `${day} 的通报尚未生成`)
  return row
}

export async function getBulletin(ctx: AppContext, caller: Caller, day: string): Promise<Bulletin> {
  const row = await loadBulletin(ctx, caller, day)
  return { ...view(ctx, row), content: row.content }
}

const LEVEL_NAMES: Record<string, string> = { city: '市', district: '区', street: '街道', community: '社区' }
const ACTIVITY_COLUMNS: Array<[keyof BulletinActivity, string]> = [
  ['reportsNew', '随手拍新增'], ['reportsClosed', '办结'], ['reportsNewlyOverdue', '当日超期'], ['reportsOverdueOpen', '超期未办结'],
  ['quizResidents', '答题人数'], ['quizAttempts', '答题人次'], ['surveyResponses', '问卷答卷'], ['volunteers', '志愿服务人数'],
]

/** The bulletin as a workbook: figures (one row per region and figure), rankings, activity per street, notes. */
export async function bulletinWorkbook(ctx: AppContext, caller: Caller, day: string): Promise<{ file: Buffer; filename: string }> {
  const { content: c } = await loadBulletin(ctx, caller, day)
  const wb = new (await loadExcel()).Workbook()
  const bold = (ws: { getRow: (n: number) => { font: object } }) => { ws.getRow(1).font = { bold: true } }

  const figures = wb.addWorksheet('各项比率')
  figures.addRow(['区域', '层级', '所属', '指标', '比率', '95%区间下限', '95%区间上限', '分子', '分母', '合并比率', '有效样本量', '样本不足', '目标', '与目标差', '前一日', '较前日'])
  for (const r of [c.city, ...c.streets]) {
    for (const f of r.figures) {
      figures.addRow([r.name, LEVEL_NAMES[r.level] ?? r.level, r.parentName ?? '', f.name, f.rate, f.interval?.lower ?? null, f.interval?.upper ?? null,
        f.numerator, f.denominator, f.pooledRate, f.effectiveN, f.insufficient ? '是' : '否', f.target, f.gapToTarget, f.previousRate, f.change])
    }
  }
  bold(figures)

  const rankings = wb.addWorksheet('排名')
  rankings.addRow(['层级', '指标', '前三/后三', '名次', '区域', '比率', '95%区间下限', '95%区间上限', '人数'])
  for (const r of c.rankings) {
    for (const [side, list] of [['前三', r.top], ['后三', r.bottom]] as const) {
      list.forEach((e, i) => rankings.addRow([LEVEL_NAMES[r.level], r.name, side, i + 1, e.name, e.rate, e.lower, e.upper, e.n]))
    }
  }
  bold(rankings)

  const activity = wb.addWorksheet('随手拍与参与')
  activity.addRow(['街道', '所属', ...ACTIVITY_COLUMNS.map(([, name]) => name)])
  for (const r of [...c.streets, c.city]) activity.addRow([r.name, r.parentName ?? '', ...ACTIVITY_COLUMNS.map(([k]) => r.activity[k])])
  bold(activity)

  const notes = wb.addWorksheet('说明')
  notes.addRow([`${c.city.name}创文每日通报（${c.day}）`])
  notes.addRow([`排名规则：${c.rankingRule}`])
  for (const n of c.notes) notes.addRow([n])
  for (const ws of [figures, rankings, activity]) ws.columns.forEach((col, i) => { col.width = i === 0 ? 16 : 12 })
  notes.getColumn(1).width = 100
  return { file: Buffer.from(await wb.xlsx.writeBuffer()), filename: `创文每日通报-${c.day}.xlsx` }
}

// ------------------------------------------------------------------ consent

function assertWorker(caller: Caller): void {
  if (caller.workerRegions.length === 0) throw forbidden('BULLETIN_SUBSCRIBE_WORKERS_ONLY', '通报订阅消息只发给街道和社区工作人员')
}

async function subscriptionView(ctx: AppContext, db: Queryable, userId: number): Promise<BulletinSubscription> {
  const row = await bq.subscription(db, userId)
  return {
    subscribed: row?.active ?? false,
    agreedAt: row?.active ? new Date(row.agreedAt).toISOString() : null,
    templateId: ctx.config.bulletin.templateId,
    time: ctx.config.bulletin.time,
  }
}

export async function getSubscription(ctx: AppContext, caller: Caller): Promise<BulletinSubscription> {
  assertWorker(caller)
  return subscriptionView(ctx, ctx.db, caller.userId)
}

/** Consent given or withdrawn, with an audit entry; setting what is already set changes nothing. */
export async function setSubscription(ctx: AppContext, caller: Caller, subscribed: boolean): Promise<BulletinSubscription> {
  assertWorker(caller)
  return ctx.db.transaction(async (tx) => {
    const now = (await bq.subscription(tx, caller.userId))?.active ?? false
    if (now !== subscribed) {
      if (subscribed) await bq.subscribe(tx, caller.userId)
      else await bq.withdraw(tx, caller.userId)
      await audit(tx, caller.userId, subscribed ? 'rates.bulletin.subscribe' : 'rates.bulletin.unsubscribe', `user:${caller.userId}`)
    }
    return subscriptionView(ctx, tx, caller.userId)
  })
}

/** 注销: the consent goes (no message can follow); the export shows it. */
export const bulletinPersonalData: PersonalDataSource = {
  name: 'rates',
  erase: (tx, person) => bq.eraseSubscription(tx, person.userId),
  export: async (db, userId) => ({ bulletinSubscription: (await bq.subscription(db, userId)) ?? null }),
}

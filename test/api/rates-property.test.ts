import fc from 'fast-check'
import { createTestApp, type TestApp } from '../helpers/app'
import { drainOutbox, rebuild } from '../../server/modules/rates/service'
import { periodCounts, rangeCounts } from '../../server/modules/rates/queries'
import { anonymiseUser } from '../../server/modules/accounts/erasure-queries'
import { RATE_FIGURES } from '../../types/rates'

// the app's own counting job stays off: this file decides when the outbox is applied
process.env.RATES_INTERVAL_MS = '0'

const COMMUNITIES = ['329901001001', '329901001002', '329901002001']
const CITY = '3299'
const RUNS = Number(process.env.RATES_PROPERTY_RUNS ?? 25)

let t: TestApp
let staff: number
const surveys: Array<{ id: number; anonymous: boolean; questions: Array<{ id: number; domain: string[]; rows: string[] }> }> = []
const campaigns: number[] = []
let activity: number

async function question(survey: number, key: string, position: number, type: string, figure: string | null, favourable: string[], domain: string[], rows: string[] = ['']) {
  const r = await t.ctx.db.one<{ id: number }>(
    `INSERT INTO survey_questions (survey_id, section_key, key, position, type, title, required, figure, favourable)
     VALUES ($1, 's', $2, $3, $4, $2, false, $5, $6) RETURNING id::int AS id`,
    [survey, key, position, type, figure, favourable])
  return { id: r!.id, domain, rows }
}

async function survey(anonymous: boolean, eligibility: boolean) {
  const s = await t.ctx.db.one<{ id: number }>(
    `INSERT INTO surveys (title, region_code, audience, anonymous, starts_at, ends_at, status, created_by)
     VALUES ('性质测试', $1, 'signed_in', $2, now() - interval '400 days', now() + interval '1 day', 'published', $3) RETURNING id::int AS id`,
    [CITY, anonymous, staff])
  const questions = []
  if (eligibility) questions.push(await question(s!.id, 'elig', 0, 'single', 'eligibility', ['y'], ['y', 'n']))
  questions.push(await question(s!.id, 'aware', 1, 'single', 'awareness', ['yes'], ['yes', 'no']))
  questions.push(await question(s!.id, 'support', 2, 'single', 'support', ['yes'], ['yes', 'neutral', 'no']))
  questions.push(await question(s!.id, 'sat', 3, 'matrix', 'satisfaction', ['5', '4'], ['1', '2', '3', '4', '5'], ['r1', 'r2', 'r3']))
  questions.push(await question(s!.id, 'note', 4, 'short_text', null, [], []))
  surveys.push({ id: s!.id, anonymous, questions })
}

beforeAll(async () => {
  t = await createTestApp()
  staff = (await t.ctx.db.one<{ id: number }>(`SELECT id::int AS id FROM users WHERE phone = '13800000003'`))!.id
  await survey(false, true)
  await survey(false, false)
  await survey(true, true)
  for (const counts of [true, false]) {
    const c = await t.ctx.db.one<{ id: number }>(
      `INSERT INTO quiz_campaigns (region_code, title, starts_at, ends_at, question_count, time_limit_seconds, pass_score, max_attempts, created_by, counts_for_awareness)
       VALUES ($1, '性质测试', now() - interval '400 days', now() + interval '1 day', 5, 600, 60, 20, $2, $3) RETURNING id::int AS id`,
      [CITY, staff, counts])
    campaigns.push(c!.id)
  }
  activity = (await t.ctx.db.one<{ id: number }>(
    `INSERT INTO volunteer_activities (type, title, description, lng, lat, radius_m, address, region_code, created_by)
     VALUES ('cleaning', '性质测试', '', 120.1, 30.2, 200, '测试', $1, $2) RETURNING id::int AS id`, [CITY, staff]))!.id
}, 180_000)
afterAll(() => t.close())

// 21 days from a Monday in October: the days cross two month ends' worth of weeks (Oct → Nov) and three Mondays
const BASE = Date.UTC(2026, 9, 26)
// few distinct hours, so that equal times happen and the tie-break (by source) is exercised
const instant = (day: number, hour: number) => new Date(BASE + day * 86_400_000 + (hour - 8) * 3_600_000)

const when = fc.record({ day: fc.integer({ min: 0, max: 20 }), hour: fc.constantFrom(1, 9, 9, 17, 23) })
const event = fc.oneof(
  fc.record({ type: fc.constant('survey' as const), survey: fc.nat(2), person: fc.nat(5), when, answers: fc.array(fc.nat(9), { minLength: 7, maxLength: 7 }) }),
  fc.record({ type: fc.constant('quiz' as const), campaign: fc.nat(2), person: fc.nat(5), when, passed: fc.boolean(), viaUpdate: fc.boolean() }),
  fc.record({ type: fc.constant('report' as const), person: fc.nat(5), when, rating: fc.option(fc.integer({ min: 1, max: 5 })), rerate: fc.option(fc.integer({ min: 1, max: 5 })), reopen: fc.boolean() }),
  fc.record({ type: fc.constant('move' as const), person: fc.nat(5), community: fc.nat(2) }),
  // residents registering (a few at once: one statement), leaving (their row deleted) and erasing their account (the
  // erasure's own statement: community_code emptied) — 参与率's denominator follows them
  fc.record({ type: fc.constant('register' as const), community: fc.nat(2), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant('leave' as const), which: fc.nat(20) }),
  fc.record({ type: fc.constant('erase' as const), person: fc.nat(5) }),
  // a volunteer shift that earns hours; `late`: credited only at the next run of the job (a worker's hand days later),
  // after any move in between — it counts where the volunteer was registered when credited, on the shift's day
  fc.record({ type: fc.constant('volunteer' as const), person: fc.nat(5), when, late: fc.boolean(), correction: fc.boolean() }),
  fc.record({ type: fc.constant('drain' as const), batch: fc.integer({ min: 1, max: 4 }), twice: fc.boolean() }),
)

async function snapshot() {
  const db = t.ctx.db
  return {
    contribs: await db.query(`SELECT source, figure, person, community_code, day::text, at, favourable, origin FROM rate_contribs ORDER BY source, figure`),
    marks: await db.query(`SELECT figure, kind, start::text, person, community_code, favourable, at, source, origin FROM rate_marks ORDER BY figure, kind, start, person`),
    counts: await db.query(`SELECT figure, kind, start::text, community_code, num, den FROM rate_counts ORDER BY figure, kind, start, community_code`),
    // a community whose residents all left keeps a row of 0 (rows are never deleted: see rates_headcount.sql)
    headcount: await db.query(`SELECT community_code, residents FROM rate_headcount WHERE residents > 0 ORDER BY community_code`),
  }
}

describe('incremental counts equal a recount from the raw rows', () => {
  it('for random sequences of answers, changed answers, moves, late arrivals and interleaved runs of the job', async () => {
    const db = t.ctx.db
    let runs = 0
    await fc.assert(fc.asyncProperty(fc.array(event, { minLength: 5, maxLength: 35 }), async (events) => {
      runs++
      if (process.env.RATES_DEBUG) process.stderr.write(`run ${runs} events ${events.length}\n`)
      // six fresh residents per run, spread over the communities
      const people: Array<{ id: number; community: string }> = []
      for (let i = 0; i < 6; i++) {
        const community = COMMUNITIES[i % COMMUNITIES.length]
        const u = await db.one<{ id: number }>(`INSERT INTO users (nickname, community_code) VALUES ('p', $1) RETURNING id::int AS id`, [community])
        people.push({ id: u!.id, community })
      }
      // residents who only registered: they can leave (a row with answers behind it is never deleted)
      const idle: number[] = []
      const erased = new Set<number>()
      const answered = new Set<string>()
      const attemptNo = new Map<string, number>()
      let uncredited: Array<{ user: number; signup: number; correction: boolean }> = []
      const credit = async () => {
        for (const c of uncredited) {
          await db.query(`INSERT INTO volunteer_hours (user_id, signup_id, kind, minutes, reason) VALUES ($1, $2, 'credited', 120, '签退')`, [c.user, c.signup])
          // a correction is an entry of the ledger, not a shift: it counts for nothing
          if (c.correction) await db.query(`INSERT INTO volunteer_hours (user_id, signup_id, kind, minutes, actor_id, reason) VALUES ($1, $2, 'correction', -30, $3, '更正')`, [c.user, c.signup, staff])
        }
        uncredited = []
      }
      for (const e of events) {
        if ('person' in e && erased.has(e.person)) continue
        if (e.type === 'register') {
          idle.push(...(await db.query<{ id: number }>(
            `INSERT INTO users (nickname, community_code) SELECT 'q', $1 FROM generate_series(1, $2::int) RETURNING id::int AS id`,
            [COMMUNITIES[e.community], e.count])).map((u) => u.id))
        } else if (e.type === 'leave') {
          if (idle.length > 0) await db.query('DELETE FROM users WHERE id = $1', idle.splice(e.which % idle.length, 1))
        } else if (e.type === 'erase') {
          erased.add(e.person)
          await anonymiseUser(db, people[e.person].id)
        } else if (e.type === 'volunteer') {
          const at = instant(e.when.day, e.when.hour)
          const shift = await db.one<{ id: number }>(
            `INSERT INTO volunteer_shifts (activity_id, starts_at, ends_at, capacity, confirmed, signup_deadline, cancel_deadline)
             VALUES ($1, $2, $2::timestamptz + interval '2 hours', 10, 1, $2, $2) RETURNING id::int AS id`, [activity, at])
          const su = await db.one<{ id: number }>(
            `INSERT INTO volunteer_signups (shift_id, user_id, status, checked_in_at, checked_out_at, attendance)
             VALUES ($1, $2, 'confirmed', $3, $3::timestamptz + interval '2 hours', 'attended') RETURNING id::int AS id`, [shift!.id, people[e.person].id, at])
          uncredited.push({ user: people[e.person].id, signup: su!.id, correction: e.correction })
          if (!e.late) await credit()
        } else if (e.type === 'move') {
          people[e.person].community = COMMUNITIES[e.community]
          await db.query('UPDATE users SET community_code = $2 WHERE id = $1', [people[e.person].id, people[e.person].community])
        } else if (e.type === 'drain') {
          await credit()
          if (e.twice) await Promise.all([drainOutbox(db, e.batch), drainOutbox(db, e.batch)])
          else await drainOutbox(db, e.batch)
        } else if (e.type === 'survey') {
          const s = surveys[e.survey]
          const p = people[e.person]
          if (!s.anonymous && answered.has(`${s.id}|${p.id}`)) continue
          answered.add(`${s.id}|${p.id}`)
          const at = instant(e.when.day, e.when.hour)
          // the picks as a submission stores them (migration 0035): [question, row, values, num, other]
          const picks: unknown[] = []
          let k = 0
          for (const q of s.questions) {
            for (const row of q.rows) {
              const pick = e.answers[k++ % e.answers.length]
              // 0 leaves the item unanswered (a hidden or skipped question)
              if (q.domain.length === 0 || pick === 0) continue
              picks.push([q.id, row, [q.domain[(pick + k) % q.domain.length]], null, 0])
            }
          }
          await db.query(
            `INSERT INTO survey_responses (survey_id, user_id, community_code, submitted_on, submitted_at, picks)
             VALUES ($1, $2, $3, ($4::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, $5, $6::jsonb)`,
            [s.id, s.anonymous ? null : p.id, p.community, at, s.anonymous ? null : at, JSON.stringify(picks)])
        } else if (e.type === 'quiz') {
          const p = people[e.person]
          const campaign = e.campaign < 2 ? campaigns[e.campaign] : null
          const key = `${campaign}|${p.id}`
          const no = (attemptNo.get(key) ?? 0) + 1
          attemptNo.set(key, no)
          const at = instant(e.when.day, e.when.hour)
          const kind = campaign === null ? 'practice' : 'campaign'
          const passed = kind === 'campaign' ? e.passed : null
          if (e.viaUpdate) {
            const a = await db.one<{ id: number }>(
              `INSERT INTO quiz_attempts (kind, campaign_id, user_id, community_code, attempt_no, question_ids, total, started_at, expires_at)
               VALUES ($1, $2, $3, $4, $5, '{}', 5, $6, $6::timestamptz + interval '10 minutes') RETURNING id::int AS id`,
              [kind, campaign, p.id, p.community, no, at])
            await db.query('UPDATE quiz_attempts SET submitted_at = $2, score = 80, correct_count = 4, passed = $3 WHERE id = $1', [a!.id, at, passed])
          } else {
            await db.query(
              `INSERT INTO quiz_attempts (kind, campaign_id, user_id, community_code, attempt_no, question_ids, total, started_at, expires_at, submitted_at, score, correct_count, passed)
               VALUES ($1, $2, $3, $4, $5, '{}', 5, $6, $6::timestamptz + interval '10 minutes', $6, 40, 2, $7)`,
              [kind, campaign, p.id, p.community, no, at, passed])
          }
        } else {
          const p = people[e.person]
          const at = instant(e.when.day, e.when.hour)
          const r = await db.one<{ id: number }>(
            `INSERT INTO reports (category_code, reporter_id, lng, lat, community_code, department, due_at, created_at)
             VALUES ('littering', $1, 120.1, 30.2, $2, '城市管理局', $3::timestamptz + interval '1 day', $3) RETURNING id::int AS id`,
            [p.id, p.community, at])
          if (e.rating !== null) {
            const rated = instant(Math.min(20, e.when.day + 2), e.when.hour)
            await db.query(`UPDATE reports SET state = 'closed', closed_at = $2, rating = $3, rated_at = $2 WHERE id = $1`, [r!.id, rated, e.rating])
            if (e.rerate !== null) await db.query('UPDATE reports SET rating = $2, rated_at = $3 WHERE id = $1', [r!.id, e.rerate, instant(Math.min(20, e.when.day + 3), 9)])
            if (e.reopen) await db.query(`UPDATE reports SET state = 'accepted' WHERE id = $1`, [r!.id])
          }
        }
      }
      await credit()
      await drainOutbox(db)
      const incremental = await snapshot()
      await rebuild(db)
      const rebuilt = await snapshot()
      expect(incremental.counts).toEqual(rebuilt.counts)
      expect(incremental.marks).toEqual(rebuilt.marks)
      expect(incremental.contribs).toEqual(rebuilt.contribs)
      expect(incremental.headcount).toEqual(rebuilt.headcount)
      expect(rebuilt.headcount).toEqual(await db.query(
        `SELECT community_code, count(*)::int AS residents FROM users WHERE community_code IS NOT NULL GROUP BY community_code ORDER BY community_code`))
      // a custom range that is exactly a week or a month gives that week's or month's counts (once per person, not a sum of days)
      const sorted = (rows: Array<{ figure: string; communityCode: string }>) => [...rows].sort((x, y) => `${x.figure}${x.communityCode}`.localeCompare(`${y.figure}${y.communityCode}`))
      for (const [kind, from, to] of [['w', '2026-10-26', '2026-11-01'], ['w', '2026-11-02', '2026-11-08'], ['m', '2026-11-01', '2026-11-30']]) {
        // the dashboard's statement (this period's rows of its two periods) as rows, in both its forms (community by
        // community, and by the period for many communities: that one reads every community's rows and keeps those asked)
        for (const communities of [COMMUNITIES, COMMUNITIES.slice(1)]) {
          for (const wide of [false, true]) {
            const { counts } = await periodCounts(db, kind, from, '2026-10-19', communities, wide)
            const period: Array<{ figure: string; communityCode: string; num: number; den: number }> = []
            for (let k = 0; k < counts.length; k += 5) {
              if (counts[k + 2] === 1) period.push({ figure: RATE_FIGURES[counts[k + 1]], communityCode: communities[counts[k]], num: counts[k + 3], den: counts[k + 4] })
            }
            expect({ wide, rows: sorted(period) }).toEqual({ wide, rows: sorted(await rangeCounts(db, from, to, communities)) })
          }
        }
      }
    }), { numRuns: RUNS })
    expect(runs).toBe(RUNS)
    // the runs did count something in every figure
    const figures = await db.query<{ figure: string }>(`SELECT DISTINCT figure FROM rate_counts ORDER BY figure`)
    expect(figures.map((f) => f.figure)).toEqual(['awareness', 'handling', 'participation', 'satisfaction', 'support'])
    // …volunteer service among the participation, and handling counted per report
    expect((await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM rate_contribs WHERE source LIKE 'v:%' AND figure = 'participation'`))!.n).toBeGreaterThan(0)
    expect(await db.one(`SELECT count(*)::int AS n FROM rate_contribs WHERE figure = 'handling' AND person <> source`)).toEqual({ n: 0 })
  }, 600_000)
})

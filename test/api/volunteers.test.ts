import '../helpers/long-timeout'
import crypto from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app'
import { createRuntime, type Runtime } from '../../server/bootstrap'
import { openPostgres } from '../../server/db/postgres'
import type { Db } from '../../server/db/types'
import { hashSecret } from '../../server/lib/tokens'
import { demoSms } from '../../server/platform/sms'
import { codeFor, stepAt, tokenFor } from '../../server/modules/volunteers/checkin-code'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { adminUrl } from '../helpers/db-global-setup'

const COMMUNITY = '329901001001' // 幸福里社区, the demo worker's
const SITE = { lng: 118.71, lat: 32.005 }

let t: TestApp
let worker: string
let otherWorker: string
let office: string
let otherCommunity: string
let city: string
/** A second API process on the same PostgreSQL database (null on PGlite, which one process owns). */
let second: { app: FastifyInstance; runtime: Runtime; db: Db } | null = null

const count = async (sql: string, params: unknown[] = []) => (await t.ctx.db.one<{ n: number }>(sql, params))!.n
const hoursFrom = (n: number) => new Date(Date.now() + n * 3600_000).toISOString()

function shift(inHours: number, lengthHours = 2, capacity = 20) {
  return { startsAt: hoursFrom(inHours), endsAt: hoursFrom(inHours + lengthHours), capacity, signupDeadline: hoursFrom(inHours - 1), cancelDeadline: hoursFrom(inHours - 2) }
}

function activityBody(over: Record<string, unknown> = {}) {
  return {
    type: 'traffic', title: '幸福路口文明交通劝导', description: '早高峰劝导行人和电动车遵守信号灯', lng: SITE.lng, lat: SITE.lat, radiusM: 200,
    address: '幸福路与和平路交叉口', regionCode: COMMUNITY, requirements: '穿志愿者马甲，提前 10 分钟到岗', shifts: [shift(48)], ...over,
  }
}

async function newActivity(over: Record<string, unknown> = {}, token = worker) {
  const res = await t.as(token, { method: 'POST', url: '/api/v1/volunteers/activities', payload: activityBody(over) })
  expect(res.statusCode).toBe(201)
  return res.json() as { id: number; shifts: Array<{ id: number }> }
}

let phoneSeq = 0
/** Approved volunteers made in bulk (accounts, sessions, applications), as the API would leave them. */
async function volunteers(n: number, community = COMMUNITY): Promise<Array<{ id: number; token: string }>> {
  const tokens = Array.from({ length: n }, () => crypto.randomBytes(24).toString('base64url'))
  const phones = tokens.map(() => `1370${String(++phoneSeq).padStart(7, '0')}`)
  const users = await t.ctx.db.query<{ id: number; phone: string }>(
    `INSERT INTO users (phone, nickname, community_code) SELECT p, '志愿者' || right(p, 4), $2 FROM unnest($1::text[]) p RETURNING id::int AS id, phone`,
    [phones, community],
  )
  const byPhone = new Map(users.map((u) => [u.phone, u.id]))
  const ids = phones.map((p) => byPhone.get(p)!)
  await t.ctx.db.query(
    `INSERT INTO sessions (token_hash, user_id, channel, expires_at) SELECT h, u, 'sms', now() + interval '1 day' FROM unnest($1::text[], $2::bigint[]) x(h, u)`,
    [tokens.map(hashSecret), ids],
  )
  await t.ctx.db.query(
    `INSERT INTO volunteers (user_id, real_name, phone, community_code, pledge_agreed_at, status, decided_at)
     SELECT u.id, '张' || right(u.phone, 2), u.phone, $2, now(), 'approved', now() FROM users u WHERE u.id = ANY($1::bigint[])`,
    [ids, community],
  )
  return ids.map((id, i) => ({ id, token: tokens[i] }))
}

/** A resident who applies through the API and is approved by the community's worker. */
async function appliedVolunteer(phone: string) {
  const token = await t.login(phone)
  await t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })
  const res = await t.as(token, { method: 'POST', url: '/api/v1/volunteers/apply', payload: { realName: '李志愿', skills: ['急救'], availability: '周末', communityCode: COMMUNITY, pledgeAgreed: true } })
  expect(res.statusCode).toBe(201)
  return { token, id: res.json().userId as number }
}

const signUp = (token: string, shiftId: number, app: FastifyInstance = t.app) =>
  app.inject({ method: 'POST', url: `/api/v1/volunteers/shifts/${shiftId}/signup`, headers: { authorization: `Bearer ${token}` } })
const cancel = (token: string, shiftId: number) => t.as(token, { method: 'POST', url: `/api/v1/volunteers/shifts/${shiftId}/cancel` })
const attend = (token: string, shiftId: number, payload: Record<string, unknown>, app: FastifyInstance = t.app) =>
  app.inject({ method: 'POST', url: `/api/v1/volunteers/shifts/${shiftId}/attendance`, headers: { authorization: `Bearer ${token}` }, payload })

/** Moves a shift so that it runs now: started `minutesAgo`, `length` minutes long (deadlines passed). */
const runNow = (shiftId: number, minutesAgo: number, length = 60) =>
  t.ctx.db.query(
    `UPDATE volunteer_shifts SET starts_at = now() - make_interval(mins => $2), ends_at = now() - make_interval(mins => $2) + make_interval(mins => $3),
       signup_deadline = now() - make_interval(mins => $2), cancel_deadline = now() - make_interval(mins => $2) WHERE id = $1`,
    [shiftId, minutesAgo, length],
  )

beforeAll(async () => {
  process.env.OUTBOX_INTERVAL_MS = '0'
  t = await createTestApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  const dir = await t.ctx.regions.get()
  city = dir.children(null)[0].code
  otherCommunity = dir.descendants(city).filter((r) => r.level === 'community').find((r) => r.code !== COMMUNITY)!.code
  await t.login('13900000510')
  expect((await t.as(office, { method: 'POST', url: '/api/v1/admin/roles', payload: { phone: '13900000510', role: 'worker', regionCode: otherCommunity } })).statusCode).toBe(201)
  otherWorker = await t.login('13900000510')
  if (process.env.DATABASE_URL) {
    const name = (await t.ctx.db.one<{ n: string }>('SELECT current_database() AS n'))!.n
    const db = openPostgres(adminUrl(process.env.DATABASE_URL, name), 12)
    const runtime = await createRuntime(t.ctx.config, db, { sms: demoSms() })
    const app = await buildApp(runtime.ctx)
    await app.ready()
    second = { app, runtime, db }
  }
}, 120_000)

afterAll(async () => {
  if (second) {
    await second.app.close()
    await second.runtime.close()
    await second.db.close()
  }
  await t.close()
})

describe('applications', () => {
  it('apply → the community\'s worker approves; the volunteer holds the verified phone; other workers and residents may not decide', async () => {
    const phone = '13900000520'
    const token = await t.login(phone)
    const bad = await t.as(token, { method: 'POST', url: '/api/v1/volunteers/apply', payload: { realName: '王五', skills: [], availability: '', communityCode: COMMUNITY, pledgeAgreed: false } })
    expect(bad.json().code).toBe('PLEDGE_REQUIRED')
    expect((await t.as(token, { method: 'POST', url: '/api/v1/volunteers/apply', payload: { realName: '王五', skills: [], availability: '', communityCode: city, pledgeAgreed: true } })).json().code).toBe('COMMUNITY_INVALID')
    expect(await count('SELECT count(*)::int AS n FROM volunteers v JOIN users u ON u.id = v.user_id WHERE u.phone = $1', [phone])).toBe(0)
    const res = await t.as(token, { method: 'POST', url: '/api/v1/volunteers/apply', payload: { realName: '王五', skills: ['摄影', '摄影'], availability: '工作日晚上', communityCode: COMMUNITY, pledgeAgreed: true } })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ phone, status: 'pending', skills: ['摄影'] })
    const id = res.json().userId
    expect((await t.as(token, { method: 'POST', url: '/api/v1/volunteers/apply', payload: { realName: '王五', skills: [], availability: '', communityCode: COMMUNITY, pledgeAgreed: true } })).json().code).toBe('ALREADY_APPLIED')

    const decide = (tok: string, body: Record<string, unknown>) => t.as(tok, { method: 'POST', url: `/api/v1/volunteers/applications/${id}/decision`, payload: body })
    expect((await decide(token, { decision: 'approve' })).statusCode).toBe(403)
    expect((await decide(otherWorker, { decision: 'approve' })).json().code).toBe('FORBIDDEN_REGION')
    expect((await decide(worker, { decision: 'reject' })).json().code).toBe('REASON_REQUIRED')
    expect((await t.as(otherWorker, { method: 'GET', url: '/api/v1/volunteers/applications?status=pending' })).json().items.map((v: { userId: number }) => v.userId)).not.toContain(id)
    expect((await t.as(worker, { method: 'GET', url: '/api/v1/volunteers/applications?status=pending' })).json().items.map((v: { userId: number }) => v.userId)).toContain(id)

    const ok = await decide(worker, { decision: 'approve' })
    expect(ok.statusCode).toBe(200)
    expect(ok.json().status).toBe('approved')
    expect((await decide(worker, { decision: 'approve' })).json().code).toBe('VOLUNTEER_STATE')
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'volunteer.approve' AND target = $1`, [`user:${id}`])).toBe(1)
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE user_id = $1 AND kind = 'volunteer.standing'`, [id])).toBe(1)
    expect((await t.as(token, { method: 'GET', url: '/api/v1/me' })).json().roles).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'volunteer' })]))
  })

  it('a rejection carries its reason; suspension needs a reason, is audited, and a suspended volunteer cannot sign up or reapply', async () => {
    const a = await t.login('13900000521')
    const res = await t.as(a, { method: 'POST', url: '/api/v1/volunteers/apply', payload: { realName: '赵六', skills: [], availability: '', communityCode: COMMUNITY, pledgeAgreed: true } })
    const rejected = await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/applications/${res.json().userId}/decision`, payload: { decision: 'reject', reason: '服务社区填写有误' } })
    expect(rejected.json()).toMatchObject({ status: 'rejected', decisionReason: '服务社区填写有误' })

    const v = await appliedVolunteer('13900000522')
    await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/applications/${v.id}/decision`, payload: { decision: 'approve' } })
    const act = await newActivity({ shifts: [shift(50), shift(60)] })
    expect((await signUp(v.token, act.shifts[0].id)).statusCode).toBe(201)
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/${v.id}/suspend`, payload: {} })).statusCode).toBe(400)
    expect((await t.as(otherWorker, { method: 'POST', url: `/api/v1/volunteers/${v.id}/suspend`, payload: { reason: '多次缺席' } })).json().code).toBe('FORBIDDEN_REGION')
    const s = await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/${v.id}/suspend`, payload: { reason: '多次缺席' } })
    expect(s.json().status).toBe('suspended')
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'volunteer.suspend' AND target = $1 AND detail->>'reason' = '多次缺席'`, [`user:${v.id}`])).toBe(1)
    // the place held on a shift not yet started goes back
    expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE user_id = $1 AND status = 'confirmed'`, [v.id])).toBe(0)
    expect(await count('SELECT confirmed AS n FROM volunteer_shifts WHERE id = $1', [act.shifts[0].id])).toBe(0)
    const refused = await signUp(v.token, act.shifts[1].id)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('VOLUNTEER_SUSPENDED')
    expect((await t.as(v.token, { method: 'POST', url: '/api/v1/volunteers/apply', payload: { realName: '李志愿', skills: [], availability: '', communityCode: COMMUNITY, pledgeAgreed: true } })).json().code).toBe('VOLUNTEER_SUSPENDED')
  })

  it('a volunteer can leave; their future places go to the waitlist', async () => {
    const act = await newActivity({ shifts: [shift(70, 2, 1)] })
    const [a, b] = await volunteers(2)
    expect((await signUp(a.token, act.shifts[0].id)).json().status).toBe('confirmed')
    expect((await signUp(b.token, act.shifts[0].id)).json()).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 })
    const left = await t.as(a.token, { method: 'POST', url: '/api/v1/volunteers/me/leave' })
    expect(left.json().status).toBe('left')
    const d = (await t.as(b.token, { method: 'GET', url: `/api/v1/volunteers/activities/${act.id}` })).json()
    expect(d.shifts[0]).toMatchObject({ confirmed: 1, waitlisted: 0, mine: { status: 'confirmed' } })
    expect((await signUp(a.token, act.shifts[0].id)).json().code).toBe('NOT_VOLUNTEER')
  })
})

describe('activities', () => {
  it('only workers of the region (or the office) publish; bad shifts are refused; editable until the first sign-up', async () => {
    const [resident] = await volunteers(1)
    expect((await t.as(resident.token, { method: 'POST', url: '/api/v1/volunteers/activities', payload: activityBody() })).json().code).toBe('FORBIDDEN_ROLE')
    expect((await t.as(otherWorker, { method: 'POST', url: '/api/v1/volunteers/activities', payload: activityBody() })).json().code).toBe('FORBIDDEN_REGION')
    const s = shift(48)
    for (const [bad, code] of [
      [{ ...s, endsAt: s.startsAt }, 'SHIFT_TIME_INVALID'],
      [{ ...s, startsAt: hoursFrom(-2), endsAt: hoursFrom(-1), signupDeadline: hoursFrom(-3), cancelDeadline: hoursFrom(-3) }, 'SHIFT_IN_PAST'],
      [{ ...s, signupDeadline: hoursFrom(49) }, 'SHIFT_DEADLINE_INVALID'],
    ] as const) {
      expect((await t.as(worker, { method: 'POST', url: '/api/v1/volunteers/activities', payload: activityBody({ shifts: [bad] }) })).json().code).toBe(code)
    }
    expect((await t.as(worker, { method: 'POST', url: '/api/v1/volunteers/activities', payload: activityBody({ type: 'dancing' }) })).statusCode).toBe(400)
    expect((await t.as(worker, { method: 'POST', url: '/api/v1/volunteers/activities', payload: activityBody({ shifts: [{ ...s, capacity: 0 }] }) })).statusCode).toBe(400)

    const act = await newActivity()
    expect((await t.as(office, { method: 'POST', url: '/api/v1/volunteers/activities', payload: activityBody({ regionCode: city }) })).statusCode).toBe(201)
    const edit = await t.as(worker, { method: 'PUT', url: `/api/v1/volunteers/activities/${act.id}`, payload: activityBody({ title: '改过的标题', shifts: [shift(30, 3, 5)] }) })
    expect(edit.statusCode).toBe(200)
    expect(edit.json()).toMatchObject({ title: '改过的标题', editable: true, shifts: [{ capacity: 5 }] })
    expect((await t.as(otherWorker, { method: 'PUT', url: `/api/v1/volunteers/activities/${act.id}`, payload: activityBody() })).json().code).toBe('FORBIDDEN_REGION')
    expect((await signUp(resident.token, edit.json().shifts[0].id)).statusCode).toBe(201)
    const locked = await t.as(worker, { method: 'PUT', url: `/api/v1/volunteers/activities/${act.id}`, payload: activityBody() })
    expect(locked.json().code).toBe('ACTIVITY_LOCKED')
    expect((await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/activities/${act.id}` })).json()).toMatchObject({ title: '改过的标题', editable: false })
  })

  it('cancelling an activity releases every place and tells everyone signed up or waiting', async () => {
    const act = await newActivity({ shifts: [shift(80, 2, 2)] })
    const vs = await volunteers(3)
    for (const v of vs) expect((await signUp(v.token, act.shifts[0].id)).statusCode).toBe(201)
    expect((await t.as(otherWorker, { method: 'POST', url: `/api/v1/volunteers/activities/${act.id}/cancel`, payload: { reason: '天气' } })).statusCode).toBe(403)
    // 首页 of a resident of the community lists it while it is on
    const resident = await t.login('13900000550')
    await t.as(resident, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: COMMUNITY } })
    const homeIds = async () => ((await t.as(resident, { method: 'GET', url: '/api/v1/home' })).json().sections
      .find((x: { key: string }) => x.key === 'volunteers')?.items ?? []).map((i: { id: string }) => i.id)
    expect(await homeIds()).toContain(String(act.id))
    const res = await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/activities/${act.id}/cancel`, payload: { reason: '暴雨预警' } })
    expect(res.json()).toMatchObject({ status: 'cancelled', shifts: [{ confirmed: 0, waitlisted: 0 }] })
    expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND status = 'released'`, [act.shifts[0].id])).toBe(3)
    expect(await count(`SELECT count(DISTINCT user_id)::int AS n FROM notification_outbox WHERE kind = 'volunteer.activity_cancelled' AND ref = $1`, [`volunteer_activity:${act.id}`])).toBe(3)
    expect((await signUp(vs[0].token, act.shifts[0].id)).json().code).toBe('ACTIVITY_CANCELLED')
    expect(await homeIds()).not.toContain(String(act.id))
  })
})

describe('sign-up', () => {
  it(`200 concurrent sign-ups for 20 places${process.env.DATABASE_URL ? ' over two API processes' : ''}: exactly 20 confirmed, 180 waitlisted in arrival order`, async () => {
    const act = await newActivity({ shifts: [shift(100, 2, 20)] })
    const shiftId = act.shifts[0].id
    const vs = await volunteers(200)
    const res = await Promise.all(vs.map((v, i) => signUp(v.token, shiftId, second && i % 2 ? second.app : t.app)))
    expect(res.map((r) => r.statusCode)).toEqual(vs.map(() => 201))
    const bodies = res.map((r) => r.json() as { signupId: number; status: string; waitlistPosition: number | null })
    expect(bodies.filter((b) => b.status === 'confirmed')).toHaveLength(20)
    const waiting = bodies.filter((b) => b.status === 'waitlisted')
    expect(waiting).toHaveLength(180)
    // each was told its true place: the order of arrival at the shift's lock
    const order = [...waiting].sort((x, y) => x.signupId - y.signupId)
    expect(order.map((b) => b.waitlistPosition)).toEqual(order.map((_, i) => i + 1))
    // and every confirmed one arrived before every waitlisted one
    expect(Math.max(...bodies.filter((b) => b.status === 'confirmed').map((b) => b.signupId))).toBeLessThan(order[0].signupId)
    expect(await count('SELECT confirmed AS n FROM volunteer_shifts WHERE id = $1', [shiftId])).toBe(20)
    expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND status = 'confirmed'`, [shiftId])).toBe(20)

    // concurrent cancellations of all 20 places: the first 20 waiting are promoted, each exactly once
    const confirmedIdx = bodies.map((b, i) => (b.status === 'confirmed' ? i : -1)).filter((i) => i >= 0)
    const cancels = await Promise.all(confirmedIdx.map((i) => (second && i % 2 ? second.app : t.app).inject({
      method: 'POST', url: `/api/v1/volunteers/shifts/${shiftId}/cancel`, headers: { authorization: `Bearer ${vs[i].token}` },
    })))
    expect(cancels.map((c) => c.statusCode)).toEqual(confirmedIdx.map(() => 200))
    const promoted = cancels.map((c) => c.json().promotedUserId as number)
    const firstWaiting = order.slice(0, 20).map((b) => vs[bodies.indexOf(b)].id)
    expect([...promoted].sort((a, b) => a - b)).toEqual([...firstWaiting].sort((a, b) => a - b))
    expect(await count('SELECT confirmed AS n FROM volunteer_shifts WHERE id = $1', [shiftId])).toBe(20)
    expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND status = 'confirmed' AND promoted_at IS NOT NULL`, [shiftId])).toBe(20)
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE kind = 'volunteer.promoted' AND user_id = ANY($1::bigint[])`, [firstWaiting])).toBe(20)
    // the one who was 21st is now first in line
    const next = vs[bodies.indexOf(order[20])]
    const d = (await t.as(next.token, { method: 'GET', url: `/api/v1/volunteers/activities/${act.id}` })).json()
    expect(d.shifts[0]).toMatchObject({ confirmed: 20, waitlisted: 160, mine: { status: 'waitlisted', waitlistPosition: 1 } })
  })

  it('one volunteer cannot take a place twice, even at once, nor two overlapping shifts at once', async () => {
    const act = await newActivity({ shifts: [shift(120, 2, 5), shift(121, 2, 5), shift(123, 1, 5)] })
    const [v] = await volunteers(1)
    const twice = await Promise.all([signUp(v.token, act.shifts[0].id), signUp(v.token, act.shifts[0].id)])
    expect(twice.map((r) => r.statusCode).sort()).toEqual([201, 409])
    const [w] = await volunteers(1)
    const both = await Promise.all([signUp(w.token, act.shifts[0].id), signUp(w.token, act.shifts[1].id)])
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409])
    expect(both.find((r) => r.statusCode === 409)!.json().code).toBe('SHIFT_OVERLAP')
    // a shift that begins when the other ends does not overlap
    expect((await signUp(v.token, act.shifts[2].id)).statusCode).toBe(201)
  })

  it('refuses after the deadline, outside the region, unapproved and blocked volunteers; a cancellation after its deadline', async () => {
    const act = await newActivity({ shifts: [shift(130, 2, 5)] })
    const shiftId = act.shifts[0].id
    const [far] = await volunteers(1, otherCommunity)
    expect((await signUp(far.token, shiftId)).json().code).toBe('SIGNUP_OTHER_REGION')
    const cityAct = await newActivity({ regionCode: city, shifts: [shift(140)] }, office)
    expect((await signUp(far.token, cityAct.shifts[0].id)).statusCode).toBe(201)

    const pending = await appliedVolunteer('13900000530')
    expect((await signUp(pending.token, shiftId)).json().code).toBe('VOLUNTEER_PENDING')
    const resident = await t.login('13900000531')
    expect((await signUp(resident, shiftId)).json().code).toBe('NOT_VOLUNTEER')
    expect((await signUp(resident, 99999999)).statusCode).toBe(403)

    const [v] = await volunteers(1)
    expect((await signUp(v.token, shiftId)).statusCode).toBe(201)
    await t.ctx.db.query(`UPDATE volunteer_shifts SET cancel_deadline = now() - interval '1 minute', signup_deadline = now() - interval '1 minute' WHERE id = $1`, [shiftId])
    const late = await cancel(v.token, shiftId)
    expect(late.json().code).toBe('CANCEL_CLOSED')
    const [u] = await volunteers(1)
    expect((await signUp(u.token, shiftId)).json().code).toBe('SIGNUP_CLOSED')
    expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1`, [shiftId])).toBe(1)
  })

  it('three no-shows within 90 days block sign-up for 30 days from the last', async () => {
    const act = await newActivity({ shifts: [shift(150, 1), shift(152, 1), shift(154, 1), shift(156, 1)] })
    const [v] = await volunteers(1)
    for (const s of act.shifts.slice(0, 3)) expect((await signUp(v.token, s.id)).statusCode).toBe(201)
    // the three shifts happened 40, 20 and 10 days ago; the volunteer never came
    for (const [i, days] of [[0, 40], [1, 20], [2, 10]]) {
      await t.ctx.db.query(
        `UPDATE volunteer_shifts SET starts_at = now() - make_interval(days => $2), ends_at = now() - make_interval(days => $2) + interval '1 hour',
           signup_deadline = now() - make_interval(days => $2), cancel_deadline = now() - make_interval(days => $2) WHERE id = $1`,
        [act.shifts[i].id, days],
      )
    }
    const res = await signUp(v.token, act.shifts[3].id)
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('SIGNUP_BLOCKED')
    const me = (await t.as(v.token, { method: 'GET', url: '/api/v1/volunteers/me' })).json()
    expect(new Date(me.blockedUntil).getTime()).toBeGreaterThan(Date.now() + 19 * 86400_000)
    // the worker records that one of them was in fact attended: two no-shows no longer block
    await t.ctx.db.query(`UPDATE volunteer_signups SET attendance = 'attended' WHERE shift_id = $1 AND user_id = $2`, [act.shifts[0].id, v.id])
    expect((await signUp(v.token, act.shifts[3].id)).statusCode).toBe(201)
  })
})

describe('check-in and hours', () => {
  async function onShift(minutesAgo: number, length = 60, n = 1) {
    const act = await newActivity({ shifts: [shift(200, 1, 10)] })
    const shiftId = act.shifts[0].id
    const vs = await volunteers(n)
    for (const v of vs) expect((await signUp(v.token, shiftId)).statusCode).toBe(201)
    await runNow(shiftId, minutesAgo, length)
    return { act, shiftId, vs }
  }
  const codeOf = async (shiftId: number, token = worker) => {
    const res = await t.as(token, { method: 'GET', url: `/api/v1/volunteers/shifts/${shiftId}/code` })
    return res
  }

  it('checks in with the worker\'s current token or its 6-digit code; refuses forged, old-step, other-shift tokens and people not on the shift', async () => {
    const { shiftId, vs } = await onShift(10, 60, 4)
    const other = await onShift(10, 60, 1)
    expect((await codeOf(shiftId, vs[0].token)).statusCode).toBe(403)
    expect((await codeOf(shiftId, otherWorker)).json().code).toBe('FORBIDDEN_REGION')
    const code = (await codeOf(shiftId)).json()
    expect(code.code).toMatch(/^\d{6}$/)
    expect(code.qrDataUrl).toMatch(/^data:image\/png;base64,/)
    const cfg = t.ctx.config.volunteers
    const step = stepAt(cfg, Date.now())

    const forged = `${shiftId}.${step}.${crypto.randomBytes(16).toString('base64url')}`
    expect((await attend(vs[0].token, shiftId, { action: 'in', token: forged })).json().code).toBe('CHECKIN_CODE_INVALID')
    expect((await attend(vs[0].token, shiftId, { action: 'in', token: tokenFor({ ...cfg, codeSecret: 'guessed' }, shiftId, step) })).json().code).toBe('CHECKIN_CODE_INVALID')
    expect((await attend(vs[0].token, shiftId, { action: 'in', token: tokenFor(cfg, shiftId, step - 2) })).json().code).toBe('CHECKIN_CODE_EXPIRED')
    expect((await attend(vs[0].token, shiftId, { action: 'in', code: codeFor(cfg, shiftId, step - 3) })).json().code).toBe('CHECKIN_CODE_INVALID')
    expect((await attend(vs[0].token, shiftId, { action: 'in', token: tokenFor(cfg, other.shiftId, step) })).json().code).toBe('CHECKIN_OTHER_SHIFT')
    expect((await attend(vs[0].token, shiftId, { action: 'in', code: code.code, token: code.token })).json().code).toBe('CHECKIN_PROOF_REQUIRED')
    expect((await attend(other.vs[0].token, shiftId, { action: 'in', token: code.token })).json().code).toBe('NOT_ON_SHIFT')
    expect(await count('SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND checked_in_at IS NOT NULL', [shiftId])).toBe(0)

    const a = await attend(vs[0].token, shiftId, { action: 'in', token: code.token }, second?.app)
    expect(a.statusCode).toBe(200)
    expect((await attend(vs[0].token, shiftId, { action: 'in', token: code.token })).json().code).toBe('ALREADY_CHECKED_IN')
    expect((await attend(vs[1].token, shiftId, { action: 'in', code: code.code })).statusCode).toBe(200)
    // the previous step's code still works (shown just before it changed)
    expect((await attend(vs[2].token, shiftId, { action: 'in', code: codeFor(cfg, shiftId, stepAt(cfg, Date.now()) - 1) })).statusCode).toBe(200)
  })

  it('stops taking typed codes from a volunteer after 10 wrong ones, even sent at once; the QR token still works', async () => {
    const { shiftId, vs } = await onShift(10)
    const cfg = t.ctx.config.volunteers
    const step = stepAt(cfg, Date.now())
    const right = [codeFor(cfg, shiftId, step), codeFor(cfg, shiftId, step - 1), codeFor(cfg, shiftId, step + 1)]
    const wrong = Array.from({ length: 200 }, (_, i) => String(100000 + i * 4567).slice(0, 6)).filter((x) => !right.includes(x)).slice(0, 30)
    const res = await Promise.all(wrong.map((code, i) => attend(vs[0].token, shiftId, { action: 'in', code }, second && i % 2 ? second.app : t.app)))
    expect(res.filter((r) => r.json().code === 'CHECKIN_CODE_INVALID')).toHaveLength(10)
    expect(res.filter((r) => r.json().code === 'CHECKIN_CODE_LOCKED')).toHaveLength(20)
    const typed = await attend(vs[0].token, shiftId, { action: 'in', code: codeFor(cfg, shiftId, stepAt(cfg, Date.now())) })
    expect(typed.statusCode).toBe(429)
    expect(typed.json().code).toBe('CHECKIN_CODE_LOCKED')
    expect(await count('SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND checked_in_at IS NOT NULL', [shiftId])).toBe(0)
    expect((await attend(vs[0].token, shiftId, { action: 'in', token: tokenFor(cfg, shiftId, stepAt(cfg, Date.now())) })).statusCode).toBe(200)
  })

  it('checks in by location within the radius only (distance on the server)', async () => {
    const { shiftId, vs } = await onShift(5)
    const far = await attend(vs[0].token, shiftId, { action: 'in', lng: SITE.lng + 0.004, lat: SITE.lat })
    expect(far.statusCode).toBe(400)
    expect(far.json().code).toBe('CHECKIN_TOO_FAR')
    expect((await attend(vs[0].token, shiftId, { action: 'in', lng: SITE.lng })).statusCode).toBe(400)
    expect((await attend(vs[0].token, shiftId, { action: 'in', lng: SITE.lng + 0.001, lat: SITE.lat + 0.001 })).statusCode).toBe(200)
  })

  it('credits hours at check-out only when attendance covers 60% of the shift; the worker marks by hand (audited); totals are the ledger', async () => {
    const { shiftId, vs } = await onShift(50, 60, 3)
    const [onTime, late, absent] = vs
    expect((await attend(onTime.token, shiftId, { action: 'out', lng: SITE.lng, lat: SITE.lat })).json().code).toBe('NOT_CHECKED_IN')
    for (const v of [onTime, late]) expect((await attend(v.token, shiftId, { action: 'in', lng: SITE.lng, lat: SITE.lat })).statusCode).toBe(200)
    // the punctual one came at the start
    await t.ctx.db.query(`UPDATE volunteer_signups SET checked_in_at = now() - interval '50 minutes' WHERE shift_id = $1 AND user_id = $2`, [shiftId, onTime.id])
    const out = await attend(onTime.token, shiftId, { action: 'out', lng: SITE.lng, lat: SITE.lat })
    expect(out.json().creditedMinutes).toBe(50)
    expect((await attend(onTime.token, shiftId, { action: 'out', lng: SITE.lng, lat: SITE.lat })).json().code).toBe('ALREADY_CHECKED_OUT')
    const lateOut = await attend(late.token, shiftId, { action: 'out', lng: SITE.lng, lat: SITE.lat })
    expect(lateOut.json()).toMatchObject({ creditedMinutes: null })
    expect(lateOut.json().notCreditedReason).toContain('60%')

    const mark = (tok: string, userId: number, body: Record<string, unknown>) => t.as(tok, { method: 'POST', url: `/api/v1/volunteers/shifts/${shiftId}/roster/${userId}`, payload: body })
    expect((await mark(otherWorker, absent.id, { attendance: 'attended', reason: '现场核实' })).json().code).toBe('FORBIDDEN_REGION')
    expect((await mark(onTime.token, absent.id, { attendance: 'attended', reason: '现场核实' })).json().code).toBe('FORBIDDEN_ROLE')
    expect((await mark(worker, onTime.id, { attendance: 'attended', reason: '再记一次' })).json().code).toBe('ALREADY_CREDITED')
    const marked = await mark(worker, absent.id, { attendance: 'attended', checkedInAt: new Date(Date.now() - 45 * 60_000).toISOString(), checkedOutAt: new Date().toISOString(), reason: '手机没电，现场核实到岗' })
    expect(marked.statusCode).toBe(200)
    expect(marked.json().creditedMinutes).toBeGreaterThanOrEqual(44)
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'volunteer.attendance.mark' AND detail->>'reason' = '手机没电，现场核实到岗'`)).toBe(1)

    const roster = (await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/shifts/${shiftId}/roster` })).json()
    expect(roster.items.map((r: { creditedMinutes: number | null }) => r.creditedMinutes).filter(Boolean)).toHaveLength(2)

    // corrections and honorary hours are new entries; the total is their sum
    const add = (tok: string, body: Record<string, unknown>) => t.as(tok, { method: 'POST', url: '/api/v1/volunteers/hours', payload: body })
    expect((await add(otherWorker, { userId: onTime.id, kind: 'honorary', minutes: 600, reason: '表彰' })).json().code).toBe('FORBIDDEN_REGION')
    expect((await add(worker, { userId: onTime.id, kind: 'correction', minutes: -51, reason: '多记' })).json().code).toBe('HOURS_BELOW_ZERO')
    expect((await add(worker, { userId: onTime.id, kind: 'correction', minutes: -5, reason: '签到时间核对后少记 5 分钟' })).statusCode).toBe(201)
    expect((await add(worker, { userId: onTime.id, kind: 'honorary', minutes: 100 * 60, reason: '年度优秀志愿者' })).statusCode).toBe(201)
    const ledger = (await t.as(onTime.token, { method: 'GET', url: '/api/v1/volunteers/me/hours' })).json()
    expect(ledger.entries.map((e: { kind: string }) => e.kind)).toEqual(['credited', 'correction', 'honorary'])
    expect(ledger.entries.every((e: { reason: string }) => e.reason.length > 0)).toBe(true)
    const sum = ledger.entries.reduce((s: number, e: { minutes: number }) => s + e.minutes, 0)
    expect(sum).toBe(50 - 5 + 6000)
    const me = (await t.as(onTime.token, { method: 'GET', url: '/api/v1/volunteers/me' })).json()
    expect(me).toMatchObject({ totalMinutes: sum, stars: 1, starLabel: '一星' })
    expect(me.totalMinutes).toBe(await count('SELECT sum(minutes)::int AS n FROM volunteer_hours WHERE user_id = $1', [onTime.id]))
    const mineList = (await t.as(onTime.token, { method: 'GET', url: '/api/v1/volunteers/me/signups' })).json()
    expect(mineList.upcoming.map((x: { shiftId: number }) => x.shiftId)).not.toContain(shiftId)
    expect(mineList.history[0]).toMatchObject({ shiftId, creditedMinutes: 50 })
    expect((await t.as(late.token, { method: 'GET', url: `/api/v1/volunteers/${onTime.id}/hours` })).statusCode).toBe(403)
  })
})

describe('注销', () => {
  it('erases the real name and phone, gives future places to the waitlist, keeps the hours', async () => {
    const v = await appliedVolunteer('13900000540')
    await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/applications/${v.id}/decision`, payload: { decision: 'approve' } })
    const act = await newActivity({ shifts: [shift(300, 2, 1)] })
    expect((await signUp(v.token, act.shifts[0].id)).json().status).toBe('confirmed')
    const [w] = await volunteers(1)
    expect((await signUp(w.token, act.shifts[0].id)).json().status).toBe('waitlisted')
    await t.ctx.db.query(`INSERT INTO volunteer_hours (user_id, kind, minutes, reason) VALUES ($1, 'honorary', 60, '测试')`, [v.id])
    const exp = (await t.as(v.token, { method: 'GET', url: '/api/v1/me/export' })).json()
    expect(JSON.stringify(exp)).toContain('李志愿')
    // the resend window of the sign-in code: a fresh code at once instead of waiting a minute
    await t.ctx.db.query(`UPDATE sms_codes SET created_at = created_at - interval '2 minutes' WHERE phone = $1`, ['13900000540'])
    const sent = await t.as(v.token, { method: 'POST', url: '/api/v1/me/erasure/code' })
    expect(sent.statusCode).toBe(200)
    const res = await t.as(v.token, { method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销账号', code: sent.json().demoCode } })
    expect(res.statusCode).toBeLessThan(300)
    expect(await count('SELECT count(*)::int AS n FROM volunteers WHERE user_id = $1 AND real_name IS NULL AND phone IS NULL', [v.id])).toBe(1)
    expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE user_id = $1 AND status = 'confirmed'`, [w.id])).toBe(1)
    expect(await count('SELECT sum(minutes)::int AS n FROM volunteer_hours WHERE user_id = $1', [v.id])).toBe(60)
  })
})

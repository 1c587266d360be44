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
  it('only workers of the region (or the office) publish; bad shifts are refused; shifts replaced freely until the first sign-up', async () => {
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
    // after it, a shift someone holds cannot be dropped (a body without its id drops it)
    const locked = await t.as(worker, { method: 'PUT', url: `/api/v1/volunteers/activities/${act.id}`, payload: activityBody() })
    expect(locked.json().code).toBe('SHIFT_HAS_SIGNUPS')
    expect((await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/activities/${act.id}` })).json()).toMatchObject({ title: '改过的标题', editable: true, shifts: [{ capacity: 5 }] })
    expect((await t.as(resident.token, { method: 'GET', url: `/api/v1/volunteers/activities/${act.id}` })).json().editable).toBe(false)
  })

  it('until the first sign-up an edit keeps unchanged shifts as they are (one that has started too) and checks only changed and new ones', async () => {
    // far off, so that it stays below the other tests' activities on 首页
    const act = await newActivity({ shifts: [shift(48), shift(900)] })
    const [started, later] = act.shifts.map((s) => s.id)
    await t.ctx.db.query(
      `UPDATE volunteer_shifts SET starts_at = date_trunc('second', now()) - interval '1 hour', ends_at = date_trunc('second', now()) + interval '1 hour',
              signup_deadline = date_trunc('second', now()) - interval '2 hours', cancel_deadline = date_trunc('second', now()) - interval '3 hours' WHERE id = $1`,
      [started])
    type ShiftView = { id: number; startsAt: string; endsAt: string; capacity: number; signupDeadline: string; cancelDeadline: string }
    const view = async () => (await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/activities/${act.id}` })).json() as { title: string; shifts: ShiftView[] }
    const asInput = ({ id, startsAt, endsAt, capacity, signupDeadline, cancelDeadline }: ShiftView) => ({ id, startsAt, endsAt, capacity, signupDeadline, cancelDeadline })
    const put = (body: Record<string, unknown>) => t.as(worker, { method: 'PUT', url: `/api/v1/volunteers/activities/${act.id}`, payload: activityBody(body) })
    const before = (await view()).shifts.map(asInput)
    const [s0, s1] = [before.find((s) => s.id === started)!, before.find((s) => s.id === later)!]

    // the started shift listed unchanged: fine; the other one's change is checked and saved in place
    const kept = await put({ title: '改过的标题', shifts: [s0, { ...s1, capacity: 7 }] })
    expect(kept.statusCode).toBe(200)
    expect(kept.json().shifts.map(asInput)).toEqual([s0, { ...s1, capacity: 7 }])
    // changing the started shift, or adding one in the past, is refused, and nothing is saved
    for (const shifts of [[{ ...s0, capacity: 9 }, s1], [s0, s1, shift(-2)], [{ ...s0, id: undefined }, s1]]) {
      const res = await put({ title: '不会保存', shifts })
      expect(res.json().code).toBe('SHIFT_IN_PAST')
    }
    expect(await view()).toMatchObject({ title: '改过的标题', shifts: [s0, { ...s1, capacity: 7 }] })
    // ids of other activities' shifts are not taken; a shift left out is dropped, a new one added
    const other = await newActivity({ shifts: [shift(1000)] })
    expect((await put({ shifts: [s0, { ...s1, id: other.shifts[0].id }] })).json().code).toBe('SHIFT_NOT_IN_ACTIVITY')
    const dropped = await put({ shifts: [{ ...s1, capacity: 7 }, shift(960)] })
    expect(dropped.statusCode).toBe(200)
    expect(dropped.json().shifts.map((s: ShiftView) => s.id)).toEqual([later, expect.any(Number)])
    expect(await count('SELECT count(*)::int AS n FROM volunteer_shifts WHERE id = $1', [started])).toBe(0)
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
  it(`500 concurrent sign-ups for 20 places${process.env.DATABASE_URL ? ' over two API processes' : ''}: exactly 20 confirmed, 480 waitlisted in arrival order`, async () => {
    const act = await newActivity({ shifts: [shift(100, 2, 20)] })
    const shiftId = act.shifts[0].id
    const vs = await volunteers(500)
    const res = await Promise.all(vs.map((v, i) => signUp(v.token, shiftId, second && i % 2 ? second.app : t.app)))
    expect(res.map((r) => r.statusCode)).toEqual(vs.map(() => 201))
    const bodies = res.map((r) => r.json() as { signupId: number; status: string; waitlistPosition: number | null })
    expect(bodies.filter((b) => b.status === 'confirmed')).toHaveLength(20)
    const waiting = bodies.filter((b) => b.status === 'waitlisted')
    expect(waiting).toHaveLength(480)
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
    expect(d.shifts[0]).toMatchObject({ confirmed: 20, waitlisted: 460, mine: { status: 'waitlisted', waitlistPosition: 1 } })
  })

  it(`sign-ups arriving together in crossing orders${process.env.DATABASE_URL ? ' over two API processes' : ''}: all answered, each shift within capacity, each waitlist in order`, async () => {
    // batches lock every volunteer, then the shifts in order: 40 volunteers each take 3 shifts, in shuffled orders
    const act = await newActivity({ shifts: [shift(200, 1, 15), shift(202, 1, 15), shift(204, 1, 15)] })
    const ids = act.shifts.map((s: { id: number }) => s.id)
    const vs = await volunteers(40)
    const asks = vs.flatMap((v, i) => [0, 1, 2].map((k) => ({ v, i, shiftId: ids[(k + i) % 3] })))
    asks.sort((a, b) => ((a.i * 7 + a.shiftId) % 11) - ((b.i * 7 + b.shiftId) % 11))
    const res = await Promise.all(asks.map((a, n) => signUp(a.v.token, a.shiftId, second && n % 2 ? second.app : t.app)))
    expect(res.map((r) => r.statusCode)).toEqual(asks.map(() => 201))
    for (const id of ids) {
      expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND status = 'confirmed'`, [id])).toBe(15)
      expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND status = 'waitlisted'`, [id])).toBe(25)
      expect(await count('SELECT confirmed AS n FROM volunteer_shifts WHERE id = $1', [id])).toBe(15)
      // each waiting volunteer was told its place in the order of the rows
      const waiting = res.map((r, n) => ({ b: r.json() as { signupId: number; status: string; waitlistPosition: number | null }, a: asks[n] }))
        .filter((x) => x.a.shiftId === id && x.b.status === 'waitlisted').sort((x, y) => x.b.signupId - y.b.signupId)
      expect(waiting.map((x) => x.b.waitlistPosition)).toEqual(waiting.map((_, k) => k + 1))
    }
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

  it('the sign-up statement checks the session itself: none, forged, revoked and expired are 401 and write nothing', async () => {
    const act = await newActivity({ shifts: [shift(150, 2, 5)] })
    const shiftId = act.shifts[0].id
    const noToken = await t.app.inject({ method: 'POST', url: `/api/v1/volunteers/shifts/${shiftId}/signup` })
    expect([noToken.statusCode, noToken.json().code]).toEqual([401, 'UNAUTHENTICATED'])
    const forged = await signUp(crypto.randomBytes(32).toString('base64url'), shiftId)
    expect([forged.statusCode, forged.json().code]).toEqual([401, 'INVALID_TOKEN'])
    const [revoked, expired] = await volunteers(2)
    await t.ctx.db.query('UPDATE sessions SET revoked_at = now() WHERE token_hash = $1', [hashSecret(revoked.token)])
    await t.ctx.db.query(`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, [hashSecret(expired.token)])
    expect((await signUp(revoked.token, shiftId)).json().code).toBe('INVALID_TOKEN')
    expect((await signUp(expired.token, shiftId)).json().code).toBe('SESSION_EXPIRED')
    expect(await count('SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1', [shiftId])).toBe(0)
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
    expect(ledger.entries.map((e: { kind: string }) => e.kind)).toEqual(['honorary', 'correction', 'credited'])
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
    const cert = (await t.as(v.token, { method: 'POST', url: '/api/v1/volunteers/me/certificates' })).json()
    expect(cert).toMatchObject({ realName: '李志愿', totalMinutes: 60 })
    const exp = (await t.as(v.token, { method: 'GET', url: '/api/v1/me/export' })).json()
    expect(JSON.stringify(exp)).toContain('李志愿')
    expect(JSON.stringify(exp.sections.volunteers.certificates)).toContain(cert.number)
    // the resend window of the sign-in code: a fresh code at once instead of waiting a minute
    await t.ctx.db.query(`UPDATE sms_codes SET created_at = created_at - interval '2 minutes' WHERE phone = $1`, ['13900000540'])
    const sent = await t.as(v.token, { method: 'POST', url: '/api/v1/me/erasure/code' })
    expect(sent.statusCode).toBe(200)
    const res = await t.as(v.token, { method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销账号', code: sent.json().demoCode } })
    expect(res.statusCode).toBeLessThan(300)
    expect(await count('SELECT count(*)::int AS n FROM volunteers WHERE user_id = $1 AND real_name IS NULL AND phone IS NULL', [v.id])).toBe(1)
    expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE user_id = $1 AND status = 'confirmed'`, [w.id])).toBe(1)
    expect(await count('SELECT sum(minutes)::int AS n FROM volunteer_hours WHERE user_id = $1', [v.id])).toBe(60)
    // the certificate still verifies the hours, without a name
    const check = await t.app.inject({ method: 'GET', url: `/api/v1/volunteers/certificates/${cert.number}/check`, remoteAddress: '198.51.100.40' })
    expect(check.json()).toMatchObject({ maskedName: null, totalHours: 1 })
  })
})

describe('edits after the first sign-up', () => {
  it('keeps held shifts, refuses capacity below the confirmed and moves that double-book someone; time and place changes are told', async () => {
    const act = await newActivity({ shifts: [shift(400, 2, 2), shift(410, 2, 5)] })
    const [a, b, c, d] = await volunteers(4)
    for (const v of [a, b, c]) expect((await signUp(v.token, act.shifts[0].id)).statusCode).toBe(201) // c waits
    expect((await signUp(d.token, act.shifts[1].id)).statusCode).toBe(201)
    // a also holds a shift of another activity two hours later
    const other = await newActivity({ title: '垃圾分类督导', shifts: [shift(403, 2, 5)] })
    expect((await signUp(a.token, other.shifts[0].id)).statusCode).toBe(201)
    const current = (await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/activities/${act.id}` })).json()
    const asInput = (s: Record<string, unknown>) => ({ id: s.id, startsAt: s.startsAt, endsAt: s.endsAt, capacity: s.capacity, signupDeadline: s.signupDeadline, cancelDeadline: s.cancelDeadline })
    const [s0, s1] = current.shifts.map(asInput)
    const put = (body: Record<string, unknown>, token = worker) => t.as(token, { method: 'PUT', url: `/api/v1/volunteers/activities/${act.id}`, payload: activityBody(body) })
    const outbox = (kind: string) => t.ctx.db.query<{ user_id: string; payload: { data: { phrase2: { value: string } } } }>(
      `SELECT user_id::text, payload FROM notification_outbox WHERE kind = $1 AND ref = $2 ORDER BY id`, [kind, `volunteer_activity:${act.id}`])

    expect((await put({ shifts: [s0, s1] }, otherWorker)).json().code).toBe('FORBIDDEN_REGION')
    expect((await put({ shifts: [s0, s1], regionCode: city }, office)).json().code).toBe('ACTIVITY_REGION_LOCKED')
    expect((await put({ shifts: [{ ...s0, capacity: 1 }, s1] })).json().code).toBe('CAPACITY_BELOW_CONFIRMED')
    expect((await put({ shifts: [s0, { ...s1, id: other.shifts[0].id }] })).json().code).toBe('SHIFT_NOT_IN_ACTIVITY')
    expect((await put({ shifts: [s0, s0] })).json().code).toBe('SHIFT_LISTED_TWICE')
    expect((await put({ shifts: [s0] })).json().code).toBe('SHIFT_HAS_SIGNUPS')
    // moved onto a's other shift (403–405 h): refused, nothing written
    const onto = { ...s0, startsAt: hoursFrom(402), endsAt: hoursFrom(404), signupDeadline: hoursFrom(401), cancelDeadline: hoursFrom(400) }
    expect((await put({ shifts: [onto, s1], title: '不会保存' })).json().code).toBe('SHIFT_CHANGE_OVERLAPS')
    const unchanged = (await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/activities/${act.id}` })).json()
    expect(unchanged.title).toBe(current.title)
    expect(unchanged.shifts[0].startsAt).toBe(current.shifts[0].startsAt)
    expect((await outbox('volunteer.activity_changed'))).toHaveLength(0)

    // a larger capacity gives the new place to the first waiting; a later time tells the first shift's people only
    const later = { ...s0, capacity: 3, startsAt: hoursFrom(420), endsAt: hoursFrom(422), signupDeadline: hoursFrom(419), cancelDeadline: hoursFrom(418) }
    const res = await put({ shifts: [later, s1], title: '幸福路口劝导（改期）' })
    expect(res.statusCode).toBe(200)
    expect(res.json().shifts.find((x: { id: number }) => x.id === s0.id)).toMatchObject({ capacity: 3, confirmed: 3, waitlisted: 0 })
    expect(await count(`SELECT count(*)::int AS n FROM notification_outbox WHERE kind = 'volunteer.promoted' AND user_id = $1`, [c.id])).toBe(1)
    const timeTold = await outbox('volunteer.activity_changed')
    expect(timeTold.map((r) => Number(r.user_id)).sort()).toEqual([a.id, b.id, c.id].sort())
    expect(timeTold.every((r) => r.payload.data.phrase2.value === '时间变更')).toBe(true)

    // a new place tells everyone holding or waiting for any of its shifts; a new shift may be added beside the held ones
    const moved = { ...later, id: s0.id }
    const placed = await put({ shifts: [moved, s1, shift(430, 2, 4)], title: '幸福路口劝导（改期）', address: '幸福路与和平路口东南角', lng: SITE.lng + 0.001 })
    expect(placed.statusCode).toBe(200)
    expect(placed.json().shifts).toHaveLength(3)
    const placeTold = (await outbox('volunteer.activity_changed')).slice(timeTold.length)
    expect(placeTold.map((r) => Number(r.user_id)).sort()).toEqual([a.id, b.id, c.id, d.id].sort())
    expect(placeTold.every((r) => r.payload.data.phrase2.value === '地点变更')).toBe(true)
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'volunteer.activity.edit' AND target = $1`, [`volunteer_activity:${act.id}`])).toBe(2)
  })

  it('an edit and sign-ups at once never leave more confirmed than capacity', async () => {
    const act = await newActivity({ shifts: [shift(440, 2, 3)] })
    const vs = await volunteers(12)
    const s0 = (await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/activities/${act.id}` })).json().shifts[0]
    expect((await signUp(vs[0].token, s0.id)).statusCode).toBe(201)
    const body = activityBody({ shifts: [{ id: s0.id, startsAt: s0.startsAt, endsAt: s0.endsAt, capacity: 6, signupDeadline: s0.signupDeadline, cancelDeadline: s0.cancelDeadline }] })
    const results = await Promise.all([
      ...vs.slice(1).map((v, i) => signUp(v.token, s0.id, second && i % 2 ? second.app : t.app)),
      t.as(worker, { method: 'PUT', url: `/api/v1/volunteers/activities/${act.id}`, payload: body }),
    ])
    expect(results.every((r) => r.statusCode < 300)).toBe(true)
    expect(await count('SELECT confirmed AS n FROM volunteer_shifts WHERE id = $1', [s0.id])).toBe(6)
    expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND status = 'confirmed'`, [s0.id])).toBe(6)
    expect(await count(`SELECT count(*)::int AS n FROM volunteer_signups WHERE shift_id = $1 AND status = 'waitlisted'`, [s0.id])).toBe(6)
  })
})

describe('certificates', () => {
  const CHECK = (n: string) => `/api/v1/volunteers/certificates/${n}/check`
  const check = (n: string, remoteAddress = '198.51.100.1') => t.app.inject({ method: 'GET', url: CHECK(n), remoteAddress })

  async function servedVolunteer() {
    const act = await newActivity({ title: '社区清洁日', type: 'cleaning', shifts: [shift(500, 1, 5)] })
    const [v] = await volunteers(1)
    expect((await signUp(v.token, act.shifts[0].id)).statusCode).toBe(201)
    await runNow(act.shifts[0].id, 70, 60)
    const marked = await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/shifts/${act.shifts[0].id}/roster/${v.id}`, payload: { attendance: 'attended', reason: '现场核实' } })
    expect(marked.json().creditedMinutes).toBe(60)
    return v
  }

  it('issues a numbered snapshot of the ledger: by the volunteer or their worker, the same again while the hours stand', async () => {
    const [none] = await volunteers(1)
    expect((await t.as(none.token, { method: 'POST', url: '/api/v1/volunteers/me/certificates' })).json().code).toBe('NO_HOURS')
    const resident = await t.login('13900000560')
    expect((await t.as(resident, { method: 'POST', url: '/api/v1/volunteers/me/certificates' })).json().code).toBe('NOT_VOLUNTEER')

    const v = await servedVolunteer()
    const first = await t.as(v.token, { method: 'POST', url: '/api/v1/volunteers/me/certificates' })
    expect(first.statusCode).toBe(201)
    const cert = first.json()
    expect(cert.number).toMatch(/^ZY\d{6}[0-9A-HJKMNP-TV-Z]{10}$/)
    expect(cert).toMatchObject({ userId: v.id, totalMinutes: 60, totalHours: 1, services: 1, activities: [{ title: '社区清洁日', typeLabel: '社区清洁', minutes: 60 }] })
    expect(cert.issuer).toContain('幸福里社区')
    expect(cert.verifyUrl).toContain(`verify/index?no=${cert.number}`)
    const again = await t.as(v.token, { method: 'POST', url: '/api/v1/volunteers/me/certificates' })
    expect(again.statusCode).toBe(200)
    expect(again.json().number).toBe(cert.number)
    const byWorker = await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/${v.id}/certificates` })
    expect(byWorker.json().number).toBe(cert.number)
    expect((await t.as(otherWorker, { method: 'POST', url: `/api/v1/volunteers/${v.id}/certificates` })).json().code).toBe('FORBIDDEN_REGION')
    expect((await t.as(none.token, { method: 'POST', url: `/api/v1/volunteers/${v.id}/certificates` })).json().code).toBe('FORBIDDEN_ROLE')

    // more hours: a new number with the new total; the old certificate keeps what it said
    await t.as(worker, { method: 'POST', url: '/api/v1/volunteers/hours', payload: { userId: v.id, kind: 'honorary', minutes: 90, reason: '活动组织' } })
    const second2 = await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/${v.id}/certificates` })
    expect(second2.statusCode).toBe(201)
    expect(second2.json()).toMatchObject({ totalMinutes: 150 })
    expect(second2.json().number).not.toBe(cert.number)
    expect((await check(cert.number)).json().totalHours).toBe(1)
    expect((await check(second2.json().number)).json().totalHours).toBe(2.5)
    const list = (await t.as(v.token, { method: 'GET', url: '/api/v1/volunteers/me/certificates?limit=1' })).json()
    expect(list.items.map((x: { number: string }) => x.number)).toEqual([second2.json().number])
    const page2 = (await t.as(v.token, { method: 'GET', url: `/api/v1/volunteers/me/certificates?limit=1&cursor=${list.nextCursor}` })).json()
    expect(page2).toMatchObject({ items: [{ number: cert.number }], nextCursor: null })
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'volunteer.certificate.issue' AND target = $1`, [`user:${v.id}`])).toBe(2)

    // many taps at once make one certificate
    await t.as(worker, { method: 'POST', url: '/api/v1/volunteers/hours', payload: { userId: v.id, kind: 'honorary', minutes: 30, reason: '补记' } })
    const burst = await Promise.all(Array.from({ length: 6 }, () => t.as(v.token, { method: 'POST', url: '/api/v1/volunteers/me/certificates' })))
    expect(new Set(burst.map((r) => r.json().number)).size).toBe(1)
    expect(burst.filter((r) => r.statusCode === 201)).toHaveLength(1)
  })

  it('the image is a PNG for the holder and their worker only', async () => {
    const v = await servedVolunteer()
    const cert = (await t.as(v.token, { method: 'POST', url: '/api/v1/volunteers/me/certificates' })).json()
    const img = await t.as(v.token, { method: 'GET', url: `/api/v1/volunteers/certificates/${cert.number}/image` })
    expect(img.statusCode).toBe(200)
    const { dataUrl, width, height } = img.json()
    expect(dataUrl).toMatch(/^data:image\/png;base64,/)
    const sharp = (await import('sharp')).default
    const meta = await sharp(Buffer.from(dataUrl.split(',')[1], 'base64')).metadata()
    expect(meta).toMatchObject({ format: 'png', width, height })
    expect((await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/certificates/${cert.number}/image` })).statusCode).toBe(200)
    const [stranger] = await volunteers(1)
    expect((await t.as(stranger.token, { method: 'GET', url: `/api/v1/volunteers/certificates/${cert.number}/image` })).statusCode).toBe(403)
    expect((await t.as(otherWorker, { method: 'GET', url: `/api/v1/volunteers/certificates/${cert.number}/image` })).json().code).toBe('FORBIDDEN_REGION')
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/volunteers/certificates/${cert.number}/image` })).statusCode).toBe(401)
  })

  it('verifies publicly by number — initial, hours, issuer and nothing more; forged and malformed numbers find nothing; limited per address', async () => {
    const v = await servedVolunteer()
    const cert = (await t.as(v.token, { method: 'POST', url: '/api/v1/volunteers/me/certificates' })).json()
    const res = await check(cert.number)
    expect(res.statusCode).toBe(200)
    expect(Object.keys(res.json()).sort()).toEqual(['issuedAt', 'issuer', 'maskedName', 'number', 'totalHours'])
    expect(res.json()).toMatchObject({ number: cert.number, maskedName: `${cert.realName[0]}${'*'.repeat(cert.realName.length - 1)}`, totalHours: 1, issuer: cert.issuer })
    expect(JSON.stringify(res.json())).not.toContain(cert.realName)

    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A')
    expect((await check(flip(cert.number))).json().code).toBe('CERTIFICATE_NOT_FOUND')
    expect((await check('ZY20261100000000000')).statusCode).toBe(400) // one character too many
    for (const bad of ['ZY2026110000000000I', 'zy202611abcdefghjk', "ZY202611' OR 1=1--", '1', 'ZY2026110000%00000']) {
      expect((await check(encodeURIComponent(bad))).statusCode).toBe(400)
    }
    // no number is the row id or follows another: two issued in a row share nothing past the month
    const [w] = await volunteers(1)
    await t.as(worker, { method: 'POST', url: '/api/v1/volunteers/hours', payload: { userId: w.id, kind: 'honorary', minutes: 60, reason: '测试' } })
    const next = (await t.as(w.token, { method: 'POST', url: '/api/v1/volunteers/me/certificates' })).json()
    expect(next.number.slice(8)).not.toBe(cert.number.slice(8))

    const limit = t.ctx.config.volunteers.certificateChecksPerMinute
    const burst = []
    for (let i = 0; i < limit + 3; i++) burst.push(await check(cert.number, '198.51.100.77'))
    expect(burst.filter((r) => r.statusCode === 200)).toHaveLength(limit)
    expect(burst.filter((r) => r.statusCode === 429)[0].json().code).toBe('RATE_LIMITED')
    // another address is not held back
    expect((await check(cert.number, '198.51.100.78')).statusCode).toBe(200)
  })
})

describe('day-before reminders', () => {
  it(`reach each confirmed volunteer once per shift, with the job run at once ${process.env.DATABASE_URL ? 'in two API processes' : 'twice'} and again`, async () => {
    const { shiftReminderJob } = await import('../../server/modules/volunteers/reminders')
    const soon = await newActivity({ shifts: [shift(20, 2, 2), shift(30, 2, 2)] })
    const [a, b, c, d] = await volunteers(4)
    for (const v of [a, b, c]) expect((await signUp(v.token, soon.shifts[0].id)).statusCode).toBe(201) // c waits
    expect((await signUp(d.token, soon.shifts[1].id)).statusCode).toBe(201) // 30 h away: not yet
    const gone = await newActivity({ shifts: [shift(10, 2, 2)] })
    expect((await signUp(d.token, gone.shifts[0].id)).statusCode).toBe(201)
    await t.as(worker, { method: 'POST', url: `/api/v1/volunteers/activities/${gone.id}/cancel`, payload: { reason: '取消' } })

    const ctxB = second ? second.runtime.ctx : t.ctx
    const runs = await Promise.all([shiftReminderJob(t.ctx), shiftReminderJob(ctxB), shiftReminderJob(t.ctx), shiftReminderJob(ctxB)])
    const reminded = async (shiftId: number) => (await t.ctx.db.query<{ u: number }>(
      `SELECT user_id::int AS u FROM notification_outbox WHERE kind = 'volunteer.reminder' AND ref = $1 ORDER BY user_id`, [`volunteer_shift:${shiftId}`])).map((r) => r.u)
    expect(await reminded(soon.shifts[0].id)).toEqual([a.id, b.id].sort((x, y) => x - y))
    expect(await reminded(soon.shifts[1].id)).toEqual([])
    expect(await reminded(gone.shifts[0].id)).toEqual([])
    expect(runs.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(2)
    const payload = (await t.ctx.db.one<{ p: { page: string; data: { thing1: { value: string } } } }>(
      `SELECT payload AS p FROM notification_outbox WHERE kind = 'volunteer.reminder' AND user_id = $1`, [a.id]))!.p
    expect(payload.page).toBe(`packages/volunteers/pages/activity/index?id=${soon.id}`)
    expect(payload.data.thing1.value).toBe('幸福路口文明交通劝导')

    // a cancels and signs up again, c is promoted: c gets one, a none more; a second pass sends nothing new
    expect((await cancel(a.token, soon.shifts[0].id)).json().promotedUserId).toBe(c.id)
    expect((await signUp(a.token, soon.shifts[0].id)).json().status).toBe('waitlisted')
    await Promise.all([shiftReminderJob(t.ctx), shiftReminderJob(ctxB)])
    expect(await reminded(soon.shifts[0].id)).toEqual([a.id, b.id, c.id].sort((x, y) => x - y))
    expect(await Promise.all([shiftReminderJob(t.ctx), shiftReminderJob(ctxB)])).toEqual([0, 0])
  })
})

describe('monthly hours export', () => {
  it('per community and per volunteer, for workers (their area) and the office (all); it parses back', async () => {
    const ExcelJS = (await import('exceljs')).default
    const [mine] = await volunteers(1)
    const [theirs] = await volunteers(1, otherCommunity)
    await t.as(worker, { method: 'POST', url: '/api/v1/volunteers/hours', payload: { userId: mine.id, kind: 'honorary', minutes: 150, reason: '月报测试' } })
    await t.as(office, { method: 'POST', url: '/api/v1/volunteers/hours', payload: { userId: theirs.id, kind: 'honorary', minutes: 45, reason: '月报测试' } })
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7)
    const get = (token: string, q: string) => t.as(token, { method: 'GET', url: `/api/v1/volunteers/export/hours.xlsx?${q}` })
    const parse = async (buf: Buffer) => {
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(buf as never)
      const rows = (name: string) => {
        const out: unknown[][] = []
        wb.getWorksheet(name)!.eachRow((r) => out.push((r.values as unknown[]).slice(1)))
        return out
      }
      return { communities: rows('社区汇总'), volunteers: rows('志愿者明细') }
    }
    const res = await get(worker, `month=${month}`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
    const x = await parse(res.rawPayload)
    expect(x.communities[0]).toEqual(['社区', '街道', '服务志愿者', '服务人次', '服务时长（小时）'])
    expect(x.volunteers[0]).toEqual(['志愿者编号', '姓名', '服务社区', '服务人次', '本月时长（小时）', '累计时长（小时）'])
    const row = x.volunteers.find((r) => r[0] === mine.id)!
    expect(row.slice(3, 5)).toEqual([0, 2.5])
    expect(x.volunteers.some((r) => r[0] === theirs.id)).toBe(false)
    expect(x.communities.slice(1).every((r) => r[0] === '幸福里社区')).toBe(true)
    // the community's total is the sum of its volunteers' hours
    const total = x.volunteers.slice(1).reduce((s, r) => s + (r[4] as number), 0)
    expect(x.communities[1][4]).toBeCloseTo(total, 1)

    const all = await parse((await get(office, `month=${month}`)).rawPayload)
    expect(all.volunteers.some((r) => r[0] === theirs.id)).toBe(true)
    expect(all.volunteers.some((r) => r[0] === mine.id)).toBe(true)
    const narrowed = await parse((await get(office, `month=${month}&regionCode=${otherCommunity}`)).rawPayload)
    expect(narrowed.volunteers.slice(1).map((r) => r[0])).toEqual([theirs.id])
    // another month has none of it
    const empty = await parse((await get(office, 'month=2020-01')).rawPayload)
    expect(empty.volunteers).toHaveLength(1)

    expect((await get(mine.token, `month=${month}`)).json().code).toBe('FORBIDDEN_ROLE')
    expect((await get(worker, `month=${month}&regionCode=${otherCommunity}`)).json().code).toBe('FORBIDDEN_REGION')
    expect((await get(worker, 'month=2026-13')).statusCode).toBe(400)
    expect((await get(worker, '')).statusCode).toBe(400)
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'volunteer.hours.export'`)).toBeGreaterThanOrEqual(4)
  })
})

describe('paging', () => {
  it('applications, roster and ledger come a page at a time, each row once; a forged cursor is refused', async () => {
    const vs = await volunteers(5)
    await t.ctx.db.query(`UPDATE volunteers SET status = 'pending' WHERE user_id = ANY($1::bigint[])`, [vs.map((v) => v.id)])
    const seen: number[] = []
    let cursor: string | null = ''
    let pages = 0
    while (cursor !== null && pages < 100) {
      const r: { items: Array<{ userId: number }>; nextCursor: string | null } = (await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/applications?status=pending&limit=2${cursor ? `&cursor=${cursor}` : ''}` })).json()
      seen.push(...r.items.map((i: { userId: number }) => i.userId))
      cursor = r.nextCursor
      pages++
    }
    expect(cursor).toBeNull()
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual(expect.arrayContaining(vs.map((v) => v.id)))
    expect(pages).toBeGreaterThanOrEqual(3)
    expect((await t.as(worker, { method: 'GET', url: '/api/v1/volunteers/applications?cursor=eyJpZCI6MX0' })).json().code).toBe('CURSOR_INVALID')
    await t.ctx.db.query(`UPDATE volunteers SET status = 'approved' WHERE user_id = ANY($1::bigint[])`, [vs.map((v) => v.id)])

    const act = await newActivity({ shifts: [shift(600, 2, 3)] })
    for (const v of vs) expect((await signUp(v.token, act.shifts[0].id)).statusCode).toBe(201)
    // history: the shifts served, a page at a time, in microsecond-precise times (PostgreSQL keeps them; cursors carry ms)
    const past = await newActivity({ shifts: [shift(700, 1, 5), shift(702, 1, 5), shift(704, 1, 5)] })
    for (const s of past.shifts) expect((await signUp(vs[0].token, s.id)).statusCode).toBe(201)
    await t.ctx.db.query(`UPDATE volunteer_shifts SET starts_at = now() - interval '3 days' + make_interval(secs => id * 0.000123), ends_at = now() - interval '2 days',
      signup_deadline = now() - interval '4 days', cancel_deadline = now() - interval '4 days' WHERE activity_id = $1`, [past.id])
    const h1 = (await t.as(vs[0].token, { method: 'GET', url: '/api/v1/volunteers/me/signups?limit=2' })).json()
    const h2 = (await t.as(vs[0].token, { method: 'GET', url: `/api/v1/volunteers/me/signups?limit=2&cursor=${h1.nextCursor}` })).json()
    expect([...h1.history, ...h2.history].map((x: { shiftId: number }) => x.shiftId)).toEqual(past.shifts.map((s) => s.id).reverse())
    expect(h2).toMatchObject({ upcoming: [], nextCursor: null })

    const p1 = (await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/shifts/${act.shifts[0].id}/roster?limit=4` })).json()
    const p2 = (await t.as(worker, { method: 'GET', url: `/api/v1/volunteers/shifts/${act.shifts[0].id}/roster?limit=4&cursor=${p1.nextCursor}` })).json()
    expect([...p1.items, ...p2.items].map((r: { userId: number }) => r.userId)).toEqual(vs.map((v) => v.id))
    expect([...p1.items, ...p2.items].map((r: { waitlistPosition: number | null }) => r.waitlistPosition)).toEqual([null, null, null, 1, 2])
    expect(p2.nextCursor).toBeNull()
    expect(p1).toMatchObject({ confirmed: 3, checkedIn: 0, checkedOut: 0 })

    for (let i = 1; i <= 3; i++) await t.as(worker, { method: 'POST', url: '/api/v1/volunteers/hours', payload: { userId: vs[0].id, kind: 'honorary', minutes: i, reason: `第 ${i} 条` } })
    const l1 = (await t.as(vs[0].token, { method: 'GET', url: '/api/v1/volunteers/me/hours?limit=2' })).json()
    const l2 = (await t.as(vs[0].token, { method: 'GET', url: `/api/v1/volunteers/me/hours?limit=2&cursor=${l1.nextCursor}` })).json()
    expect([...l1.entries, ...l2.entries].map((e: { minutes: number }) => e.minutes)).toEqual([3, 2, 1])
    expect(l1.totalMinutes).toBe(6)
  })
})

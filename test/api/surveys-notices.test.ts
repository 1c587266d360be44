import { buildApp } from '../../server/app'
import { createRuntime } from '../../server/bootstrap'
import { surveyOpeningJob } from '../../server/modules/surveys/service'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'

// this file decides when the opening job runs
process.env.SURVEY_OPENING_INTERVAL_MS = '0'

const HAPPY = '329901001001' // 幸福里社区, street 329901001
const PEACE = '329901001002' // 和平社区, same street
const SPRING = '329901002001' // 春晖社区, street 329901002
const STREET = '329901001'
const hour = 3600_000

let t: TestApp
let worker: string
let office: string

beforeAll(async () => {
  t = await createTestApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
}, 180_000)
afterAll(() => t.close())

const newResident = (community: string | null) => t.resident(community)

const agree = (token: string, agreed = true, channel = 'weapp') =>
  t.as(token, { method: 'PUT', url: '/api/v1/surveys/notices', payload: { agreed, channel } })

async function create(over: Record<string, unknown> = {}, token = office, publish = true): Promise<number> {
  const r = await t.as(token, {
    method: 'POST', url: '/api/v1/surveys/admin',
    payload: {
      template: 'chuangwen_standard', title: '通知测试', regionCode: STREET, audience: 'residents', anonymous: true,
      startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(), ...over,
    },
  })
  expect(r.statusCode).toBe(201)
  if (publish) expect((await t.as(token, { method: 'POST', url: `/api/v1/surveys/admin/${r.json().id}/publish` })).statusCode).toBe(200)
  return r.json().id
}

const notices = async (surveyId: number) =>
  (await t.ctx.db.query<{ userId: number; payload: { page: string; data: Record<string, { value: string }> } }>(
    `SELECT user_id::int AS "userId", payload FROM notification_outbox WHERE kind = 'survey.open' AND ref = $1 ORDER BY user_id`, [`survey:${surveyId}`]))

const standard = {
  age: { choice: 'a30_44' }, residence: { choice: 'gt3y' }, aware: { choice: 'yes' }, support: { choice: 'yes' }, overall: { value: 4 },
  areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } },
}

describe('the consent to opening notices', () => {
  it('is off until given, can be withdrawn, and refuses a malformed body or no sign-in', async () => {
    const r = await newResident(HAPPY)
    expect((await t.as(r.token, { method: 'GET', url: '/api/v1/surveys/notices' })).json()).toEqual({ agreed: false })
    expect((await agree(r.token)).json()).toEqual({ agreed: true })
    expect((await t.as(r.token, { method: 'GET', url: '/api/v1/surveys/notices' })).json()).toEqual({ agreed: true })
    expect((await agree(r.token, false)).json()).toEqual({ agreed: false })
    expect(await t.ctx.db.one('SELECT 1 FROM survey_notice_consents WHERE user_id = $1', [r.id])).toBeUndefined()
    for (const payload of [{ agreed: 'yes', channel: 'weapp' }, { agreed: true }, { agreed: true, channel: 'sms' }, { agreed: true, channel: 'h5', extra: 1 }]) {
      expect((await t.as(r.token, { method: 'PUT', url: '/api/v1/surveys/notices', payload })).statusCode).toBe(400)
    }
    expect(await t.ctx.db.one('SELECT 1 FROM survey_notice_consents WHERE user_id = $1', [r.id])).toBeUndefined()
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/surveys/notices', payload: { agreed: true, channel: 'h5' } })).statusCode).toBe(401)
  })
})

describe('opening notices', () => {
  it('at publish of an open survey: to residents of its region who agreed, once each, whatever is edited after', async () => {
    const inA = await newResident(HAPPY)
    const inB = await newResident(PEACE)
    const silent = await newResident(HAPPY)
    const elsewhere = await newResident(SPRING)
    const withdrawn = await newResident(PEACE)
    for (const r of [inA, inB, elsewhere, withdrawn]) await agree(r.token)
    await agree(withdrawn.token, false)
    const id = await create()
    const sent = await notices(id)
    expect(sent.map((n) => n.userId)).toEqual([inA.id, inB.id].sort((a, b) => a - b))
    expect(sent[0].payload.page).toBe(`packages/surveys/pages/answer/index?id=${id}`)
    expect(sent[0].payload.data.thing1.value).toBe('通知测试')
    expect(sent.map((n) => n.userId)).not.toContain(silent.id)
    // edited while open (no responses yet): widened to the city — the new residents hear of it, the first ones not again
    const view = (await t.as(office, { method: 'GET', url: `/api/v1/surveys/admin/${id}` })).json()
    const body = { title: view.title, regionCode: '3299', audience: 'residents', anonymous: true, startsAt: view.startsAt, endsAt: view.endsAt, definition: view.definition }
    expect((await t.as(office, { method: 'PUT', url: `/api/v1/surveys/admin/${id}`, payload: body })).statusCode).toBe(200)
    expect((await t.as(office, { method: 'PUT', url: `/api/v1/surveys/admin/${id}`, payload: body })).statusCode).toBe(200)
    expect((await notices(id)).map((n) => n.userId)).toEqual([inA.id, inB.id, elsewhere.id].sort((a, b) => a - b))
    // and the job finds nothing more to do for it
    await surveyOpeningJob(t.ctx)
    expect(await notices(id)).toHaveLength(3)
  })

  it('a survey that opens later is announced by the job once its window starts, not before; a draft never', async () => {
    const r = await newResident(HAPPY)
    await agree(r.token)
    const later = await create({ startsAt: new Date(Date.now() + 2 * hour).toISOString() })
    const draft = await create({ regionCode: HAPPY }, worker, false)
    expect(await notices(later)).toEqual([])
    await surveyOpeningJob(t.ctx)
    expect(await notices(later)).toEqual([])
    await t.ctx.db.query(`UPDATE surveys SET starts_at = now() - interval '1 minute' WHERE id = $1`, [later])
    const run = await surveyOpeningJob(t.ctx)
    expect(run.surveys).toBeGreaterThanOrEqual(1)
    expect((await notices(later)).map((n) => n.userId)).toContain(r.id)
    expect(await notices(draft)).toEqual([])
  })

  it('two API processes running the job at once send each notice once', async () => {
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => newResident([HAPPY, PEACE][i % 2])))
    for (const p of people) await agree(p.token)
    const ids: number[] = []
    for (let i = 0; i < 8; i++) ids.push(await create({ startsAt: new Date(Date.now() + hour).toISOString(), title: `稍后开始 ${i}` }))
    await t.ctx.db.query(`UPDATE surveys SET starts_at = now() - interval '1 minute' WHERE id = ANY($1::bigint[])`, [ids])
    const rt = await createRuntime(t.ctx.config, t.ctx.db, { sms: t.ctx.sms, wechat: t.ctx.wechat })
    const second = await buildApp(rt.ctx)
    try {
      const runs = await Promise.all([surveyOpeningJob(t.ctx), surveyOpeningJob(rt.ctx), surveyOpeningJob(t.ctx), surveyOpeningJob(rt.ctx)])
      expect(runs.reduce((n, r) => n + r.surveys, 0)).toBe(8)
    } finally {
      await second.close()
      await rt.close()
    }
    for (const id of ids) {
      const sent = (await notices(id)).map((n) => n.userId)
      expect(new Set(sent).size).toBe(sent.length)
      for (const p of people) expect(sent).toContain(p.id)
    }
  })

  it('skips a resident who answered already and one whose account was erased', async () => {
    const answered = await newResident(HAPPY)
    await agree(answered.token)
    const later = await create({ startsAt: new Date(Date.now() + hour).toISOString() })
    // the survey opens, this resident answers before the job comes round
    await t.ctx.db.query(`UPDATE surveys SET starts_at = now() - interval '1 minute' WHERE id = $1`, [later])
    expect((await t.as(answered.token, { method: 'POST', url: `/api/v1/surveys/${later}/responses`, payload: { answers: standard } })).statusCode).toBe(201)
    await t.ctx.db.query(`UPDATE users SET erased_at = now() WHERE id = $1`, [answered.id])
    await surveyOpeningJob(t.ctx)
    expect((await notices(later)).map((n) => n.userId)).not.toContain(answered.id)
  })
})

describe('results for residents', () => {
  it('only after close, only when public, only for the audience; 403/404 with a code otherwise', async () => {
    const r = await newResident(HAPPY)
    const outside = await newResident(SPRING)
    const pub = await create({ resultsPublic: true, regionCode: HAPPY })
    const kept = await create({ resultsPublic: false, regionCode: HAPPY })
    const draft = await create({ resultsPublic: true, regionCode: HAPPY }, worker, false)
    for (const id of [pub, kept]) expect((await t.as(r.token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers: standard } })).statusCode).toBe(201)
    const res = (token: string, id: number) => t.as(token, { method: 'GET', url: `/api/v1/surveys/${id}/results` })
    expect((await res(r.token, pub)).json().code).toBe('RESULTS_NOT_YET')
    expect((await res(r.token, pub)).statusCode).toBe(403)
    expect((await res(r.token, draft)).statusCode).toBe(404)
    const closedList = async () => (await t.as(r.token, { method: 'GET', url: '/api/v1/surveys/closed' })).json().items.map((s: { id: number }) => s.id)
    expect(await closedList()).not.toContain(pub)
    for (const id of [pub, kept]) expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${id}/close` })).statusCode).toBe(200)
    const after = await res(r.token, pub)
    expect(after.statusCode).toBe(200)
    expect(after.json().responses).toBe(1)
    expect(after.json().questions.find((q: { key: string }) => q.key === 'aware').options.find((o: { value: string }) => o.value === 'yes').count).toBe(1)
    expect((await res(r.token, kept)).json()).toMatchObject({ code: 'RESULTS_NOT_PUBLIC' })
    expect((await res(outside.token, pub)).json()).toMatchObject({ code: 'SURVEY_NOT_FOR_YOU' })
    expect(await closedList()).toContain(pub)
    expect(await closedList()).not.toContain(kept)
    expect((await t.as(outside.token, { method: 'GET', url: '/api/v1/surveys/closed' })).json().items.map((s: { id: number }) => s.id)).not.toContain(pub)
    // no text answers and nothing about anyone in what residents read
    expect(after.body).not.toMatch(/"(text|texts|userId|responseId)"/)
  })
})

describe('display conditions with several clauses', () => {
  const def = (showMatch?: 'any' | 'all') => ({
    sections: [{
      key: 's1', title: '一',
      questions: [
        { key: 'a', type: 'single', title: '甲', required: true, options: [{ value: 'y', label: '是' }, { value: 'n', label: '否' }] },
        { key: 'b', type: 'scale5', title: '乙', required: true },
        {
          key: 'why', type: 'short_text', title: '为什么', required: true,
          showWhen: [{ question: 'a', anyOf: ['n'] }, { question: 'b', anyOf: ['1', '2'] }], ...(showMatch ? { showMatch } : {}),
        },
      ],
    }],
  })
  const send = (token: string, id: number, answers: object) => t.as(token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers } })

  it("'any': shown when one clause holds — required then, refused when hidden", async () => {
    const id = await create({ definition: def('any'), template: undefined, regionCode: HAPPY })
    const view = (await t.as(worker, { method: 'GET', url: `/api/v1/surveys/admin/${id}` })).json()
    expect(view.definition.sections[0].questions[2].showMatch).toBe('any')
    const cases: Array<[object, number, string?]> = [
      [{ a: { choice: 'y' }, b: { value: 1 } }, 400, 'ANSWER_REQUIRED_MISSING'], // the second clause alone shows it
      [{ a: { choice: 'n' }, b: { value: 5 } }, 400, 'ANSWER_REQUIRED_MISSING'], // the first alone
      [{ a: { choice: 'y' }, b: { value: 5 }, why: { text: '不该答' } }, 400, 'ANSWER_TO_HIDDEN_QUESTION'],
      [{ a: { choice: 'y' }, b: { value: 2 }, why: { text: '不太满意' } }, 201],
    ]
    for (const [answers, status, code] of cases) {
      const r = await send((await newResident(HAPPY)).token, id, answers)
      expect([r.statusCode, r.json().code]).toEqual([status, code ?? undefined])
    }
  })

  it("'all' (the default): shown only when every clause holds", async () => {
    const id = await create({ definition: def(), template: undefined, regionCode: HAPPY })
    expect((await send((await newResident(HAPPY)).token, id, { a: { choice: 'n' }, b: { value: 5 } })).statusCode).toBe(201)
    expect((await send((await newResident(HAPPY)).token, id, { a: { choice: 'n' }, b: { value: 5 }, why: { text: 'x' } })).json().code).toBe('ANSWER_TO_HIDDEN_QUESTION')
    expect((await send((await newResident(HAPPY)).token, id, { a: { choice: 'n' }, b: { value: 1 } })).json().code).toBe('ANSWER_REQUIRED_MISSING')
  })

  it("refuses 'any' without clauses, and a change of the match once answered", async () => {
    const bad = def('any')
    delete (bad.sections[0].questions[2] as { showWhen?: unknown }).showWhen
    const r = await t.as(worker, {
      method: 'POST', url: '/api/v1/surveys/admin',
      payload: { title: 'x', regionCode: HAPPY, audience: 'residents', anonymous: true, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + hour).toISOString(), definition: bad },
    })
    expect(r.json().code).toBe('SURVEY_DEFINITION_INVALID')
    const id = await create({ definition: def('any'), template: undefined, regionCode: HAPPY })
    expect((await send((await newResident(HAPPY)).token, id, { a: { choice: 'y' }, b: { value: 5 } })).statusCode).toBe(201)
    const view = (await t.as(worker, { method: 'GET', url: `/api/v1/surveys/admin/${id}` })).json()
    const body = { title: view.title, regionCode: HAPPY, audience: 'residents', anonymous: true, startsAt: view.startsAt, endsAt: view.endsAt, definition: def('all') }
    expect((await t.as(worker, { method: 'PUT', url: `/api/v1/surveys/admin/${id}`, payload: body })).json().code).toBe('SURVEY_HAS_RESPONSES')
  })
})

describe('a submission checked against a definition that changed since', () => {
  it('is checked again against the new one (the cached questions are never trusted alone)', async () => {
    const id = await create({ definition: { sections: [{ key: 's', title: '一', questions: [{ key: 'a', type: 'single', title: '甲', required: true, options: [{ value: 'y', label: '是' }, { value: 'n', label: '否' }] }] }] }, template: undefined, regionCode: HAPPY })
    const r = await newResident(HAPPY)
    // warm the cache of this process with the first definition
    expect((await t.as(r.token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers: { a: { choice: 'x' } } } })).statusCode).toBe(400)
    // another process edits it (no bus message reaches this one): 'a' gains an option, 'b' is new and required
    await t.ctx.db.transaction(async (tx) => {
      await tx.query(`UPDATE survey_questions SET config = '{"options":[{"value":"y","label":"是"},{"value":"n","label":"否"},{"value":"m","label":"也许"}]}' WHERE survey_id = $1`, [id])
      await tx.query(`INSERT INTO survey_questions (survey_id, section_key, key, position, type, title, required) VALUES ($1, 's', 'b', 1, 'scale5', '乙', true)`, [id])
      await tx.query('UPDATE surveys SET version = version + 1 WHERE id = $1', [id])
    })
    const stale = await t.as(r.token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers: { a: { choice: 'y' } } } })
    expect(stale.json().code).toBe('ANSWER_REQUIRED_MISSING')
    expect((await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey_responses WHERE survey_id = $1', [id]))!.n).toBe(0)
    expect((await t.as(r.token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers: { a: { choice: 'm' }, b: { value: 3 } } } })).statusCode).toBe(201)
  })
})

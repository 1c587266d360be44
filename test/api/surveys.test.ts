import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'

const HAPPY = '329901001001' // 幸福里社区, street 329901001 湖滨街道 (the demo worker's community)
const PEACE = '329901001002' // 和平社区, same street
const SPRING = '329901002001' // 春晖社区, street 329901002
const CITY = '3299'

let t: TestApp
let worker: string
let office: string

beforeAll(async () => {
  t = await createTestApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
}, 180_000) // a fresh database and (here) a few dozen sign-ins on a machine shared with other suites
afterAll(() => t.close())

const newResident = (community: string | null) => t.resident(community)

const hour = 3600_000
function settings(over: Record<string, unknown> = {}) {
  return {
    title: '创文满意度调查',
    regionCode: HAPPY,
    audience: 'residents',
    anonymous: false,
    startsAt: new Date(Date.now() - hour).toISOString(),
    endsAt: new Date(Date.now() + 24 * hour).toISOString(),
    ...over,
  }
}

async function create(over: Record<string, unknown> = {}, token = worker, publish = true): Promise<number> {
  const body = { template: 'chuangwen_standard', ...settings(over) }
  if ('definition' in over) delete (body as Record<string, unknown>).template
  const r = await t.as(token, { method: 'POST', url: '/api/v1/surveys/admin', payload: body })
  expect(r.statusCode).toBe(201)
  const id = r.json().id as number
  if (publish) expect((await t.as(token, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).statusCode).toBe(200)
  return id
}

/** A complete, valid answer to the standard survey (satisfied: the dissatisfaction reasons stay hidden). */
function standardAnswers(over: Record<string, unknown> = {}) {
  return {
    age: { choice: 'a30_44' },
    residence: { choice: 'gt3y' },
    aware: { choice: 'yes' },
    support: { choice: 'yes' },
    overall: { value: 4 },
    areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } },
    ...over,
  }
}

const submit = (token: string, id: number, answers: unknown, headers: Record<string, string> = {}) =>
  t.as(token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers } as object, headers })

async function stored(id: number) {
  return (await t.ctx.db.one<{ responses: number; answers: number; participations: number }>(
    `SELECT (SELECT count(*)::int FROM survey_responses WHERE survey_id = $1) AS responses,
            (SELECT count(*)::int FROM survey_answers WHERE survey_id = $1) AS answers,
            (SELECT count(*)::int FROM survey_participations WHERE survey_id = $1) AS participations`, [id]))!
}

/** Every key anywhere in a JSON value. */
function keysOf(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, out))
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.add(k); keysOf(x, out) }
  return out
}

describe('the standard 创文 template', () => {
  it('is marked for the rates as data, and residents never see the markings', async () => {
    const id = await create()
    const marks = await t.ctx.db.query<{ key: string; figure: string; favourable: string[] }>(
      'SELECT key, figure, favourable FROM survey_questions WHERE survey_id = $1 AND figure IS NOT NULL ORDER BY position', [id])
    expect(marks).toEqual([
      { key: 'age', figure: 'eligibility', favourable: ['a18_29', 'a30_44', 'a45_59', 'a60plus'] },
      { key: 'residence', figure: 'eligibility', favourable: ['m6_3y', 'gt3y'] },
      { key: 'aware', figure: 'awareness', favourable: ['yes'] },
      { key: 'support', figure: 'support', favourable: ['yes'] },
      { key: 'overall', figure: 'satisfaction', favourable: ['5', '4'] },
      { key: 'areas', figure: 'satisfaction', favourable: ['5', '4'] },
    ])
    const resident = await newResident(HAPPY)
    const view = await t.as(resident.token, { method: 'GET', url: `/api/v1/surveys/${id}` })
    expect(view.statusCode).toBe(200)
    expect(keysOf(view.json())).not.toContain('figure')
    expect(keysOf(view.json())).not.toContain('favourable')
    const questions = view.json().definition.sections.flatMap((s: { questions: Array<{ key: string }> }) => s.questions.map((q) => q.key))
    expect(questions).toEqual(['age', 'residence', 'aware', 'support', 'overall', 'areas', 'reasons', 'suggestion'])
    const areas = view.json().definition.sections[2].questions[1]
    expect(areas.rows.map((r: { label: string }) => r.label)).toEqual(['环境卫生', '交通秩序', '公共设施', '社区服务', '窗口服务', '志愿服务'])
    const staff = (await t.as(worker, { method: 'GET', url: `/api/v1/surveys/admin/${id}` })).json()
    expect(staff.definition.sections[1].questions[0]).toMatchObject({ key: 'aware', figure: 'awareness', favourable: ['yes'] })
  })

  it('stores one row per (response, question, matrix row) with the values the rates count, and the community', async () => {
    const id = await create()
    const resident = await newResident(HAPPY)
    const r = await submit(resident.token, id, standardAnswers({
      overall: { value: 2 },
      reasons: { choices: ['other', 'sanitation'], other: '  垃圾桶太少  ' },
      suggestion: { text: '多设几个垃圾桶' },
    }))
    expect(r.statusCode).toBe(201)
    const rows = await t.ctx.db.query<{ key: string; rowKey: string; picked: string[]; num: number | null; other: string | null; text: string | null; community: string }>(
      `SELECT q.key, a.row_key AS "rowKey", a.picked, a.num, a.other_text AS other, a.text_value AS text, a.community_code AS community
         FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id WHERE a.survey_id = $1 ORDER BY q.position, a.row_key`, [id])
    expect(rows.find((x) => x.key === 'aware')).toMatchObject({ picked: ['yes'], community: HAPPY })
    expect(rows.find((x) => x.key === 'overall')).toMatchObject({ picked: ['2'], num: 2 })
    expect(rows.filter((x) => x.key === 'areas')).toHaveLength(6)
    expect(rows.find((x) => x.key === 'areas' && x.rowKey === 'windows')).toMatchObject({ picked: ['2'], num: 2 })
    expect(rows.find((x) => x.key === 'reasons')).toMatchObject({ picked: ['sanitation', 'other'], other: '垃圾桶太少' })
    expect(rows.find((x) => x.key === 'suggestion')).toMatchObject({ picked: [], text: '多设几个垃圾桶' })
    // what the rates will do: a favourable answer is picked && favourable, no text matching
    const aware = await t.ctx.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id
        WHERE a.survey_id = $1 AND q.figure = 'awareness' AND a.picked && q.favourable`, [id])
    expect(aware!.n).toBe(1)
  })
})

describe('content security of text answers', () => {
  it('keeps a text that WeChat does not pass, marked for staff; an anonymous survey sends no openid with it', async () => {
    const seen: Array<string | null | undefined> = []
    const check = t.ctx.wechat.msgSecCheck!
    t.ctx.wechat.msgSecCheck = async (content, openid) => {
      seen.push(openid)
      return check(content, openid)
    }
    try {
      for (const anonymous of [false, true]) {
        const id = await create({ anonymous })
        const a = await newResident(HAPPY)
        const b = await newResident(HAPPY)
        // a signed in through WeChat: a fresh session, so that the caller is read with the openid
        await t.ctx.db.query('UPDATE users SET openid = $2 WHERE id = $1', [a.id, `o-test-${a.id}`])
        a.token = await t.login(a.phone)
        expect((await submit(a.token, id, standardAnswers({ suggestion: { text: '这里有违禁内容' } }))).statusCode).toBe(201)
        expect((await submit(b.token, id, standardAnswers({ suggestion: { text: '多种些树' } }))).statusCode).toBe(201)
        const texts = (await t.as(worker, { method: 'GET', url: `/api/v1/surveys/admin/${id}/texts?question=suggestion` })).json()
        expect(texts.items.map((i: { text: string; held: boolean }) => [i.text, i.held]).sort()).toEqual([['多种些树', false], ['这里有违禁内容', true]])
      }
      // the named survey checks a's text with a's openid; the anonymous one with none
      expect(seen).toHaveLength(4)
      expect(seen[0]).toMatch(/^o-test-\d+$/)
      expect(seen.slice(1)).toEqual([null, null, null])
    } finally {
      t.ctx.wechat.msgSecCheck = check
    }
  })

  it('checks a response\'s texts in one call; when they do not pass together, holds only the flagged one', async () => {
    const asked: string[] = []
    const check = t.ctx.wechat.msgSecCheck!
    t.ctx.wechat.msgSecCheck = async (content, openid) => {
      asked.push(content)
      return check(content, openid)
    }
    try {
      const id = await create()
      const [a, b] = [await newResident(HAPPY), await newResident(HAPPY)]
      const dissatisfied = (suggestion: string) => standardAnswers({ overall: { value: 2 }, reasons: { choices: ['other'], other: '垃圾桶太少' }, suggestion: { text: suggestion } })
      expect((await submit(a.token, id, dissatisfied('多种些树'))).statusCode).toBe(201)
      expect(asked).toEqual(['垃圾桶太少\n多种些树'])
      expect((await submit(b.token, id, dissatisfied('这里有违禁内容'))).statusCode).toBe(201)
      expect(asked.slice(1).sort()).toEqual(['垃圾桶太少', '垃圾桶太少\n这里有违禁内容', '这里有违禁内容'].sort())
      const list = async (question: string) => (await t.as(worker, { method: 'GET', url: `/api/v1/surveys/admin/${id}/texts?question=${question}` })).json()
        .items.map((i: { text: string; held: boolean }) => [i.text, i.held]).sort()
      expect(await list('suggestion')).toEqual([['多种些树', false], ['这里有违禁内容', true]])
      expect(await list('reasons')).toEqual([['垃圾桶太少', false], ['垃圾桶太少', false]])
    } finally {
      t.ctx.wechat.msgSecCheck = check
    }
  })
})

describe('checking a response: 400 and nothing stored', () => {
  let id: number
  let resident: { token: string }
  beforeAll(async () => {
    id = await create()
    resident = await newResident(HAPPY)
  })

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['an answer to a hidden question (reasons after 满意)', standardAnswers({ reasons: { choices: ['traffic'] } }), 'ANSWER_TO_HIDDEN_QUESTION'],
    ['a missing required visible answer (reasons after 不满意)', standardAnswers({ overall: { value: 2 } }), 'ANSWER_REQUIRED_MISSING'],
    ['a missing required answer', (() => { const a: Record<string, unknown> = standardAnswers(); delete a.aware; return a })(), 'ANSWER_REQUIRED_MISSING'],
    ['a matrix with a row unanswered', standardAnswers({ areas: { rows: { sanitation: 4 } } }), 'ANSWER_REQUIRED_MISSING'],
    ['a choice not in the list', standardAnswers({ aware: { choice: 'maybe' } }), 'ANSWER_CHOICE_NOT_IN_LIST'],
    ['a scale out of range', standardAnswers({ overall: { value: 6 } }), 'ANSWER_OUT_OF_RANGE'],
    ['a scale at 0', standardAnswers({ overall: { value: 0 } }), 'ANSWER_OUT_OF_RANGE'],
    ['a matrix row out of range', standardAnswers({ areas: { rows: { sanitation: 9, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } } }), 'ANSWER_OUT_OF_RANGE'],
    ['a matrix row not in the list', standardAnswers({ areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5, parks: 3 } } }), 'ANSWER_ROW_NOT_IN_LIST'],
    ['text over its limit', standardAnswers({ suggestion: { text: '好'.repeat(501) } }), 'ANSWER_TEXT_TOO_LONG'],
    ['too many choices', standardAnswers({ overall: { value: 1 }, reasons: { choices: ['sanitation', 'traffic', 'facilities', 'services'] } }), 'ANSWER_CHOICE_COUNT'],
    ['the same choice twice', standardAnswers({ overall: { value: 1 }, reasons: { choices: ['traffic', 'traffic'] } }), 'ANSWER_CHOICE_DUPLICATE'],
    ['"other" without saying what', standardAnswers({ overall: { value: 1 }, reasons: { choices: ['other'] } }), 'ANSWER_OTHER_TEXT_MISSING'],
    ['an "other" text without choosing other', standardAnswers({ overall: { value: 1 }, reasons: { choices: ['traffic'], other: '噪音' } }), 'ANSWER_OTHER_NOT_CHOSEN'],
    ['a wrong answer shape for the type', standardAnswers({ aware: { value: 1 } }), 'ANSWER_TYPE_MISMATCH'],
    ['two shapes at once', standardAnswers({ aware: { choice: 'yes', text: 'x' } }), 'ANSWER_TYPE_MISMATCH'],
    ['a question that does not exist', standardAnswers({ favourite: { choice: 'yes' } }), 'ANSWER_UNKNOWN_QUESTION'],
  ]
  it.each(cases)('refuses %s', async (_what, answers, code) => {
    const r = await submit(resident.token, id, answers)
    expect(r.statusCode).toBe(400)
    expect(r.json().code).toBe(code)
    expect(r.json().message).toMatch(/[\u4e00-\u9fa5]/)
    expect(await stored(id)).toEqual({ responses: 0, answers: 0, participations: 0 })
  })

  it('refuses a malformed body', async () => {
    for (const payload of [{}, { answers: [] }, { answers: { aware: { choice: 3 } } }, { answers: { aware: { color: 'red' } } }]) {
      const r = await t.as(resident.token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload })
      expect(r.statusCode).toBe(400)
      expect(r.json().code).toBe('VALIDATION_FAILED')
    }
    expect(await stored(id)).toEqual({ responses: 0, answers: 0, participations: 0 })
  })

  it('accepts the same resident afterwards with a valid answer (nothing was half-stored)', async () => {
    expect((await submit(resident.token, id, standardAnswers({ overall: { value: 1 }, reasons: { choices: ['traffic'] } }))).statusCode).toBe(201)
    expect((await stored(id)).responses).toBe(1)
  })
})

describe('one response per resident', () => {
  it('50 concurrent submits without a key store exactly one; the others are told it was answered', async () => {
    const id = await create()
    const r = await newResident(HAPPY)
    const res = await Promise.all(Array.from({ length: 50 }, () => submit(r.token, id, standardAnswers())))
    expect(res.filter((x) => x.statusCode === 201)).toHaveLength(1)
    const others = res.filter((x) => x.statusCode !== 201)
    expect(others).toHaveLength(49)
    for (const o of others) expect([o.statusCode, o.json().code]).toEqual([409, 'SURVEY_ALREADY_ANSWERED'])
    expect(await stored(id)).toEqual({ responses: 1, answers: 11, participations: 1 })
  })

  it('50 concurrent submits with one Idempotency-Key store exactly one and all get the first answer', async () => {
    const id = await create({ anonymous: true })
    const r = await newResident(HAPPY)
    const headers = { 'idempotency-key': 'survey-submit-0001' }
    const res = await Promise.all(Array.from({ length: 50 }, () => submit(r.token, id, standardAnswers(), headers)))
    expect(res.map((x) => x.statusCode)).toEqual(Array(50).fill(201))
    const first = res.find((x) => x.headers['idempotency-replayed'] === undefined)!.json()
    expect(res.filter((x) => x.headers['idempotency-replayed'] === 'true')).toHaveLength(49)
    for (const x of res) expect(x.json()).toEqual(first)
    expect(await stored(id)).toEqual({ responses: 1, answers: 11, participations: 1 })
    // a different key after that is a second submit: refused
    const again = await submit(r.token, id, standardAnswers(), { 'idempotency-key': 'survey-submit-0002' })
    expect([again.statusCode, again.json().code]).toEqual([409, 'SURVEY_ALREADY_ANSWERED'])
  })

  it('marks the answered survey in the list and on the home page', async () => {
    const id = await create({ title: '家门口的问卷' })
    const r = await newResident(HAPPY)
    const home = async () => (await t.as(r.token, { method: 'GET', url: '/api/v1/home' })).json().sections.find((s: { key: string }) => s.key === 'surveys')
    expect((await home()).items.map((i: { id: string }) => i.id)).toContain(String(id))
    const before = (await t.as(r.token, { method: 'GET', url: '/api/v1/surveys' })).json().items.find((s: { id: number }) => s.id === id)
    expect(before.answered).toBe(false)
    expect((await submit(r.token, id, standardAnswers())).statusCode).toBe(201)
    const after = (await t.as(r.token, { method: 'GET', url: '/api/v1/surveys' })).json().items.find((s: { id: number }) => s.id === id)
    expect(after.answered).toBe(true)
    expect(((await home())?.items ?? []).map((i: { id: string }) => i.id)).not.toContain(String(id))
  })
})

describe('who may answer, and when', () => {
  it('refuses a resident outside the audience, and one without a community', async () => {
    const id = await create()
    const elsewhere = await newResident(SPRING)
    for (const r of [
      await t.as(elsewhere.token, { method: 'GET', url: `/api/v1/surveys/${id}` }),
      await submit(elsewhere.token, id, standardAnswers()),
    ]) expect([r.statusCode, r.json().code]).toEqual([403, 'SURVEY_NOT_FOR_YOU'])
    expect((await t.as(elsewhere.token, { method: 'GET', url: '/api/v1/surveys' })).json().items.map((s: { id: number }) => s.id)).not.toContain(id)
    const nowhere = await newResident(null)
    const r = await submit(nowhere.token, id, standardAnswers())
    expect([r.statusCode, r.json().code]).toEqual([400, 'COMMUNITY_REQUIRED'])
    expect(await stored(id)).toEqual({ responses: 0, answers: 0, participations: 0 })
  })

  it('lets anyone signed in answer a signed_in survey, counted under their community if they have one', async () => {
    const id = await create({ audience: 'signed_in' })
    const elsewhere = await newResident(SPRING)
    expect((await submit(elsewhere.token, id, standardAnswers())).statusCode).toBe(201)
    const row = await t.ctx.db.one<{ c: string }>('SELECT community_code AS c FROM survey_responses WHERE survey_id = $1', [id])
    expect(row!.c).toBe(SPRING)
  })

  it('refuses before the window, after it (closing the survey on read), and after a manual close', async () => {
    const r = await newResident(HAPPY)
    const later = await create({ startsAt: new Date(Date.now() + hour).toISOString() })
    expect((await submit(r.token, later, standardAnswers())).json().code).toBe('SURVEY_NOT_STARTED')
    const ended = await create()
    await t.ctx.db.query(`UPDATE surveys SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 minute' WHERE id = $1`, [ended])
    const late = await submit(r.token, ended, standardAnswers())
    expect([late.statusCode, late.json().code]).toEqual([409, 'SURVEY_CLOSED'])
    expect((await t.as(worker, { method: 'GET', url: `/api/v1/surveys/admin/${ended}` })).json().status).toBe('closed')
    const closed = await create()
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${closed}/close` })).json().status).toBe('closed')
    expect((await submit(r.token, closed, standardAnswers())).json().code).toBe('SURVEY_CLOSED')
    for (const id of [later, ended, closed]) expect((await stored(id)).responses).toBe(0)
  })

  it('does not show or accept answers to a draft', async () => {
    const id = await create({}, worker, false)
    const r = await newResident(HAPPY)
    expect((await t.as(r.token, { method: 'GET', url: `/api/v1/surveys/${id}` })).statusCode).toBe(404)
    expect((await submit(r.token, id, standardAnswers())).statusCode).toBe(404)
  })

  it('refuses once the community quota is full, also under concurrency, and says so in the list', async () => {
    const id = await create({ quotaPerCommunity: 3, regionCode: '329901001', title: '限额问卷' }, office)
    const happy = await Promise.all(Array.from({ length: 8 }, () => newResident(HAPPY)))
    const res = await Promise.all(happy.map((r) => submit(r.token, id, standardAnswers())))
    expect(res.filter((x) => x.statusCode === 201)).toHaveLength(3)
    for (const x of res.filter((y) => y.statusCode !== 201)) expect([x.statusCode, x.json().code]).toEqual([409, 'SURVEY_QUOTA_FULL'])
    expect(await stored(id)).toEqual({ responses: 3, answers: 33, participations: 3 })
    const refused = happy[res.findIndex((x) => x.statusCode !== 201)]
    const listed = (await t.as(refused.token, { method: 'GET', url: '/api/v1/surveys' })).json().items.find((s: { id: number }) => s.id === id)
    expect(listed).toMatchObject({ quotaFull: true, answered: false })
    // the quota is per community: a neighbour community still has its places
    const peace = await newResident(PEACE)
    expect((await submit(peace.token, id, standardAnswers())).statusCode).toBe(201)
  })
})

describe('staff', () => {
  it('refuses residents and workers outside their area; the office may target anywhere', async () => {
    const resident = await newResident(HAPPY)
    const asResident = await t.as(resident.token, { method: 'POST', url: '/api/v1/surveys/admin', payload: { template: 'chuangwen_standard', ...settings() } })
    expect([asResident.statusCode, asResident.json().code]).toEqual([403, 'FORBIDDEN_ROLE'])
    expect((await t.as(resident.token, { method: 'GET', url: '/api/v1/surveys/templates' })).statusCode).toBe(403)
    const elsewhere = await t.as(worker, { method: 'POST', url: '/api/v1/surveys/admin', payload: { template: 'chuangwen_standard', ...settings({ regionCode: SPRING }) } })
    expect([elsewhere.statusCode, elsewhere.json().code]).toEqual([403, 'REGION_NOT_COVERED'])
    const street = await t.as(worker, { method: 'POST', url: '/api/v1/surveys/admin', payload: { template: 'chuangwen_standard', ...settings({ regionCode: '329901001' }) } })
    expect([street.statusCode, street.json().code]).toEqual([403, 'REGION_NOT_COVERED'])
    const officeOwn = await create({ regionCode: SPRING }, office)
    for (const url of [`/api/v1/surveys/admin/${officeOwn}`, `/api/v1/surveys/admin/${officeOwn}/results`, `/api/v1/surveys/admin/${officeOwn}/crosstab?question=aware&by=community`]) {
      const r = await t.as(worker, { method: 'GET', url })
      expect([r.statusCode, r.json().code]).toEqual([403, 'REGION_NOT_COVERED'])
    }
    for (const url of [`/api/v1/surveys/admin/${officeOwn}/publish`, `/api/v1/surveys/admin/${officeOwn}/close`]) {
      expect((await t.as(worker, { method: 'POST', url })).statusCode).toBe(403)
    }
    expect((await t.as(resident.token, { method: 'GET', url: `/api/v1/surveys/admin/${officeOwn}/results` })).statusCode).toBe(403)
    const own = await create({}, worker, false)
    const workerList = (await t.as(worker, { method: 'GET', url: '/api/v1/surveys/admin' })).json().items.map((s: { id: number }) => s.id)
    expect(workerList).toContain(own)
    expect(workerList).not.toContain(officeOwn)
    expect((await t.as(office, { method: 'GET', url: '/api/v1/surveys/admin' })).json().items.map((s: { id: number }) => s.id)).toContain(officeOwn)
  })

  it('refuses definitions that the answering rules could not rely on', async () => {
    const def = (questions: unknown[]) => ({ sections: [{ key: 's1', title: '一', questions }] })
    const bad = [
      def([{ key: 'a', type: 'single', title: '甲', required: true, options: [{ value: 'x', label: 'X' }, { value: 'x', label: 'Y' }] }]),
      def([{ key: 'a', type: 'single', title: '甲', required: true, options: [{ value: 'x', label: 'X' }, { value: 'y', label: 'Y' }], showWhen: [{ question: 'b', anyOf: ['x'] }] },
        { key: 'b', type: 'single', title: '乙', required: true, options: [{ value: 'x', label: 'X' }, { value: 'y', label: 'Y' }] }]),
      def([{ key: 'a', type: 'scale5', title: '甲', required: true, figure: 'satisfaction', favourable: ['6'] }]),
      def([{ key: 'a', type: 'multiple', title: '甲', required: true, minChoices: 3, options: [{ value: 'x', label: 'X' }, { value: 'y', label: 'Y' }] }]),
      def([{ key: 'a', type: 'short_text', title: '甲', required: true, figure: 'support', favourable: ['x'] }]),
    ]
    for (const definition of bad) {
      const r = await t.as(worker, { method: 'POST', url: '/api/v1/surveys/admin', payload: { ...settings(), definition } })
      expect([r.statusCode, r.json().code]).toEqual([400, 'SURVEY_DEFINITION_INVALID'])
    }
  })

  it('previews a draft as a resident would see it, for its builders only', async () => {
    const id = await create({}, worker, false)
    const r = await t.as(worker, { method: 'GET', url: `/api/v1/surveys/admin/${id}/preview` })
    expect(r.statusCode).toBe(200)
    expect(r.json()).toMatchObject({ id, status: 'draft', questionCount: 8 })
    expect(keysOf(r.json())).not.toContain('figure')
    expect(keysOf(r.json())).not.toContain('favourable')
    const resident = await newResident(HAPPY)
    expect((await t.as(resident.token, { method: 'GET', url: `/api/v1/surveys/admin/${id}/preview` })).json().code).toBe('FORBIDDEN_ROLE')
  })

  it('publishes a draft once and closes a published survey once', async () => {
    const id = await create({}, worker, false)
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${id}/close` })).json().code).toBe('SURVEY_NOT_PUBLISHED')
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).json().status).toBe('published')
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).json().code).toBe('SURVEY_NOT_DRAFT')
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${id}/close` })).json().status).toBe('closed')
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${id}/close` })).statusCode).toBe(409)
  })
})

describe('editing', () => {
  it('allows anything before responses; after them only wording, which is recorded', async () => {
    const id = await create()
    const view = (await t.as(worker, { method: 'GET', url: `/api/v1/surveys/admin/${id}` })).json()
    const body = () => ({ ...settings(), title: view.title, definition: JSON.parse(JSON.stringify(view.definition)) })
    const put = (b: unknown) => t.as(worker, { method: 'PUT', url: `/api/v1/surveys/admin/${id}`, payload: b as object })

    const early = body()
    early.definition.sections[1].questions[1].options.pop() // drop 不支持 before anyone answered: allowed
    expect((await put(early)).statusCode).toBe(200)
    expect((await put(body())).statusCode).toBe(200) // and back

    const r = await newResident(HAPPY)
    expect((await submit(r.token, id, standardAnswers())).statusCode).toBe(201)

    const changes: Array<[string, (b: ReturnType<typeof body>) => void]> = [
      ['an option removed', (b) => b.definition.sections[1].questions[1].options.pop()],
      ['an option value changed', (b) => { b.definition.sections[1].questions[1].options[2].value = 'against' }],
      ['the type', (b) => { b.definition.sections[2].questions[0].type = 'rating10' }],
      ['a condition', (b) => { b.definition.sections[2].questions[2].showWhen[0].anyOf = ['3', '2', '1'] }],
      ['a marking', (b) => { b.definition.sections[1].questions[1].favourable = ['yes', 'neutral'] }],
      ['a figure', (b) => { delete b.definition.sections[1].questions[0].figure; delete b.definition.sections[1].questions[0].favourable }],
      ['required', (b) => { b.definition.sections[1].questions[0].required = false }],
      ['a question added', (b) => b.definition.sections[3].questions.push({ key: 'extra', type: 'short_text', title: '补充', required: false })],
      ['the region', (b) => { b.regionCode = CITY }],
      ['anonymity', (b) => { b.anonymous = true }],
    ]
    for (const [what, change] of changes) {
      const b = body()
      change(b)
      // the office may target the city, so a region change is refused for what it means, not for who asks
      const res = await t.as(office, { method: 'PUT', url: `/api/v1/surveys/admin/${id}`, payload: b })
      expect([what, res.statusCode, res.json().code]).toEqual([what, 409, 'SURVEY_HAS_RESPONSES'])
    }
    const typo = body()
    typo.definition.sections[1].questions[1].title = '您是否支持本市创建全国文明城市？'
    typo.definition.sections[1].questions[1].options[1].label = '说不清'
    const ok = await put(typo)
    expect(ok.statusCode).toBe(200)
    expect(ok.json().definition.sections[1].questions[1].options[1]).toEqual({ value: 'neutral', label: '说不清' })
    expect(ok.json().wordingChanges).toHaveLength(1)
    expect(ok.json().wordingChanges[0].changes).toEqual(expect.arrayContaining([
      { path: 'knowing.support.title', from: '您支持本市创建全国文明城市吗？', to: '您是否支持本市创建全国文明城市？' },
      { path: 'knowing.support.options.neutral', from: '无所谓', to: '说不清' },
    ]))
    // the stored answer still means what it meant: same question row, same values
    expect((await stored(id)).answers).toBe(11)
  })
})

describe('save and continue', () => {
  it('keeps partial answers on the server for another device, and drops them on submit', async () => {
    const id = await create()
    const r = await newResident(HAPPY)
    const partial = { age: { choice: 'a60plus' }, residence: { choice: 'gt3y' } }
    const saved = await t.as(r.token, { method: 'PUT', url: `/api/v1/surveys/${id}/draft`, payload: { answers: partial, page: 1 } })
    expect(saved.statusCode).toBe(200)
    const otherDevice = await t.login(r.phone)
    const back = await t.as(otherDevice, { method: 'GET', url: `/api/v1/surveys/${id}/draft` })
    expect(back.json()).toMatchObject({ answers: partial, page: 1 })
    expect((await t.as(otherDevice, { method: 'GET', url: `/api/v1/surveys/${id}` })).json().hasDraft).toBe(true)
    expect((await submit(otherDevice, id, standardAnswers())).statusCode).toBe(201)
    expect((await t.as(r.token, { method: 'GET', url: `/api/v1/surveys/${id}/draft` })).statusCode).toBe(404)
    const late = await t.as(r.token, { method: 'PUT', url: `/api/v1/surveys/${id}/draft`, payload: { answers: partial, page: 1 } })
    expect([late.statusCode, late.json().code]).toEqual([409, 'SURVEY_ALREADY_ANSWERED'])
  })

  it('drops unsent drafts when the survey closes, by hand or at the end of its window', async () => {
    const drafts = (id: number) => t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey_drafts WHERE survey_id = $1', [id]).then((x) => x!.n)
    const byHand = await create()
    const atEnd = await create()
    const r = await newResident(HAPPY)
    for (const id of [byHand, atEnd]) {
      expect((await t.as(r.token, { method: 'PUT', url: `/api/v1/surveys/${id}/draft`, payload: { answers: { age: { choice: 'a18_29' } }, page: 0 } })).statusCode).toBe(200)
      expect(await drafts(id)).toBe(1)
    }
    await t.as(worker, { method: 'POST', url: `/api/v1/surveys/admin/${byHand}/close` })
    expect(await drafts(byHand)).toBe(0)
    await t.ctx.db.query(`UPDATE surveys SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 minute' WHERE id = $1`, [atEnd])
    await t.as(r.token, { method: 'GET', url: '/api/v1/surveys' })
    expect(await drafts(atEnd)).toBe(0)
  })
})

describe('注销账号 and the data export', () => {
  async function erase(token: string, phone: string) {
    await t.ctx.db.query(`UPDATE sms_codes SET created_at = created_at - interval '2 minutes' WHERE phone = $1`, [phone])
    const sent = await t.as(token, { method: 'POST', url: '/api/v1/me/erasure/code' })
    expect(sent.statusCode).toBe(200)
    return t.as(token, { method: 'POST', url: '/api/v1/me/erasure', payload: { confirm: '注销账号', code: sent.json().demoCode } })
  }

  it('exports one\'s named answers and drafts; erasure drops the person\'s words and drafts, the counted choices stay', async () => {
    const named = await create()
    const later = await create()
    const r = await newResident(HAPPY)
    expect((await submit(r.token, named, standardAnswers({ suggestion: { text: '我家楼下的张三总乱停车' } }))).statusCode).toBe(201)
    expect((await t.as(r.token, { method: 'PUT', url: `/api/v1/surveys/${later}/draft`, payload: { answers: { age: { choice: 'a30_44' } }, page: 0 } })).statusCode).toBe(200)

    const x = (await t.as(r.token, { method: 'GET', url: '/api/v1/me/export' })).json()
    expect(x.sections.surveys.answered.map((s: { surveyId: number }) => s.surveyId)).toEqual([named])
    expect(x.sections.surveys.responses).toHaveLength(1)
    expect(JSON.stringify(x.sections.surveys.responses[0].answers)).toContain('张三')
    expect(x.sections.surveys.drafts.map((d: { surveyId: number }) => d.surveyId)).toEqual([later])

    const before = await stored(named)
    expect((await erase(r.token, r.phone)).statusCode).toBe(204)
    const left = await t.ctx.db.one<{ texts: number; drafts: number; choices: number }>(
      `SELECT (SELECT count(*)::int FROM survey_answers a JOIN survey_responses s ON s.id = a.response_id
                WHERE s.user_id = $1 AND (a.text_value IS NOT NULL OR a.other_text IS NOT NULL)) AS texts,
              (SELECT count(*)::int FROM survey_drafts WHERE user_id = $1) AS drafts,
              (SELECT count(*)::int FROM survey_answers a JOIN survey_responses s ON s.id = a.response_id
                WHERE s.user_id = $1 AND cardinality(a.picked) > 0) AS choices`, [r.id])
    expect(left).toEqual({ texts: 0, drafts: 0, choices: expect.any(Number) })
    expect(left!.choices).toBeGreaterThan(0)
    expect(await stored(named)).toEqual(before) // still one response, counted as before
  })
})

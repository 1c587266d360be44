import { expireOverdueAttempts } from '../../server/modules/quizzes/service'
import { loadConfig } from '../../server/config'
import ExcelJS from 'exceljs'
import { hashSecret, newToken } from '../../server/lib/tokens'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'


const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const HAPPY = '329901001001' // 幸福里社区, street 329901001 湖滨街道
const SPRING = '329901002001' // 春晖社区, street 329901002

let t: TestApp
let worker: string
let office: string
let resident: string
let residentId: number

beforeAll(async () => {
  t = await createTestApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  residentId = (await t.as(resident, { method: 'GET', url: '/api/v1/me' })).json().id
})
afterAll(() => t.close())

const newResident = async (community: string | null) => (await t.resident(community)).token

const hour = 3600_000
function campaignBody(over: Record<string, unknown> = {}) {
  return {
    title: '垃圾分类知识答题',
    regionCode: HAPPY,
    startsAt: new Date(Date.now() - hour).toISOString(),
    endsAt: new Date(Date.now() + 24 * hour).toISOString(),
    questionCount: 5,
    tagMix: [{ tag: '垃圾分类', count: 3 }],
    timeLimitSeconds: 300,
    passScore: 60,
    maxAttempts: 2,
    ...over,
  }
}

async function createCampaign(over: Record<string, unknown> = {}, token = worker) {
  const r = await t.as(token, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: campaignBody(over) })
  expect(r.statusCode).toBe(201)
  return r.json() as { id: number }
}

/** Every key anywhere in a JSON value. */
function keysOf(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, out))
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.add(k); keysOf(x, out) }
  return out
}

type Shown = { id: number; options: string[] }
/**
 * The right choice of each question as the attempt shows it: positions in the options it was given (the server
 * shuffles them per attempt), found by the options' text in the bank.
 */
async function answersOf(questions: Shown[]): Promise<Map<number, number[]>> {
  const rows = await t.ctx.db.query<{ id: number; answer: number[]; options: string[] }>(
    'SELECT id::int AS id, answer, options FROM quiz_questions WHERE id = ANY($1::bigint[])', [questions.map((q) => q.id)])
  const bank = new Map(rows.map((r) => [r.id, r]))
  return new Map(questions.map((q) => {
    const r = bank.get(q.id)!
    return [q.id, r.answer.map((i) => q.options.indexOf(r.options[i])).sort((a, b) => a - b)]
  }))
}

/** A wrong choice: an option that is not right, or — when every option is (a multiple choice) — only one of them. */
function wrongChoice(options: string[], right: number[]): number[] {
  const off = options.findIndex((_, i) => !right.includes(i))
  return off >= 0 ? [off] : right.slice(0, 1)
}

const start = (token: string, campaignId: number) => t.as(token, { method: 'POST', url: `/api/v1/quiz/campaigns/${campaignId}/attempts` })
const submit = (token: string, attemptId: number, answers: unknown, headers: Record<string, string> = {}) =>
  t.as(token, { method: 'POST', url: `/api/v1/quiz/attempts/${attemptId}/submit`, payload: { answers } as object, headers })

describe('question bank', () => {
  it('ships at least 150 questions over the topics, with answers only for staff', async () => {
    const n = await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_questions WHERE bank_key IS NOT NULL')
    expect(n!.n).toBeGreaterThanOrEqual(150)
    const tags = (await t.as(worker, { method: 'GET', url: '/api/v1/quiz/tags' })).json().items.map((x: { tag: string }) => x.tag)
    expect(tags).toEqual(expect.arrayContaining(['核心价值观', '市民文明公约', '文明交通', '垃圾分类', '文明养犬', '公共卫生', '志愿服务', '文明城市创建']))
    const list = await t.as(worker, { method: 'GET', url: '/api/v1/quiz/questions?tag=文明养犬' })
    expect(list.statusCode).toBe(200)
    expect(list.json().items[0]).toHaveProperty('answer')
    for (const url of ['/api/v1/quiz/questions', '/api/v1/quiz/tags', '/api/v1/quiz/questions/export']) {
      const r = await t.as(resident, { method: 'GET', url })
      expect(r.statusCode).toBe(403)
      expect(r.json().code).toBe('FORBIDDEN_ROLE')
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/quiz/questions' })).statusCode).toBe(401)
  })

  it('exports to Excel and imports it back; a file with bad rows imports nothing and names the rows', async () => {
    const exp = await t.as(worker, { method: 'GET', url: '/api/v1/quiz/questions/export' })
    expect(exp.statusCode).toBe(200)
    expect(exp.headers['content-type']).toContain('spreadsheetml')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(exp.rawPayload as never)
    expect(wb.worksheets[0].rowCount).toBeGreaterThan(150)
    expect(wb.worksheets[0].getRow(1).getCell(1).value).toBe('题型')

    const count = async () => (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_questions'))!.n
    const before = await count()
    const sheet = async (rows: unknown[][]) => {
      const w = new ExcelJS.Workbook()
      const s = w.addWorksheet('题库')
      s.addRow(['题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '正确答案', '解析', '标签', '难度'])
      rows.forEach((r) => s.addRow(r))
      return Buffer.from(await w.xlsx.writeBuffer())
    }
    const good = ['单选', '本社区的垃圾投放点开放时间是？', '早 7 点到 9 点', '全天', '', '', '', '', 'A', '以社区公告为准', '垃圾分类，社区', 1]
    const bad = await sheet([
      good,
      ['多选', '下列哪些属于可回收物？', '纸箱', '易拉罐', '果皮', '', '', '', '', '', '垃圾分类', 2], // row 3: no answer
      ['单选', '', 'a', 'b', '', '', '', '', 'A', '', '文明交通', 1], // row 4: no stem
      ['单选', '题目五', 'a', 'b', '', '', '', '', 'C', '', '文明交通', 1], // row 5: answer not an option
      ['判断', '判断题', '', '', '', '', '', '', '也许', '', '文明交通', 1], // row 6
      ['问答', '什么？', 'a', 'b', '', '', '', '', 'A', '', '文明交通', 1], // row 7
      ['单选', '难度不对', 'a', 'b', '', '', '', '', 'A', '', '文明交通', 5], // row 8
    ])
    const r = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/questions/import', payload: bad, headers: { 'content-type': XLSX } })
    expect(r.statusCode).toBe(400)
    expect(r.json().code).toBe('IMPORT_INVALID')
    const errors = r.json().details.errors as Array<{ row: number; message: string }>
    expect(errors.map((e) => e.row)).toEqual([3, 4, 5, 6, 7, 8])
    expect(errors[0].message).toBe('第 3 行：缺少正确答案')
    expect(errors[1].message).toBe('第 4 行：缺少题干')
    expect(await count()).toBe(before)

    const notExcel = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/questions/import', payload: Buffer.from('hello'), headers: { 'content-type': XLSX } })
    expect(notExcel.json().code).toBe('IMPORT_FILE_INVALID')
    const asResident = await t.as(resident, { method: 'POST', url: '/api/v1/quiz/questions/import', payload: await sheet([good]), headers: { 'content-type': XLSX } })
    expect(asResident.statusCode).toBe(403)

    const ok = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/questions/import', payload: await sheet([good, ['判断', '垃圾要分类投放。', '', '', '', '', '', '', '正确', '', '垃圾分类', 1]]), headers: { 'content-type': XLSX } })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({ imported: 2, regionCode: HAPPY, skipped: [] })
    expect(await count()).toBe(before + 2)
    const row = await t.ctx.db.one<{ answer: number[]; tags: string[]; options: string[] }>(`SELECT answer, tags, options FROM quiz_questions WHERE stem = '垃圾要分类投放。'`)
    expect(row).toEqual({ answer: [0], tags: ['垃圾分类'], options: ['正确', '错误'] })
  })
})

describe('importing a sheet again', () => {
  const sheet = async (rows: unknown[][]) => {
    const w = new ExcelJS.Workbook()
    const s = w.addWorksheet('题库')
    s.addRow(['题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '正确答案', '解析', '标签', '难度'])
    rows.forEach((r) => s.addRow(r))
    return Buffer.from(await w.xlsx.writeBuffer())
  }
  const upload = (token: string, file: Buffer) => t.as(token, { method: 'POST', url: '/api/v1/quiz/questions/import', payload: file, headers: { 'content-type': XLSX } })
  const count = async () => (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_questions'))!.n
  const rows = (tag: string) => [
    ['单选', `${tag}：下列说法正确的是？`, '垃圾应分类投放', '垃圾可随手丢', '', '', '', '', 'A', '', '垃圾分类', 1], // row 2
    ['多选', `${tag}：文明养犬应当做到哪些？`, '束犬链', '及时清理犬粪', '避开人群', '', '', '', 'ABC', '', '文明养犬', 2], // row 3
    // row 4: row 3 again, with other spaces (a full-width one too) and its options in another order
    ['多选', ` ${tag}：文明养犬  应当做到哪些？　`, '避开 人群', '束犬链', '及时清理犬粪', '', '', '', 'BC', '', '文明养犬', 2],
    // row 5: the stem of row 2 with other options: another question
    ['单选', `${tag}：下列说法正确的是？`, '红灯停绿灯行', '红灯可以抢行', '', '', '', '', 'A', '', '文明交通', 1],
  ]

  it('skips what the bank already holds and repeats within the file, and says which rows', async () => {
    const before = await count()
    const first = await upload(worker, await sheet(rows('查重甲')))
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({ imported: 3, skipped: [{ row: 4, sameAsRow: 3, questionId: null, message: '第 4 行：与第 3 行是同一道题，未重复导入' }] })
    expect(await count()).toBe(before + 3)
    const ids = await t.ctx.db.query<{ id: number; stem: string }>(`SELECT id::int AS id, stem FROM quiz_questions WHERE stem LIKE '查重甲：%' ORDER BY id`)

    const again = (await upload(worker, await sheet(rows('查重甲')))).json()
    expect(again.imported).toBe(0)
    expect(again.skipped.map((x: { row: number; questionId: number | null }) => [x.row, x.questionId])).toEqual([[2, ids[0].id], [3, ids[1].id], [4, ids[1].id], [5, ids[2].id]])
    expect(again.skipped[0].message).toBe(`第 2 行：题库中已有这道题（编号 ${ids[0].id}），未重复导入`)
    expect(await count()).toBe(before + 3)

    // a retired one is not brought in again behind the worker's back
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/quiz/questions/${ids[2].id}/retire` })).statusCode).toBe(200)
    const retired = (await upload(worker, await sheet([rows('查重甲')[3]]))).json()
    expect(retired).toMatchObject({ imported: 0, skipped: [{ row: 2, questionId: ids[2].id }] })
    expect(retired.skipped[0].message).toContain('已停用')

    // the whole bank exported and imported back adds nothing
    const exported = await t.as(worker, { method: 'GET', url: '/api/v1/quiz/questions/export' })
    const back = (await upload(worker, exported.rawPayload)).json()
    expect(back.imported).toBe(0)
    expect(back.skipped.length).toBeGreaterThan(150)
    expect(await count()).toBe(before + 3)
  })

  it('two uploads of one file at the same moment import it once', async () => {
    const before = await count()
    const file = await sheet(rows('查重乙'))
    const [a, b] = await Promise.all([upload(worker, file), upload(worker, file)])
    expect([a.statusCode, b.statusCode]).toEqual([200, 200])
    expect([a.json().imported, b.json().imported].sort()).toEqual([0, 3])
    expect(await count()).toBe(before + 3)
  })
})

describe('campaigns', () => {
  it('only staff of the region create campaigns; bad bodies are refused', async () => {
    const asResident = await t.as(resident, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: campaignBody() })
    expect(asResident.statusCode).toBe(403)
    expect(asResident.json().code).toBe('FORBIDDEN_ROLE')
    const otherCommunity = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: campaignBody({ regionCode: SPRING }) })
    expect(otherCommunity.statusCode).toBe(403)
    expect(otherCommunity.json().code).toBe('REGION_NOT_COVERED')
    const street = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: campaignBody({ regionCode: '329901001' }) })
    expect(street.json().code).toBe('REGION_NOT_COVERED') // a community worker does not cover the street above
    for (const payload of [
      { ...campaignBody(), extra: 1 },
      { ...campaignBody(), questionCount: '5' },
      { ...campaignBody(), passScore: 101 },
      { title: 'x' },
    ]) {
      const r = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload })
      expect(r.statusCode).toBe(400)
      expect(r.json().code).toBe('VALIDATION_FAILED')
    }
    const window = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: campaignBody({ endsAt: new Date(Date.now() - 2 * hour).toISOString() }) })
    expect(window.json().code).toBe('INVALID_WINDOW')
    const mix = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: campaignBody({ tagMix: [{ tag: '垃圾分类', count: 6 }] }) })
    expect(mix.json().code).toBe('TAG_MIX_TOO_LARGE')
    const supply = await t.as(worker, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: campaignBody({ questionCount: 50, tagMix: [{ tag: '不存在的标签', count: 1 }] }) })
    expect(supply.json().code).toBe('NOT_ENOUGH_QUESTIONS')
    const ok = await t.as(office, { method: 'POST', url: '/api/v1/quiz/admin/campaigns', payload: campaignBody({ regionCode: SPRING }) })
    expect(ok.statusCode).toBe(201)
    const managed = (await t.as(worker, { method: 'GET', url: '/api/v1/quiz/admin/campaigns' })).json().items
    expect(managed.some((c: { regionCode: string }) => c.regionCode === SPRING)).toBe(false)
  })

  it('a resident of the region starts an attempt and gets no answers before submitting', async () => {
    const c = await createCampaign()
    const noCommunity = await newResident(null)
    expect((await start(noCommunity, c.id)).json().code).toBe('COMMUNITY_REQUIRED')
    const elsewhere = await newResident(SPRING)
    const refused = await start(elsewhere, c.id)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('CAMPAIGN_NOT_FOR_YOUR_REGION')
    expect((await t.as(elsewhere, { method: 'GET', url: `/api/v1/quiz/campaigns/${c.id}` })).statusCode).toBe(403)
    expect((await t.as(elsewhere, { method: 'GET', url: '/api/v1/quiz/campaigns' })).json().items.some((x: { id: number }) => x.id === c.id)).toBe(false)

    const me = await newResident(HAPPY)
    const listed = (await t.as(me, { method: 'GET', url: '/api/v1/quiz/campaigns' })).json().items
    expect(listed.find((x: { id: number }) => x.id === c.id)).toMatchObject({ status: 'open', mine: { attemptsUsed: 0, attemptsLeft: 2 } })
    const r = await start(me, c.id)
    expect(r.statusCode).toBe(201)
    const attempt = r.json()
    expect(attempt.questions).toHaveLength(5)
    expect(attempt.questions.filter((x: { tags: string[] }) => x.tags.includes('垃圾分类')).length).toBeGreaterThanOrEqual(3)
    const forbidden = ['answer', 'explanation', 'correct', 'given']
    const payloads = [
      r.body,
      (await t.as(me, { method: 'GET', url: `/api/v1/quiz/attempts/${attempt.id}` })).body,
      (await start(me, c.id)).body, // resumes
      (await t.as(me, { method: 'GET', url: '/api/v1/quiz/campaigns' })).body,
      (await t.as(me, { method: 'GET', url: `/api/v1/quiz/campaigns/${c.id}` })).body,
      (await t.as(me, { method: 'GET', url: '/api/v1/quiz/attempts' })).body,
      (await t.as(me, { method: 'GET', url: '/api/v1/quiz/wrong-answers' })).body,
      (await t.as(me, { method: 'GET', url: '/api/v1/home' })).body,
    ]
    for (const body of payloads) {
      const keys = keysOf(JSON.parse(body))
      for (const k of forbidden) expect(keys.has(k)).toBe(false)
    }
    // nor do the explanation texts appear anywhere
    const expl = await t.ctx.db.query<{ explanation: string }>('SELECT explanation FROM quiz_questions WHERE id = ANY($1::bigint[])', [attempt.questions.map((x: { id: number }) => x.id)])
    for (const body of payloads) for (const e of expl) if (e.explanation) expect(body.includes(e.explanation)).toBe(false)
    const resumed = await start(me, c.id)
    expect(resumed.statusCode).toBe(200)
    expect(resumed.json().id).toBe(attempt.id)
    expect((await t.as(me, { method: 'GET', url: '/api/v1/home' })).json().sections.some((s: { key: string }) => s.key === 'quizzes')).toBe(true)
    // nobody else reads it
    expect((await t.as(elsewhere, { method: 'GET', url: `/api/v1/quiz/attempts/${attempt.id}` })).json().code).toBe('ATTEMPT_NOT_FOUND')
    expect((await submit(elsewhere, attempt.id, [])).json().code).toBe('ATTEMPT_NOT_FOUND')
  })

  it('grades on the server, refuses undrawn questions, and takes exactly one of two concurrent submissions', async () => {
    const c = await createCampaign()
    const me = await newResident(HAPPY)
    const attempt = (await start(me, c.id)).json()
    const ids: number[] = attempt.questions.map((x: { id: number }) => x.id)
    const key = await answersOf(attempt.questions)
    const other = await t.ctx.db.one<{ id: number }>('SELECT id::int AS id FROM quiz_questions WHERE NOT (id = ANY($1::bigint[])) LIMIT 1', [ids])
    const undrawn = await submit(me, attempt.id, [{ questionId: other!.id, choice: [0] }])
    expect(undrawn.statusCode).toBe(400)
    expect(undrawn.json().code).toBe('QUESTION_NOT_IN_ATTEMPT')
    expect((await submit(me, attempt.id, [{ questionId: ids[0], choice: [0] }, { questionId: ids[0], choice: [1] }])).json().code).toBe('DUPLICATE_ANSWER')
    expect((await submit(me, attempt.id, [{ questionId: ids[0], choice: [5] }])).json().code).toBe('INVALID_CHOICE')
    expect((await submit(me, attempt.id, 'all')).json().code).toBe('VALIDATION_FAILED')
    // four right, one wrong
    const answers = ids.map((id, i) => {
      const right = key.get(id)!
      const q = attempt.questions[i]
      return { questionId: id, choice: i === 0 ? wrongChoice(q.options, right) : right }
    })
    const [a, b] = await Promise.all([submit(me, attempt.id, answers), submit(me, attempt.id, answers)])
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409])
    const loser = a.statusCode === 409 ? a : b
    expect(loser.json().code).toBe('ATTEMPT_ALREADY_SUBMITTED')
    const result = (a.statusCode === 200 ? a : b).json()
    expect(result).toMatchObject({ status: 'submitted', correctCount: 4, total: 5, score: 80, passed: true, passScore: 60 })
    expect(result.questions[0]).toMatchObject({ correct: false })
    // answered (wrong): its answer and explanation are shown
    const explained = await t.ctx.db.one<{ explanation: string }>('SELECT explanation FROM quiz_questions WHERE id = $1', [ids[0]])
    expect(result.questions[0]).toMatchObject({ revealed: true, answer: key.get(ids[0]), explanation: explained!.explanation })
    expect(result.questions[1].answer).toEqual(key.get(ids[1]))
    const graded = await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_attempt_answers WHERE attempt_id = $1', [attempt.id])
    expect(graded!.n).toBe(5)
    // after submission the result (with answers) is readable; a new attempt draws anew
    expect((await t.as(me, { method: 'GET', url: `/api/v1/quiz/attempts/${attempt.id}` })).json().score).toBe(80)
    // 错题本
    const wrong = (await t.as(me, { method: 'GET', url: '/api/v1/quiz/wrong-answers' })).json().items
    expect(wrong).toHaveLength(1)
    expect(wrong[0]).toMatchObject({ question: { id: ids[0], explanation: explained!.explanation }, revealed: true, wrongTimes: 1, correctedSince: false })
    // points: 4 × 2 + 10 for passing
    expect((await t.as(me, { method: 'GET', url: '/api/v1/quiz/points' })).json()).toMatchObject({ total: 18, today: 18, dailyCap: 50 })
  })

  it('replays a retried submission with the same Idempotency-Key', async () => {
    const c = await createCampaign()
    const me = await newResident(HAPPY)
    const attempt = (await start(me, c.id)).json()
    const first = await submit(me, attempt.id, [], { 'idempotency-key': 'submit-retry-0001' })
    expect(first.statusCode).toBe(200)
    const again = await submit(me, attempt.id, [], { 'idempotency-key': 'submit-retry-0001' })
    expect(again.statusCode).toBe(200)
    expect(again.headers['idempotency-replayed']).toBe('true')
    expect(again.json().id).toBe(attempt.id)
    expect((await submit(me, attempt.id, [])).json().code).toBe('ATTEMPT_ALREADY_SUBMITTED')
  })

  it('refuses a late submission on the server clock, with a few seconds of grace', async () => {
    const c = await createCampaign({ maxAttempts: 3 })
    const me = await newResident(HAPPY)
    const late = (await start(me, c.id)).json()
    await t.ctx.db.query(`UPDATE quiz_attempts SET expires_at = now() - interval '30 seconds' WHERE id = $1`, [late.id])
    const r = await submit(me, late.id, [])
    expect(r.statusCode).toBe(409)
    expect(r.json().code).toBe('ATTEMPT_EXPIRED')
    expect((await submit(me, late.id, [])).json().code).toBe('ATTEMPT_EXPIRED')
    const row = await t.ctx.db.one<{ score: number; passed: boolean; submitted: boolean }>('SELECT score, passed, submitted_at IS NOT NULL AS submitted FROM quiz_attempts WHERE id = $1', [late.id])
    expect(row).toEqual({ score: 0, passed: false, submitted: false })
    const shown = (await t.as(me, { method: 'GET', url: `/api/v1/quiz/attempts/${late.id}` })).json()
    expect(shown.status).toBe('expired')

    const inGrace = (await start(me, c.id)).json()
    expect(inGrace.id).not.toBe(late.id)
    await t.ctx.db.query(`UPDATE quiz_attempts SET expires_at = now() - interval '2 seconds' WHERE id = $1`, [inGrace.id])
    expect((await submit(me, inGrace.id, [])).statusCode).toBe(200)
  })

  it('closes an abandoned attempt nobody opens again, as taken and not passed', async () => {
    const c = await createCampaign({ maxAttempts: 3 })
    const me = await newResident(HAPPY)
    const left = (await start(me, c.id)).json()
    const fresh = (await start(me, c.id)).json()
    expect(fresh.id).toBe(left.id) // an open attempt is resumed, not doubled
    await t.ctx.db.query(`UPDATE quiz_attempts SET expires_at = now() - interval '1 minute' WHERE id = $1`, [left.id])
    expect(await expireOverdueAttempts(t.ctx)).toBeGreaterThanOrEqual(1)
    const row = await t.ctx.db.one<{ expired: boolean; passed: boolean | null }>('SELECT expired_at IS NOT NULL AS expired, passed FROM quiz_attempts WHERE id = $1', [left.id])
    expect(row).toEqual({ expired: true, passed: false })
    expect(await expireOverdueAttempts(t.ctx)).toBe(0)
  })

  // a second connection is needed to hold the row while the sweep runs: PostgreSQL only
  ;(process.env.DATABASE_URL ? it : it.skip)('the sweep skips an attempt a submission holds instead of waiting for it (no deadlock with a batch)', async () => {
    const c = await createCampaign({ maxAttempts: 3 })
    const me = await newResident(HAPPY)
    const held = (await start(me, c.id)).json()
    await t.ctx.db.query(`UPDATE quiz_attempts SET expires_at = now() - interval '1 minute' WHERE id = $1`, [held.id])
    let release!: () => void
    let locked!: () => void
    const isLocked = new Promise<void>((r) => (locked = r))
    const holder = t.ctx.db.transaction(async (tx) => {
      await tx.query('SELECT id FROM quiz_attempts WHERE id = $1 FOR UPDATE', [held.id])
      locked()
      await new Promise<void>((r) => (release = r))
    })
    await isLocked
    await expireOverdueAttempts(t.ctx) // before: waited here for the holder, which never ends until released
    const during = await t.ctx.db.one<{ expired: boolean }>('SELECT expired_at IS NOT NULL AS expired FROM quiz_attempts WHERE id = $1', [held.id])
    expect(during!.expired).toBe(false)
    release()
    await holder
    expect(await expireOverdueAttempts(t.ctx)).toBeGreaterThanOrEqual(1)
    const after = await t.ctx.db.one<{ expired: boolean }>('SELECT expired_at IS NOT NULL AS expired FROM quiz_attempts WHERE id = $1', [held.id])
    expect(after!.expired).toBe(true)
  })

  it('refuses attempts beyond the limit, also when started concurrently', async () => {
    const c = await createCampaign({ maxAttempts: 2 })
    const me = await newResident(HAPPY)
    for (let i = 0; i < 2; i++) {
      const a = (await start(me, c.id)).json()
      expect(a.attemptNo).toBe(i + 1)
      expect((await submit(me, a.id, [])).statusCode).toBe(200)
    }
    const third = await start(me, c.id)
    expect(third.statusCode).toBe(409)
    expect(third.json().code).toBe('ATTEMPTS_EXHAUSTED')

    const c1 = await createCampaign({ maxAttempts: 1 })
    const racer = await newResident(HAPPY)
    const starts = await Promise.all([0, 1, 2, 3].map(() => start(racer, c1.id)))
    const ids = new Set(starts.filter((s) => s.statusCode < 300).map((s) => s.json().id))
    expect(ids.size).toBe(1) // everyone got the same (resumed) attempt
    const n = await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_attempts WHERE campaign_id = $1', [c1.id])
    expect(n!.n).toBe(1)
  })

  it('a burst of starts that reach the database together: each gets its own answer, nobody gets more than the limit', async () => {
    const c = await createCampaign({ maxAttempts: 1 })
    const cancelled = await createCampaign()
    await t.as(worker, { method: 'POST', url: `/api/v1/quiz/admin/campaigns/${cancelled.id}/cancel` })
    const people = await Promise.all(Array.from({ length: 12 }, () => newResident(HAPPY)))
    const ids = await Promise.all(people.map(async (p) => (await t.as(p, { method: 'GET', url: '/api/v1/me' })).json().id as number))
    const elsewhere = await newResident(SPRING)
    // a third of them already used their one attempt
    for (const p of people.slice(0, 4)) expect((await submit(p, (await start(p, c.id)).json().id, [])).statusCode).toBe(200)
    const shots = people.flatMap((p, who) => [
      { who, kind: 'start', send: () => start(p, c.id) },
      { who, kind: 'again', send: () => start(p, c.id) },
      ...(who % 3 === 0 ? [{ who, kind: 'cancelled', send: () => start(p, cancelled.id) }] : []),
      ...(who % 4 === 0 ? [{ who: -1, kind: 'elsewhere', send: () => start(elsewhere, c.id) }] : []),
    ])
    const replies = await Promise.all(shots.map((s) => s.send()))
    shots.forEach((s, k) => {
      const r = replies[k]
      if (s.kind === 'cancelled') expect(r.json().code).toBe('CAMPAIGN_CANCELLED')
      else if (s.kind === 'elsewhere') expect(r.json().code).toBe('CAMPAIGN_NOT_FOR_YOUR_REGION')
      else if (s.who < 4) expect(r.json().code).toBe('ATTEMPTS_EXHAUSTED')
      else {
        expect([200, 201]).toContain(r.statusCode)
        expect(r.json().questions).toHaveLength(5)
      }
    })
    for (let who = 4; who < people.length; who++) {
      const mine = shots.map((s, k) => ({ s, r: replies[k] })).filter(({ s }) => s.who === who && s.kind !== 'cancelled')
      // one new attempt and its resumption, in either order
      expect(mine.map(({ r }) => r.statusCode).sort()).toEqual([200, 201])
      expect(new Set(mine.map(({ r }) => r.json().id)).size).toBe(1)
    }
    const rows = await t.ctx.db.query<{ userId: number; n: number }>(
      'SELECT user_id::int AS "userId", count(*)::int AS n FROM quiz_attempts WHERE campaign_id = $1 GROUP BY user_id', [c.id])
    expect(rows.map((r) => r.n)).toEqual(rows.map(() => 1))
    expect(rows.map((r) => r.userId).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b))
    expect((await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM quiz_attempts WHERE campaign_id = $1', [cancelled.id]))!.n).toBe(0)
  })

  it('refuses campaigns outside their window or cancelled', async () => {
    const me = await newResident(HAPPY)
    const later = await createCampaign({ startsAt: new Date(Date.now() + hour).toISOString() })
    expect((await start(me, later.id)).json().code).toBe('CAMPAIGN_NOT_STARTED')
    const ended = await createCampaign()
    await t.ctx.db.query(`UPDATE quiz_campaigns SET ends_at = now() - interval '1 minute', starts_at = now() - interval '1 day' WHERE id = $1`, [ended.id])
    expect((await start(me, ended.id)).json().code).toBe('CAMPAIGN_ENDED')
    const cancelled = await createCampaign()
    const elsewhereWorker = await t.as(resident, { method: 'POST', url: `/api/v1/quiz/admin/campaigns/${cancelled.id}/cancel` })
    expect(elsewhereWorker.statusCode).toBe(403)
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/quiz/admin/campaigns/${cancelled.id}/cancel` })).json().status).toBe('cancelled')
    expect((await start(me, cancelled.id)).json().code).toBe('CAMPAIGN_CANCELLED')
    expect((await start(me, 999999)).json().code).toBe('CAMPAIGN_NOT_FOUND')
  })

  it('daily practice is graded without a campaign, and points stop at the daily cap', async () => {
    const me = await newResident(HAPPY)
    const p = await t.as(me, { method: 'POST', url: '/api/v1/quiz/practice' })
    expect(p.statusCode).toBe(201)
    expect(p.json().questions).toHaveLength(5)
    expect(keysOf(p.json()).has('answer')).toBe(false)
    const ids: number[] = p.json().questions.map((x: { id: number }) => x.id)
    const key = await answersOf(p.json().questions)
    const r = await submit(me, p.json().id, ids.map((id) => ({ questionId: id, choice: key.get(id)! })))
    expect(r.json()).toMatchObject({ kind: 'practice', correctCount: 5, score: 100, passed: null, points: 5 })
    // near the cap: only what is left of it is credited
    const userId = (await t.as(me, { method: 'GET', url: '/api/v1/me' })).json().id
    await t.ctx.db.query(
      `INSERT INTO quiz_attempts (kind, user_id, question_ids, total, expires_at, points, points_day)
       VALUES ('practice', $1, '{}', 0, now(), 43, (now() AT TIME ZONE 'Asia/Shanghai')::date)`, [userId])
    const p2 = (await t.as(me, { method: 'POST', url: '/api/v1/quiz/practice' })).json()
    const ids2: number[] = p2.questions.map((x: { id: number }) => x.id)
    const key2 = await answersOf(p2.questions)
    const r2 = await submit(me, p2.id, ids2.map((id) => ({ questionId: id, choice: key2.get(id)! })))
    expect(r2.json().points).toBe(2)
    expect((await t.as(me, { method: 'GET', url: '/api/v1/quiz/points' })).json()).toMatchObject({ today: 50, total: 50 })
    const board = (await t.as(me, { method: 'GET', url: '/api/v1/quiz/points/leaderboard' })).json()
    expect(board.items.find((x: { isMe: boolean }) => x.isMe)).toMatchObject({ points: 50, rank: 1 })
  })

  it('the daily cap holds when two submissions of one person race', async () => {
    const me = await newResident(HAPPY)
    const userId = (await t.as(me, { method: 'GET', url: '/api/v1/me' })).json().id
    await t.ctx.db.query(
      `INSERT INTO quiz_attempts (kind, user_id, question_ids, total, expires_at, points, points_day)
       VALUES ('practice', $1, '{}', 0, now(), 43, (now() AT TIME ZONE 'Asia/Shanghai')::date)`, [userId])
    const two = await t.ctx.db.query<{ id: number; questionIds: number[] }>(
      `INSERT INTO quiz_attempts (kind, user_id, question_ids, total, expires_at)
       SELECT 'practice', $1, ARRAY(SELECT id FROM quiz_questions WHERE g > 0 ORDER BY id LIMIT 5), 5, now() + interval '10 minutes'
         FROM generate_series(1, 2) g RETURNING id::int AS id, question_ids::int[] AS "questionIds"`, [userId])
    const all = await Promise.all(two.map(async (a) => {
      const key = await answersOf((await t.as(me, { method: 'GET', url: `/api/v1/quiz/attempts/${a.id}` })).json().questions)
      return submit(me, a.id, a.questionIds.map((id) => ({ questionId: id, choice: key.get(id)! })))
    }))
    expect(all.map((r) => r.statusCode)).toEqual([200, 200])
    // 5 + 5 earned, 7 left under the cap of 50
    expect(all.map((r) => r.json().points).sort()).toEqual([2, 5])
    expect((await t.as(me, { method: 'GET', url: '/api/v1/quiz/points' })).json()).toMatchObject({ today: 50 })
  })

  it('a submission without a valid session is 401 whatever else is wrong with it, and records nothing', async () => {
    const c = await createCampaign()
    const me = await newResident(HAPPY)
    const other = await newResident(HAPPY)
    const attempt = (await start(me, c.id)).json()
    const ids: number[] = attempt.questions.map((x: { id: number }) => x.id)
    const idOf = async (token: string) => (await t.as(token, { method: 'GET', url: '/api/v1/me' })).json().id as number
    // sessions no API process has seen yet: the submission's own statement checks them
    const session = async (userId: number, expires: string, revoked: boolean) => {
      const token = newToken()
      await t.ctx.db.query(
        `INSERT INTO sessions (token_hash, user_id, channel, expires_at, revoked_at) VALUES ($1, $2, 'sms', now() + $3::interval, ${revoked ? 'now()' : 'NULL'})`,
        [hashSecret(token), userId, expires])
      return token
    }
    const mine = await idOf(me)
    const good = ids.map((id) => ({ questionId: id, choice: [0] }))
    const refused: Array<[string, string]> = [
      [await session(mine, '-1 minute', false), 'SESSION_EXPIRED'],
      [await session(mine, '1 day', true), 'INVALID_TOKEN'],
      ['x'.repeat(40), 'INVALID_TOKEN'],
    ]
    for (const [token, code] of refused) {
      for (const answers of [good, [{ questionId: 99_999_999, choice: [0] }], [{ questionId: ids[0], choice: [0, 0] }]]) {
        const r = await submit(token, attempt.id, answers)
        expect([r.statusCode, r.json().code]).toEqual([401, code])
      }
      const badKey = await submit(token, attempt.id, good, { 'idempotency-key': '!' })
      expect([badKey.statusCode, badKey.json().code]).toEqual([401, code])
    }
    const anonymous = await t.app.inject({ method: 'POST', url: `/api/v1/quiz/attempts/${attempt.id}/submit`, payload: { answers: good } })
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'UNAUTHENTICATED'])
    // another resident's valid session, never seen before: the attempt does not exist for them
    const theirs = await submit(await session(await idOf(other), '1 day', false), attempt.id, good)
    expect([theirs.statusCode, theirs.json().code]).toEqual([404, 'ATTEMPT_NOT_FOUND'])
    expect(await t.ctx.db.one('SELECT submitted_at AS "submittedAt", answers FROM quiz_attempts WHERE id = $1', [attempt.id]))
      .toEqual({ submittedAt: null, answers: null })
    // the owner's valid session, never seen before, submits in one go
    const ok = await submit(await session(mine, '1 day', false), attempt.id, good)
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ id: attempt.id, status: 'submitted', total: 5 })
  })

  it('a burst of submissions that reach the database together: each gets its own answer, each attempt is recorded once', async () => {
    const c = await createCampaign({ maxAttempts: 2 })
    const people = await Promise.all(Array.from({ length: 10 }, () => newResident(HAPPY)))
    const attempts = await Promise.all(people.map(async (token) => ({ token, a: (await start(token, c.id)).json() })))
    const keys = new Map(await Promise.all(attempts.map(async (x) => [x.a.id, await answersOf(x.a.questions)] as const)))
    const right = (a: { id: number; questions: Array<{ id: number }> }) => a.questions.map((q) => ({ questionId: q.id, choice: keys.get(a.id)!.get(q.id)! }))
    const drawn = attempts.flatMap((x) => x.a.questions.map((q: { id: number }) => q.id))
    const notDrawn = (await t.ctx.db.one<{ id: number }>(
      'SELECT id::int AS id FROM quiz_questions WHERE active AND NOT (id = ANY($1::bigint[])) LIMIT 1', [drawn]))!.id
    type Shot = { who: number; expect: number[]; send: () => ReturnType<typeof submit> }
    const shots: Shot[] = []
    attempts.forEach(({ token, a }, who) => {
      shots.push({ who, expect: [200, 409], send: () => submit(token, a.id, right(a), { 'idempotency-key': `burst-${who}-first` }) })
      // a second submission of the same attempt (another key): one of the two wins, the other is refused
      if (who % 2 === 0) shots.push({ who, expect: [200, 409], send: () => submit(token, a.id, right(a), { 'idempotency-key': `burst-${who}-again` }) })
      // someone else's attempt, a question it did not draw, no valid session
      if (who % 3 === 0) shots.push({ who: -1, expect: [404], send: () => submit(people[(who + 1) % people.length], a.id, right(a)) })
      // (refused as not drawn, or as already submitted when the right one got there first)
      if (who % 4 === 0) shots.push({ who: -1, expect: [400, 409], send: () => submit(token, a.id, [{ questionId: notDrawn, choice: [0] }]) })
      if (who % 5 === 0) shots.push({ who: -1, expect: [401], send: () => submit('y'.repeat(40), a.id, right(a)) })
    })
    const replies = await Promise.all(shots.map((s) => s.send()))
    replies.forEach((r, i) => expect(shots[i].expect).toContain(r.statusCode))
    attempts.forEach(({ a }, who) => {
      const mine = replies.filter((_, i) => shots[i].who === who)
      expect(mine.filter((r) => r.statusCode === 200)).toHaveLength(1)
      expect(mine.filter((r) => r.statusCode === 200)[0].json()).toMatchObject({ id: a.id, status: 'submitted', score: 100 })
    })
    const rows = await t.ctx.db.query<{ n: number }>(
      `SELECT jsonb_array_length(answers)::int AS n FROM quiz_attempts WHERE id = ANY($1::bigint[]) AND submitted_at IS NOT NULL`, [attempts.map((x) => x.a.id)])
    expect(rows.map((r) => r.n)).toEqual(attempts.map(() => 5))
  })

  it('concurrent retries of one submission with one Idempotency-Key: one result, recorded once', async () => {
    const c = await createCampaign()
    const me = await newResident(HAPPY)
    const attempt = (await start(me, c.id)).json()
    const ids: number[] = attempt.questions.map((x: { id: number }) => x.id)
    const key = await answersOf(attempt.questions)
    const answers = ids.map((id) => ({ questionId: id, choice: key.get(id)! }))
    const tries = await Promise.all([0, 1, 2, 3, 4].map(() => submit(me, attempt.id, answers, { 'idempotency-key': 'submit-race-0001' })))
    expect(tries.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200])
    expect(tries.filter((r) => r.headers['idempotency-replayed'] === 'true')).toHaveLength(4)
    for (const r of tries) expect(r.json()).toMatchObject({ id: attempt.id, status: 'submitted', correctCount: 5, score: 100, points: 20 })
    const rows = await t.ctx.db.one<{ answers: number; points: number }>(
      `SELECT (SELECT count(*)::int FROM quiz_attempt_answers WHERE attempt_id = $1) AS answers,
              (SELECT coalesce(sum(points), 0)::int FROM quiz_points WHERE attempt_id = $1) AS points`, [attempt.id])
    expect(rows).toEqual({ answers: 5, points: 20 })
    // a different key is not a retry
    expect((await submit(me, attempt.id, answers, { 'idempotency-key': 'submit-race-0002' })).json().code).toBe('ATTEMPT_ALREADY_SUBMITTED')
  })

  it('ranks communities and streets by stored results', async () => {
    const c = await createCampaign({ regionCode: '329901', passScore: 60, maxAttempts: 1 }, office)
    const play = async (community: string, right: number) => {
      const me = await newResident(community)
      const a = (await start(me, c.id)).json()
      const ids: number[] = a.questions.map((x: { id: number }) => x.id)
      const key = await answersOf(a.questions)
      await submit(me, a.id, ids.slice(0, right).map((id) => ({ questionId: id, choice: key.get(id)! })))
    }
    await play(HAPPY, 5)
    await play(HAPPY, 1)
    await play(SPRING, 4)
    const byCommunity = (await t.as(resident, { method: 'GET', url: `/api/v1/quiz/leaderboard?level=community&campaignId=${c.id}` })).json()
    const happy = byCommunity.items.find((x: { regionCode: string }) => x.regionCode === HAPPY)
    const spring = byCommunity.items.find((x: { regionCode: string }) => x.regionCode === SPRING)
    expect(happy).toMatchObject({ participants: 2, passed: 1, passRate: 0.5, averageScore: 60 })
    expect(spring).toMatchObject({ participants: 1, passed: 1, passRate: 1, averageScore: 80, rank: 1 })
    const byStreet = (await t.as(resident, { method: 'GET', url: `/api/v1/quiz/leaderboard?level=street&campaignId=${c.id}` })).json()
    expect(byStreet.items.find((x: { regionCode: string }) => x.regionCode === '329901001')).toMatchObject({ participants: 2, passed: 1 })
    expect(byStreet.items.find((x: { regionCode: string }) => x.regionCode === '329901002')).toMatchObject({ participants: 1, passed: 1 })
    const stats = await t.as(office, { method: 'GET', url: `/api/v1/quiz/admin/campaigns/${c.id}/stats` })
    expect(stats.json().items.find((x: { regionCode: string }) => x.regionCode === HAPPY).participants).toBe(2)
    expect((await t.as(worker, { method: 'GET', url: `/api/v1/quiz/admin/campaigns/${c.id}/stats` })).statusCode).toBe(403)
    expect((await t.as(resident, { method: 'GET', url: '/api/v1/quiz/leaderboard?level=district' })).statusCode).toBe(400)
    // the stored rows carry what the awareness rate needs
    const rows = await t.ctx.db.query('SELECT user_id, community_code, street_code, campaign_id, score, passed, submitted_at FROM quiz_attempts WHERE campaign_id = $1', [c.id])
    expect(rows).toHaveLength(3)
    for (const row of rows) expect(Object.values(row).every((v) => v !== null)).toBe(true)
    void residentId
  })
})

describe('what a result gives away, and how often practice can be asked', () => {
  const practice = (token: string) => t.as(token, { method: 'POST', url: '/api/v1/quiz/practice' })
  const explanations = async (ids: number[]) =>
    (await t.ctx.db.query<{ explanation: string }>('SELECT explanation FROM quiz_questions WHERE id = ANY($1::bigint[])', [ids])).map((r) => r.explanation).filter(Boolean)
  const todaysPractice = async (userId: number) => (await t.ctx.db.one<{ n: number }>(
    `SELECT count(*)::int AS n FROM quiz_attempts WHERE user_id = $1 AND kind = 'practice'
        AND started_at >= (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')`, [userId]))!.n

  it('an empty submission reveals no answer and no explanation: not in the result, not on reading it again, not in the 错题本', async () => {
    const me = await newResident(HAPPY)
    const p = (await practice(me)).json()
    const ids: number[] = p.questions.map((x: { id: number }) => x.id)
    const r = await submit(me, p.id, [])
    expect(r.statusCode).toBe(200)
    const bodies = [
      r.body,
      (await t.as(me, { method: 'GET', url: `/api/v1/quiz/attempts/${p.id}` })).body,
      (await t.as(me, { method: 'GET', url: '/api/v1/quiz/wrong-answers' })).body,
    ]
    for (const q of r.json().questions) expect(q).toMatchObject({ revealed: false, answer: [], explanation: '', given: [], correct: false })
    const wrong = JSON.parse(bodies[2]).items
    expect(wrong.map((w: { question: { id: number } }) => w.question.id).sort()).toEqual([...ids].sort())
    for (const w of wrong) expect(w).toMatchObject({ revealed: false, question: { answer: [], explanation: '' } })
    for (const body of bodies) for (const e of await explanations(ids)) expect(body.includes(e)).toBe(false)
  })

  it('a partial submission reveals exactly the questions answered, right or wrong', async () => {
    const me = await newResident(HAPPY)
    const p = (await practice(me)).json()
    const key = await answersOf(p.questions)
    const [q0, q1] = p.questions as Array<{ id: number; options: string[] }>
    const wrong1 = wrongChoice(q1.options, key.get(q1.id)!)
    const r = (await submit(me, p.id, [{ questionId: q0.id, choice: key.get(q0.id)! }, { questionId: q1.id, choice: wrong1 }])).json()
    expect(r.questions.map((q: { revealed: boolean }) => q.revealed)).toEqual([true, true, false, false, false])
    expect(r.questions[0]).toMatchObject({ correct: true, answer: key.get(q0.id) })
    expect(r.questions[1]).toMatchObject({ correct: false, answer: key.get(q1.id), given: wrong1 })
    // revealed: the explanation the bank holds (some questions in this file's database have none)
    expect(r.questions[1].explanation).toBe((await explanations([q1.id]))[0] ?? '')
    for (const q of r.questions.slice(2)) expect(q).toMatchObject({ answer: [], explanation: '' })
    const hidden = await explanations(p.questions.slice(2).map((q: { id: number }) => q.id))
    for (const e of hidden) expect(JSON.stringify(r).includes(e)).toBe(false)
    // the 错题本: the one answered wrong with its answer, the blanks without
    const wrong = (await t.as(me, { method: 'GET', url: '/api/v1/quiz/wrong-answers' })).json().items
    expect(wrong).toHaveLength(4)
    for (const w of wrong) expect(w.revealed).toBe(w.question.id === q1.id)
  })

  it('limits practice per person and day: resumes the unfinished one, refuses beyond the limit, also under concurrent starts', async () => {
    expect(loadConfig({}).quizPracticePerDay).toBe(10)
    expect(loadConfig({ QUIZ_PRACTICE_PER_DAY: '3' }).quizPracticePerDay).toBe(3)
    const limit = t.ctx.config.quizPracticePerDay
    const me = await newResident(HAPPY)
    const userId = (await t.as(me, { method: 'GET', url: '/api/v1/me' })).json().id
    // all but one of today's practices done (as earlier submissions would have left them); yesterday's do not count
    await t.ctx.db.query(
      `INSERT INTO quiz_attempts (kind, user_id, question_ids, total, started_at, expires_at, submitted_at, correct_count, score)
       SELECT 'practice', $1::bigint, '{}'::bigint[], 0, now() - make_interval(secs => g), now(), now(), 0, 0 FROM generate_series(1, $2::int) g
       UNION ALL SELECT 'practice', $1::bigint, '{}'::bigint[], 0, now() - interval '2 days', now() - interval '2 days', now() - interval '2 days', 0, 0`,
      [userId, limit - 1])
    const starts = await Promise.all(Array.from({ length: 6 }, () => practice(me)))
    expect(starts.map((s) => s.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 201])
    expect(new Set(starts.map((s) => s.json().id)).size).toBe(1)
    expect(await todaysPractice(userId)).toBe(limit)
    expect((await submit(me, starts[0].json().id, [])).statusCode).toBe(200)
    const refused = await Promise.all([practice(me), practice(me)])
    for (const r of refused) {
      expect(r.statusCode).toBe(409)
      expect(r.json()).toMatchObject({ code: 'PRACTICE_LIMIT_REACHED', message: `每日练习每天最多 ${limit} 次，今天的次数已用完，明天再来吧` })
    }
    expect(await todaysPractice(userId)).toBe(limit)
    // the limit is configuration
    const other = await newResident(HAPPY)
    t.ctx.config.quizPracticePerDay = 1
    try {
      const first = (await practice(other)).json()
      await submit(other, first.id, [])
      expect((await practice(other)).json().code).toBe('PRACTICE_LIMIT_REACHED')
    } finally {
      t.ctx.config.quizPracticePerDay = limit
    }
  })
})

describe('options in an order of their own per attempt', () => {
  type Q = { id: number; kind: string; options: string[] }
  const bankOf = async (ids: number[]) => new Map((await t.ctx.db.query<{ id: number; options: string[]; answer: number[] }>(
    'SELECT id::int AS id, options, answer FROM quiz_questions WHERE id = ANY($1::bigint[])', [ids])).map((r) => [r.id, r]))

  it('shuffles per attempt, and grades the positions the person saw', async () => {
    const c = await createCampaign({ questionCount: 30, tagMix: [], maxAttempts: 4, passScore: 0 })
    const me = await newResident(HAPPY)
    const shownBy = new Map<number, string[][]>() // question → its options as each attempt showed them
    let compared = 0
    let fromBank = 0
    for (let n = 0; n < 3; n++) {
      const a = (await start(me, c.id)).json()
      const bank = await bankOf(a.questions.map((q: Q) => q.id))
      const key = await answersOf(a.questions)
      for (const q of a.questions as Q[]) {
        const b = bank.get(q.id)!
        expect([...q.options].sort()).toEqual([...b.options].sort()) // the same options, nothing added or lost
        if (q.kind === 'judge') {
          expect(q.options).toEqual(b.options)
          continue
        }
        if (b.options.length >= 4) {
          compared++
          if (q.options.join('|') === b.options.join('|')) fromBank++
          shownBy.set(q.id, [...(shownBy.get(q.id) ?? []), q.options])
        }
      }
      if (n === 0) {
        // the bank's positions are not what counts: answered by them, only the questions shown in the bank's order score
        const byBank = a.questions.map((q: Q) => ({ questionId: q.id, choice: bank.get(q.id)!.answer }))
        const expected = a.questions.filter((q: Q) => key.get(q.id)!.join() === bank.get(q.id)!.answer.join()).length
        const r = (await submit(me, a.id, byBank)).json()
        expect(r.correctCount).toBe(expected)
        expect(expected).toBeLessThan(30)
      } else {
        const r = (await submit(me, a.id, a.questions.map((q: Q) => ({ questionId: q.id, choice: key.get(q.id)! })))).json()
        expect(r).toMatchObject({ correctCount: 30, score: 100 })
      }
    }
    // 23 of 24 orders of four options differ from the bank's: most shown orders do
    expect(compared).toBeGreaterThan(20)
    expect(fromBank / compared).toBeLessThan(0.3)
    const pairs = [...shownBy.values()].filter((v) => v.length >= 2)
    const differ = pairs.filter((v) => v[0].join('|') !== v[1].join('|')).length
    expect(pairs.length).toBeGreaterThan(3)
    expect(differ / pairs.length).toBeGreaterThan(0.6)
  })

  it('the result and the 错题本 show the options as the attempt did, the answer and the choice marked in them', async () => {
    const c = await createCampaign({ questionCount: 10, tagMix: [], maxAttempts: 2 })
    const me = await newResident(HAPPY)
    const a = (await start(me, c.id)).json()
    const key = await answersOf(a.questions)
    const bank = await bankOf(a.questions.map((q: Q) => q.id))
    const target = (a.questions as Q[]).find((q) => q.kind === 'single' && bank.get(q.id)!.options.length >= 3)!
    const wrong = wrongChoice(target.options, key.get(target.id)!)
    const answers = (a.questions as Q[]).map((q) => ({ questionId: q.id, choice: q.id === target.id ? wrong : key.get(q.id)! }))
    const result = (await submit(me, a.id, answers)).json()
    const again = (await t.as(me, { method: 'GET', url: `/api/v1/quiz/attempts/${a.id}` })).json()
    for (const r of [result, again]) {
      expect(r.questions.map((q: Q) => q.options)).toEqual(a.questions.map((q: Q) => q.options))
      for (const q of r.questions) {
        const b = bank.get(q.id)!
        // the marked answer names the bank's right options, in the positions shown
        expect(q.answer.map((p: number) => q.options[p]).sort()).toEqual(b.answer.map((i) => b.options[i]).sort())
        expect(q.given).toEqual(q.id === target.id ? wrong : key.get(q.id))
        expect(q.correct).toBe(q.id !== target.id)
      }
    }
    // stored in the bank's terms: the option the person tapped
    const stored = await t.ctx.db.one<{ given: number[] }>('SELECT given FROM quiz_attempt_answers WHERE attempt_id = $1 AND question_id = $2', [a.id, target.id])
    expect(stored!.given.map((i) => bank.get(target.id)!.options[i])).toEqual([target.options[wrong[0]]])
    const book = (await t.as(me, { method: 'GET', url: '/api/v1/quiz/wrong-answers' })).json().items
    expect(book).toHaveLength(1)
    expect(book[0].question.options).toEqual(target.options)
    expect(book[0].lastGiven).toEqual(wrong)
    expect(book[0].question.answer).toEqual(key.get(target.id))
  })
})

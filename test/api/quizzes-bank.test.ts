import ExcelJS from 'exceljs'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'


// Question bank upkeep: edit, retire, restore — who may, what is checked, and what a retired question still does.
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const HAPPY = '329901001001' // 幸福里社区, street 329901001 湖滨街道
const STREET = '329901001'
const SPRING = '329901002001' // 春晖社区, another street

let t: TestApp
let worker: string // 幸福里社区
let office: string
let resident: string
let springWorker: string
let streetWorker: string

let phoneSeq = 0
const nextPhone = () => `1360000${String(++phoneSeq).padStart(4, '0')}`

const newResident = (community: string | null) => t.resident(community)

async function newWorker(regionCode: string): Promise<string> {
  const phone = nextPhone()
  await t.login(phone)
  const r = await t.as(office, { method: 'POST', url: '/api/v1/admin/roles', payload: { phone, role: 'worker', regionCode } })
  expect(r.statusCode).toBe(201)
  return t.login(phone)
}

beforeAll(async () => {
  t = await createTestApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  springWorker = await newWorker(SPRING)
  streetWorker = await newWorker(STREET)
})
afterAll(() => t.close())

let stemSeq = 0
/** Imports single-choice questions (answer A) through the real Excel import; returns their ids in order. */
async function importQuestions(token: string, n: number, opts: { tag?: string; regionCode?: string } = {}): Promise<number[]> {
  const stems = Array.from({ length: n }, () => `测试题 ${++stemSeq}：社区文明公约第 ${stemSeq} 条讲的是什么？`)
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('题库')
  ws.addRow(['题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '正确答案', '解析', '标签', '难度'])
  for (const stem of stems) ws.addRow(['单选', stem, '爱护环境', '随手丢弃', '视而不见', '', '', '', 'A', '公约倡导爱护环境。', opts.tag ?? '市民文明公约', 1])
  const url = `/api/v1/quiz/questions/import${opts.regionCode ? `?regionCode=${opts.regionCode}` : ''}`
  const r = await t.as(token, { method: 'POST', url, payload: Buffer.from(await wb.xlsx.writeBuffer()), headers: { 'content-type': XLSX } })
  expect(r.statusCode).toBe(200)
  const rows = await t.ctx.db.query<{ id: number }>('SELECT id::int AS id FROM quiz_questions WHERE stem = ANY($1::text[]) ORDER BY id', [stems])
  return rows.map((r) => r.id)
}

const patch = (token: string, id: number | string, payload: unknown) => t.as(token, { method: 'PATCH', url: `/api/v1/quiz/questions/${id}`, payload: payload as object })
const retire = (token: string, id: number) => t.as(token, { method: 'POST', url: `/api/v1/quiz/questions/${id}/retire` })
const restore = (token: string, id: number) => t.as(token, { method: 'POST', url: `/api/v1/quiz/questions/${id}/restore` })
const row = (id: number) =>
  t.ctx.db.one<{ stem: string; options: string[]; answer: number[]; explanation: string; tags: string[]; difficulty: number; active: boolean }>(
    'SELECT stem, options, answer, explanation, tags, difficulty, active FROM quiz_questions WHERE id = $1', [id])
const cityQuestion = async () => (await t.ctx.db.one<{ id: number }>(`SELECT id::int AS id FROM quiz_questions WHERE region_code IS NULL AND kind = 'single' ORDER BY id LIMIT 1`))!.id
const judgeQuestion = async () => (await t.ctx.db.one<{ id: number }>(`SELECT id::int AS id FROM quiz_questions WHERE region_code IS NULL AND kind = 'judge' ORDER BY id LIMIT 1`))!.id

/** An attempt that drew exactly these questions, as a start would make it (open for ten minutes). */
async function attemptOn(userId: number, ids: number[]): Promise<number> {
  const r = await t.ctx.db.one<{ id: number }>(
    `INSERT INTO quiz_attempts (kind, user_id, community_code, question_ids, total, expires_at)
     VALUES ('practice', $1, $2, $3::bigint[], $4, now() + interval '10 minutes') RETURNING id::int AS id`,
    [userId, HAPPY, ids, ids.length],
  )
  return r!.id
}
/** Where the attempt shows the bank's options `bank` of question `qid` (options are shuffled per attempt). */
async function shownAt(token: string, attemptId: number, qid: number, bank: number[]): Promise<number[]> {
  const a = (await t.as(token, { method: 'GET', url: `/api/v1/quiz/attempts/${attemptId}` })).json()
  const shown: string[] = a.questions.find((q: { id: number }) => q.id === qid).options
  const options = (await row(qid))!.options
  return bank.map((i) => shown.indexOf(options[i])).sort((x, y) => x - y)
}
const submit = (token: string, attemptId: number, answers: Array<{ questionId: number; choice: number[] }>) =>
  t.as(token, { method: 'POST', url: `/api/v1/quiz/attempts/${attemptId}/submit`, payload: { answers } })

describe('who changes a question', () => {
  it('only staff; a worker their own region’s questions (and those below); the city bank only the office', async () => {
    const [mine] = await importQuestions(worker, 1)
    const [spring] = await importQuestions(springWorker, 1)
    const [street] = await importQuestions(streetWorker, 1)
    const city = await cityQuestion()
    const before = await row(mine)

    for (const r of [await patch(resident, mine, { stem: '改一改' }), await retire(resident, mine), await restore(resident, mine)]) {
      expect(r.statusCode).toBe(403)
      expect(r.json().code).toBe('FORBIDDEN_ROLE')
    }
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/quiz/questions/${mine}`, payload: { stem: '匿名' } })).statusCode).toBe(401)

    // another community's question, the street's question above, the city bank: refused, by name
    for (const id of [spring, street, city]) {
      for (const r of [await patch(worker, id, { stem: '越权修改' }), await retire(worker, id)]) {
        expect(r.statusCode).toBe(403)
        expect(r.json().code).toBe('QUESTION_NOT_COVERED')
      }
    }
    expect((await patch(worker, city, { stem: '越权修改' })).json().message).toBe('市级题库的题目只有创文办可以修改')
    expect((await patch(springWorker, mine, { stem: '越权修改' })).json().code).toBe('QUESTION_NOT_COVERED')
    expect(await row(mine)).toEqual(before)
    expect((await row(city))!.active).toBe(true)

    // the list says which ones the caller may change
    const listed = new Map<number, { editable: boolean; active: boolean }>()
    for (let cursor: string | null = ''; cursor !== null;) {
      const page: { items: Array<{ id: number; editable: boolean; active: boolean }>; nextCursor: string | null } = (await t.as(worker, { method: 'GET', url: `/api/v1/quiz/questions${cursor ? `?cursor=${cursor}` : ''}` })).json()
      for (const it of page.items) listed.set(it.id, it)
      cursor = page.nextCursor
    }
    expect(listed.get(mine)).toMatchObject({ editable: true, active: true })
    expect(listed.get(street)).toMatchObject({ editable: false })
    expect(listed.get(city)).toMatchObject({ editable: false })
    expect(listed.has(spring)).toBe(false)

    // the street's worker covers the community below; the office covers everything
    expect((await patch(streetWorker, mine, { explanation: '街道网格员补充的解析。' })).statusCode).toBe(200)
    const byOffice = await patch(office, city, { explanation: '创文办修订的解析。' })
    expect(byOffice.statusCode).toBe(200)
    expect(byOffice.json()).toMatchObject({ id: city, explanation: '创文办修订的解析。', regionCode: null, editable: true })
    expect((await retire(office, spring)).json()).toMatchObject({ id: spring, active: false })
    expect((await restore(office, spring)).json()).toMatchObject({ id: spring, active: true })

    const audits = await t.ctx.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE target = ANY($1::text[]) ORDER BY id`, [[`quiz_question:${mine}`, `quiz_question:${spring}`]])
    expect(audits.map((a) => a.action)).toEqual(['quiz.question.update', 'quiz.question.retire', 'quiz.question.restore'])
  })
})

describe('editing a question', () => {
  it('refuses what an import would refuse, and malformed bodies; nothing changes', async () => {
    const [id] = await importQuestions(worker, 1)
    const judge = await judgeQuestion()
    const before = await row(id)
    const cases: Array<[unknown, string, string?]> = [
      [{}, 'VALIDATION_FAILED'],
      [{ stem: '新题干', kind: 'multiple' }, 'VALIDATION_FAILED'], // the kind stays
      [{ stem: '' }, 'VALIDATION_FAILED'],
      [{ stem: 'x'.repeat(501) }, 'VALIDATION_FAILED'],
      [{ options: ['只有一个'] }, 'VALIDATION_FAILED'],
      [{ answer: [6] }, 'VALIDATION_FAILED'],
      [{ difficulty: 4 }, 'VALIDATION_FAILED'],
      [{ tags: [] }, 'VALIDATION_FAILED'],
      [{ difficulty: '难' }, 'VALIDATION_FAILED'],
      [{ answer: [1, 1] }, 'VALIDATION_FAILED'],
      [{ stem: '   ' }, 'QUESTION_INVALID', '缺少题干'],
      [{ answer: [0, 1] }, 'QUESTION_INVALID', '单选题只能有一个正确答案'],
      [{ answer: [3] }, 'QUESTION_INVALID', '正确答案 D 不在选项中'],
      [{ options: ['甲', '乙'], answer: [2] }, 'QUESTION_INVALID', '正确答案 C 不在选项中'],
      [{ options: ['甲', '乙', '甲'] }, 'QUESTION_INVALID', '选项内容重复'],
      [{ options: ['甲', ' ', '丙'] }, 'QUESTION_INVALID', '选项B为空'],
      [{ tags: ['  '] }, 'QUESTION_INVALID', '缺少标签'],
    ]
    for (const [body, code, message] of cases) {
      const r = await patch(worker, id, body)
      expect([JSON.stringify(body), r.statusCode, r.json().code]).toEqual([JSON.stringify(body), 400, code])
      if (message) expect(r.json().message).toBe(message)
    }
    expect(await row(id)).toEqual(before)
    // a true/false question keeps its two options
    const j = await patch(office, judge, { options: ['对', '错'] })
    expect(j.json()).toMatchObject({ code: 'QUESTION_INVALID', message: '判断题的选项固定为“正确”“错误”' })
    expect((await patch(worker, 'abc', { stem: '题干' })).json().code).toBe('VALIDATION_FAILED')
    const missing = await patch(worker, 99_999_999, { stem: '题干' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().code).toBe('QUESTION_NOT_FOUND')

    // a good edit: tidied as an import would (trimmed, tags once)
    const ok = await patch(worker, id, { stem: '  修改后的题干？ ', options: ['甲', '乙', '丙', '丁'], answer: [3], tags: ['垃圾分类', '垃圾分类', '社区'], difficulty: 3 })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ id, kind: 'single', stem: '修改后的题干？', options: ['甲', '乙', '丙', '丁'], answer: [3], tags: ['垃圾分类', '社区'], difficulty: 3, active: true, editable: true })
    expect(await row(id)).toMatchObject({ stem: '修改后的题干？', answer: [3], difficulty: 3, explanation: before!.explanation })
  })

  it('two edits of different fields at once both stay', async () => {
    const [id] = await importQuestions(worker, 1)
    const [a, b] = await Promise.all([patch(worker, id, { stem: '并发修改的题干' }), patch(streetWorker, id, { explanation: '并发修改的解析' })])
    expect([a.statusCode, b.statusCode]).toEqual([200, 200])
    expect(await row(id)).toMatchObject({ stem: '并发修改的题干', explanation: '并发修改的解析' })
  })

  it('grades with the corrected answer at once, and keeps the options still while someone is answering', async () => {
    const [id] = await importQuestions(worker, 1)
    const me = await newResident(HAPPY)
    // graded once with answer A: the question is now in this process's cache
    const first = await attemptOn(me.id, [id])
    expect((await submit(me.token, first, [{ questionId: id, choice: await shownAt(me.token, first, id, [0]) }])).json()).toMatchObject({ correctCount: 1 })

    // someone is answering it: the answer and the text may change, the options may not
    const open = await attemptOn(me.id, [id])
    const refused = await patch(worker, id, { options: ['爱护环境', '随手丢弃', '视而不见', '主动劝导'] })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().code).toBe('QUESTION_IN_USE')
    expect((await row(id))!.options).toHaveLength(3)
    expect((await patch(worker, id, { answer: [2], explanation: '更正：答案为 C。' })).statusCode).toBe(200)
    const c = await shownAt(me.token, open, id, [2])
    const graded = (await submit(me.token, open, [{ questionId: id, choice: c }])).json()
    expect(graded).toMatchObject({ correctCount: 1 })
    expect(graded.questions[0]).toMatchObject({ answer: c, explanation: '更正：答案为 C。', correct: true })
    // the earlier result keeps its mark and reads as the question reads now
    expect((await t.as(me.token, { method: 'GET', url: `/api/v1/quiz/attempts/${first}` })).json().questions[0]).toMatchObject({ correct: true, answer: await shownAt(me.token, first, id, [2]) })
    // nobody is answering it any more
    expect((await patch(worker, id, { options: ['爱护环境', '随手丢弃', '视而不见', '主动劝导'] })).statusCode).toBe(200)
  })
})

describe('retired questions', () => {
  it('are never drawn for practice, campaigns, their supply checks or live sets; records and the 错题本 keep them; restore brings them back', async () => {
    // a bank of exactly six questions for 幸福里社区: everything else is set aside
    const ids = await importQuestions(worker, 6, { tag: '停用测试' })
    await t.ctx.db.query('UPDATE quiz_questions SET active = false WHERE NOT (id = ANY($1::bigint[]))', [ids])
    const gone = ids[0]
    const kept = ids.slice(1)

    // answered wrong before it is retired
    const me = await newResident(HAPPY)
    const before = await attemptOn(me.id, [gone])
    expect((await submit(me.token, before, [{ questionId: gone, choice: await shownAt(me.token, before, gone, [1]) }])).json().correctCount).toBe(0)

    expect((await retire(worker, gone)).json()).toMatchObject({ id: gone, active: false, editable: true })
    expect((await retire(worker, gone)).json()).toMatchObject({ id: gone, active: false }) // again: no change, no error
    const retiredAudits = await t.ctx.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'quiz.question.retire' AND target = $1`, [`quiz_question:${gone}`])
    expect(retiredAudits!.n).toBe(1)

    // the lists: in use without it, retired with it
    const active = (await t.as(worker, { method: 'GET', url: '/api/v1/quiz/questions?tag=停用测试' })).json().items.map((q: { id: number }) => q.id)
    expect(active).toEqual(kept)
    const retired = (await t.as(worker, { method: 'GET', url: '/api/v1/quiz/questions?tag=停用测试&status=retired' })).json().items
    expect(retired).toEqual([expect.objectContaining({ id: gone, active: false })])
    expect((await t.as(worker, { method: 'GET', url: '/api/v1/quiz/questions?status=gone' })).json().code).toBe('VALIDATION_FAILED')
    expect((await t.as(worker, { method: 'GET', url: '/api/v1/quiz/tags' })).json().items).toEqual([{ tag: '停用测试', total: 5, byDifficulty: { '1': 5 } }])

    // practice draws the five left, every time
    for (let i = 0; i < 3; i++) {
      const p = (await t.as(me.token, { method: 'POST', url: '/api/v1/quiz/practice' })).json()
      expect(p.questions.map((q: { id: number }) => q.id).sort((a: number, b: number) => a - b)).toEqual(kept)
    }

    // campaigns: six cannot be supplied any more, five can, and are drawn from the five
    const campaign = (questionCount: number) => t.as(worker, {
      method: 'POST', url: '/api/v1/quiz/admin/campaigns',
      payload: {
        title: '停用题测试活动', regionCode: HAPPY, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        questionCount, timeLimitSeconds: 300, passScore: 60, maxAttempts: 3,
      },
    })
    const six = await campaign(6)
    expect(six.statusCode).toBe(400)
    expect(six.json().code).toBe('NOT_ENOUGH_QUESTIONS')
    const five = await campaign(5)
    expect(five.statusCode).toBe(201)
    const started = (await t.as(me.token, { method: 'POST', url: `/api/v1/quiz/campaigns/${five.json().id}/attempts` })).json()
    expect(started.questions.map((q: { id: number }) => q.id)).not.toContain(gone)

    // live sets: named or drawn
    const live = (body: object) => t.as(worker, { method: 'POST', url: '/api/v1/live/sessions', payload: { title: '停用题现场赛', ...body } })
    const named = await live({ questionIds: [kept[0], gone] })
    expect(named.statusCode).toBe(400)
    expect(named.json().code).toBe('QUESTION_RETIRED')
    expect((await live({ count: 6 })).json().code).toBe('NOT_ENOUGH_QUESTIONS')
    const drawn = await live({ count: 5 })
    expect(drawn.statusCode).toBe(201)
    const liveIds = await t.ctx.db.one<{ ids: number[] }>('SELECT question_ids::int[] AS ids FROM quiz_live_sessions WHERE id = $1', [drawn.json().id])
    expect(liveIds!.ids).not.toContain(gone)

    // what was answered stays readable
    const result = (await t.as(me.token, { method: 'GET', url: `/api/v1/quiz/attempts/${before}` })).json()
    expect(result.questions).toEqual([expect.objectContaining({ id: gone, correct: false, answer: await shownAt(me.token, before, gone, [0]) })])
    const wrong = (await t.as(me.token, { method: 'GET', url: '/api/v1/quiz/wrong-answers' })).json().items
    expect(wrong.map((w: { question: { id: number } }) => w.question.id)).toContain(gone)
    // and an attempt that drew it before it was retired is still graded with it
    const drawnBefore = await attemptOn(me.id, [gone])
    expect((await submit(me.token, drawnBefore, [{ questionId: gone, choice: await shownAt(me.token, drawnBefore, gone, [0]) }])).json()).toMatchObject({ correctCount: 1 })

    expect((await restore(worker, gone)).json()).toMatchObject({ id: gone, active: true })
    const sixAgain = await campaign(6)
    expect(sixAgain.statusCode).toBe(201)
    expect((await live({ questionIds: [gone] })).statusCode).toBe(201)

    // retired by another API process whose notice has not arrived: the draws this process keeps in memory still hold
    // the question, and the start still never takes it (the statement that records it checks the bank)
    const first = await newResident(HAPPY)
    const drawnSix = (await t.as(first.token, { method: 'POST', url: `/api/v1/quiz/campaigns/${sixAgain.json().id}/attempts` })).json()
    expect(drawnSix.questions.map((q: { id: number }) => q.id)).toContain(gone)
    await t.ctx.db.query('UPDATE quiz_questions SET active = false WHERE id = $1', [gone])
    for (let i = 0; i < 3; i++) {
      const other = await newResident(HAPPY)
      const r = await t.as(other.token, { method: 'POST', url: `/api/v1/quiz/campaigns/${five.json().id}/attempts` })
      expect(r.statusCode).toBe(201)
      expect(r.json().questions.map((q: { id: number }) => q.id).sort((a: number, b: number) => a - b)).toEqual(kept)
    }
  })

  it('a retirement or a re-tagging says which running campaigns it leaves short; other changes, and other campaigns, say nothing', async () => {
    // 幸福里 and 春晖 each with a bank of exactly five: everything else is set aside
    const ids = await importQuestions(worker, 5, { tag: '不足测试' })
    const springIds = await importQuestions(springWorker, 5, { tag: '不足测试' })
    await t.ctx.db.query('UPDATE quiz_questions SET active = false WHERE NOT (id = ANY($1::bigint[]))', [[...ids, ...springIds]])
    await t.ctx.db.query('UPDATE quiz_campaigns SET cancelled_at = now() WHERE cancelled_at IS NULL') // earlier tests' campaigns
    const campaign = async (token: string, regionCode: string, title: string, extra: object) => {
      const r = await t.as(token, {
        method: 'POST', url: '/api/v1/quiz/admin/campaigns',
        payload: {
          title, regionCode, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(),
          timeLimitSeconds: 300, passScore: 60, maxAttempts: 3, ...extra,
        },
      })
      expect(r.statusCode).toBe(201)
      return r.json().id as number
    }
    const full = await campaign(worker, HAPPY, '五道全要', { questionCount: 5, tagMix: [{ tag: '不足测试', count: 5 }], difficulties: [1] })
    await campaign(worker, HAPPY, '只要三道', { questionCount: 3 })
    const ended = await campaign(worker, HAPPY, '已结束的活动', { questionCount: 5 })
    await t.ctx.db.query(`UPDATE quiz_campaigns SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 minute' WHERE id = $1`, [ended])
    const cancelled = await campaign(worker, HAPPY, '已取消的活动', { questionCount: 5 })
    expect((await t.as(worker, { method: 'POST', url: `/api/v1/quiz/admin/campaigns/${cancelled}/cancel` })).statusCode).toBe(200)
    await campaign(springWorker, SPRING, '春晖的活动', { questionCount: 5 })

    const retired = await retire(worker, ids[0])
    expect(retired.statusCode).toBe(200)
    expect(retired.json()).toMatchObject({ id: ids[0], active: false })
    expect(retired.json().shortages).toEqual([
      { campaignId: full, campaignTitle: '五道全要', tag: '不足测试', available: 4, needed: 5 },
      { campaignId: full, campaignTitle: '五道全要', tag: null, available: 4, needed: 5 },
    ])
    // what "short in all" means for a resident
    const me = await newResident(HAPPY)
    const start = await t.as(me.token, { method: 'POST', url: `/api/v1/quiz/campaigns/${full}/attempts` })
    expect(start.statusCode).toBe(409)
    expect(start.json().code).toBe('NOT_ENOUGH_QUESTIONS')
    expect((await retire(worker, ids[0])).json().shortages).toEqual([]) // again: nothing changed this time
    expect((await restore(worker, ids[0])).json()).toMatchObject({ active: true, shortages: [] })
    expect((await t.as(me.token, { method: 'POST', url: `/api/v1/quiz/campaigns/${full}/attempts` })).statusCode).toBe(201)

    // edits: another tag leaves the tag short (draws fill it from others), another difficulty leaves all short
    expect((await patch(worker, ids[1], { stem: '改过题干的测试题：社区文明公约讲的是什么？' })).json().shortages).toEqual([])
    expect((await patch(worker, ids[1], { tags: ['别的标签'] })).json().shortages).toEqual([
      { campaignId: full, campaignTitle: '五道全要', tag: '不足测试', available: 4, needed: 5 },
    ])
    expect((await patch(worker, ids[2], { difficulty: 2 })).json().shortages).toEqual([
      { campaignId: full, campaignTitle: '五道全要', tag: '不足测试', available: 3, needed: 5 },
      { campaignId: full, campaignTitle: '五道全要', tag: null, available: 4, needed: 5 },
    ])
    // a 春晖 question concerns 春晖's campaign only
    expect((await retire(springWorker, springIds[0])).json().shortages).toEqual([
      expect.objectContaining({ campaignTitle: '春晖的活动', tag: null, available: 4, needed: 5 }),
    ])
  })
})

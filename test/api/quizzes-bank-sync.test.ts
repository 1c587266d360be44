import { QUESTION_BANK } from '../../server/modules/quizzes/bank'
import { FIRST_EDITION } from '../../server/modules/quizzes/bank/first-edition'
import { contentHash } from '../../server/modules/quizzes/bank/hash'
import { syncQuestionBank } from '../../server/modules/quizzes/bank-sync'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'

// a test app and a walk over the whole bank list; the machine may be busy with other suites
jest.setTimeout(120_000)

// A database made before the bank was corrected: its shipped rows carry the first edition (and no bank_hash), a
// resident's attempt was graded against it, the office edited one question. Then the server starts with the new bank.

const FIRST: Record<string, { kind: string; stem: string; options: string[]; answer: number[]; explanation: string; tags: string[]; difficulty: number }> = {
  'yq-001': { kind: 'single', stem: '携带犬只外出时，下列做法正确的是：', options: ['让狗自由奔跑', '为犬只佩戴犬牌并系犬绳', '只在晚上不牵绳', '小型犬不用牵绳'], answer: [1], explanation: '《动物防疫法》规定，携带犬只出户的，应当按照规定佩戴犬牌并采取系犬绳等措施，防止犬只伤人、疫病传播。', tags: ['文明养犬'], difficulty: 1 },
  'yq-010': { kind: 'judge', stem: '不得随意遗弃饲养的犬只。', options: ['正确', '错误'], answer: [0], explanation: '遗弃犬只会产生流浪犬，带来伤人和疫病传播的风险，许多城市的养犬规定明确禁止遗弃。', tags: ['文明养犬'], difficulty: 1 },
  'jt-003': { kind: 'single', stem: '行人横过道路时，应当：', options: ['哪里近就从哪里穿过', '走人行横道或过街天桥、地下通道', '翻越中间护栏', '在车流中快速奔跑'], answer: [1], explanation: '行人通过路口或横过道路，应当走人行横道或者过街设施；翻越护栏极易被车辆撞到。', tags: ['文明交通'], difficulty: 1 },
  'ws-001': { kind: 'single', stem: '聚餐时使用公筷公勺的主要好处是：', options: ['显得有礼貌而已', '减少经口传播疾病的交叉感染', '节约餐具', '让菜更好吃'], answer: [1], explanation: '使用公筷公勺、分餐，可以减少幽门螺杆菌、甲肝等经口传播疾病的交叉感染。', tags: ['公共卫生'], difficulty: 1 },
}
const shipped = (key: string) => QUESTION_BANK.find((q) => q.key === key)!
const contentOf = ({ kind, stem, options, answer, explanation, tags, difficulty }: (typeof FIRST)[string]) => ({ kind, stem, options, answer, explanation, tags, difficulty })

let t: TestApp
let office: string
let resident: string
const ids: Record<string, number> = {}

const rowOf = (id: number) =>
  t.ctx.db.one<{ bankKey: string | null; bankHash: string | null; active: boolean; supersededBy: number | null; kind: string; stem: string; options: string[]; answer: number[]; explanation: string; tags: string[]; difficulty: number }>(
    `SELECT bank_key AS "bankKey", bank_hash AS "bankHash", active, superseded_by::int AS "supersededBy",
            kind, stem, options, answer, explanation, tags, difficulty::int AS difficulty FROM quiz_questions WHERE id = $1`, [id])
const idOf = async (key: string) => (await t.ctx.db.one<{ id: number }>(`SELECT id::int AS id FROM quiz_questions WHERE bank_key = $1`, [key]))!.id

beforeAll(async () => {
  t = await createTestApp()
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  for (const key of Object.keys(FIRST)) ids[key] = await idOf(key)
})
afterAll(() => t.close())

describe('shipped questions follow the bank on start', () => {
  it('starts a new database with every shipped row fingerprinted', async () => {
    const rows = await t.ctx.db.query<{ key: string; hash: string | null }>(`SELECT bank_key AS key, bank_hash AS hash FROM quiz_questions WHERE bank_key IS NOT NULL`)
    expect(rows).toHaveLength(QUESTION_BANK.length)
    for (const r of rows) expect(r.hash).toBe(contentHash(shipped(r.key)))
    expect(await syncQuestionBank(t.ctx.db)).toEqual({ added: 0, rewritten: 0, superseded: 0, kept: 0 })
  })

  it('corrects the rows nobody edited, keeps edited ones, and keeps what old attempts were graded against', async () => {
    // the old database: first-edition rows, no fingerprints
    for (const [key, q] of Object.entries(FIRST)) {
      expect(contentHash(q)).toBe(FIRST_EDITION[key]) // the fixture is the first edition
      await t.ctx.db.query(
        `UPDATE quiz_questions SET kind = $2, stem = $3, options = $4::jsonb, answer = $5::jsonb, explanation = $6, tags = $7::text[], difficulty = $8 WHERE id = $1`,
        [ids[key], q.kind, q.stem, JSON.stringify(q.options), JSON.stringify(q.answer), q.explanation, q.tags, q.difficulty])
    }
    await t.ctx.db.query(`UPDATE quiz_questions SET bank_hash = NULL`)
    // the office rewrote one question's options and retired another
    const edited = ['只是为了显得有礼貌', '减少经口传播疾病的交叉感染', '可以少洗几副餐具', '能让菜更加好吃']
    expect((await t.as(office, { method: 'PATCH', url: `/api/v1/quiz/questions/${ids['ws-001']}`, payload: { options: edited } })).statusCode).toBe(200)
    expect((await t.as(office, { method: 'POST', url: `/api/v1/quiz/questions/${ids['yq-010']}/retire` })).statusCode).toBe(200)
    // yesterday's practice: yq-001 right (B, 为犬只佩戴犬牌并系犬绳), yq-010 wrong (错误 where the first edition says 正确)
    const me = (await t.as(resident, { method: 'GET', url: '/api/v1/me' })).json().id
    const answers = [{ q: ids['yq-001'], given: [1], correct: true }, { q: ids['yq-010'], given: [1], correct: false }]
    const attempt = (await t.ctx.db.one<{ id: number }>(
      `INSERT INTO quiz_attempts (kind, user_id, question_ids, total, started_at, expires_at, submitted_at, correct_count, score, answers)
       VALUES ('practice', $1, $2, 2, now() - interval '1 day', now() - interval '1 day' + interval '10 minutes', now() - interval '1 day' + interval '2 minutes', 1, 50, $3::jsonb)
       RETURNING id::int AS id`, [me, [ids['yq-001'], ids['yq-010']], JSON.stringify(answers)]))!.id
    const review = async () => (await t.as(resident, { method: 'GET', url: `/api/v1/quiz/attempts/${attempt}` })).json()
    const wrongBook = async () => (await t.as(resident, { method: 'GET', url: '/api/v1/quiz/wrong-answers' })).json()
    const reviewBefore = await review()
    const wrongBefore = await wrongBook()
    // options are shown in the attempt's own order: compare by text
    expect(reviewBefore.questions.map((q: { options: string[]; given: number[]; answer: number[]; correct: boolean }) => [q.options[q.given[0]], q.answer.map((i) => q.options[i]), q.correct]))
      .toEqual([['为犬只佩戴犬牌并系犬绳', ['为犬只佩戴犬牌并系犬绳'], true], ['错误', ['正确'], false]])

    // the server starts with the corrected bank
    expect(await syncQuestionBank(t.ctx.db)).toEqual({ added: 0, rewritten: 1, superseded: 2, kept: 1 })

    // never drawn, unedited: corrected in place and fingerprinted
    const jt = await rowOf(ids['jt-003'])
    expect(contentOf(jt!)).toEqual(contentOf(shipped('jt-003')))
    expect(jt).toMatchObject({ bankKey: 'jt-003', bankHash: contentHash(shipped('jt-003')), active: true, supersededBy: null })
    // edited by the office: left as they made it
    expect(await rowOf(ids['ws-001'])).toMatchObject({ bankKey: 'ws-001', bankHash: null, options: edited })
    // drawn, unedited: kept as graded, retired; the bank goes on with a new row in the same use (retired stays retired)
    for (const [key, active] of [['yq-001', true], ['yq-010', false]] as const) {
      const next = await idOf(key)
      expect(next).not.toBe(ids[key])
      const old = await rowOf(ids[key])
      expect(old).toMatchObject({ bankKey: null, active: false, supersededBy: next })
      expect(contentOf(old!)).toEqual(FIRST[key])
      const fresh = await rowOf(next)
      expect(contentOf(fresh!)).toEqual(contentOf(shipped(key)))
      expect(fresh).toMatchObject({ bankHash: contentHash(shipped(key)), active, supersededBy: null })
    }
    // the first edition's unchanged questions only got their fingerprint
    expect((await t.ctx.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM quiz_questions WHERE bank_key IS NOT NULL AND bank_hash IS NULL`))!.n).toBe(1)

    // the old result and the 错题本 read as they were graded
    expect(await review()).toEqual(reviewBefore)
    expect(await wrongBook()).toEqual(wrongBefore)
    expect(wrongBefore.items).toEqual([expect.objectContaining({ question: expect.objectContaining({ id: ids['yq-010'], stem: FIRST['yq-010'].stem, answer: [0] }), lastGiven: [1] })])

    // superseded rows are history: not in the office's lists, not editable, not restorable, never drawn
    const listed = async (status: string) => {
      const out: number[] = []
      let cursor: string | null = null
      do {
        const page: { items: Array<{ id: number }>; nextCursor: string | null } = (await t.as(office, { method: 'GET', url: `/api/v1/quiz/questions?status=${status}${cursor ? `&cursor=${cursor}` : ''}` })).json()
        out.push(...page.items.map((q) => q.id))
        cursor = page.nextCursor
      } while (cursor)
      return out
    }
    const all = [...(await listed('active')), ...(await listed('retired'))]
    expect(all).toHaveLength(QUESTION_BANK.length)
    expect(all).not.toContain(ids['yq-001'])
    expect(all).not.toContain(ids['yq-010'])
    expect(all).toEqual(expect.arrayContaining([await idOf('yq-001'), await idOf('yq-010')]))
    for (const res of [
      await t.as(office, { method: 'PATCH', url: `/api/v1/quiz/questions/${ids['yq-001']}`, payload: { explanation: '改一改' } }),
      await t.as(office, { method: 'POST', url: `/api/v1/quiz/questions/${ids['yq-010']}/restore` }),
    ]) expect([res.statusCode, res.json().code]).toEqual([404, 'QUESTION_NOT_FOUND'])
    expect((await rowOf(ids['yq-010']))!.active).toBe(false)

    // starting again changes nothing
    expect(await syncQuestionBank(t.ctx.db)).toEqual({ added: 0, rewritten: 0, superseded: 0, kept: 1 })
  })

  it('adds shipped questions a database lacks, and two starts at once supersede a question only once', async () => {
    const key = 'jt-001'
    await t.ctx.db.query(`UPDATE quiz_questions SET bank_key = NULL WHERE bank_key = $1`, [key])
    expect(await syncQuestionBank(t.ctx.db)).toMatchObject({ added: 1, superseded: 0 })
    const drawnId = await idOf(key)
    const old = { ...shipped(key), options: [...shipped(key).options].reverse() }
    await t.ctx.db.query(`UPDATE quiz_questions SET options = $2::jsonb, bank_hash = $3 WHERE id = $1`, [drawnId, JSON.stringify(old.options), contentHash(old)])
    const me = (await t.as(resident, { method: 'GET', url: '/api/v1/me' })).json().id
    await t.ctx.db.query(`INSERT INTO quiz_attempts (kind, user_id, question_ids, total, expires_at) VALUES ('practice', $1, $2, 1, now() + interval '10 minutes')`, [me, [drawnId]])
    const both = await Promise.all([syncQuestionBank(t.ctx.db), syncQuestionBank(t.ctx.db)])
    expect(both.map((r) => r.superseded).sort()).toEqual([0, 1])
    expect((await t.ctx.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM quiz_questions WHERE superseded_by = $1`, [await idOf(key)]))!.n).toBe(1)
  })
})

import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { countSummary, recordResponses, responseCount, type RecordItem } from '../../server/modules/surveys/queries'
import { foldAllCounts } from '../helpers/survey-counting'

/**
 * One batch of submissions (survey_record_batch: one statement, one transaction for all of them) where every item
 * meets a different rule: each rule must hold item by item inside the batch, and a refusal must take back what the
 * item took (its key, its participation, its quota place) without undoing its neighbours.
 */
const HAPPY = '329901001001'
const PEACE = '329901001002'
const hour = 3600_000

let t: TestApp
let office: string

beforeAll(async () => {
  t = await createTestApp()
  office = await t.login(DEMO_ACCOUNTS.office.phone)
}, 180_000)
afterAll(() => t.close())

const resident = async (community: string) => (await t.resident(community)).id

async function survey(over: Record<string, unknown>, publish = true): Promise<{ id: number; version: number; aware: number }> {
  const r = await t.as(office, {
    method: 'POST', url: '/api/v1/surveys/admin',
    payload: { template: 'chuangwen_standard', title: '批次', regionCode: '329901001', audience: 'residents', anonymous: false, startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(), ...over },
  })
  expect(r.statusCode).toBe(201)
  const id = r.json().id as number
  if (publish) expect((await t.as(office, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).statusCode).toBe(200)
  const row = await t.ctx.db.one<{ version: number; aware: number }>(
    `SELECT s.version, q.id::int AS aware FROM surveys s JOIN survey_questions q ON q.survey_id = s.id AND q.key = 'aware' WHERE s.id = $1`, [id])
  return { id, ...row! }
}

const route = (id: number) => `POST /surveys/${id}/responses`
function item(s: { id: number; version: number; aware: number }, anonymous: boolean, userId: number, communityCode: string, key: string | null = null, over: Partial<RecordItem> = {}): RecordItem {
  return {
    surveyId: s.id, version: s.version, anonymous, userId, key, route: route(s.id), communityCode,
    answers: [{ questionId: s.aware, rowKey: '', picked: ['yes'], num: null, otherText: null, textValue: null, held: false }],
    ...over,
  }
}

it('gives each item of one batch its own outcome and takes back what a refused item took', async () => {
  const quota = await survey({ quotaPerCommunity: 2 })
  const anon = await survey({ anonymous: true })
  const closed = await survey({})
  expect((await t.as(office, { method: 'POST', url: `/api/v1/surveys/admin/${closed.id}/close` })).statusCode).toBe(200)
  const [h1, h2, h3, p1, a1, a2, a3, a4] = [
    await resident(HAPPY), await resident(HAPPY), await resident(HAPPY), await resident(PEACE),
    await resident(PEACE), await resident(PEACE), await resident(PEACE), await resident(PEACE),
  ]
  // keys used before: one on another route, one answered already (its body is replayed)
  await t.ctx.db.query(`INSERT INTO idempotency_keys (user_id, key, route) VALUES ($1, 'k-other', 'POST /reports')`, [a1])
  await t.ctx.db.query(`INSERT INTO idempotency_keys (user_id, key, route, status_code, response) VALUES ($1, 'k-done', $2, 201, '{"replayed":true}')`, [a2, route(anon.id)])

  const batch: RecordItem[] = [
    item(quota, false, h3, HAPPY, 'k-h3'), // the third of HAPPY (highest id): no place left
    item(quota, false, h1, HAPPY), // recorded
    item(anon, true, a1, PEACE, 'k-other'), // key_reused
    item(quota, false, h2, HAPPY, 'k-h2'), // recorded, its key keeps the answer
    item(quota, false, p1, PEACE), // recorded: another community's places
    item(anon, true, a2, PEACE, 'k-done'), // replay
    item(anon, true, a3, PEACE, 'k-a3', { version: anon.version + 1 }), // changed: checked against another version
    item(closed, false, a3, PEACE), // closed
    item({ ...anon, id: 987654 }, true, a3, PEACE), // not_found
    item(quota, false, h1, HAPPY), // the same person twice in the batch: answered
    item(anon, true, a4, PEACE, 'k-a4'), // recorded, anonymously
  ]
  const out = await recordResponses(t.ctx.db, batch)
  expect(out.map((o) => o.outcome)).toEqual([
    'quota_full', 'recorded', 'key_reused', 'recorded', 'recorded', 'replay', 'changed', 'closed', 'not_found', 'answered', 'recorded',
  ])
  expect(out[5].body).toEqual({ replayed: true })
  const today = out[1].body!.submittedOn
  expect(out[3].body).toEqual({ surveyId: quota.id, submittedOn: today, anonymous: false })
  expect(out[10].body).toEqual({ surveyId: anon.id, submittedOn: today, anonymous: true })
  for (const n of [1, 3, 4, 10]) expect(out[n].responseId).toMatch(/^[0-9a-f-]{36}$/)
  for (const n of [0, 2, 5, 6, 7, 8, 9]) expect(out[n].responseId).toBeNull()

  const db = t.ctx.db
  const participations = await db.query<{ survey: number; uid: number }>(
    'SELECT survey_id::int AS survey, user_id::int AS uid FROM survey_participations WHERE survey_id = ANY($1) ORDER BY 1, 2', [[quota.id, anon.id, closed.id]])
  expect(participations).toEqual([{ survey: quota.id, uid: h1 }, { survey: quota.id, uid: h2 }, { survey: quota.id, uid: p1 }, { survey: anon.id, uid: a4 }])
  const responses = await db.query<{ id: string; survey: number; uid: number | null; at: Date | null; answers: number }>(
    `SELECT r.id::text AS id, r.survey_id::int AS survey, r.user_id::int AS uid, r.submitted_at AS at,
            (SELECT count(*)::int FROM survey_answers a WHERE a.response_id = r.id) AS answers
       FROM survey_responses r WHERE r.survey_id = ANY($1) ORDER BY r.survey_id, r.user_id`, [[quota.id, anon.id]])
  expect(responses.map((r) => [r.survey, r.uid, r.at === null, r.answers])).toEqual([
    [quota.id, h1, false, 1], [quota.id, h2, false, 1], [quota.id, p1, false, 1], [anon.id, null, true, 1],
  ])
  expect(new Set(responses.map((r) => r.id))).toEqual(new Set([out[1], out[3], out[4], out[10]].map((o) => o.responseId)))
  expect(await db.query('SELECT community_code AS c, taken FROM survey_quota_counts WHERE survey_id = $1 ORDER BY 1', [quota.id]))
    .toEqual([{ c: HAPPY, taken: 2 }, { c: PEACE, taken: 1 }])
  const keys = await db.query<{ key: string; status: number | null }>(
    `SELECT key, status_code AS status FROM idempotency_keys WHERE user_id = ANY($1) ORDER BY key`, [[h1, h2, h3, p1, a1, a2, a3, a4]])
  // refused items' keys are gone (k-h3, k-a3); those that answered for an item stay as they were
  expect(keys).toEqual([{ key: 'k-a4', status: 201 }, { key: 'k-done', status: 201 }, { key: 'k-h2', status: 201 }, { key: 'k-other', status: null }])
  const audit = await db.query<{ actor: number }>(
    `SELECT actor_id::int AS actor FROM audit_log WHERE action = 'survey.respond' AND target = ANY($1) ORDER BY 1`, [[`survey:${quota.id}`, `survey:${anon.id}`]])
  expect(audit.map((a) => a.actor)).toEqual([h1, h2, p1].sort((x, y) => x - y))
  // counted as stored, the recorded ones only — in what the results read before the counting job has run and after
  const perCommunity = async () => (await countSummary(db, quota.id)).filter((r) => r.questionId === 0).map((r) => [r.community, r.n]).sort()
  expect(await responseCount(db, quota.id)).toBe(3)
  expect(await perCommunity()).toEqual([[HAPPY, 2], [PEACE, 1]])
  await foldAllCounts(t.ctx, quota.id)
  const counted = await db.one<{ n: number }>(`SELECT coalesce(sum(n), 0)::int AS n FROM survey_counts WHERE survey_id = $1 AND question_id = 0`, [quota.id])
  expect(counted!.n).toBe(3)
  expect(await responseCount(db, quota.id)).toBe(3)
  expect(await perCommunity()).toEqual([[HAPPY, 2], [PEACE, 1]])

  // the next batch finds HAPPY full and the person already answered; the key of the refused one is taken back
  const again = await recordResponses(db, [item(quota, false, a1, HAPPY, 'k-late'), item(quota, false, h2, HAPPY, 'k-h2b')])
  expect(again.map((o) => o.outcome)).toEqual(['quota_full', 'answered'])
  expect(await db.query(`SELECT key FROM idempotency_keys WHERE key IN ('k-late', 'k-h2b')`)).toEqual([])
  expect((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey_participations WHERE survey_id = $1', [quota.id]))!.n).toBe(3)
})

it('answers an empty batch with nothing', async () => {
  expect(await recordResponses(t.ctx.db, [])).toEqual([])
})

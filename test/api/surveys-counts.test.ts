import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'
import { countSummary, pairCounts } from '../../server/modules/surveys/queries'
import { foldSurveyCounts } from '../../server/modules/surveys/counting'
import { foldAllCounts } from '../helpers/survey-counting'

// The counts the results and cross-tabs read (survey_counts, survey_pair_counts) are kept as answers arrive; here they
// are compared with a recount from the raw answers after random submissions, sent in concurrent waves so that they
// go to the database in batches, with replays and refusals among them.
const COMMUNITIES = ['329901001001', '329901001002', '329901002001']
const STREET_OF: Record<string, string> = { '329901001001': '329901001', '329901001002': '329901001', '329901002001': '329901002' }
const RESIDENTS = Number(process.env.SURVEY_COUNTS_RESIDENTS ?? 45)
// the counting job (migration 0036) is run by the test, at chosen points: so that reads meet responses both counted
// and not counted yet, and a cross-tab starts being counted with some of each
process.env.SURVEY_COUNTS_INTERVAL_MS = '0'

let t: TestApp
let office: string

beforeAll(async () => {
  t = await createTestApp()
  office = await t.login(DEMO_ACCOUNTS.office.phone)
}, 180_000)
afterAll(() => t.close())

// a small deterministic generator: a failure can be replayed with its seed
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const DEF = {
  sections: [
    {
      key: 's1', title: '一',
      questions: [
        { key: 'age', type: 'single', title: '年龄', required: true, options: [{ value: 'y', label: '青' }, { value: 'm', label: '中' }, { value: 'o', label: '老' }] },
        { key: 'pick', type: 'multiple', title: '多选', required: false, options: [{ value: 'a', label: '甲' }, { value: 'b', label: '乙' }, { value: 'c', label: '丙' }, { value: 'x', label: '其他（请注明）', other: true }], maxChoices: 3 },
        { key: 'sat', type: 'scale5', title: '满意', required: true },
        { key: 'why', type: 'multiple', title: '原因', required: true, showWhen: [{ question: 'sat', anyOf: ['1', '2'] }, { question: 'age', anyOf: ['o'] }], showMatch: 'any', options: [{ value: 'p', label: '一' }, { value: 'q', label: '二' }] },
        { key: 'rate', type: 'rating10', title: '评分', required: false },
        { key: 'grid', type: 'matrix', title: '矩阵', required: false, rows: [{ key: 'r1', label: '一' }, { key: 'r2', label: '二' }] },
        { key: 'note', type: 'short_text', title: '建议', required: false },
      ],
    },
  ],
}

function randomAnswers(r: () => number): Record<string, unknown> {
  const pickOne = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]
  const age = pickOne(['y', 'm', 'o'])
  const sat = 1 + Math.floor(r() * 5)
  const out: Record<string, unknown> = { age: { choice: age }, sat: { value: sat } }
  if (r() < 0.7) {
    const choices = ['a', 'b', 'c', 'x'].filter(() => r() < 0.5).slice(0, 3)
    if (choices.length) out.pick = { choices, ...(choices.includes('x') ? { other: '别的' } : {}) }
  }
  if (sat <= 2 || age === 'o') out.why = { choices: ['p', 'q'].filter((_, i) => i === 0 || r() < 0.5) }
  if (r() < 0.6) out.rate = { value: Math.floor(r() * 11) }
  if (r() < 0.6) out.grid = { rows: Object.fromEntries(['r1', 'r2'].filter(() => r() < 0.7).map((k) => [k, 1 + Math.floor(r() * 5)])) }
  if (r() < 0.3) out.note = { text: '多种树' }
  if ((out.grid as { rows: object } | undefined) && Object.keys((out.grid as { rows: object }).rows).length === 0) delete out.grid
  return out
}

type Tally = Map<string, { n: number; numSum: number; others: number }>
const add = (m: Tally, k: string, n: number, numSum = 0, others = 0) => {
  const e = m.get(k) ?? { n: 0, numSum: 0, others: 0 }
  m.set(k, { n: e.n + n, numSum: e.numSum + numSum, others: e.others + others })
}

/** survey_counts as it should be, from the stored answers and responses alone. */
async function recount(surveyId: number): Promise<Tally> {
  const answers = await t.ctx.db.query<{ rid: string; q: number; row: string; c: string; picked: string[]; num: number | null; other: string | null }>(
    `SELECT response_id::text AS rid, question_id::int AS q, row_key AS row, coalesce(community_code, '') AS c, picked, num, other_text AS other
       FROM survey_answers WHERE survey_id = $1`, [surveyId])
  const responses = await t.ctx.db.query<{ c: string }>(`SELECT coalesce(community_code, '') AS c FROM survey_responses WHERE survey_id = $1`, [surveyId])
  const m: Tally = new Map()
  for (const r of responses) add(m, `0||${r.c}|`, 1)
  const wholeMatrix = new Set<string>()
  for (const a of answers) {
    add(m, `${a.q}|${a.row}|${a.c}|`, 1, a.num ?? 0, a.other === null ? 0 : 1)
    for (const v of a.picked) add(m, `${a.q}|${a.row}|${a.c}|${v}`, 1)
    if (a.row !== '' && !wholeMatrix.has(`${a.rid}|${a.q}`)) {
      wholeMatrix.add(`${a.rid}|${a.q}`)
      add(m, `${a.q}||${a.c}|`, 1)
    }
  }
  return m
}

async function kept(surveyId: number): Promise<Tally> {
  const rows = await t.ctx.db.query<{ k: string; n: number; numSum: number; others: number }>(
    `SELECT question_id || '|' || row_key || '|' || community_code || '|' || value AS k, sum(n)::int AS n, sum(num_sum)::float8 AS "numSum",
            sum(others)::int AS others
       FROM survey_counts WHERE survey_id = $1 GROUP BY 1`, [surveyId])
  return new Map(rows.map((r) => [r.k, { n: r.n, numSum: r.numSum, others: r.others }]))
}

/** What the results read (countSummary: the kept counts and the responses not counted yet), as a Tally. */
async function read(surveyId: number): Promise<Tally> {
  const m: Tally = new Map()
  for (const r of await countSummary(t.ctx.db, surveyId)) add(m, `${r.questionId}|${r.rowKey}|${r.community}|${r.value}`, r.n, r.numSum, r.others)
  return m
}

const sorted = (m: Tally) => [...m.entries()].filter(([, v]) => v.n > 0).sort(([a], [b]) => (a < b ? -1 : 1))

/** A cross-tab by another question, from the raw answers: respondents per group and per (group, value). */
async function rawPair(surveyId: number, q: string, by: string) {
  return t.ctx.db.query<{ g: string; v: string; n: number }>(
    `SELECT g, v, count(*)::int AS n
       FROM survey_answers a JOIN survey_questions qa ON qa.id = a.question_id AND qa.key = $2
       JOIN survey_answers b ON b.response_id = a.response_id JOIN survey_questions qb ON qb.id = b.question_id AND qb.key = $3
       CROSS JOIN LATERAL unnest(b.picked) AS g CROSS JOIN LATERAL unnest(array_prepend(''::text, a.picked)) AS v
      WHERE a.survey_id = $1 AND a.row_key = '' AND b.row_key = '' GROUP BY 1, 2 ORDER BY 1, 2`, [surveyId, q, by])
}

/** A cross-tab as the results read it (pairCounts), in rawPair's shape. */
async function pairRead(surveyId: number, q: string, by: string) {
  const id = async (key: string) => (await t.ctx.db.one<{ id: number }>('SELECT id::int AS id FROM survey_questions WHERE survey_id = $1 AND key = $2', [surveyId, key]))!.id
  const got = await pairCounts(t.ctx.db, surveyId, { questionId: await id(q), rowKey: '', byQuestionId: await id(by), byRowKey: '' })
  return got!.rows.map((r) => ({ g: r.grp, v: r.value, n: r.n })).filter((x) => x.n > 0).sort((a, b) => (a.g + '|' + a.v < b.g + '|' + b.v ? -1 : 1))
}

async function pairKept(surveyId: number, q: string, by: string) {
  return t.ctx.db.query<{ g: string; v: string; n: number }>(
    `SELECT p.by_value AS g, p.value AS v, sum(p.n)::int AS n FROM survey_pair_counts p
       JOIN survey_questions qa ON qa.id = p.question_id AND qa.key = $2 JOIN survey_questions qb ON qb.id = p.by_question_id AND qb.key = $3
      WHERE p.survey_id = $1 AND p.row_key = '' AND p.by_row_key = '' GROUP BY 1, 2 HAVING sum(p.n) > 0 ORDER BY 1, 2`, [surveyId, q, by])
}

it('the kept counts equal a recount of the raw answers after random concurrent submissions, replays and refusals', async () => {
  const created = await t.as(office, {
    method: 'POST', url: '/api/v1/surveys/admin',
    payload: { title: '计数核对', regionCode: '3299', audience: 'residents', anonymous: false, quotaPerCommunity: 12, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), definition: DEF },
  })
  expect(created.statusCode).toBe(201)
  const id = created.json().id as number
  expect((await t.as(office, { method: 'POST', url: `/api/v1/surveys/admin/${id}/publish` })).statusCode).toBe(200)
  const seed = Number(process.env.SURVEY_COUNTS_SEED ?? Date.now() % 100000)
  const r = rng(seed)
  const people: Array<{ token: string; community: string }> = []
  for (let i = 0; i < RESIDENTS; i++) {
    const community = COMMUNITIES[Math.floor(r() * COMMUNITIES.length)]
    const token = await t.login(`1340000${String(1000 + i).padStart(4, '0')}`)
    await t.as(token, { method: 'PATCH', url: '/api/v1/me', payload: { communityCode: community } })
    people.push({ token, community })
  }
  // one pair is counted from before the first response, another from the middle of the run
  expect((await t.as(office, { method: 'GET', url: `/api/v1/surveys/admin/${id}/crosstab?question=sat&by=question&byQuestion=age` })).statusCode).toBe(200)
  const submit = (p: { token: string }, answers: object, key?: string) =>
    t.as(p.token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers }, headers: key ? { 'idempotency-key': key } : {} })
  const statuses: number[] = []
  for (let wave = 0; wave < people.length; wave += 15) {
    // the counting job once in the middle: the second pair starts with the first wave counted and the second not
    if (wave === 15) await foldSurveyCounts(t.ctx)
    const group = people.slice(wave, wave + 15)
    const sends = group.flatMap((p, i) => {
      const answers = randomAnswers(r)
      const key = `counts-${seed}-${wave + i}`
      // each person twice with one key (a replay), some a third time without it (refused), some with a bad answer first
      const out = [submit(p, answers, key), submit(p, answers, key)]
      if (r() < 0.3) out.push(submit(p, answers))
      if (r() < 0.2) out.push(submit(p, { ...answers, sat: { value: 9 } }))
      return out
    })
    statuses.push(...(await Promise.all(sends)).map((x) => x.statusCode))
    if (wave === 15) expect((await t.as(office, { method: 'GET', url: `/api/v1/surveys/admin/${id}/crosstab?question=why&by=question&byQuestion=pick` })).statusCode).toBe(200)
  }
  expect(statuses.every((s) => [201, 400, 409].includes(s))).toBe(true)
  const stored = (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey_responses WHERE survey_id = $1', [id]))!.n
  // the quota (12 per community) bounds what was stored; every resident within it answered once
  const perCommunity = COMMUNITIES.map((c) => Math.min(12, people.filter((p) => p.community === c).length))
  expect(stored).toBe(perCommunity.reduce((a, b) => a + b, 0))

  // read while some responses are not counted yet: they are counted on the spot
  const uncounted = (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey_uncounted WHERE survey_id = $1', [id]))!.n
  expect(uncounted).toBeGreaterThan(0)
  expect(uncounted).toBeLessThan(stored)
  const expected = sorted(await recount(id))
  const pairs = { satAge: (await rawPair(id, 'sat', 'age')).filter((x) => x.n > 0), whyPick: (await rawPair(id, 'why', 'pick')).filter((x) => x.n > 0) }
  expect(sorted(await read(id))).toEqual(expected)
  expect(await pairRead(id, 'sat', 'age')).toEqual(pairs.satAge)
  expect(await pairRead(id, 'why', 'pick')).toEqual(pairs.whyPick)
  // the counting job leaves the same in the kept counts, each response once: two runs at once take different ones
  await Promise.all([foldSurveyCounts(t.ctx), foldSurveyCounts(t.ctx)])
  await foldAllCounts(t.ctx, id)
  expect(sorted(await kept(id))).toEqual(expected)
  expect(sorted(await read(id))).toEqual(expected)
  expect(await pairKept(id, 'sat', 'age')).toEqual(pairs.satAge)
  expect(await pairKept(id, 'why', 'pick')).toEqual(pairs.whyPick)
  expect(await pairRead(id, 'why', 'pick')).toEqual(pairs.whyPick)

  // what staff read is the same as the raw answers say
  const results = (await t.as(office, { method: 'GET', url: `/api/v1/surveys/admin/${id}/results` })).json()
  expect(results.responses).toBe(stored)
  const raw = await t.ctx.db.query<{ v: string; n: number }>(
    `SELECT v, count(*)::int AS n FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id AND q.key = 'pick'
      CROSS JOIN LATERAL unnest(a.picked) AS v WHERE a.survey_id = $1 GROUP BY v`, [id])
  const pick = results.questions.find((q: { key: string }) => q.key === 'pick')
  for (const o of pick.options) expect(o.count).toBe(raw.find((x) => x.v === o.value)?.n ?? 0)
  const mean = await t.ctx.db.one<{ m: number }>(
    `SELECT round(avg(num), 2)::float8 AS m FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id AND q.key = 'sat' WHERE a.survey_id = $1`, [id])
  expect(results.questions.find((q: { key: string }) => q.key === 'sat').mean).toBeCloseTo(mean!.m, 2)
  const street = (await t.as(office, { method: 'GET', url: `/api/v1/surveys/admin/${id}/crosstab?question=sat&by=street` })).json()
  const rawStreet = new Map<string, number>()
  for (const p of await t.ctx.db.query<{ c: string; n: number }>(
    `SELECT a.community_code AS c, count(*)::int AS n FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id AND q.key = 'sat' WHERE a.survey_id = $1 GROUP BY 1`, [id])) {
    rawStreet.set(STREET_OF[p.c], (rawStreet.get(STREET_OF[p.c]) ?? 0) + p.n)
  }
  for (const g of street.groups) if (g.respondents !== null) expect(g.respondents).toBe(rawStreet.get(g.key))

  // the texts' references hold without foreign keys (migration 0030): each text belongs to a stored response of the
  // same survey, community and day, and to a question of that survey; so does each response's picks (migration 0035);
  // every response has its required answers
  const broken = await t.ctx.db.one<{ orphans: number; foreign: number; bare: number }>(
    `SELECT (SELECT count(*)::int FROM survey_texts a LEFT JOIN survey_responses r ON r.id = a.response_id
              WHERE a.survey_id = $1 AND (r.id IS NULL OR r.survey_id <> a.survey_id OR r.community_code IS DISTINCT FROM a.community_code
                                          OR r.submitted_on <> a.submitted_on)) AS orphans,
            (SELECT count(*)::int FROM (SELECT a.question_id FROM survey_texts a WHERE a.survey_id = $1
                                        UNION ALL SELECT (e->>0)::bigint FROM survey_responses r, jsonb_array_elements(r.picks) e WHERE r.survey_id = $1) a
               LEFT JOIN survey_questions q ON q.id = a.question_id
              WHERE q.id IS NULL OR q.survey_id <> $1) AS foreign,
            (SELECT count(*)::int FROM survey_responses r WHERE r.survey_id = $1
                AND NOT EXISTS (SELECT 1 FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id AND q.key IN ('age', 'sat')
                                 WHERE a.response_id = r.id GROUP BY a.response_id HAVING count(*) = 2)) AS bare`, [id])
  expect(broken).toEqual({ orphans: 0, foreign: 0, bare: 0 })
  // deleting responses still takes their texts (the trigger that stands in for ON DELETE CASCADE)
  const gone = await t.ctx.db.query<{ id: string }>(
    'SELECT DISTINCT response_id::text AS id FROM survey_texts WHERE survey_id = $1 ORDER BY 1 LIMIT 3', [id])
  expect(gone.length).toBeGreaterThan(0)
  await t.ctx.db.query('DELETE FROM survey_responses WHERE id = ANY($1::uuid[])', [gone.map((g) => g.id)])
  const left = await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM survey_texts WHERE response_id = ANY($1::uuid[])', [gone.map((g) => g.id)])
  expect(left!.n).toBe(0)
}, 600_000)

import ExcelJS from 'exceljs'
import Fastify from 'fastify'
import { buildApp } from '../../server/app'
import { createRuntime } from '../../server/bootstrap'
import { surveyRoutes } from '../../server/modules/surveys/routes'
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../helpers/app'

const HAPPY = '329901001001' // 幸福里社区, street 329901001
const PEACE = '329901001002' // 和平社区, street 329901001
const SPRING = '329901002001' // 春晖社区, street 329901002
const CITY = '3299'
const hour = 3600_000

let t: TestApp
let worker: string
let office: string

const newResident = (community: string | null) => t.resident(community)

async function create(over: Record<string, unknown>): Promise<number> {
  const r = await t.as(office, {
    method: 'POST',
    url: '/api/v1/surveys/admin',
    payload: {
      template: 'chuangwen_standard', title: '创文问卷', regionCode: CITY, audience: 'residents', anonymous: true, resultsPublic: true,
      startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 24 * hour).toISOString(), ...over,
    },
  })
  expect(r.statusCode).toBe(201)
  expect((await t.as(office, { method: 'POST', url: `/api/v1/surveys/admin/${r.json().id}/publish` })).statusCode).toBe(200)
  return r.json().id
}

function answers(aware: 'yes' | 'no', age: string, suggestion?: string) {
  return {
    age: { choice: age },
    residence: { choice: 'gt3y' },
    aware: { choice: aware },
    support: { choice: 'yes' },
    overall: { value: aware === 'yes' ? 5 : 2 },
    ...(aware === 'no' ? { reasons: { choices: ['other'], other: '宣传不够' } } : {}),
    areas: { rows: { sanitation: 4, traffic: 3, facilities: 5, community: 4, windows: 2, volunteering: 5 } },
    ...(suggestion ? { suggestion: { text: suggestion } } : {}),
  }
}

const get = (token: string, url: string) => t.as(token, { method: 'GET', url })

let id: number
let anonymousOne: { token: string; id: number; phone: string }

// 幸福里 7 (6 知道, 1 不知道; all 60+), 和平 10 (5 / 5; 30–44), 春晖 3 (all 知道; 30–44)
beforeAll(async () => {
  t = await createTestApp()
  worker = await t.login(DEMO_ACCOUNTS.worker.phone)
  office = await t.login(DEMO_ACCOUNTS.office.phone)
  id = await create({})
  const plan: Array<[string, 'yes' | 'no', string]> = [
    ...Array.from({ length: 6 }, () => [HAPPY, 'yes', 'a60plus'] as [string, 'yes', string]),
    [HAPPY, 'no', 'a60plus'],
    ...Array.from({ length: 5 }, () => [PEACE, 'yes', 'a30_44'] as [string, 'yes', string]),
    ...Array.from({ length: 5 }, () => [PEACE, 'no', 'a30_44'] as [string, 'no', string]),
    ...Array.from({ length: 3 }, () => [SPRING, 'yes', 'a30_44'] as [string, 'yes', string]),
  ]
  let n = 0
  for (const [community, aware, age] of plan) {
    const r = await newResident(community)
    const text = n < 25 ? (n % 2 === 0 ? `建议增加垃圾分类宣传 ${n}` : `希望路灯早点修好 ${n}`) : undefined
    const res = await t.as(r.token, { method: 'POST', url: `/api/v1/surveys/${id}/responses`, payload: { answers: answers(aware, age, text) }, headers: { 'idempotency-key': `anon-${n}-key` } })
    expect(res.statusCode).toBe(201)
    if (n === 0) anonymousOne = r
    n++
  }
}, 180_000) // a fresh database and (here) a few dozen sign-ins on a machine shared with other suites
afterAll(() => t.close())

describe('results', () => {
  it('gives staff the distribution of each question with counts and percentages, live while open', async () => {
    const r = await get(office, `/api/v1/surveys/admin/${id}/results`)
    expect(r.statusCode).toBe(200)
    const res = r.json()
    expect(res.responses).toBe(20)
    const aware = res.questions.find((q: { key: string }) => q.key === 'aware')
    expect(aware).toMatchObject({ answered: 20, options: [{ value: 'yes', label: '知道', count: 14, percent: 70 }, { value: 'no', label: '不知道', count: 6, percent: 30 }] })
    const overall = res.questions.find((q: { key: string }) => q.key === 'overall')
    expect(overall.options.map((o: { label: string; count: number }) => [o.label, o.count])).toEqual([['很满意', 14], ['满意', 0], ['一般', 0], ['不满意', 6], ['很不满意', 0]])
    expect(overall.mean).toBe(4.1)
    const areas = res.questions.find((q: { key: string }) => q.key === 'areas')
    expect(areas.answered).toBe(20)
    expect(areas.rows.find((x: { key: string }) => x.key === 'windows').options.find((o: { value: string }) => o.value === '2').count).toBe(20)
    const reasons = res.questions.find((q: { key: string }) => q.key === 'reasons')
    expect(reasons).toMatchObject({ answered: 6, otherTexts: 6 })
  })

  it('a community worker reads results of a survey in their area only', async () => {
    expect((await get(worker, `/api/v1/surveys/admin/${id}/results`)).json().code).toBe('REGION_NOT_COVERED')
  })

  it('shows residents the results only after close, and only when the survey publishes them', async () => {
    const r = await get(anonymousOne.token, `/api/v1/surveys/${id}/results`)
    expect([r.statusCode, r.json().code]).toEqual([403, 'RESULTS_NOT_YET'])
    const hidden = await create({ resultsPublic: false, title: '不公开结果' })
    await t.as(office, { method: 'POST', url: `/api/v1/surveys/admin/${hidden}/close` })
    expect((await get(anonymousOne.token, `/api/v1/surveys/${hidden}/results`)).json().code).toBe('RESULTS_NOT_PUBLIC')
  })
})

describe('cross-tabulation with small-cell suppression', () => {
  it('by community: cells and groups of fewer than 5 show "<5", and so does a cell or group its totals would give away', async () => {
    const r = await get(office, `/api/v1/surveys/admin/${id}/crosstab?question=aware&by=community`)
    expect(r.statusCode).toBe(200)
    const groups = Object.fromEntries(r.json().groups.map((g: { key: string }) => [g.key, g]))
    // 和平: 5 and 5, shown
    expect(groups[PEACE]).toMatchObject({ respondents: 10, display: '10' })
    expect(groups[PEACE].cells).toEqual([
      { value: 'yes', count: 5, percent: 50, display: '5（50%）', suppressed: false },
      { value: 'no', count: 5, percent: 50, display: '5（50%）', suppressed: false },
    ])
    // 春晖: 3 respondents — the group is "<5"; 幸福里 would give it away (20 − 10 − 7), so it is hidden too
    for (const k of [SPRING, HAPPY]) {
      expect(groups[k]).toMatchObject({ respondents: null, display: '<5' })
      for (const c of groups[k].cells) expect(c).toMatchObject({ count: null, percent: null, display: '<5', suppressed: true })
    }
    expect(JSON.stringify(r.json())).not.toMatch(/"count":[1-4],/)
  })

  it('by another question: a single small cell in a group hides its neighbour as well', async () => {
    const r = await get(office, `/api/v1/surveys/admin/${id}/crosstab?question=aware&by=question&byQuestion=age`)
    expect(r.statusCode).toBe(200)
    const groups = Object.fromEntries(r.json().groups.map((g: { key: string }) => [g.key, g]))
    expect(groups.a30_44.cells.map((c: { count: number | null }) => c.count)).toEqual([8, 5])
    expect(groups.a60plus.respondents).toBe(7)
    // 6 知道 / 1 不知道: the 1 is hidden, and the 6 with it (7 − 6 would tell)
    expect(groups.a60plus.cells.map((c: { display: string }) => c.display)).toEqual(['<5', '<5'])
    expect(groups.under18).toMatchObject({ respondents: null, display: '<5' })
  })

  it('by street, and refuses a text question or a matrix without its row', async () => {
    const r = await get(office, `/api/v1/surveys/admin/${id}/crosstab?question=areas&row=windows&by=street`)
    expect(r.statusCode).toBe(200)
    // two streets, one of 3 respondents: the other's figures would give it away
    expect(r.json().groups.map((g: { display: string }) => g.display)).toEqual(['<5', '<5'])
    expect((await get(office, `/api/v1/surveys/admin/${id}/crosstab?question=suggestion&by=community`)).json().code).toBe('QUESTION_NOT_COUNTABLE')
    expect((await get(office, `/api/v1/surveys/admin/${id}/crosstab?question=areas&by=community`)).json().code).toBe('QUESTION_ROW_INVALID')
  })
})

describe('kept counts (counts-cache.ts)', () => {
  const aware = (res: { questions: Array<{ key: string; options: Array<{ count: number }> }> }) =>
    res.questions.find((q) => q.key === 'aware')!.options.map((o) => o.count)
  const sizes = (res: { groups: Array<{ key: string; respondents: number | null }> }) => Object.fromEntries(res.groups.map((g) => [g.key, g.respondents]))

  it('a result read before a response changes right after it, in this API process and in another one', async () => {
    const sid = await create({ title: '计数缓存' })
    for (let i = 0; i < 5; i++) {
      const r = await newResident(PEACE)
      expect((await t.as(r.token, { method: 'POST', url: `/api/v1/surveys/${sid}/responses`, payload: { answers: answers('yes', 'a30_44') } })).statusCode).toBe(201)
    }
    const rt = await createRuntime(t.ctx.config, t.ctx.db, { sms: t.ctx.sms, wechat: t.ctx.wechat })
    const second = await buildApp(rt.ctx)
    try {
      const read = async (app: 'first' | 'second', url: string) => {
        const r = app === 'first' ? await get(office, url) : await second.inject({ method: 'GET', url, headers: { authorization: `Bearer ${office}` } })
        expect(r.statusCode).toBe(200)
        return r.json()
      }
      const results = `/api/v1/surveys/admin/${sid}/results`
      const byCommunity = `/api/v1/surveys/admin/${sid}/crosstab?question=aware&by=community`
      const byAge = `/api/v1/surveys/admin/${sid}/crosstab?question=aware&by=question&byQuestion=age`
      // read twice in both processes: the second read is the kept one
      for (const app of ['first', 'second'] as const) {
        for (let i = 0; i < 2; i++) {
          expect((await read(app, results)).responses).toBe(5)
          expect(aware(await read(app, results))).toEqual([5, 0])
          expect(sizes(await read(app, byCommunity))).toEqual({ [PEACE]: 5 })
          expect(sizes(await read(app, byAge)).a30_44).toBe(5)
        }
      }
      // one more response, through the first process; no wait before reading again
      const r = await newResident(PEACE)
      expect((await t.as(r.token, { method: 'POST', url: `/api/v1/surveys/${sid}/responses`, payload: { answers: answers('no', 'a30_44') } })).statusCode).toBe(201)
      for (const app of ['first', 'second'] as const) {
        expect((await read(app, results)).responses).toBe(6)
        expect(aware(await read(app, results))).toEqual([5, 1])
        expect(sizes(await read(app, byCommunity))).toEqual({ [PEACE]: 6 })
        expect(sizes(await read(app, byAge)).a30_44).toBe(6)
      }
    } finally {
      await second.close()
      await rt.close()
    }
  })
})

describe('text answers', () => {
  it('pages and searches, and an anonymous survey does not say where a text came from', async () => {
    const first = (await get(office, `/api/v1/surveys/admin/${id}/texts?question=suggestion&limit=8`)).json()
    expect(first.total).toBe(20)
    expect(first.items).toHaveLength(8)
    expect(first.items[0]).toEqual({ text: expect.any(String), day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), communityName: null, held: false })
    const seen = new Set(first.items.map((i: { text: string }) => i.text))
    let cursor = first.nextCursor
    while (cursor) {
      const page = (await get(office, `/api/v1/surveys/admin/${id}/texts?question=suggestion&limit=8&cursor=${cursor}`)).json()
      page.items.forEach((i: { text: string }) => seen.add(i.text))
      cursor = page.nextCursor
    }
    expect(seen.size).toBe(20)
    const found = (await get(office, `/api/v1/surveys/admin/${id}/texts?question=suggestion&q=${encodeURIComponent('垃圾分类')}`)).json()
    expect(found.total).toBe(10)
    expect(found.items.every((i: { text: string }) => i.text.includes('垃圾分类'))).toBe(true)
    const others = (await get(office, `/api/v1/surveys/admin/${id}/texts?question=reasons`)).json()
    expect(others.items.map((i: { text: string }) => i.text)).toEqual(Array(6).fill('宣传不够'))
  })
})

/** The rows of an .xlsx answer, header first, as plain values. */
async function sheetOf(body: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(body as never)
  const ws = wb.worksheets[0]
  return Array.from({ length: ws.actualRowCount }, (_, i) => (ws.getRow(i + 1).values as unknown[]).slice(1))
}

/** RFC 4180 rows (quoted cells may hold commas, quotes and line breaks). */
function csvRows(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++ } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(cell); cell = '' } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++ } else cell += c
  }
  return rows
}

describe('exports', () => {
  const exportUrl = (sid: number, what: string, format: string) => `/api/v1/surveys/admin/${sid}/export?what=${what}&format=${format}`

  it('responses of an anonymous survey as .xlsx: parsed back, a row per response, no person columns, the day only', async () => {
    const r = await get(office, exportUrl(id, 'responses', 'xlsx'))
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toContain('spreadsheetml')
    expect(r.headers['content-disposition']).toContain(`survey-${id}-responses.xlsx`)
    const rows = await sheetOf(r.rawPayload)
    const [header, ...body] = rows
    expect(header.slice(0, 4)).toEqual(['序号', '提交日期', '1. 您的年龄段', '2. 您在本市居住（含工作、学习）了多长时间？'])
    expect(header).not.toEqual(expect.arrayContaining(['答卷人', '社区', '提交时间']))
    expect(header).toContain('6. 您对以下各方面满意吗？—窗口服务')
    expect(body).toHaveLength(20)
    const col = (title: string) => header.indexOf(title)
    const aware = body.map((x) => x[col('3. 您知道本市正在创建全国文明城市吗？')])
    expect(aware.filter((v) => v === '知道')).toHaveLength(14)
    expect(aware.filter((v) => v === '不知道')).toHaveLength(6)
    expect(body.map((x) => x[col('7. 您不满意的主要原因是？')]).filter((v) => v === '其他（请注明）：宣传不够')).toHaveLength(6)
    expect(body.every((x) => /^\d{4}-\d{2}-\d{2}$/.test(String(x[1])))).toBe(true)
    const resident = (await t.ctx.db.query<{ nickname: string | null }>('SELECT nickname FROM users WHERE id = $1', [anonymousOne.id]))[0]
    const flat = JSON.stringify(rows)
    expect(flat).not.toContain(anonymousOne.phone)
    if (resident.nickname) expect(flat).not.toContain(`"${resident.nickname}"`)
    for (const name of ['幸福里社区', '和平社区', '春晖社区']) expect(flat).not.toContain(name)
  })

  it('the summary as .xlsx and .csv: counts and percentages per option', async () => {
    const x = await sheetOf((await get(office, exportUrl(id, 'summary', 'xlsx'))).rawPayload)
    expect(x[0]).toEqual(['题目', '选项', '人数', '占比（%）'])
    expect(x).toContainEqual(['全部', '答卷数', 20])
    expect(x).toContainEqual(['您知道本市正在创建全国文明城市吗？', '知道', 14, 70])
    expect(x).toContainEqual(['您对本市创建全国文明城市工作总体上满意吗？', '平均分', 4.1])
    const c = await get(office, exportUrl(id, 'summary', 'csv'))
    expect(c.headers['content-type']).toContain('text/csv')
    expect(c.body.charCodeAt(0)).toBe(0xfeff)
    expect(csvRows(c.body.slice(1))).toContainEqual(['您知道本市正在创建全国文明城市吗？', '不知道', '6', '30'])
  })

  it('a named survey\'s CSV has the person, the community and the minute; text a spreadsheet would run stays text', async () => {
    const named = await create({ anonymous: false, title: '实名问卷' })
    const who = await newResident(PEACE)
    await t.as(who.token, { method: 'PATCH', url: '/api/v1/me', payload: { nickname: '王小明' } })
    const tricky = '=HYPERLINK("http://x","点我"), 再说'
    expect((await t.as(who.token, { method: 'POST', url: `/api/v1/surveys/${named}/responses`, payload: { answers: answers('yes', 'a30_44', tricky) } })).statusCode).toBe(201)
    const r = await get(office, exportUrl(named, 'responses', 'csv'))
    expect(r.statusCode).toBe(200)
    const [header, row] = csvRows(r.body.slice(1))
    expect(header.slice(0, 4)).toEqual(['序号', '答卷人', '社区', '提交时间'])
    const nickname = (await t.ctx.db.one<{ nickname: string | null }>('SELECT nickname FROM users WHERE id = $1', [who.id]))!.nickname ?? ''
    expect(row.slice(0, 3)).toEqual(['1', nickname, '和平社区'])
    expect(row[3]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    expect(row[header.indexOf('8. 您对本市创建全国文明城市还有什么意见或建议？')]).toBe(`'${tricky}`)
  })

  it('refuses a resident, a worker outside the survey\'s area and a malformed request, before any byte of a file', async () => {
    const res = await get(anonymousOne.token, exportUrl(id, 'responses', 'xlsx'))
    expect([res.statusCode, res.json().code]).toEqual([403, 'FORBIDDEN_ROLE'])
    const w = await get(worker, exportUrl(id, 'responses', 'csv'))
    expect([w.statusCode, w.json().code]).toEqual([403, 'REGION_NOT_COVERED'])
    expect((await get(office, exportUrl(id, 'responses', 'pdf'))).statusCode).toBe(400)
    expect((await get(office, `/api/v1/surveys/admin/${id}/export?format=csv`)).statusCode).toBe(400)
    const missing = await get(office, exportUrl(99999999, 'summary', 'csv'))
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'SURVEY_NOT_FOUND'])
  })
})

/** Every route that returns survey data; the test below checks this list against the routes the server has. */
const SURVEY_ROUTES = [
  'GET /api/v1/surveys',
  'GET /api/v1/surveys/:id',
  'GET /api/v1/surveys/:id/draft',
  'PUT /api/v1/surveys/:id/draft',
  'POST /api/v1/surveys/:id/responses',
  'GET /api/v1/surveys/:id/results',
  'GET /api/v1/surveys/closed',
  'GET /api/v1/surveys/notices',
  'PUT /api/v1/surveys/notices',
  'GET /api/v1/surveys/templates',
  'GET /api/v1/surveys/admin',
  'POST /api/v1/surveys/admin',
  'GET /api/v1/surveys/admin/:id',
  'GET /api/v1/surveys/admin/:id/preview',
  'PUT /api/v1/surveys/admin/:id',
  'POST /api/v1/surveys/admin/:id/publish',
  'POST /api/v1/surveys/admin/:id/close',
  'GET /api/v1/surveys/admin/:id/results',
  'GET /api/v1/surveys/admin/:id/crosstab',
  'GET /api/v1/surveys/admin/:id/texts',
  'GET /api/v1/surveys/admin/:id/export',
  'GET /api/v1/home',
]

describe('an anonymous response cannot be tied to its person', () => {
  it('the route list covers every survey route of the server', async () => {
    for (const r of SURVEY_ROUTES) {
      const [method, url] = r.split(' ')
      expect([r, t.app.hasRoute({ method: method as 'GET', url })]).toEqual([r, true])
    }
    // every route the surveys plugin declares, seen as it registers
    const probe = Fastify()
    const declared: string[] = []
    probe.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') declared.push(`${m} ${r.url}`)
    })
    await probe.register(surveyRoutes(t.ctx), { prefix: '/api/v1' })
    await probe.ready()
    await probe.close()
    expect(declared.length).toBeGreaterThanOrEqual(17)
    for (const r of declared) expect(SURVEY_ROUTES).toContain(r)
  })

  it('no route returns the person, the response id or a time finer than the day; the database keeps no link', async () => {
    const me = anonymousOne
    const resp = await t.ctx.db.query<{ id: string; userId: number | null; at: Date | null }>(
      'SELECT id::text AS id, user_id AS "userId", submitted_at AS at FROM survey_responses WHERE survey_id = $1', [id])
    expect(resp).toHaveLength(20)
    expect(resp.every((x) => x.userId === null && x.at === null)).toBe(true)
    const ids = resp.map((x) => x.id)

    const profile = (await get(me.token, '/api/v1/me')).json()
    const bodies: string[] = []
    const call = async (token: string, method: string, url: string, payload?: object, headers?: Record<string, string>) => {
      const r = await t.as(token, { method: method as 'GET', url, payload, headers })
      bodies.push(r.body)
      return r
    }
    // as the person themself
    await call(me.token, 'GET', '/api/v1/surveys')
    await call(me.token, 'GET', `/api/v1/surveys/${id}`)
    await call(me.token, 'GET', `/api/v1/surveys/${id}/draft`)
    await call(me.token, 'PUT', `/api/v1/surveys/${id}/draft`, { answers: {}, page: 0 })
    const replay = await call(me.token, 'POST', `/api/v1/surveys/${id}/responses`, { answers: answers('yes', 'a60plus') }, { 'idempotency-key': 'anon-0-key' })
    expect(replay.headers['idempotency-replayed']).toBe('true')
    expect(Object.keys(replay.json()).sort()).toEqual(['anonymous', 'submittedOn', 'surveyId'])
    await call(me.token, 'GET', `/api/v1/surveys/${id}/results`)
    await call(me.token, 'GET', '/api/v1/home')
    await call(me.token, 'PUT', '/api/v1/surveys/notices', { agreed: true, channel: 'h5' })
    await call(me.token, 'GET', '/api/v1/surveys/notices')
    // as staff who could see everything there is
    for (const token of [office, worker]) {
      await call(token, 'GET', '/api/v1/surveys/templates')
      await call(token, 'GET', '/api/v1/surveys/admin')
      await call(token, 'GET', `/api/v1/surveys/admin/${id}`)
      await call(token, 'GET', `/api/v1/surveys/admin/${id}/preview`)
      await call(token, 'GET', `/api/v1/surveys/admin/${id}/results`)
      for (const by of ['community', 'street', 'question&byQuestion=age']) await call(token, 'GET', `/api/v1/surveys/admin/${id}/crosstab?question=aware&by=${by}`)
      await call(token, 'GET', `/api/v1/surveys/admin/${id}/texts?question=suggestion&limit=100`)
      await call(token, 'GET', `/api/v1/surveys/admin/${id}/texts?question=reasons&limit=100`)
      for (const what of ['responses', 'summary']) await call(token, 'GET', `/api/v1/surveys/admin/${id}/export?what=${what}&format=csv`)
    }
    const staffView = (await get(office, `/api/v1/surveys/admin/${id}`)).json()
    await call(office, 'PUT', `/api/v1/surveys/admin/${id}`, { ...staffView, id: undefined, regionName: undefined, status: undefined, templateKey: undefined, responses: undefined, wordingChanges: undefined })
    await call(office, 'POST', `/api/v1/surveys/admin/${id}/close`)
    await call(office, 'POST', `/api/v1/surveys/admin/${id}/publish`)
    await call(me.token, 'GET', `/api/v1/surveys/${id}/results`)
    await call(me.token, 'GET', '/api/v1/surveys/closed')
    expect(bodies.length).toBeGreaterThanOrEqual(SURVEY_ROUTES.length)

    const all = bodies.join('\n')
    for (const rid of ids) expect(all).not.toContain(rid)
    expect(all).not.toContain(me.phone)
    expect(all).not.toMatch(/"(userId|user_id|responseId|response_id|phone|nickname|submittedAt|openid)"/)
    // no instant but the surveys' own windows
    const instants = [...all.matchAll(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g)].map((m) => m[0])
    const windows = await t.ctx.db.query<{ s: Date; e: Date }>('SELECT starts_at AS s, ends_at AS e FROM surveys')
    const window = new Set(windows.flatMap((w) => [new Date(w.s).toISOString(), new Date(w.e).toISOString()]))
    expect(instants.filter((x) => !window.has(x))).toEqual([])
    expect(profile.id).toBe(me.id)

    // the database: the participation row says who took part and nothing else; no audit line or stored reply names the response
    const cols = await t.ctx.db.query<{ c: string }>(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'survey_participations' ORDER BY ordinal_position`)
    expect(cols.map((x) => x.c)).toEqual(['survey_id', 'user_id'])
    const audit = await t.ctx.db.query('SELECT * FROM audit_log WHERE actor_id = $1', [me.id])
    expect(audit).toEqual([])
    const stored = await t.ctx.db.query<{ response: unknown }>('SELECT response FROM idempotency_keys WHERE user_id = $1', [me.id])
    expect(stored).toHaveLength(1)
    for (const rid of ids) expect(JSON.stringify(stored)).not.toContain(rid)
    expect(await t.ctx.db.one('SELECT 1 FROM survey_drafts WHERE user_id = $1 AND survey_id = $2', [me.id, id])).toBeUndefined()
  })
})

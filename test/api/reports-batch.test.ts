// Report submissions that arrive together are written by one statement (server/lib/statement-batch.ts,
// queries.submitMany). These tests make a burst arrive together for certain — every submission waits at WeChat's text
// check until the last one is there — and check that each request still gets its own answer.
import type { Sql } from '../../server/db/types'
import type { WechatAdapter } from '../../server/platform/wechat'
import { DEMO_ACCOUNTS } from '../helpers/app'
import { COMMUNITY, INSIDE, jpeg, reportsApp, submit, upload } from './reports-helpers'

let t: Awaited<ReturnType<typeof reportsApp>>
let resident: string
let other: string
let wechat: WechatAdapter

beforeAll(async () => {
  t = await reportsApp()
  wechat = t.ctx.wechat
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  other = await t.login('13900000201')
}, 60_000)
afterEach(() => {
  t.ctx.wechat = wechat
})
afterAll(() => t.close())

/** Holds every submission at the text check until `expected` of them are there, then lets them all go in one turn. */
function together(expected: number) {
  let arrived = 0
  let open!: () => void
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  t.ctx.wechat = {
    ...wechat,
    msgSecCheck: async (text) => {
      if (++arrived === expected) open()
      await gate
      return text.includes('违禁') ? 'risky' : 'pass'
    },
  }
}

/** The statements that wrote the rows: rows written by one transaction share its xmin. */
const transactions = async (ids: number[]) =>
  (await t.ctx.db.one<{ n: number }>('SELECT count(DISTINCT xmin::text)::int AS n FROM reports WHERE id = ANY($1::bigint[])', [ids]))!.n
const submitEvents = async (ids: number[]) =>
  t.ctx.db.query<{ id: number; n: number }>(
    `SELECT r.id::int AS id, (SELECT count(*)::int FROM report_events e WHERE e.report_id = r.id AND e.action = 'submit') AS n
       FROM reports r WHERE r.id = ANY($1::bigint[]) ORDER BY r.id`,
    [ids],
  )
const photoOf = async (token: string, color?: string) => (await upload(t, token, color ? await jpeg(color) : undefined)).json().id as string

it('a burst of submissions is written by one statement, each answered with its own report and one 台账 entry', async () => {
  const photos = await Promise.all(Array.from({ length: 12 }, () => photoOf(resident)))
  together(12)
  const results = await Promise.all(photos.map((p, i) => submit(t, resident, { photoIds: [p], description: `第 ${i} 条` }, `burst-key-${i}`)))
  expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(201))
  results.forEach((r, i) => {
    expect(r.json()).toMatchObject({ description: `第 ${i} 条`, state: 'submitted', isMine: true, held: false })
    expect(r.json().photos.map((p: { id: string }) => p.id)).toEqual([photos[i]])
    expect(r.json().timeline).toHaveLength(1)
  })
  const ids = results.map((r) => r.json().id as number)
  expect(new Set(ids).size).toBe(12)
  expect(await transactions(ids)).toBe(1)
  expect((await submitEvents(ids)).map((e) => e.n)).toEqual(Array(12).fill(1))
  // what the database holds is what each was told
  for (const r of results) {
    const d = (await t.as(resident, { method: 'GET', url: `/api/v1/reports/${r.json().id}` })).json()
    expect(d).toMatchObject({ description: r.json().description, createdAt: r.json().createdAt, dueAt: r.json().dueAt })
    expect(d.photos.map((p: { id: string }) => p.id)).toEqual(r.json().photos.map((p: { id: string }) => p.id))
  }
})

it('a mixed burst: invalid bodies, photos not one\'s own or wanted twice, retries with one key, held content — each gets its own answer', async () => {
  const mine = await Promise.all(Array.from({ length: 4 }, () => photoOf(resident)))
  const theirs = await photoOf(other)
  const shared = await photoOf(resident)
  const red = await photoOf(resident, '#ff0000')
  const before = (await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM reports'))!.n
  // those refused before the text check (schema, category, place) never reach the gate
  together(13)
  const sent = [
    submit(t, resident, { photoIds: [mine[0]], description: '正常一' }, 'mixed-ok-1'),
    submit(t, resident, { photoIds: [theirs], description: '别人的照片' }, 'mixed-theirs'),
    submit(t, resident, { photoIds: [shared], description: '抢同一张照片' }, 'mixed-shared-a'),
    submit(t, resident, { photoIds: [shared], description: '抢同一张照片' }, 'mixed-shared-b'),
    ...Array.from({ length: 5 }, () => submit(t, resident, { photoIds: [mine[1]], description: '同一个请求重发' }, 'mixed-retry')),
    submit(t, resident, { photoIds: [mine[2]], description: '这里有违禁内容' }, 'mixed-held-text'),
    submit(t, resident, { photoIds: [red], description: '图片待审' }, 'mixed-held-photo'),
    submit(t, other, { photoIds: [mine[3]], description: '拿别人的照片' }, 'mixed-not-owner'),
    submit(t, other, { photoIds: ['no-such-photo-000000'], description: '不存在的照片' }, 'mixed-unknown'),
    submit(t, resident, { photoIds: [mine[3]], description: '在城外', lng: 116.4, lat: 39.9 }, 'mixed-outside'),
    submit(t, resident, { photoIds: [mine[3]], categoryCode: 'no_such_category' }, 'mixed-category'),
    submit(t, resident, { photoIds: [mine[3]], lng: 'east' }, 'mixed-malformed'),
    submit(t, resident, { photoIds: [mine[3]] }, 'short'),
  ]
  const [ok1, theirsRes, sharedA, sharedB, ...rest] = await Promise.all(sent)
  const retries = rest.slice(0, 5)
  const [heldText, heldPhoto, notOwner, unknown, outside, category, malformed, badKey] = rest.slice(5)

  expect(ok1.statusCode).toBe(201)
  expect(ok1.json()).toMatchObject({ description: '正常一', held: false })
  expect(theirsRes.statusCode).toBe(400)
  expect(theirsRes.json().code).toBe('PHOTO_NOT_FOUND')
  // one photo, two reports wanting it: exactly one gets it
  const sharedCodes = [sharedA, sharedB].map((r) => r.statusCode).sort()
  expect(sharedCodes).toEqual([201, 400])
  expect([sharedA, sharedB].find((r) => r.statusCode === 400)!.json().code).toBe('PHOTO_NOT_FOUND')
  // one key: one report, the others told it again
  expect(retries.map((r) => r.statusCode)).toEqual(Array(5).fill(201))
  expect(new Set(retries.map((r) => r.json().id)).size).toBe(1)
  expect(retries.filter((r) => r.headers['idempotency-replayed'] === 'true')).toHaveLength(4)
  // the content check holds only its own
  expect(heldText.json()).toMatchObject({ held: true, holdReason: '文字内容待人工审核' })
  expect(heldPhoto.json()).toMatchObject({ held: true, holdReason: '图片内容待人工审核' })
  expect(notOwner.json().code).toBe('PHOTO_NOT_FOUND')
  expect(unknown.json().code).toBe('PHOTO_NOT_FOUND')
  expect(outside.json().code).toBe('OUTSIDE_CITY')
  expect(category.json().code).toBe('CATEGORY_NOT_FOUND')
  expect(malformed.statusCode).toBe(400)
  expect(badKey.json().code).toBe('IDEMPOTENCY_KEY_INVALID')

  const created = [ok1, sharedA.statusCode === 201 ? sharedA : sharedB, retries[0], heldText, heldPhoto].map((r) => r.json().id as number)
  expect((await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM reports'))!.n).toBe(before + created.length)
  expect((await submitEvents(created)).map((e) => e.n)).toEqual(Array(created.length).fill(1))
  // the refused ones took no photo; the photo the resident still owns is free for a new report
  const free = await t.ctx.db.query<{ id: string }>('SELECT id FROM report_photos WHERE id = ANY($1::text[]) AND report_id IS NULL ORDER BY id', [[theirs, mine[3]]])
  expect(free.map((p) => p.id).sort()).toEqual([theirs, mine[3]].sort())
  t.ctx.wechat = wechat
  expect((await submit(t, resident, { photoIds: [mine[3]] })).statusCode).toBe(201)
  // held reports stay out of the public list, the others are in it
  const list = (await t.as(other, { method: 'GET', url: `/api/v1/reports?communityCode=${COMMUNITY}&limit=100` })).json().items.map((i: { id: number }) => i.id)
  expect(list).toContain(ok1.json().id)
  expect(list).not.toContain(heldText.json().id)
  expect(list).not.toContain(heldPhoto.json().id)
})

it('a submission the database refuses fails alone: the rest of its statement is written one by one', async () => {
  // a stand-in for any error inside the statement (a constraint, a deadlock on a PostgreSQL server…)
  await t.ctx.db.exec(`
    CREATE FUNCTION test_refuse_report() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.description = '数据库拒绝这一条' THEN RAISE EXCEPTION 'refused for the test'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_refuse_report BEFORE INSERT ON reports FOR EACH ROW EXECUTE FUNCTION test_refuse_report();`)
  const db = t.ctx.db
  const query = db.query
  const failedBatches: number[] = []
  db.query = (async (sql: Sql, params?: unknown[]) => {
    try {
      return await query.call(db, sql, params)
    } catch (err) {
      if (typeof sql !== 'string' && sql.name === 'reports_submit_many') failedBatches.push(JSON.parse(String(params![0])).length)
      throw err
    }
  }) as typeof db.query
  try {
    const photos = await Promise.all(Array.from({ length: 8 }, () => photoOf(resident)))
    together(8)
    const results = await Promise.all(photos.map((p, i) =>
      submit(t, resident, { photoIds: [p], description: i === 3 ? '数据库拒绝这一条' : `好的第 ${i} 条` }, `refuse-key-${i}`)))
    expect(failedBatches).toEqual([8])
    expect(results[3].statusCode).toBe(500)
    const good = results.filter((_, i) => i !== 3)
    expect(good.map((r) => r.statusCode)).toEqual(Array(7).fill(201))
    good.forEach((r) => expect(r.json().description).toMatch(/^好的第 \d 条$/))
    const ids = good.map((r) => r.json().id as number)
    expect((await submitEvents(ids)).map((e) => e.n)).toEqual(Array(7).fill(1))
    // the refused one left its photo free, and a retry of a good one is a replay
    expect((await t.ctx.db.one<{ n: number }>('SELECT count(*)::int AS n FROM report_photos WHERE id = $1 AND report_id IS NULL', [photos[3]]))!.n).toBe(1)
    t.ctx.wechat = wechat
    const again = await submit(t, resident, { photoIds: [photos[0]], description: '好的第 0 条' }, 'refuse-key-0')
    expect(again.headers['idempotency-replayed']).toBe('true')
    expect(again.json().id).toBe(results[0].json().id)
  } finally {
    db.query = query
    await t.ctx.db.exec('DROP TRIGGER test_refuse_report ON reports; DROP FUNCTION test_refuse_report()')
  }
})

it('quiet submissions still go one at a time', async () => {
  const a = (await submit(t, resident, { description: '单独一条', lng: INSIDE.lng, lat: INSIDE.lat })).json()
  const b = (await submit(t, resident, { description: '又一条' })).json()
  expect(await transactions([a.id, b.id])).toBe(2)
})

import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../../server/db/types'
import { createTestDb, type TestDb } from '../helpers/db'

// Issue 15: the rates' trigger functions have one current definition, in server/db/functions/rates_*.sql.
const DIR = path.resolve(__dirname, '../../server/db/functions')
const FILES = fs.readdirSync(DIR).filter((f) => /^rates_.*\.sql$/.test(f))
const defined = new Map<string, string>()
for (const f of FILES) {
  for (const m of fs.readFileSync(path.join(DIR, f), 'utf8').matchAll(/CREATE OR REPLACE FUNCTION (\w+)\(\)[^$]*\$\$([\s\S]*?)\$\$/g)) defined.set(m[1], m[2])
}

let t: TestDb
let db: Db
beforeAll(async () => {
  t = await createTestDb()
  db = t.db
})
afterAll(() => t.drop())

describe('server/db/functions/rates_*.sql', () => {
  it('defines every function the rates triggers call, and nothing else defines them', async () => {
    const triggers = await db.query<{ trigger: string; table: string; fn: string }>(
      `SELECT t.tgname AS trigger, c.relname AS table, p.proname AS fn
         FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND (p.proname LIKE 'rate\\_%' OR p.proname = 'volunteer_hours_community') ORDER BY t.tgname`)
    expect(triggers.map((x) => `${x.table}.${x.trigger} → ${x.fn}`)).toEqual([
      'users.rate_headcount_delete → rate_headcount',
      'users.rate_headcount_insert → rate_headcount',
      'users.rate_headcount_truncate → rate_headcount',
      'users.rate_headcount_update → rate_headcount',
      'quiz_attempts.rate_outbox_quiz_insert → rate_outbox_quiz',
      'quiz_attempts.rate_outbox_quiz_submit → rate_outbox_quiz',
      'reports.rate_outbox_report_insert → rate_outbox_report',
      'reports.rate_outbox_report_rating → rate_outbox_report',
      'survey_responses.rate_outbox_survey → rate_outbox_survey',
      'volunteer_hours.rate_outbox_volunteer → rate_outbox_volunteer',
      'volunteer_hours.volunteer_hours_community → volunteer_hours_community',
    ])
    expect([...defined.keys()].sort()).toEqual([...new Set(triggers.map((x) => x.fn))].sort())
    const elsewhere = fs.readdirSync(DIR).filter((f) => !FILES.includes(f))
      .filter((f) => [...defined.keys()].some((fn) => fs.readFileSync(path.join(DIR, f), 'utf8').includes(`FUNCTION ${fn}(`)))
    expect(elsewhere).toEqual([])
  })

  it('is what the database runs after the migrations', async () => {
    const rows = await db.query<{ fn: string; src: string }>(
      `SELECT proname AS fn, prosrc AS src FROM pg_proc WHERE proname = ANY($1::text[]) ORDER BY proname`, [[...defined.keys()]])
    expect(rows.map((r) => r.fn)).toEqual([...defined.keys()].sort())
    for (const r of rows) expect({ fn: r.fn, src: r.src }).toEqual({ fn: r.fn, src: defined.get(r.fn) })
  })
})

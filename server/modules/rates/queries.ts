import { prepared, type Queryable } from '../../db/types'
import { RATE_FIGURES, type RateFigure } from '../../../types/rates'

/*
 * Two kinds of SQL live here, kept apart on purpose:
 *  - the write side (contributions, marks, counts, rebuild), which reads the raw rows of surveys, quizzes and reports;
 *  - the read side (READ_SQL below), which reads rate_counts, rate_marks and rate_targets only. A test asserts that no
 *    statement of the read side names a raw table.
 */

// ------------------------------------------------------------------ write side: what a source contributes

/** `filter` is a predicate on the source's own id column (compared in its own type: an index scan), or TRUE for a rebuild. */
const surveyContribs = (filter: string) => `
  WITH r AS (
    SELECT r.id, r.survey_id, r.user_id, r.community_code, r.submitted_on AS day,
           coalesce(r.submitted_at, r.submitted_on::timestamp AT TIME ZONE 'Asia/Shanghai') AS at, r.picks
      FROM survey_responses r
     WHERE r.community_code IS NOT NULL AND ${filter.replaceAll('$id', 'r.id')}
  ), items AS (
    -- a response's picks (migration 0035): [question, row, values, num, other]
    SELECT r.id AS response_id, q.figure, ARRAY(SELECT jsonb_array_elements_text(e->2)) && q.favourable AS fav
      FROM r CROSS JOIN LATERAL jsonb_array_elements(r.picks) AS e
      JOIN survey_questions q ON q.id = (e->>0)::bigint
     WHERE q.figure IS NOT NULL AND jsonb_array_length(e->2) > 0
  ), eligible AS (
    -- one pass over the items (a lookup per response into the CTE made a rebuild quadratic in the responses)
    SELECT r.id FROM r
     WHERE NOT EXISTS (SELECT 1 FROM survey_questions q WHERE q.survey_id = r.survey_id AND q.figure = 'eligibility')
    UNION
    SELECT i.response_id FROM items i WHERE i.figure = 'eligibility' GROUP BY i.response_id HAVING bool_and(i.fav)
  ), per_figure AS (
    SELECT response_id, figure, 2 * count(*) FILTER (WHERE fav) > count(*) AS fav
      FROM items WHERE figure <> 'eligibility' GROUP BY response_id, figure
  )
  SELECT 's:' || r.id::text AS source, f.figure,
         CASE WHEN r.user_id IS NULL THEN 'a:' || r.id::text ELSE 'u:' || r.user_id::text END AS person,
         r.community_code, r.day, r.at, f.fav AS favourable, 'survey:' || r.survey_id::text AS origin
    FROM r JOIN per_figure f ON f.response_id = r.id
   WHERE r.id IN (SELECT id FROM eligible)
  UNION ALL
  SELECT 's:' || r.id::text, 'participation', 'u:' || r.user_id::text, r.community_code, r.day, r.at, true, 'survey:' || r.survey_id::text
    FROM r WHERE r.user_id IS NOT NULL`

const quizContribs = (filter: string) => `
  SELECT 'q:' || a.id::text AS source, f.figure, 'u:' || a.user_id::text AS person, a.community_code,
         (a.submitted_at AT TIME ZONE 'Asia/Shanghai')::date AS day, a.submitted_at AS at, f.fav AS favourable, f.origin
    FROM quiz_attempts a
    LEFT JOIN quiz_campaigns c ON c.id = a.campaign_id
    CROSS JOIN LATERAL (VALUES
      ('participation', true, CASE WHEN a.kind = 'campaign' THEN 'campaign:' || a.campaign_id::text ELSE 'quiz:' || a.kind END),
      ('awareness', coalesce(a.passed, false), 'campaign:' || a.campaign_id::text)) AS f(figure, fav, origin)
   WHERE a.submitted_at IS NOT NULL AND a.community_code IS NOT NULL
     AND (f.figure = 'participation' OR coalesce(c.counts_for_awareness, false))
     AND ${filter.replaceAll('$id', 'a.id')}`

const reportContribs = (filter: string) => `
  SELECT 'p:' || r.id::text AS source, 'participation' AS figure, 'u:' || r.reporter_id::text AS person, r.community_code,
         (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.created_at AS at, true AS favourable, 'report' AS origin
    FROM reports r
   WHERE r.source = 'app' AND ${filter.replaceAll('$id', 'r.id')}`

/** 处置满意度 counts reports, not reporters (DESIGN: closed reports rated 4–5 over closed reports rated): the "person"
 *  of a rating is its report, so a resident who rated ten reports weighs ten, each by its own (single) rating. */
const ratingContribs = (filter: string) => `
  SELECT 'r:' || r.id::text AS source, 'handling' AS figure, 'r:' || r.id::text AS person, r.community_code,
         (r.rated_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.rated_at AS at, r.rating >= 4 AS favourable, 'rating' AS origin
    FROM reports r
   WHERE r.rating IS NOT NULL AND r.rated_at IS NOT NULL AND r.state IN ('closed', 'closed_not_fixed')
     AND ${filter.replaceAll('$id', 'r.id')}`

/** Volunteer service (migration 0023): a credited shift is participation on the day it started, in the community the
 *  volunteer was registered in when the hours were credited (frozen on the credit). */
const volunteerContribs = (filter: string) => `
  SELECT 'v:' || h.signup_id::text AS source, 'participation' AS figure, 'u:' || h.user_id::text AS person, h.community_code,
         (sh.starts_at AT TIME ZONE 'Asia/Shanghai')::date AS day, sh.starts_at AS at, true AS favourable,
         'volunteer:' || sh.activity_id::text AS origin
    FROM volunteer_hours h JOIN volunteer_signups su ON su.id = h.signup_id JOIN volunteer_shifts sh ON sh.id = su.shift_id
   WHERE h.kind = 'credited' AND h.community_code IS NOT NULL AND ${filter.replaceAll('$id', 'h.signup_id')}`

const CONTRIBS: Record<string, (filter: string) => string> = {
  s: surveyContribs, q: quizContribs, p: reportContribs, r: ratingContribs, v: volunteerContribs,
}
/** The type of each source's id: compared as such, so that applying a batch looks its rows up by primary key. */
const ID_TYPES: Record<string, string> = { s: 'uuid', q: 'bigint', p: 'bigint', r: 'bigint', v: 'bigint' }
const COLUMNS = 'source, figure, person, community_code, day, at, favourable, origin'

export interface Touched { figure: string; person: string; day: string }

/** Replaces the contributions of these sources ('s:<uuid>', 'q:<id>', …) and returns the (figure, person, day) touched. */
export async function replaceContribs(db: Queryable, sources: string[]): Promise<Touched[]> {
  const touched = await db.query<Touched>(
    `DELETE FROM rate_contribs WHERE source = ANY($1::text[]) RETURNING figure, person, to_char(day, 'YYYY-MM-DD') AS day`, [sources])
  const byPrefix = new Map<string, string[]>()
  for (const s of sources) {
    const [prefix, id] = [s.slice(0, 1), s.slice(2)]
    if (!CONTRIBS[prefix] || s[1] !== ':') throw new Error(`unknown rate source ${s}`)
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), id])
  }
  for (const [prefix, ids] of byPrefix) {
    touched.push(...await db.query<Touched>(
      `INSERT INTO rate_contribs (${COLUMNS}) ${CONTRIBS[prefix](`$id = ANY($1::text[]::${ID_TYPES[prefix]}[])`)}
       RETURNING figure, person, to_char(day, 'YYYY-MM-DD') AS day`, [ids]))
  }
  return touched
}

export interface Mark {
  figure: string
  kind: string
  start: string
  person: string
  communityCode: string | null
  favourable: boolean | null
}

// the buckets a day falls in; a week starts on Monday (date_trunc's ISO week). The kind is char(1) like the tables'
// column: compared with text, the column would be cast and its primary key not used (a scan of rate_marks per batch).
const BUCKETS = `CROSS JOIN LATERAL (VALUES ('d'::char(1), x.day), ('w'::char(1), date_trunc('week', x.day)::date), ('m'::char(1), date_trunc('month', x.day)::date)) AS b(kind, start)`
const SPAN = `CASE k.kind WHEN 'd' THEN interval '1 day' WHEN 'w' THEN interval '7 days' ELSE interval '1 month' END`

export type FreshMark = Mark & { at: Date | null; source: string | null; origin: string | null }

/** The marks as they stand (locked) and as the contributions now say, for every bucket of the touched days. */
export async function marksToRecompute(db: Queryable, touched: Touched[]): Promise<{ old: Mark[]; fresh: FreshMark[] }> {
  const keys = `
    WITH k AS (
      SELECT DISTINCT x.figure, b.kind, b.start, x.person
        FROM jsonb_to_recordset($1::jsonb) AS x(figure text, person text, day date) ${BUCKETS})`
  const params = [JSON.stringify(touched)]
  const old = await db.query<Mark>(`${keys}
    SELECT m.figure, m.kind, to_char(m.start, 'YYYY-MM-DD') AS start, m.person, m.community_code AS "communityCode", m.favourable
      FROM rate_marks m JOIN k ON k.figure = m.figure AND k.kind = m.kind AND k.start = m.start AND k.person = m.person
       FOR UPDATE OF m`, params)
  const fresh = await db.query<FreshMark>(`${keys}
    SELECT k.figure, k.kind, to_char(k.start, 'YYYY-MM-DD') AS start, k.person,
           c.community_code AS "communityCode", c.favourable, c.at, c.source, c.origin
      FROM k LEFT JOIN LATERAL (
        SELECT * FROM rate_contribs c
         WHERE c.figure = k.figure AND c.person = k.person AND c.day >= k.start AND c.day < k.start + ${SPAN}
         ORDER BY c.at DESC, c.source DESC LIMIT 1) c ON true`, params)
  return { old, fresh }
}

export async function writeMarks(db: Queryable, fresh: FreshMark[]): Promise<void> {
  const gone = fresh.filter((m) => m.communityCode === null)
  const live = fresh.filter((m) => m.communityCode !== null)
  if (gone.length > 0) {
    await db.query(
      `DELETE FROM rate_marks m USING jsonb_to_recordset($1::jsonb) AS x(figure text, kind char(1), start date, person text)
        WHERE m.figure = x.figure AND m.kind = x.kind AND m.start = x.start AND m.person = x.person`, [JSON.stringify(gone)])
  }
  if (live.length > 0) {
    await db.query(
      `INSERT INTO rate_marks (figure, kind, start, person, community_code, favourable, at, source, origin)
       SELECT x.figure, x.kind, x.start, x.person, x."communityCode", x.favourable, x.at, x.source, x.origin
         FROM jsonb_to_recordset($1::jsonb)
           AS x(figure text, kind char(1), start date, person text, "communityCode" text, favourable boolean, at timestamptz, source text, origin text)
       ON CONFLICT (figure, kind, start, person) DO UPDATE
         SET community_code = EXCLUDED.community_code, favourable = EXCLUDED.favourable, at = EXCLUDED.at,
             source = EXCLUDED.source, origin = EXCLUDED.origin`, [JSON.stringify(live)])
  }
}

export interface CountDelta { figure: string; kind: string; start: string; communityCode: string; num: number; den: number }

/**
 * Adds the deltas; a row that falls to 0 of 0 goes, so that counts equal a recount row for row. Existing rows are
 * updated first and only the rest inserted: INSERT … ON CONFLICT checks the constraints on the row it proposes, and
 * a delta (−1 of −1) is not a count.
 */
export async function adjustCounts(db: Queryable, deltas: CountDelta[]): Promise<void> {
  if (deltas.length === 0) return
  const params = [JSON.stringify(deltas)]
  const x = `x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(figure text, kind char(1), start date, "communityCode" text, num int, den int))`
  await db.query(
    `WITH ${x}, up AS (
       UPDATE rate_counts c SET num = c.num + x.num, den = c.den + x.den FROM x
        WHERE c.figure = x.figure AND c.kind = x.kind AND c.start = x.start AND c.community_code = x."communityCode"
       RETURNING c.figure, c.kind, c.start, c.community_code)
     INSERT INTO rate_counts (figure, kind, start, community_code, num, den)
     SELECT x.figure, x.kind, x.start, x."communityCode", x.num, x.den FROM x
      WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.figure = x.figure AND up.kind = x.kind AND up.start = x.start AND up.community_code = x."communityCode")`,
    params)
  await db.query(
    `WITH ${x} DELETE FROM rate_counts c USING x
      WHERE c.figure = x.figure AND c.kind = x.kind AND c.start = x.start AND c.community_code = x."communityCode" AND c.den = 0`, params)
}

/**
 * Tells dashboard reads that what they show changed (read-cache.ts), in the transaction that changes it: a read that
 * sees the new number sees the change. The counting job is one at a time (the applier lock), so the row is not
 * contended; a target is set rarely.
 */
export async function bumpReadVersion(db: Queryable, name: 'counts' | 'targets'): Promise<void> {
  await db.query(`UPDATE rate_read_versions SET n = n + 1 WHERE name = $1`, [name])
}

// ------------------------------------------------------------------ outbox

/** Only one applier at a time: two batches touching one person would each re-derive marks from a stale view. */
export async function tryApplierLock(db: Queryable): Promise<boolean> {
  const r = await db.one<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('civiclink-rates-apply')) AS ok`)
  return r!.ok
}

export async function applierLock(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('civiclink-rates-apply'))`)
}

export async function claimOutbox(db: Queryable, limit: number): Promise<Array<{ id: number; source: string }>> {
  return db.query(`SELECT id::int AS id, source FROM rate_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit])
}

export async function deleteOutbox(db: Queryable, ids: number[]): Promise<void> {
  await db.query('DELETE FROM rate_outbox WHERE id = ANY($1::bigint[])', [ids])
}

export async function outboxBacklog(db: Queryable): Promise<number> {
  return (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM rate_outbox'))!.n
}

// ------------------------------------------------------------------ rebuild

const DERIVED = ['rate_contribs', 'rate_marks', 'rate_counts'] as const

/**
 * Everything derived again from the raw rows, in the caller's transaction (which holds the applier lock). Built into
 * fresh tables without indexes, indexed once full (a sorted build, not millions of index insertions beside the old
 * rows' entries), then swapped in for the old ones: dashboards keep reading the old counts until the swap commits, and
 * wait only for the swap itself. The new tables take the old ones' indexes (pg_index), names included.
 */
export async function rebuildAll(db: Queryable): Promise<void> {
  // the sort that picks each person's latest answer per period is the largest step: in memory where it fits
  await db.query(`SET LOCAL work_mem = '256MB'`)
  await db.query(`SET LOCAL maintenance_work_mem = '512MB'`)
  const next = (table: string) => `${table}_rebuilt`
  for (const table of DERIVED) {
    await db.query(`DROP TABLE IF EXISTS ${next(table)}`)
    await db.query(`CREATE TABLE ${next(table)} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`)
    // LIKE leaves out the storage parameters: rate_counts' fillfactor (migration 0032) keeps its updates HOT
    const [own] = await db.query<{ options: string[] | null }>(`SELECT reloptions AS options FROM pg_class WHERE oid = $1::regclass`, [table])
    if (own?.options?.length) await db.query(`ALTER TABLE ${next(table)} SET (${own.options.join(', ')})`)
  }
  for (const make of Object.values(CONTRIBS)) await db.query(`INSERT INTO ${next('rate_contribs')} (${COLUMNS}) ${make('TRUE')}`)
  await db.query(`
    INSERT INTO ${next('rate_marks')} (figure, kind, start, person, community_code, favourable, at, source, origin)
    SELECT DISTINCT ON (x.figure, b.kind, b.start, x.person) x.figure, b.kind, b.start, x.person, x.community_code, x.favourable, x.at, x.source, x.origin
      FROM ${next('rate_contribs')} x ${BUCKETS}
     ORDER BY x.figure, b.kind, b.start, x.person, x.at DESC, x.source DESC`)
  await db.query(`
    INSERT INTO ${next('rate_counts')} (figure, kind, start, community_code, num, den)
    SELECT figure, kind, start, community_code, count(*) FILTER (WHERE favourable), count(*)
      FROM ${next('rate_marks')} GROUP BY figure, kind, start, community_code
     -- a period's rows side by side on the pages (a city's month on a few dozen, not one page a row): READ_SQL.periodCountsWide
     ORDER BY kind, start, community_code, figure`)
  for (const table of DERIVED) {
    const indexes = await db.query<{ name: string; def: string; primary: boolean; constraint: string | null }>(
      `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisprimary AS primary, k.conname AS constraint
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid
        WHERE i.indrelid = $1::regclass ORDER BY c.relname`, [table])
    for (const ix of indexes) {
      const def = /^(CREATE (?:UNIQUE )?INDEX) (\S+) ON (?:ONLY )?(\S+) (USING .*)$/.exec(ix.def)
      if (!def) throw new Error(`rates rebuild: unexpected index definition ${ix.def}`)
      await db.query(`${def[1]} ${next(ix.name)} ON ${next(table)} ${def[4]}`)
    }
    await db.query(`DROP TABLE ${table}`)
    await db.query(`ALTER TABLE ${next(table)} RENAME TO ${table}`)
    for (const ix of indexes) {
      await db.query(`ALTER INDEX ${next(ix.name)} RENAME TO ${ix.name}`)
      if (ix.primary) await db.query(`ALTER TABLE ${table} ADD CONSTRAINT ${ix.constraint} PRIMARY KEY USING INDEX ${ix.name}`)
    }
    await db.query(`ANALYZE ${table}`)
  }
  await bumpReadVersion(db, 'counts')
}

/**
 * The registered residents counted again from users. Its own short transaction: users stays locked against writes
 * (SHARE) only while it is counted, so no registration commits between the count and its replacement.
 */
export async function recountHeadcount(tx: Queryable): Promise<void> {
  await tx.query('LOCK TABLE users IN SHARE MODE')
  await tx.query('DELETE FROM rate_headcount')
  await tx.query(`INSERT INTO rate_headcount (community_code, residents)
                  SELECT community_code, count(*) FROM users WHERE community_code IS NOT NULL GROUP BY community_code`)
}

// ------------------------------------------------------------------ read side: derived tables only

/** READ_SQL.periodCounts with `where` choosing the rows of rate_counts c (see there). */
function periodCountsSql(where: string): string {
  const figure = `CASE c.figure ${RATE_FIGURES.map((f, i) => `WHEN '${f}' THEN ${i}`).join(' ')} END`
  return `
    WITH u AS (SELECT code, i - 1 AS i FROM unnest($4::text[]) WITH ORDINALITY AS u(code, i)),
         c AS MATERIALIZED (SELECT c.community_code, c.figure, c.start, c.num, c.den FROM rate_counts c WHERE ${where})
    SELECT (SELECT coalesce(string_agg(concat_ws(',', u.i, ${figure}, (c.start = $2::date)::int, c.num, c.den), ','), '')
              FROM c JOIN u ON u.code = c.community_code)::text AS counts,
           (SELECT coalesce(string_agg(u.i || ',' || h.residents, ','), '')
              FROM rate_headcount h JOIN u ON u.code = h.community_code)::text AS registered`
}

export const READ_SQL = {
  /**
   * A day, week or month and the one before it, and the residents registered now, in one statement: two texts of
   * comma-separated integers (a city's 500 communities × 5 figures × 2 periods are thousands of driver rows; as JSON
   * arrays with the codes and figure names they were ~200 KB, ~3 ms of the statement and ~1 ms to parse). Each community is named
   * by its place in $4 (from 0), each figure by its place in RATE_FIGURES; counts: community, figure, in this period
   * (1) or the one before (0), num, den; residents: community, n. Two forms (periodCountsWide): by the primary key,
   * community by community, for a few communities; by the period (migration 0034), for many.
   */
  periodCounts: periodCountsSql('c.community_code = ANY($4::text[]) AND c.kind = $1 AND c.start = ANY(ARRAY[$2::date, $3::date])'),
  /**
   * The same for many communities (a district, the city): the period's rows of every community by the period's index
   * (migration 0034; a few pages, where the primary key made two index descents per community), joined to the
   * communities asked for once read. MATERIALIZED keeps that order whatever the planner estimates for a period its
   * statistics have not seen yet.
   */
  periodCountsWide: periodCountsSql('c.kind = $1 AND c.start = ANY(ARRAY[$2::date, $3::date])'),
  /** A custom range: each person's latest day-mark in the range, wherever it was, then counted where it was. */
  rangeCounts: `
    WITH latest AS (
      SELECT DISTINCT ON (figure, person) figure, community_code, favourable FROM rate_marks
       WHERE kind = 'd' AND start BETWEEN $1::date AND $2::date
       ORDER BY figure, person, at DESC, source DESC)
    SELECT figure, community_code AS "communityCode", (count(*) FILTER (WHERE favourable))::int AS num, count(*)::int AS den
      FROM latest WHERE community_code = ANY($3::text[]) GROUP BY figure, community_code`,
  daySeries: `
    SELECT to_char(start, 'YYYY-MM-DD') AS day, figure, community_code AS "communityCode", num, den FROM rate_counts
     WHERE kind = 'd' AND start BETWEEN $1::date AND $2::date AND community_code = ANY($3::text[])`,
  sources: `
    SELECT origin, count(*)::int AS n FROM rate_marks
     WHERE figure = $1 AND kind = $2 AND start = $3::date AND community_code = ANY($4::text[]) GROUP BY origin ORDER BY origin`,
  rangeSources: `
    WITH latest AS (
      SELECT DISTINCT ON (person) community_code, origin FROM rate_marks
       WHERE figure = $1 AND kind = 'd' AND start BETWEEN $2::date AND $3::date
       ORDER BY person, at DESC, source DESC)
    SELECT origin, count(*)::int AS n FROM latest WHERE community_code = ANY($4::text[]) GROUP BY origin ORDER BY origin`,
  targets: `SELECT region_code AS "regionCode", figure, target::float8 AS target FROM rate_targets WHERE region_code = ANY($1::text[])`,
  /**
   * What a cached dashboard answer depends on beyond the regions (read-cache.ts): the counts' version, and the
   * residents registered in its communities, as a digest (they change with every registration, in the users
   * triggers' transaction; a version bumped there would make every registration in the city wait for one row). With
   * the outbox backlog, which every answer shows as it is now, and the targets' version (used when the primary is
   * also where the counts are read). $1: the communities.
   */
  countsStamp: `
    SELECT (SELECT n FROM rate_read_versions WHERE name = 'counts')::text AS counts,
           (SELECT n FROM rate_read_versions WHERE name = 'targets')::text AS targets,
           (SELECT md5(coalesce(string_agg(community_code || ':' || residents, ',' ORDER BY community_code), ''))
              FROM rate_headcount WHERE community_code = ANY($1::text[])) AS headcount,
           (SELECT count(*)::int FROM rate_outbox) AS pending`,
  /** The targets' version: read where the targets are read (the primary; a target just set shows at once). */
  targetsStamp: `SELECT n::text AS targets FROM rate_read_versions WHERE name = 'targets'`,
  /** 参与率's denominator: the residents registered now, counted by the triggers on users (migration 0028) */
  registered: `SELECT community_code AS "communityCode", residents AS n FROM rate_headcount WHERE community_code = ANY($1::text[])`,
} as const

export interface CountRow { figure: RateFigure; communityCode: string; num: number; den: number }

const PERIOD_COUNTS = prepared('rates_period_counts', READ_SQL.periodCounts)
const PERIOD_COUNTS_WIDE = prepared('rates_period_counts_wide', READ_SQL.periodCountsWide)
/** From this many communities on, a period's counts are read by the period, not community by community. */
export const WIDE_FROM = 100

export interface PeriodCounts {
  /** 5 integers a count: community (its index in the communities asked for), figure (index in RATE_FIGURES), in this period (1) or the one before (0), num, den */
  counts: number[]
  /** 2 integers a community: its index, its registered residents */
  registered: number[]
}

export async function periodCounts(
  db: Queryable, kind: string, start: string, previousStart: string, communities: string[], wide = communities.length >= WIDE_FROM,
): Promise<PeriodCounts> {
  const r = (await db.one<{ counts: string; registered: string }>(wide ? PERIOD_COUNTS_WIDE : PERIOD_COUNTS, [kind, start, previousStart, communities]))!
  return { counts: integers(r.counts), registered: integers(r.registered) }
}

/** "12,0,345" → [12, 0, 345]: non-negative integers, read char by char (split and Number took a city's read ~1 ms). */
function integers(text: string): number[] {
  const out: number[] = []
  if (text === '') return out
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i) - 48
    if (ch === -4) { // ','
      out.push(n)
      n = 0
    } else if (ch >= 0 && ch <= 9) n = n * 10 + ch
    else throw new Error(`rates: unexpected ${JSON.stringify(text[i])} in the period counts`)
  }
  out.push(n)
  return out
}

export async function rangeCounts(db: Queryable, from: string, to: string, communities: string[]): Promise<CountRow[]> {
  return db.query<CountRow>(READ_SQL.rangeCounts, [from, to, communities])
}

export async function daySeries(db: Queryable, from: string, to: string, communities: string[]) {
  return db.query<CountRow & { day: string }>(READ_SQL.daySeries, [from, to, communities])
}

export async function sources(db: Queryable, figure: string, kind: string, start: string, end: string, communities: string[]) {
  return kind === 'c'
    ? db.query<{ origin: string; n: number }>(READ_SQL.rangeSources, [figure, start, end, communities])
    : db.query<{ origin: string; n: number }>(READ_SQL.sources, [figure, kind, start, communities])
}

export async function targets(db: Queryable, regions: string[]) {
  return db.query<{ regionCode: string; figure: RateFigure; target: number }>(READ_SQL.targets, [regions])
}

export async function setTarget(db: Queryable, regionCode: string, figure: string, target: number, by: number): Promise<void> {
  // one statement: the target and the version dashboard reads compare (bumpReadVersion) change together
  await db.query(
    `WITH t AS (
       INSERT INTO rate_targets (region_code, figure, target, set_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (region_code, figure) DO UPDATE SET target = EXCLUDED.target, set_by = EXCLUDED.set_by, set_at = now()
       RETURNING 1)
     UPDATE rate_read_versions SET n = n + 1 WHERE name = 'targets' AND EXISTS (SELECT 1 FROM t)`,
    [regionCode, figure, target, by])
}

/** Titles of the surveys and campaigns named as sources (lookups by primary key; no answers read). */
export async function sourceTitles(db: Queryable, surveyIds: number[], campaignIds: number[]) {
  const surveys = await db.query<{ id: number; title: string }>('SELECT id::int AS id, title FROM surveys WHERE id = ANY($1::bigint[])', [surveyIds])
  const campaigns = await db.query<{ id: number; title: string }>('SELECT id::int AS id, title FROM quiz_campaigns WHERE id = ANY($1::bigint[])', [campaignIds])
  return { surveys, campaigns }
}

export async function countsStamp(db: Queryable, communities: string[]) {
  return (await db.one<{ counts: string; targets: string; headcount: string; pending: number }>(READ_SQL.countsStamp, [communities]))!
}

export async function targetsStamp(db: Queryable) {
  return (await db.one<{ targets: string }>(READ_SQL.targetsStamp))!.targets
}

export async function registered(db: Queryable, communities: string[]) {
  return db.query<{ communityCode: string; n: number }>(READ_SQL.registered, [communities])
}

import type { Queryable } from '../../db/types'
import type { RegionRow } from './directory'
import type { RegionInput } from './geojson'

export async function allRegions(db: Queryable): Promise<RegionRow[]> {
  return db.query<RegionRow>(
    `SELECT code, parent_code AS "parentCode", level, name, population, boundary,
            center_lng AS "centerLng", center_lat AS "centerLat"
       FROM regions`,
  )
}

export async function currentVersion(db: Queryable): Promise<number> {
  const row = await db.one<{ v: number }>('SELECT coalesce(max(id), 0)::int AS v FROM region_versions')
  return row?.v ?? 0
}

export async function levelsByCode(db: Queryable): Promise<Map<string, RegionInput['level']>> {
  const rows = await db.query<{ code: string; level: RegionInput['level'] }>('SELECT code, level FROM regions')
  return new Map(rows.map((r) => [r.code, r.level]))
}

/** Inserts or updates one region; returns true when it was new. */
export async function upsertRegion(db: Queryable, r: RegionInput, center: [number, number] | null): Promise<boolean> {
  const row = await db.one<{ inserted: boolean }>(
    `INSERT INTO regions (code, parent_code, level, name, population, boundary, center_lng, center_lat)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (code) DO UPDATE SET parent_code = EXCLUDED.parent_code, level = EXCLUDED.level, name = EXCLUDED.name,
       population = EXCLUDED.population, boundary = EXCLUDED.boundary, center_lng = EXCLUDED.center_lng,
       center_lat = EXCLUDED.center_lat, updated_at = now()
     RETURNING (xmax = 0) AS inserted`,
    [r.code, r.parentCode, r.level, r.name, r.population, r.boundary ? JSON.stringify(r.boundary) : null, center?.[0] ?? null, center?.[1] ?? null],
  )
  return row?.inserted ?? false
}

export async function recordVersion(db: Queryable, importedBy: number | null, summary: unknown): Promise<number> {
  const row = await db.one<{ id: number }>(
    'INSERT INTO region_versions (imported_by, summary) VALUES ($1, $2) RETURNING id::int AS id',
    [importedBy, JSON.stringify(summary)],
  )
  return row!.id
}

export async function levelChangeConflicts(db: Queryable, regions: RegionInput[]): Promise<string[]> {
  if (regions.length === 0) return []
  const rows = await db.query<{ code: string }>(
    `SELECT r.code FROM regions r JOIN unnest($1::text[], $2::text[]) AS i(code, level) ON i.code = r.code
      WHERE r.level <> i.level`,
    [regions.map((r) => r.code), regions.map((r) => r.level)],
  )
  return rows.map((r) => r.code)
}

import type { Queryable } from '../db/types'

/** An entry in the audit log, written in the caller's transaction so that it exists exactly when the change does. */
export async function audit(db: Queryable, actorId: number | null, action: string, target: string, detail: unknown = {}): Promise<void> {
  await db.query('INSERT INTO audit_log (actor_id, action, target, detail) VALUES ($1, $2, $3, $4)', [actorId, action, target, JSON.stringify(detail)])
}

import type { AppContext } from '../../context'
import type { PersonalDataSource } from '../accounts/personal-data'
import { photoStorage, photoUrls } from './photos'

/**
 * 随手拍 under 注销: the reports, their 台账, scene photos and "+1"s stay — the city must keep its record and the
 * figures — attributed to the emptied user row (shown as 已注销用户). Drafts (photos no report took) and the messages
 * for the person go.
 */
export const reportsPersonalData = (ctx: AppContext): PersonalDataSource => ({
  name: 'reports',
  async erase(tx, person) {
    await tx.query('DELETE FROM notification_outbox WHERE user_id = $1', [person.userId])
    const drafts = await tx.query<{ storageKey: string; thumbKey: string }>(
      `DELETE FROM report_photos WHERE owner_id = $1 AND report_id IS NULL AND event_id IS NULL
       RETURNING storage_key AS "storageKey", thumb_key AS "thumbKey"`,
      [person.userId],
    )
    if (drafts.length === 0) return
    const store = photoStorage(ctx)
    // a file left behind names nobody (no row points at it); the upload sweep's rule
    return async () => void (await Promise.allSettled(drafts.flatMap((d) => [store.delete(d.storageKey), store.delete(d.thumbKey)])))
  },
  async export(db, userId) {
    const [reports, events, photos, coReports] = await Promise.all([
      db.query(
        `SELECT r.id::int AS id, r.category_code AS "categoryCode", r.state, r.anonymous, r.description, r.address, r.lng, r.lat,
                r.community_code AS "communityCode", r.created_at AS "createdAt", r.closed_at AS "closedAt",
                r.rating, r.rating_comment AS "ratingComment", r.rated_at AS "ratedAt"
           FROM reports r WHERE r.reporter_id = $1 ORDER BY r.id`,
        [userId],
      ),
      // the 台账 of one's reports: what happened and when; the notes of others (workers) are theirs, not the person's
      db.query(
        `SELECT e.report_id::int AS "reportId", e.action, e.from_state AS "fromState", e.to_state AS "toState",
                e.actor_id = $1 AS "byMe", CASE WHEN e.actor_id = $1 THEN e.note END AS note, e.created_at AS "at"
           FROM report_events e JOIN reports r ON r.id = e.report_id
          WHERE r.reporter_id = $1 OR (e.actor_id = $1 AND e.actor_role = 'reporter') ORDER BY e.id`,
        [userId],
      ),
      db.query(
        `SELECT id, report_id::int AS "reportId", width, height, created_at AS "uploadedAt"
           FROM report_photos WHERE owner_id = $1 ORDER BY created_at, id`,
        [userId],
      ),
      db.query(`SELECT report_id::int AS "reportId", created_at AS "at" FROM report_co_reporters WHERE user_id = $1 ORDER BY created_at`, [userId]),
    ])
    return {
      reports: reports.map((r) => ({ ...r, events: events.filter((e) => e.reportId === r.id) })),
      meTooOnOthers: coReports,
      eventsOnOthers: events.filter((e) => !reports.some((r) => r.id === e.reportId)),
      // signed links, valid for PHOTO_URL_TTL_SECONDS after the export (photos are served through signed links only)
      photos: (photos as Array<{ id: string }>).map((p) => ({ ...p, url: photoUrls(ctx.config.photoLinks, p.id).url })),
    }
  },
})

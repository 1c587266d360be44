-- Outcome: 'created' (report_id … of the new report), 'replay' (report_id of the report an earlier request with the
-- same key created) or 'photos_taken' (a photo is not the caller's, unknown, or already in another report).
-- A concurrent retry with the same key waits on the first one's photo locks or key index entry, then replays.
CREATE OR REPLACE FUNCTION reports_submit(
  p_user bigint, p_key text, p_category text, p_anonymous boolean, p_description text, p_lng double precision,
  p_lat double precision, p_address text, p_community text, p_grid text, p_text_held boolean, p_text_hold_reason text,
  p_department text, p_sla_hours integer, p_source text, p_media_url text, p_photo_ids text[], p_actor_role text)
RETURNS TABLE (outcome text, report_id bigint, created_at timestamptz, due_at timestamptz, held boolean,
               hold_reason text, event_id bigint, photos jsonb)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  n_photos integer := 0;
  photo_held boolean := false;
  photo_risky boolean := false;
  photo_rows jsonb := '[]';
  r record;
  ev bigint;
BEGIN
  IF cardinality(p_photo_ids) > 0 THEN
    SELECT count(*), coalesce(bool_or(ph.sec_status <> 'pass'), false), coalesce(bool_or(ph.sec_status = 'risky'), false),
           coalesce(jsonb_agg(jsonb_build_object('id', ph.id, 'width', ph.width, 'height', ph.height, 'secStatus', ph.sec_status, 'eventId', NULL)), '[]')
      INTO n_photos, photo_held, photo_risky, photo_rows
      FROM (SELECT p.id, p.width, p.height, p.sec_status FROM report_photos p
             WHERE p.id = ANY(p_photo_ids) AND p.owner_id = p_user AND p.report_id IS NULL AND p.event_id IS NULL
             FOR UPDATE) ph;
    IF n_photos <> cardinality(p_photo_ids) THEN
      RETURN QUERY SELECT CASE WHEN x.id IS NULL THEN 'photos_taken' ELSE 'replay' END, x.id, NULL::timestamptz, NULL::timestamptz,
                          NULL::boolean, NULL::text, NULL::bigint, NULL::jsonb
        FROM (SELECT (SELECT k.id FROM reports k WHERE k.reporter_id = p_user AND k.idempotency_key = p_key) AS id) x;
      RETURN;
    END IF;
  END IF;

  INSERT INTO reports AS t (category_code, reporter_id, anonymous, description, lng, lat, address, community_code, grid_code,
                            held, hold_reason, department, due_at, source, media_url, idempotency_key)
  VALUES (p_category, p_user, p_anonymous, p_description, p_lng, p_lat, p_address, p_community, p_grid,
          p_text_held OR photo_held,
          coalesce(p_text_hold_reason, CASE WHEN photo_risky THEN '图片内容待人工审核'
                                            WHEN photo_held THEN '图片安全检查暂不可用，待人工审核' END),
          p_department, now() + make_interval(hours => p_sla_hours), p_source, p_media_url, p_key)
  ON CONFLICT (reporter_id, idempotency_key) DO NOTHING
  RETURNING t.id, t.created_at, t.due_at, t.held, t.hold_reason INTO r;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'replay', k.id, NULL::timestamptz, NULL::timestamptz, NULL::boolean, NULL::text, NULL::bigint, NULL::jsonb
      FROM reports k WHERE k.reporter_id = p_user AND k.idempotency_key = p_key;
    RETURN;
  END IF;

  INSERT INTO report_events (report_id, actor_id, actor_role, action, to_state)
  VALUES (r.id, p_user, p_actor_role, 'submit', 'submitted') RETURNING id INTO ev;
  IF n_photos > 0 THEN
    UPDATE report_photos SET report_id = r.id WHERE id = ANY(p_photo_ids);
  END IF;

  RETURN QUERY SELECT 'created', r.id, r.created_at, r.due_at, r.held, r.hold_reason, ev, photo_rows;
END
$fn$;

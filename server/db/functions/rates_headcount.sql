-- 参与率's denominator (migration 0028): the residents registered per community, moved by what each statement on users
-- changed. Triggers rate_headcount_{insert,delete,update,truncate}, all statement-level; the transition tables hold
-- the rows before (old_rows) and after (new_rows). An update nets out per community, so a statement that moves nobody
-- (a nickname, a login) writes nothing.
CREATE OR REPLACE FUNCTION rate_headcount() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  codes  text[];
  deltas integer[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM rate_headcount;
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT array_agg(community_code ORDER BY community_code), array_agg(n ORDER BY community_code) INTO codes, deltas
      FROM (SELECT community_code, count(*)::int AS n FROM new_rows WHERE community_code IS NOT NULL GROUP BY community_code) d;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(community_code ORDER BY community_code), array_agg(n ORDER BY community_code) INTO codes, deltas
      FROM (SELECT community_code, -count(*)::int AS n FROM old_rows WHERE community_code IS NOT NULL GROUP BY community_code) d;
  ELSE
    SELECT array_agg(community_code ORDER BY community_code), array_agg(n ORDER BY community_code) INTO codes, deltas
      FROM (SELECT community_code, sum(n)::int AS n
              FROM (SELECT community_code, 1 AS n FROM new_rows UNION ALL SELECT community_code, -1 FROM old_rows) x
             WHERE community_code IS NOT NULL GROUP BY community_code HAVING sum(n) <> 0) d;
  END IF;
  IF codes IS NULL THEN
    RETURN NULL;
  END IF;
  -- every row there first (one proposed with a negative count would fail the CHECK even where it exists), then all
  -- locked in code order: two statements moving residents between the same communities cannot deadlock
  INSERT INTO rate_headcount (community_code, residents) SELECT c, 0 FROM unnest(codes) AS c ORDER BY c ON CONFLICT DO NOTHING;
  PERFORM 1 FROM rate_headcount WHERE community_code = ANY(codes) ORDER BY community_code FOR UPDATE;
  UPDATE rate_headcount h SET residents = h.residents + d.n FROM unnest(codes, deltas) AS d(code, n) WHERE h.community_code = d.code;
  RETURN NULL;
END $$;

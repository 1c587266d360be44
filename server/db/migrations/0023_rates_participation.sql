-- Rates, part 2 (issue 12): volunteer service counts for 参与率; 处置满意度 counts reports, not reporters.
-- The counting rules are in the README (比率口径); the contributions themselves are in server/modules/rates/queries.ts.

-- A credited shift (volunteer_hours, kind 'credited': a check-out that earned hours, or the worker's hand) is
-- participation on the day the shift started. It counts in the volunteer's registered community at the moment the
-- hours were credited, frozen here: a later move changes no past figure, and a rebuild finds what the job found.
ALTER TABLE volunteer_hours ADD COLUMN community_code text;

CREATE FUNCTION volunteer_hours_community() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'credited' AND NEW.community_code IS NULL THEN
    NEW.community_code := (SELECT community_code FROM users WHERE id = NEW.user_id);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER volunteer_hours_community BEFORE INSERT ON volunteer_hours FOR EACH ROW EXECUTE FUNCTION volunteer_hours_community();

-- credits made before this migration: the volunteer's community now is the best there is
UPDATE volunteer_hours h SET community_code = u.community_code FROM users u WHERE u.id = h.user_id AND h.kind = 'credited';

-- 'v:<signup id>' a shift credited; one credit per sign-up (volunteer_hours_credit_uniq), so one event
CREATE FUNCTION rate_outbox_volunteer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_outbox (source) VALUES ('v:' || NEW.signup_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER rate_outbox_volunteer AFTER INSERT ON volunteer_hours FOR EACH ROW
  WHEN (NEW.kind = 'credited') EXECUTE FUNCTION rate_outbox_volunteer();

-- What the counts hold already is brought to the new rules by the job, as ordinary events: the past credits, and every
-- rated report (its handling contribution moves from the reporter to the report).
INSERT INTO rate_outbox (source) SELECT 'v:' || signup_id::text FROM volunteer_hours WHERE kind = 'credited' ORDER BY id;
INSERT INTO rate_outbox (source) SELECT 'r:' || id::text FROM reports WHERE rating IS NOT NULL ORDER BY id;

-- A credited shift counts for 参与率 in the volunteer's registered community at the moment the hours were credited,
-- frozen on the row: a later move changes no past figure, and a rebuild finds what the job found. Trigger: 0023.
CREATE OR REPLACE FUNCTION volunteer_hours_community() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'credited' AND NEW.community_code IS NULL THEN
    NEW.community_code := (SELECT community_code FROM users WHERE id = NEW.user_id);
  END IF;
  RETURN NEW;
END $$;

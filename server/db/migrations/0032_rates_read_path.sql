-- Rates (issue 12): the dashboard read path at a million residents.
--
-- 1. rate_counts keeps room on each page (fillfactor 50) so that the counting job's updates of num/den (columns no
--    index names) are HOT: the new version goes on the same page, no new index entry is made, and the dead versions
--    are pruned by the next access to the page. At fillfactor 100 (the rebuild packs the table full) every update of
--    today's, this week's and this month's rows made a new index entry; 20,000 counted events left 174,000 dead
--    versions that every dashboard read of the current period walked (a single community's day: 79 ms instead of
--    under 1) until a VACUUM — and autovacuum may be late or, on some servers, off.
-- 2. Its primary key leads with the community: every read names its communities (community_code = ANY(...)), which
--    is then always the index condition. With (kind, start, …) first, the planner could keep the communities as a
--    filter over the whole period (it did, with statistics from before the period began — a new day or month is never
--    in them until the next ANALYZE) and read every community's rows to return one's.
-- 3. rate_read_versions: a number per kind of change the dashboard shows, bumped in the transaction that makes the
--    change (the counting job when counts move, a rebuild, a target set). A dashboard read compares them (one small
--    statement) with the ones its cached answer was computed at; see server/modules/rates/read-cache.ts.
ALTER TABLE rate_counts SET (fillfactor = 50);
ALTER TABLE rate_counts DROP CONSTRAINT rate_counts_pkey;
-- written again so that the rows already there get the room too (a few thousand rows: five figures per community
-- per day, week and month counted)
CREATE TEMPORARY TABLE rate_counts_0032 ON COMMIT DROP AS SELECT * FROM rate_counts;
TRUNCATE rate_counts;
INSERT INTO rate_counts SELECT * FROM rate_counts_0032;
ALTER TABLE rate_counts ADD CONSTRAINT rate_counts_pkey PRIMARY KEY (community_code, kind, start, figure);

CREATE TABLE rate_read_versions (
  name text PRIMARY KEY CHECK (name IN ('counts', 'targets')),
  n    bigint NOT NULL
);
INSERT INTO rate_read_versions (name, n) VALUES ('counts', 1), ('targets', 1);

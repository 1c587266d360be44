-- Survey counts in shards (issue 11, submission speed). Every submission batch added to the same few hundred count
-- rows, so concurrent batches queued on their row locks until each other's commit (the bench: three of four backends
-- waiting in survey_add_counts). A batch now adds to one shard of its own (survey_add_counts takes a free one under a
-- transaction-level advisory lock), and what the results read is the sum over the shards: exact as before, with no
-- lag, at most eight rows per count to add up. Fillfactor 10: the counts are updated in place many times over, and
-- room on the page keeps those updates HOT (no new index entries for a dead row version).
ALTER TABLE survey_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE survey_counts DROP CONSTRAINT survey_counts_pkey;
ALTER TABLE survey_counts ADD PRIMARY KEY (survey_id, question_id, row_key, community_code, value, shard);
ALTER TABLE survey_counts SET (fillfactor = 10);

ALTER TABLE survey_pair_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE survey_pair_counts DROP CONSTRAINT survey_pair_counts_pkey;
ALTER TABLE survey_pair_counts ADD PRIMARY KEY (survey_id, question_id, row_key, by_question_id, by_row_key, by_value, value, shard);
ALTER TABLE survey_pair_counts SET (fillfactor = 10);

-- Rates (issue 12): the city's dashboard read after the counts changed.
--
-- A period's counts of many communities (a district, the city: READ_SQL.periodCountsWide) are read by the period,
-- not community by community: the primary key (community first, migration 0032) made two index descents per
-- community and its rows lay one to a page, ~5,500 buffer visits for the city's month and the month before. Only new
-- rows make entries here (num and den, which the counting job updates, are in no index: its updates stay HOT).
CREATE INDEX rate_counts_period_idx ON rate_counts (kind, start, community_code);
-- the rows already there, written again in that order (a rebuild writes them so too); the fillfactor stays
CLUSTER rate_counts USING rate_counts_period_idx;

-- 随手拍 upkeep: the hourly sweep of abandoned uploads (photos no report or 台账 entry took within 24 hours)
-- finds them through this index instead of reading every photo ever uploaded. Attached photos leave it.
CREATE INDEX report_photos_unattached_idx ON report_photos (created_at) WHERE report_id IS NULL AND event_id IS NULL;

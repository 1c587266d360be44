-- Sign-up speed (issue 13). The sign-up's check of the volunteer's own places (already on this shift, another one
-- overlapping, recent no-shows) is led by the volunteer: with only volunteer_signups_live_uniq (shift first) to
-- match its status filter, the planner scanned that whole index for every sign-up, so each one cost more than the
-- last as the table grew. This index answers it with one probe. Fillfactor 70 on the shifts: every sign-up updates
-- its shift's `confirmed`, and room on the page keeps that update HOT (no new index entries).
CREATE INDEX volunteer_signups_user_live_idx ON volunteer_signups (user_id, shift_id) WHERE status IN ('confirmed', 'waitlisted');
ALTER TABLE volunteer_shifts SET (fillfactor = 70);

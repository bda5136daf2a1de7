-- A record's timeline pages its histories newest first by (time, id); these let the stage
-- and status history arms seek instead of sorting a deal's or lead's whole history.
CREATE INDEX stage_changes_by_deal_time ON stage_changes (deal_id, changed_at DESC, id DESC);
CREATE INDEX lead_status_changes_by_lead_time ON lead_status_changes (lead_id, changed_at DESC, id DESC);

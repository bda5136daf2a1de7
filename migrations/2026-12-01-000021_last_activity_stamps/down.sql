ALTER TABLE deals DROP COLUMN last_activity_at;
ALTER TABLE companies DROP COLUMN last_activity_at;

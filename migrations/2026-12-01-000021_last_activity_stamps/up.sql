-- When a company or deal was last touched by an activity (contacts and leads have had this
-- stamp from the start). Logging an activity moves it forward, never back.
ALTER TABLE companies ADD COLUMN last_activity_at timestamptz;
ALTER TABLE deals ADD COLUMN last_activity_at timestamptz;

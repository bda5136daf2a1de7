ALTER TABLE outbox_events ALTER COLUMN occurred_at SET DEFAULT now();

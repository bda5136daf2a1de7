-- Stamp events when they are appended, not when their transaction began. The append is a
-- write's last step, taken under the outbox ordering lock, so `occurred_at` is then within
-- the commit itself of the commit time, and never decreases along `position`: a client can
-- measure commit-to-delivery latency from it, and times read in feed order stay in order.
ALTER TABLE outbox_events ALTER COLUMN occurred_at SET DEFAULT clock_timestamp();

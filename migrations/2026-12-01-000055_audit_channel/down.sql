ALTER TABLE audit_events DROP COLUMN channel;

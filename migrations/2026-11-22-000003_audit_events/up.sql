-- The audit trail: one row per attempted write, successful or not. Rows are never updated.
CREATE TABLE audit_events (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    actor_key_id  uuid,
    action        text NOT NULL,
    entity_type   text NOT NULL,
    entity_id     uuid,
    outcome       text NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
    error_code    text,
    error_message text,
    before        jsonb,
    after         jsonb,
    request_id    text,
    dry_run       boolean NOT NULL DEFAULT false,
    FOREIGN KEY (workspace_id, actor_key_id) REFERENCES api_keys (workspace_id, id)
);

-- ids are UUIDv7, so id order is time order: the newest-first listing is a keyset scan.
CREATE INDEX audit_events_by_workspace ON audit_events (workspace_id, id DESC);
CREATE INDEX audit_events_by_entity ON audit_events (workspace_id, entity_id, id DESC);
CREATE INDEX audit_events_by_action ON audit_events (workspace_id, action, id DESC);

-- Idempotency keys, scoped to a workspace. A row is claimed ('in_flight') before the write
-- runs and completed with the response in the write's own transaction.
CREATE TABLE idempotency_keys (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key           text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    action        text NOT NULL,
    request_hash  bytea NOT NULL,
    status        text NOT NULL CHECK (status IN ('in_flight', 'completed')),
    response      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

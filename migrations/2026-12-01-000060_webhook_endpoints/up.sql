-- Where a workspace's events are sent. The signing secret is stored encrypted (AES-256-GCM-SIV
-- under the server key `webhook_secrets`, nonce first): it must be usable for signing, so it
-- cannot be hashed. After a rotation the previous secret keeps signing until
-- `previous_secret_expires_at`. `from_position` is the outbox position when the endpoint was
-- made: it receives only events committed after it existed. `failing_since` is the time of
-- the first failed attempt since the last success (5 days of it disables the endpoint).
CREATE TABLE webhook_endpoints (
    workspace_id               uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                         uuid NOT NULL PRIMARY KEY,
    url                        text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2000),
    description                text CHECK (char_length(description) <= 1000),
    event_types                text[] NOT NULL,
    pipeline_id                uuid,
    enabled                    boolean NOT NULL DEFAULT true,
    disabled_reason            text,
    secret                     bytea NOT NULL,
    previous_secret            bytea,
    previous_secret_expires_at timestamptz,
    from_position              bigint NOT NULL,
    failing_since              timestamptz,
    version                    integer NOT NULL DEFAULT 1,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    -- Deleting the pipeline drops the filter, it does not delete the endpoint.
    FOREIGN KEY (workspace_id, pipeline_id) REFERENCES pipelines (workspace_id, id)
        ON DELETE SET NULL (pipeline_id)
);

CREATE INDEX webhook_endpoints_by_workspace ON webhook_endpoints (workspace_id, id);

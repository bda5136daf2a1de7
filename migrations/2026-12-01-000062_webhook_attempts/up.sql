-- The delivery log: every attempt, with what the receiver answered (the first 2 KiB of it).
CREATE TABLE webhook_attempts (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    delivery_id   uuid NOT NULL,
    endpoint_id   uuid NOT NULL,
    attempted_at  timestamptz NOT NULL,
    status_code   integer,
    latency_ms    integer NOT NULL,
    response_body text,
    error         text,
    succeeded     boolean NOT NULL,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, delivery_id) REFERENCES webhook_deliveries (workspace_id, id)
        ON DELETE CASCADE
);

CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, id);
-- Endpoint stats: recent attempts of an endpoint.
CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (endpoint_id, attempted_at);

-- One event to send to one endpoint, made from the outbox in event order. `body` is the exact
-- JSON sent (signed byte for byte), so a delivery outlives the outbox's retention. Only the
-- oldest pending delivery of an endpoint is ever attempted (per-endpoint order), by whichever
-- instance holds its lease (`lease_token` until `lease_until`); an expired lease means the
-- instance died mid-attempt and the delivery is attempted again.
CREATE TABLE webhook_deliveries (
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id               uuid NOT NULL PRIMARY KEY,
    endpoint_id      uuid NOT NULL,
    event_id         uuid NOT NULL,
    event_type       text NOT NULL,
    position         bigint NOT NULL,
    body             text NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_token      uuid,
    lease_until      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, endpoint_id) REFERENCES webhook_endpoints (workspace_id, id)
        ON DELETE CASCADE
);

-- The queue: each endpoint's pending deliveries in event order.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, position, id)
    WHERE status = 'pending';
-- The delivery log, newest first.
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (workspace_id, endpoint_id, id);

-- How far the outbox has been turned into deliveries: one row, locked by the instance doing it.
CREATE TABLE webhook_fanout (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint NOT NULL
);
INSERT INTO webhook_fanout (position) SELECT coalesce(max(position), 0) FROM outbox_events;

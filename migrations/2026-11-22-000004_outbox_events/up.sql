-- Domain events, written in the same transaction as the change they describe, so an event
-- exists if and only if its change committed. `position` orders them for delivery.
CREATE TABLE outbox_events (
    position      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            uuid NOT NULL UNIQUE,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    event_type    text NOT NULL,
    entity_type   text NOT NULL,
    entity_id     uuid NOT NULL,
    payload       jsonb NOT NULL,
    occurred_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX outbox_events_by_workspace ON outbox_events (workspace_id, position);
-- The retention pruner deletes by age.
CREATE INDEX outbox_events_by_age ON outbox_events (occurred_at);

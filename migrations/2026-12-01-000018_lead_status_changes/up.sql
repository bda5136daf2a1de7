-- Every status change of a lead, kept forever: a chain (each row's from_status is the
-- previous row's to_status; the first row's is 'new', the status every lead starts in),
-- numbered per lead under the lead's row lock, so concurrent changes cannot fork it.
CREATE TABLE lead_status_changes (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    lead_id       uuid NOT NULL,
    sequence      integer NOT NULL CHECK (sequence >= 1),
    from_status   text NOT NULL,
    to_status     text NOT NULL,
    reason        text CHECK (char_length(reason) <= 1000),
    actor_key_id  uuid NOT NULL,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (lead_id, sequence),
    FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id) ON DELETE CASCADE
);

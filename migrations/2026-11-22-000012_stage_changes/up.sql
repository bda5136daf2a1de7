-- The stage history of a deal: one row per move, never updated. Stage names are copied so the
-- history stays readable after a stage is renamed or deleted; the ids are kept without a
-- foreign key for the same reason.
CREATE TABLE stage_changes (
    workspace_id      uuid NOT NULL,
    id                uuid NOT NULL PRIMARY KEY,
    deal_id           uuid NOT NULL,
    -- 1, 2, 3, … per deal: the chain's order, independent of clocks; no two moves share one.
    sequence          integer NOT NULL CHECK (sequence > 0),
    from_stage_id     uuid,
    to_stage_id       uuid NOT NULL,
    from_pipeline_id  uuid,
    to_pipeline_id    uuid NOT NULL,
    from_stage_name   text,
    to_stage_name     text NOT NULL,
    to_stage_kind     text NOT NULL CHECK (to_stage_kind IN ('open', 'won', 'lost')),
    amount            numeric(22, 4) NOT NULL,
    currency          char(3) NOT NULL,
    actor_key_id      uuid,
    changed_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (deal_id, sequence),
    FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id) ON DELETE CASCADE
);

CREATE INDEX stage_changes_by_pipeline ON stage_changes (to_pipeline_id, changed_at);

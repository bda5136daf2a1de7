-- A sales pipeline: an ordered set of stages deals move through.
CREATE TABLE pipelines (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    is_default    boolean NOT NULL DEFAULT false,
    archived_at   timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id)
);

CREATE UNIQUE INDEX pipelines_name_unique ON pipelines (workspace_id, lower(name));
-- Exactly one default pipeline per workspace (at most one here; the code keeps one).
CREATE UNIQUE INDEX pipelines_one_default ON pipelines (workspace_id) WHERE is_default;

-- Stages of a pipeline, in `position` order. Position uniqueness is deferred so a reorder can
-- permute positions inside one transaction.
CREATE TABLE stages (
    workspace_id  uuid NOT NULL,
    id            uuid NOT NULL PRIMARY KEY,
    pipeline_id   uuid NOT NULL,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    key           text CHECK (key ~ '^[a-z0-9]+(?:[-_][a-z0-9]+)*$' AND char_length(key) <= 100),
    position      integer NOT NULL CHECK (position >= 0),
    probability   numeric(5, 4) NOT NULL CHECK (probability BETWEEN 0 AND 1),
    kind          text NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    color         text CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
    rotting_days  integer CHECK (rotting_days > 0),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    -- Lets deals reference (pipeline, stage) together, so a deal's pipeline is its stage's.
    UNIQUE (workspace_id, pipeline_id, id),
    CONSTRAINT stages_position_unique UNIQUE (pipeline_id, position) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (workspace_id, pipeline_id) REFERENCES pipelines (workspace_id, id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX stages_key_unique ON stages (pipeline_id, key) WHERE key IS NOT NULL;

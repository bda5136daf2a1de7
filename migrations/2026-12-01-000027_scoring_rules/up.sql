-- Scoring rules: points a lead or contact earns when one of its fields meets a condition.
-- A record's score is the sum of the points of the rules it meets, clamped to 0..100.
CREATE TABLE scoring_rules (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    entity        text NOT NULL CHECK (entity IN ('lead', 'contact')),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    -- `email`, `tags`, `customFields.budget`: validated by the app (src/scoring/rules.rs).
    field         text NOT NULL CHECK (char_length(field) BETWEEN 1 AND 200),
    operator      text NOT NULL CHECK (operator IN ('equals', 'contains', 'exists', 'gte', 'lte', 'in')),
    -- NULL for EXISTS; a JSON string, number, boolean or array otherwise.
    value         jsonb,
    points        integer NOT NULL CHECK (points BETWEEN -100 AND 100),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    CHECK ((operator = 'exists') = (value IS NULL))
);

CREATE INDEX scoring_rules_in_order ON scoring_rules (workspace_id, entity, created_at, id);

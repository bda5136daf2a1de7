-- Routing rules: who gets a new unowned lead or deal. A workspace's rules of one entity are
-- tried in `position` order and the first whose conditions all hold assigns the record,
-- either to one owner or to the next owner of a round-robin rotation. The rotation's place
-- is `next_slot`, advanced under the rule's row lock, so concurrent creations never share a
-- slot.
CREATE TABLE routing_rules (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    entity        text NOT NULL CHECK (entity IN ('lead', 'deal')),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    position      integer NOT NULL CHECK (position >= 0),
    -- A JSON array of conditions, validated by the app (src/routing/rules.rs).
    conditions    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(conditions) = 'array'),
    assignment    text NOT NULL CHECK (assignment IN ('owner', 'round_robin')),
    owner_ids     text[] NOT NULL CHECK (cardinality(owner_ids) BETWEEN 1 AND 100),
    next_slot     bigint NOT NULL DEFAULT 0 CHECK (next_slot >= 0),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    CHECK (assignment = 'round_robin' OR cardinality(owner_ids) = 1)
);

CREATE INDEX routing_rules_in_order ON routing_rules (workspace_id, entity, position, id);

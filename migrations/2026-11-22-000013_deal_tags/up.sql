-- Deal tags: a workspace's own vocabulary, separate from contact tags.
CREATE TABLE deal_tags (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    color         text CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id)
);

CREATE UNIQUE INDEX deal_tags_name_unique ON deal_tags (workspace_id, lower(name));

CREATE TABLE deal_taggings (
    workspace_id  uuid NOT NULL,
    deal_id       uuid NOT NULL,
    tag_id        uuid NOT NULL,
    PRIMARY KEY (deal_id, tag_id),
    FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, tag_id) REFERENCES deal_tags (workspace_id, id) ON DELETE CASCADE
);

CREATE INDEX deal_taggings_by_tag ON deal_taggings (tag_id);

-- API keys: the secret itself is never stored, only its SHA-256 (the secret has 256 bits of
-- entropy, so a fast hash is safe) and a short prefix to recognise the key by.
CREATE TABLE api_keys (
    workspace_id       uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                 uuid NOT NULL PRIMARY KEY,
    name               text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    prefix             text NOT NULL,
    secret_hash        bytea NOT NULL UNIQUE,
    scopes             text[] NOT NULL
        CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['crm:read', 'crm:write', 'admin']),
    created_by_key_id  uuid,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_used_at       timestamptz,
    revoked_at         timestamptz,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, created_by_key_id) REFERENCES api_keys (workspace_id, id)
);

CREATE INDEX api_keys_by_workspace ON api_keys (workspace_id, id DESC);

-- Secrets the server makes for itself and every instance on this database shares: today the key
-- that seals pagination cursors. Made on first start (not here, so each database gets its own).
CREATE TABLE server_keys (
    name text PRIMARY KEY,
    secret bytea NOT NULL CHECK (octet_length(secret) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

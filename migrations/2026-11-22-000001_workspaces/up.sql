-- A workspace is the tenant: every business row belongs to exactly one.
CREATE TABLE workspaces (
    id               uuid PRIMARY KEY,
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    default_currency char(3) NOT NULL DEFAULT 'USD' CHECK (default_currency ~ '^[A-Z]{3}$'),
    created_at       timestamptz NOT NULL DEFAULT now()
);

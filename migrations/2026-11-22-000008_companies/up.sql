CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The organisations behind deals and contacts.
CREATE TABLE companies (
    workspace_id       uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                 uuid NOT NULL PRIMARY KEY,
    name               text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    -- Normalised: lower case, no scheme, no "www.", no path.
    domain             text CHECK (domain = lower(domain) AND char_length(domain) <= 253),
    website            text CHECK (char_length(website) <= 2000),
    industry           text CHECK (char_length(industry) <= 200),
    size               text CHECK (char_length(size) <= 50),
    country            char(2) CHECK (country ~ '^[A-Z]{2}$'),
    city               text CHECK (char_length(city) <= 200),
    icp_tier           text CHECK (char_length(icp_tier) <= 50),
    is_target_account  boolean NOT NULL DEFAULT false,
    owner_id           text CHECK (char_length(owner_id) <= 200),
    tags               text[] NOT NULL DEFAULT '{}',
    custom_fields      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object'),
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id)
);

CREATE UNIQUE INDEX companies_domain_unique ON companies (workspace_id, domain) WHERE domain IS NOT NULL;
CREATE INDEX companies_by_updated ON companies (workspace_id, updated_at DESC, id DESC);
CREATE INDEX companies_search ON companies USING gin ((name || ' ' || coalesce(domain, '')) gin_trgm_ops);
CREATE INDEX companies_tags ON companies USING gin (tags);

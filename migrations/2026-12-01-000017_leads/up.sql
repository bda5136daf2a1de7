-- Leads: people who may become customers, before they are contacts. A lead is worked
-- (NEW → WORKING → QUALIFIED), disqualified, or converted into a contact, a company and
-- perhaps a deal; a converted lead is kept, read-only, as the record of where they came from.
CREATE TABLE leads (
    workspace_id         uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                   uuid NOT NULL PRIMARY KEY,
    name                 text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    email                text CHECK (char_length(email) <= 320),
    phone                text CHECK (char_length(phone) <= 50),
    title                text CHECK (char_length(title) <= 200),
    company_name         text CHECK (char_length(company_name) <= 200),
    website              text CHECK (char_length(website) <= 2000),
    source               text NOT NULL DEFAULT 'manual'
        CHECK (source IN ('manual', 'website', 'referral', 'campaign', 'import', 'api', 'mcp', 'other')),
    status               text NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'working', 'qualified', 'disqualified', 'converted')),
    score                integer NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
    owner_id             text CHECK (char_length(owner_id) <= 200),
    tags                 text[] NOT NULL DEFAULT '{}',
    custom_fields        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object'),
    qualified_at         timestamptz,
    disqualified_at      timestamptz,
    disqualified_reason  text CHECK (char_length(disqualified_reason) <= 1000),
    converted_at         timestamptz,
    last_activity_at     timestamptz,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    -- The stamps agree with the status.
    CHECK ((status = 'disqualified') = (disqualified_at IS NOT NULL)),
    CHECK ((status = 'converted') = (converted_at IS NOT NULL))
);

-- One open lead per e-mail address: leads that were converted or disqualified no longer
-- count, so the same person may come back as a new lead.
CREATE UNIQUE INDEX leads_email_unique ON leads (workspace_id, lower(email))
    WHERE email IS NOT NULL AND status NOT IN ('converted', 'disqualified');
CREATE INDEX leads_by_updated ON leads (workspace_id, updated_at DESC, id DESC);
CREATE INDEX leads_by_created ON leads (workspace_id, created_at DESC, id DESC);
CREATE INDEX leads_by_score ON leads (workspace_id, score DESC, id DESC);
CREATE INDEX leads_by_name ON leads (workspace_id, name, id);
CREATE INDEX leads_by_status ON leads (workspace_id, status);
CREATE INDEX leads_by_owner ON leads (workspace_id, owner_id);
CREATE INDEX leads_tags ON leads USING gin (tags);
CREATE INDEX leads_custom_fields ON leads USING gin (custom_fields jsonb_path_ops);
CREATE INDEX leads_search ON leads USING gin
    ((name || ' ' || coalesce(email, '') || ' ' || coalesce(company_name, '')) gin_trgm_ops);

-- People: leads, champions, buyers.
CREATE TABLE contacts (
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                uuid NOT NULL PRIMARY KEY,
    name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    first_name        text CHECK (char_length(first_name) <= 100),
    last_name         text CHECK (char_length(last_name) <= 100),
    email             text CHECK (char_length(email) <= 320),
    phone             text CHECK (char_length(phone) <= 50),
    title             text CHECK (char_length(title) <= 200),
    company_id        uuid,
    lifecycle_stage   text NOT NULL DEFAULT 'lead'
        CHECK (lifecycle_stage IN ('subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'other')),
    lead_score        integer CHECK (lead_score BETWEEN 0 AND 1000),
    owner_id          text CHECK (char_length(owner_id) <= 200),
    tags              text[] NOT NULL DEFAULT '{}',
    custom_fields     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object'),
    last_activity_at  timestamptz,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id) ON DELETE SET NULL (company_id)
);

CREATE UNIQUE INDEX contacts_email_unique ON contacts (workspace_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX contacts_by_company ON contacts (workspace_id, company_id) WHERE company_id IS NOT NULL;
CREATE INDEX contacts_by_updated ON contacts (workspace_id, updated_at DESC, id DESC);
CREATE INDEX contacts_search ON contacts USING gin ((name || ' ' || coalesce(email, '')) gin_trgm_ops);
CREATE INDEX contacts_tags ON contacts USING gin (tags);

-- Deals. A deal's (pipeline, stage) pair references the stage, so the two always agree.
CREATE TABLE deals (
    workspace_id         uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                   uuid NOT NULL PRIMARY KEY,
    pipeline_id          uuid NOT NULL,
    stage_id             uuid NOT NULL,
    title                text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
    description          text CHECK (char_length(description) <= 20000),
    amount               numeric(22, 4) NOT NULL DEFAULT 0 CHECK (amount >= 0),
    currency             char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- NULL: follow the stage's probability.
    close_probability    numeric(5, 4) CHECK (close_probability BETWEEN 0 AND 1),
    expected_close_date  date,
    won_at               timestamptz,
    lost_at              timestamptz,
    lost_reason          text CHECK (char_length(lost_reason) <= 1000),
    value_period         text NOT NULL DEFAULT 'one_time'
        CHECK (value_period IN ('one_time', 'monthly', 'quarterly', 'annual')),
    owner_id             text CHECK (char_length(owner_id) <= 200),
    company_id           uuid,
    custom_fields        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object'),
    entered_stage_at     timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, pipeline_id, stage_id) REFERENCES stages (workspace_id, pipeline_id, id),
    FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id) ON DELETE SET NULL (company_id)
);

-- The board: a stage's deals, most recently updated first.
CREATE INDEX deals_by_stage ON deals (stage_id, updated_at DESC, id DESC);
CREATE INDEX deals_by_updated ON deals (workspace_id, updated_at DESC, id DESC);
CREATE INDEX deals_by_created ON deals (workspace_id, created_at DESC, id DESC);
CREATE INDEX deals_by_amount ON deals (workspace_id, amount DESC, id DESC);
-- Deals without a close date sort last; the list query orders by this same expression.
CREATE INDEX deals_by_close_date ON deals (workspace_id, (coalesce(expected_close_date, '9999-12-31'::date)), id);
CREATE INDEX deals_by_pipeline ON deals (pipeline_id, stage_id);
CREATE INDEX deals_by_company ON deals (company_id) WHERE company_id IS NOT NULL;
CREATE INDEX deals_by_owner ON deals (workspace_id, owner_id);
CREATE INDEX deals_custom_fields ON deals USING gin (custom_fields jsonb_path_ops);
CREATE INDEX deals_search ON deals USING gin (title gin_trgm_ops);

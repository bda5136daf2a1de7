-- Tasks: things someone has to do for a customer, due at a time or on a day. Links work as
-- an activity's do (one nullable column per kind of record, each a composite foreign key),
-- but a task may be about nothing (a personal to-do), so a deleted record only unlinks it.
CREATE TABLE tasks (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL PRIMARY KEY,
    title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
    notes         text CHECK (char_length(notes) <= 20000),
    due_at        timestamptz,
    due_date      date,
    priority      text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status        text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done', 'cancelled')),
    assignee      text CHECK (char_length(assignee) <= 200),
    contact_id    uuid,
    company_id    uuid,
    deal_id       uuid,
    lead_id       uuid,
    completed_at  timestamptz,
    created_by    uuid NOT NULL,
    -- The list order: when it is due (a due day counts from its start, UTC); undated last.
    due_sort      timestamptz NOT NULL GENERATED ALWAYS AS (
        coalesce(due_at, due_date::timestamp AT TIME ZONE 'UTC', '9999-12-31 00:00:00+00'::timestamptz)
    ) STORED,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    CHECK (due_at IS NULL OR due_date IS NULL),
    CHECK ((status = 'done') = (completed_at IS NOT NULL)),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (contact_id),
    FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id) ON DELETE SET NULL (company_id),
    FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id) ON DELETE SET NULL (deal_id),
    FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id) ON DELETE SET NULL (lead_id)
);

CREATE INDEX tasks_by_due ON tasks (workspace_id, due_sort, id);
CREATE INDEX tasks_by_assignee ON tasks (workspace_id, assignee, due_sort, id);
CREATE INDEX tasks_by_contact ON tasks (workspace_id, contact_id, due_sort, id) WHERE contact_id IS NOT NULL;
CREATE INDEX tasks_by_company ON tasks (workspace_id, company_id, due_sort, id) WHERE company_id IS NOT NULL;
CREATE INDEX tasks_by_deal ON tasks (workspace_id, deal_id, due_sort, id) WHERE deal_id IS NOT NULL;
CREATE INDEX tasks_by_lead ON tasks (workspace_id, lead_id, due_sort, id) WHERE lead_id IS NOT NULL;

-- Activities: what happened with a customer — notes, calls, e-mails, meetings, completed
-- tasks. An activity is about up to one contact, company, deal and lead, each in a nullable
-- column of its own rather than a polymorphic (entity_type, entity_id) pair or a link table:
-- each link is then a composite foreign key (it can point neither at nothing nor into another
-- workspace), each has a plain index serving its record's history newest first, and a CHECK
-- makes sure an activity is about something. An activity belongs to what it is about:
-- deleting a linked record deletes it, as deleting a deal deletes its stage history (SET NULL
-- would break the CHECK when the last link goes).
CREATE TABLE activities (
    workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id             uuid NOT NULL PRIMARY KEY,
    activity_type  text NOT NULL
        CHECK (activity_type IN ('note', 'call', 'email', 'meeting', 'task_completed', 'other')),
    subject        text CHECK (char_length(subject) <= 500),
    body           text CHECK (octet_length(body) <= 65536),
    occurred_at    timestamptz NOT NULL,
    metadata       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    -- The API key that logged it (kept after the key is deleted, like the audit trail).
    created_by     uuid NOT NULL,
    contact_id     uuid,
    company_id     uuid,
    deal_id        uuid,
    lead_id        uuid,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    CHECK (num_nonnulls(contact_id, company_id, deal_id, lead_id) >= 1),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id) ON DELETE CASCADE
);

-- The workspace's activities, and each record's, newest first (the list, the connections
-- and the timeline page by (occurred_at, id)).
CREATE INDEX activities_by_occurred ON activities (workspace_id, occurred_at DESC, id DESC);
CREATE INDEX activities_by_contact ON activities (workspace_id, contact_id, occurred_at DESC, id DESC)
    WHERE contact_id IS NOT NULL;
CREATE INDEX activities_by_company ON activities (workspace_id, company_id, occurred_at DESC, id DESC)
    WHERE company_id IS NOT NULL;
CREATE INDEX activities_by_deal ON activities (workspace_id, deal_id, occurred_at DESC, id DESC)
    WHERE deal_id IS NOT NULL;
CREATE INDEX activities_by_lead ON activities (workspace_id, lead_id, occurred_at DESC, id DESC)
    WHERE lead_id IS NOT NULL;

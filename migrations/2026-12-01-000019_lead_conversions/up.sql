-- A lead's conversion: which contact, company and deal it became, why, by whom and when.
-- One per lead (a converted lead is read-only), kept for as long as the lead: the lead's
-- foreign key has no ON DELETE action, so a converted lead cannot be deleted. What the lead
-- became may be deleted later; the conversion then keeps a NULL in its place.
CREATE TABLE lead_conversions (
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id               uuid NOT NULL PRIMARY KEY,
    lead_id          uuid NOT NULL,
    contact_id       uuid,
    company_id       uuid,
    deal_id          uuid,
    contact_created  boolean NOT NULL,
    company_created  boolean NOT NULL,
    -- The lead's owner when it was converted: whose conversion it counts as.
    owner_id         text CHECK (char_length(owner_id) <= 200),
    reason           text CHECK (char_length(reason) <= 1000),
    actor_key_id     uuid NOT NULL,
    converted_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    CONSTRAINT lead_conversions_lead_unique UNIQUE (lead_id),
    FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE SET NULL (contact_id),
    FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id)
        ON DELETE SET NULL (company_id),
    FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id)
        ON DELETE SET NULL (deal_id)
);

-- The list, newest first, in all and per owner.
CREATE INDEX lead_conversions_by_converted ON lead_conversions (workspace_id, converted_at DESC, id DESC);
CREATE INDEX lead_conversions_by_owner ON lead_conversions (workspace_id, owner_id, converted_at DESC, id DESC);
-- Deleting a contact, company or deal finds its conversions to clear.
CREATE INDEX lead_conversions_by_contact ON lead_conversions (workspace_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX lead_conversions_by_company ON lead_conversions (workspace_id, company_id) WHERE company_id IS NOT NULL;
CREATE INDEX lead_conversions_by_deal ON lead_conversions (workspace_id, deal_id) WHERE deal_id IS NOT NULL;

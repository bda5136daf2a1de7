-- Who is involved in a deal, and as what. Deals reference contacts; they never copy them.
CREATE TABLE deal_contacts (
    workspace_id  uuid NOT NULL,
    deal_id       uuid NOT NULL,
    contact_id    uuid NOT NULL,
    role          text CHECK (char_length(role) <= 100),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (deal_id, contact_id),
    FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);

CREATE INDEX deal_contacts_by_contact ON deal_contacts (contact_id);

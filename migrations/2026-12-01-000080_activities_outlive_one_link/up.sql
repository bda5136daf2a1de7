-- An activity about several records outlives the deletion of one of them: a call logged on a
-- deal and its contact stays in the contact's history when the deal is deleted. Deleting a
-- record now deletes only the activities it was the last link of (a BEFORE DELETE trigger,
-- so they are gone before the foreign keys act) and unlinks the others (ON DELETE SET NULL
-- of just that column, which leaves the "about something" CHECK satisfied).
CREATE FUNCTION activities_orphaned_by_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0] is the activities column naming the deleted table's rows.
    EXECUTE format(
        'DELETE FROM activities WHERE workspace_id = $1 AND %I = $2
           AND num_nonnulls(contact_id, company_id, deal_id, lead_id) = 1',
        TG_ARGV[0]
    ) USING OLD.workspace_id, OLD.id;
    RETURN OLD;
END
$$;

CREATE TRIGGER contacts_delete_their_own_activities BEFORE DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION activities_orphaned_by_delete('contact_id');
CREATE TRIGGER companies_delete_their_own_activities BEFORE DELETE ON companies
    FOR EACH ROW EXECUTE FUNCTION activities_orphaned_by_delete('company_id');
CREATE TRIGGER deals_delete_their_own_activities BEFORE DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION activities_orphaned_by_delete('deal_id');
CREATE TRIGGER leads_delete_their_own_activities BEFORE DELETE ON leads
    FOR EACH ROW EXECUTE FUNCTION activities_orphaned_by_delete('lead_id');

ALTER TABLE activities
    DROP CONSTRAINT activities_workspace_id_contact_id_fkey,
    DROP CONSTRAINT activities_workspace_id_company_id_fkey,
    DROP CONSTRAINT activities_workspace_id_deal_id_fkey,
    DROP CONSTRAINT activities_workspace_id_lead_id_fkey;
ALTER TABLE activities
    ADD CONSTRAINT activities_workspace_id_contact_id_fkey FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE SET NULL (contact_id),
    ADD CONSTRAINT activities_workspace_id_company_id_fkey FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id)
        ON DELETE SET NULL (company_id),
    ADD CONSTRAINT activities_workspace_id_deal_id_fkey FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id)
        ON DELETE SET NULL (deal_id),
    ADD CONSTRAINT activities_workspace_id_lead_id_fkey FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id)
        ON DELETE SET NULL (lead_id);

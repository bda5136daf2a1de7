ALTER TABLE activities
    DROP CONSTRAINT activities_workspace_id_contact_id_fkey,
    DROP CONSTRAINT activities_workspace_id_company_id_fkey,
    DROP CONSTRAINT activities_workspace_id_deal_id_fkey,
    DROP CONSTRAINT activities_workspace_id_lead_id_fkey;
ALTER TABLE activities
    ADD CONSTRAINT activities_workspace_id_contact_id_fkey FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT activities_workspace_id_company_id_fkey FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT activities_workspace_id_deal_id_fkey FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT activities_workspace_id_lead_id_fkey FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id) ON DELETE CASCADE;
DROP TRIGGER contacts_delete_their_own_activities ON contacts;
DROP TRIGGER companies_delete_their_own_activities ON companies;
DROP TRIGGER deals_delete_their_own_activities ON deals;
DROP TRIGGER leads_delete_their_own_activities ON leads;
DROP FUNCTION activities_orphaned_by_delete();

//! Dataloaders for leads, scoped to the caller's workspace: one statement per batch.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::graphql::loaders::{find_by_id, ById, ByParent, Children, Loaders};
use crate::leads::model::{Lead, LeadConversion, LeadStatusChange};

find_by_id!(Lead, LeadConversion);

/// Leads by id (`node`, and the relations later domains have to leads).
pub type LeadLoader = ById<Lead>;

/// A lead's status history (`Lead.statusChanges`), for a page of leads in one statement.
pub struct LeadStatusChanges;

impl Children for LeadStatusChanges {
    type Row = LeadStatusChange;

    async fn of_parents(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
    ) -> QueryResult<Vec<(Uuid, LeadStatusChange)>> {
        let changes = LeadStatusChange::of_leads(conn, workspace_id, lead_ids).await?;
        Ok(changes.into_iter().map(|c| (c.lead_id, c)).collect())
    }
}

pub type LeadStatusChangesLoader = ByParent<LeadStatusChanges>;

/// Conversions by id (`node`).
pub type LeadConversionLoader = ById<LeadConversion>;

/// A lead's conversion (`Lead.conversion`; at most one per lead), for a page of leads in one
/// statement.
pub struct LeadConversionsOfLeads;

impl Children for LeadConversionsOfLeads {
    type Row = LeadConversion;

    async fn of_parents(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
    ) -> QueryResult<Vec<(Uuid, LeadConversion)>> {
        let conversions = LeadConversion::of_leads(conn, workspace_id, lead_ids).await?;
        Ok(conversions.into_iter().map(|c| (c.lead_id, c)).collect())
    }
}

pub type LeadConversionsOfLeadsLoader = ByParent<LeadConversionsOfLeads>;

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(LeadLoader::new(scope.clone()));
    loaders.add(LeadStatusChangesLoader::new(scope.clone()));
    loaders.add(LeadConversionLoader::new(scope.clone()));
    loaders.add(LeadConversionsOfLeadsLoader::new(scope));
}

//! Loads the records a page of activities links to, when the query selects them, in one go
//! per loader before the rows are resolved. The request's loaders cache, so each activity's
//! own `contact`, `company`, `deal` and `lead` are then answered from memory, and the
//! statement count depends on the query's shape only.

use crate::activities::model::LinkedRow;
use std::collections::HashSet;

use async_graphql::Context;
use uuid::Uuid;

use crate::activities::model::Activity;
use crate::activities::rules::LinkKind;
use crate::error::AppError;
use crate::graphql::contacts::{CompanyLoader, ContactLoader};
use crate::graphql::deals::DealLoader;
use crate::graphql::leads::LeadLoader;
use crate::graphql::loaders::get as loader;

/// The records `rows` link to that the selection under `ctx` asks for (through `nodes` or
/// `edges.node`), and the companies of the linked contacts when it asks for those too.
pub async fn links(ctx: &Context<'_>, rows: &[Activity]) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let look = ctx.look_ahead();
    let nodes = [look.field("nodes"), look.field("edges").field("node")];
    let wants = |field: &str| nodes.iter().any(|node| node.field(field).exists());
    let wants_contact_company = nodes
        .iter()
        .any(|node| node.field("contact").field("company").exists());
    let ids = |kind: LinkKind| -> HashSet<Uuid> {
        rows.iter()
            .filter_map(|row| row.links().get(kind))
            .collect()
    };
    let mut company_ids = if wants("company") {
        ids(LinkKind::Company)
    } else {
        HashSet::new()
    };
    if wants("contact") {
        let contacts = loader::<ContactLoader>(ctx)?
            .load_many(ids(LinkKind::Contact))
            .await?;
        if wants_contact_company {
            company_ids.extend(contacts.values().filter_map(|c| c.company_id));
        }
    }
    let deals = async {
        if wants("deal") {
            loader::<DealLoader>(ctx)?
                .load_many(ids(LinkKind::Deal))
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let leads = async {
        if wants("lead") {
            loader::<LeadLoader>(ctx)?
                .load_many(ids(LinkKind::Lead))
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let companies = async {
        if !company_ids.is_empty() {
            loader::<CompanyLoader>(ctx)?.load_many(company_ids).await?;
        }
        Ok::<_, AppError>(())
    };
    futures_util::try_join!(deals, leads, companies)?;
    Ok(())
}

//! Loads the relations a page of leads or conversions selects, in one go per loader, before
//! the rows are resolved. The request's loaders cache, so each row's own relation resolver is
//! then answered from memory, and the statement count depends on the query's shape only.

use std::collections::HashSet;

use async_graphql::{Context, Lookahead};
use uuid::Uuid;

use super::loaders::LeadConversionsOfLeadsLoader;
use super::LeadLoader;
use crate::error::AppError;
use crate::graphql::contacts::{CompanyLoader, ContactLoader};
use crate::graphql::deals::DealLoader;
use crate::graphql::loaders::get;
use crate::leads::model::{Lead, LeadConversion};

/// The node selections of a connection: `nodes` and `edges.node`.
fn nodes<'a>(look: &Lookahead<'a>) -> [Lookahead<'a>; 2] {
    [look.field("nodes"), look.field("edges").field("node")]
}

fn selects(selections: &[Lookahead<'_>], field: &str) -> bool {
    selections.iter().any(|s| s.field(field).exists())
}

/// `leads(…)`: the conversions of the page's leads (and their relations), when the query asks.
pub(super) async fn leads(ctx: &Context<'_>, rows: &[Lead]) -> Result<(), AppError> {
    let look = ctx.look_ahead();
    let conversion: Vec<Lookahead<'_>> = nodes(&look)
        .iter()
        .map(|node| node.field("conversion"))
        .collect();
    if rows.is_empty() || !conversion.iter().any(Lookahead::exists) {
        return Ok(());
    }
    let found = get::<LeadConversionsOfLeadsLoader>(ctx)?
        .load_many(rows.iter().map(|lead| lead.id))
        .await?;
    let conversions: Vec<LeadConversion> = found.into_values().flatten().collect();
    relations(ctx, &conversion, &conversions).await
}

/// `leadConversions(…)`: the leads, contacts, companies and deals of the page.
pub(super) async fn conversions(
    ctx: &Context<'_>,
    rows: &[LeadConversion],
) -> Result<(), AppError> {
    let look = ctx.look_ahead();
    relations(ctx, &nodes(&look), rows).await
}

/// The relations `selections` (of `LeadConversion` objects) ask of `rows`.
async fn relations(
    ctx: &Context<'_>,
    selections: &[Lookahead<'_>],
    rows: &[LeadConversion],
) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    // Each row is its lead's conversion: `lead { conversion }` needs no statement.
    let of_leads = get::<LeadConversionsOfLeadsLoader>(ctx)?;
    for row in rows {
        of_leads.feed_one(row.lead_id, vec![row.clone()]).await;
    }
    if selects(selections, "lead") {
        get::<LeadLoader>(ctx)?
            .load_many(rows.iter().map(|row| row.lead_id))
            .await?;
    }
    if selects(selections, "deal") {
        get::<DealLoader>(ctx)?
            .load_many(rows.iter().filter_map(|row| row.deal_id))
            .await?;
    }
    let mut company_ids: HashSet<Uuid> = HashSet::new();
    if selects(selections, "company") {
        company_ids.extend(rows.iter().filter_map(|row| row.company_id));
    }
    if selects(selections, "contact") {
        let contacts = get::<ContactLoader>(ctx)?
            .load_many(rows.iter().filter_map(|row| row.contact_id))
            .await?;
        let wants_company = selections
            .iter()
            .any(|s| s.field("contact").field("company").exists());
        if wants_company {
            company_ids.extend(contacts.values().filter_map(|c| c.company_id));
        }
    }
    if !company_ids.is_empty() {
        get::<CompanyLoader>(ctx)?.load_many(company_ids).await?;
    }
    Ok(())
}

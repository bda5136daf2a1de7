//! `node(id:)`: refetch any object by its id. Ids are UUIDs, unique across every table, so one
//! id names one object: one statement finds the table holding it (`db::holder`), then the
//! object loads through the same dataloader as everywhere else.

use async_graphql::{Context, Interface, Object, ID};

use super::activities::{ActivityGql, ActivityLoader};
use super::billing::{InvoiceGql, InvoiceLoader, PaymentGql, PaymentLoader};
use super::contacts::{CompanyGql, CompanyLoader, ContactGql, ContactLoader};
use super::deals::{DealGql, DealLoader};
use super::leads::{LeadConversionGql, LeadConversionLoader, LeadGql, LeadLoader};
use super::ledger::{
    AccountingAccountGql, AccountingAccountLoader, JournalEntryGql, JournalEntryLoader,
};
use super::loaders;
use super::pipelines::{PipelineGql, PipelineLoader, StageGql, StageLoader};
use super::routing::{RoutingRuleGql, RoutingRuleLoader};
use super::scoring::{ScoringRuleGql, ScoringRuleLoader};
use super::tasks::{TaskGql, TaskLoader};
use super::{actor, parse_id, pool};
use crate::auth::Scope;

/// An object with a globally unique id.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Globally unique; pass it to `node(id:)`."
))]
pub enum Node {
    Deal(DealGql),
    Pipeline(PipelineGql),
    Stage(StageGql),
    Contact(ContactGql),
    Company(CompanyGql),
    Lead(LeadGql),
    LeadConversion(LeadConversionGql),
    RoutingRule(RoutingRuleGql),
    ScoringRule(ScoringRuleGql),
    AccountingAccount(AccountingAccountGql),
    JournalEntry(JournalEntryGql),
    Activity(ActivityGql),
    Task(TaskGql),
    Invoice(InvoiceGql),
    Payment(PaymentGql),
}

/// Every table whose rows are nodes, in the order of [`NodeQuery::node`]'s match.
const TABLES: &[&str] = &[
    "deals",
    "pipelines",
    "stages",
    "contacts",
    "companies",
    "leads",
    "lead_conversions",
    "routing_rules",
    "scoring_rules",
    "accounting_accounts",
    "journal_entries",
    "activities",
    "tasks",
    "invoices",
    "payments",
];

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any deal, pipeline, stage, contact, company, lead, lead conversion, routing rule,
    /// scoring rule, accounting account, journal entry, activity, task, invoice or payment of
    /// this workspace by id; null if none.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let id = parse_id(&id, "id")?;
        let held = {
            let mut conn = crate::db::conn(pool(ctx)?).await?;
            crate::db::holder::table_holding(&mut conn, actor.workspace_id, id, TABLES).await?
        };
        let Some(table) = held.and_then(|i| TABLES.get(i)) else {
            return Ok(None);
        };
        Ok(match *table {
            "deals" => load::<DealLoader>(ctx, id)
                .await?
                .map(|d| Node::Deal(d.into())),
            "pipelines" => load::<PipelineLoader>(ctx, id)
                .await?
                .map(|p| Node::Pipeline(p.into())),
            "stages" => load::<StageLoader>(ctx, id)
                .await?
                .map(|s| Node::Stage(s.into())),
            "contacts" => load::<ContactLoader>(ctx, id)
                .await?
                .map(|c| Node::Contact(ContactGql::from_row(c))),
            "companies" => load::<CompanyLoader>(ctx, id)
                .await?
                .map(|c| Node::Company(CompanyGql::from_row(c))),
            "leads" => load::<LeadLoader>(ctx, id)
                .await?
                .map(|l| Node::Lead(l.into())),
            "lead_conversions" => load::<LeadConversionLoader>(ctx, id).await?.map(|c| {
                Node::LeadConversion(LeadConversionGql::from_row(
                    std::sync::Arc::unwrap_or_clone(c),
                ))
            }),
            "routing_rules" => load::<RoutingRuleLoader>(ctx, id)
                .await?
                .map(|r| Node::RoutingRule(r.into())),
            "scoring_rules" => load::<ScoringRuleLoader>(ctx, id)
                .await?
                .map(|r| Node::ScoringRule(r.into())),
            "accounting_accounts" => load::<AccountingAccountLoader>(ctx, id)
                .await?
                .map(|a| Node::AccountingAccount(a.into())),
            "journal_entries" => load::<JournalEntryLoader>(ctx, id)
                .await?
                .map(|e| Node::JournalEntry(e.into())),
            "activities" => load::<ActivityLoader>(ctx, id)
                .await?
                .map(|a| Node::Activity(a.into())),
            "tasks" => load::<TaskLoader>(ctx, id)
                .await?
                .map(|t| Node::Task(t.into())),
            "invoices" => load::<InvoiceLoader>(ctx, id)
                .await?
                .map(|i| Node::Invoice(i.into())),
            "payments" => load::<PaymentLoader>(ctx, id)
                .await?
                .map(|p| Node::Payment(p.into())),
            _ => None,
        })
    }
}

/// The row `id` through the request's loader `L` (so a later field asking for it again
/// reads the cache).
async fn load<L>(ctx: &Context<'_>, id: uuid::Uuid) -> async_graphql::Result<Option<L::Value>>
where
    L: async_graphql::dataloader::Loader<uuid::Uuid, Error = crate::error::AppError>,
{
    Ok(loaders::get::<L>(ctx)?.load_one(id).await?)
}

//! `node(id:)`: refetch any object by its id. Ids are UUIDs, unique across every table, so one
//! id names one object; the lookups go through the same dataloaders as everything else.

use async_graphql::{Context, Interface, Object, ID};

use super::activities::{ActivityGql, ActivityLoader};
use super::contacts::{CompanyGql, CompanyLoader, ContactGql, ContactLoader};
use super::deals::{DealGql, DealLoader};
use super::leads::{LeadGql, LeadLoader};
use super::loaders;
use super::pipelines::{PipelineGql, PipelineLoader, StageGql, StageLoader};
use super::tasks::{TaskGql, TaskLoader};
use super::{actor, parse_id};
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
    Activity(ActivityGql),
    Task(TaskGql),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any deal, pipeline, stage, contact, company, lead, activity or task of this workspace by id;
    /// null if none.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        actor(ctx)?.require(Scope::CrmRead)?;
        let id = parse_id(&id, "id")?;
        let (deal, pipeline, stage, contact, company, lead, activity, task) = futures_util::try_join!(
            loaders::get::<DealLoader>(ctx)?.load_one(id),
            loaders::get::<PipelineLoader>(ctx)?.load_one(id),
            loaders::get::<StageLoader>(ctx)?.load_one(id),
            loaders::get::<ContactLoader>(ctx)?.load_one(id),
            loaders::get::<CompanyLoader>(ctx)?.load_one(id),
            loaders::get::<LeadLoader>(ctx)?.load_one(id),
            loaders::get::<ActivityLoader>(ctx)?.load_one(id),
            loaders::get::<TaskLoader>(ctx)?.load_one(id),
        )?;
        Ok(deal
            .map(|d| Node::Deal(DealGql(d)))
            .or_else(|| pipeline.map(|p| Node::Pipeline(p.into())))
            .or_else(|| stage.map(|s| Node::Stage(s.into())))
            .or_else(|| contact.map(|c| Node::Contact(ContactGql::from_row(c))))
            .or_else(|| company.map(|c| Node::Company(CompanyGql::from_row(c))))
            .or_else(|| lead.map(|l| Node::Lead(l.into())))
            .or_else(|| activity.map(|a| Node::Activity(ActivityGql(a))))
            .or_else(|| task.map(|t| Node::Task(TaskGql(t)))))
    }
}

//! Loading ahead: the relations a page of deals or a board's stages will ask for, fetched in
//! one batch per loader before the rows resolve, so the statement count depends on the
//! query's shape, never on how many rows or stages it returns.

use std::sync::Arc;

use async_graphql::Context;
use uuid::Uuid;

use super::connection::{DealConnection, Total};
use super::cursor::{decode_deal_cursor, order_key};
use super::inputs::DealOrderInput;
use super::loaders::{
    DealContactsLoader, DealLoader, DealTagsLoader, PendingRelated, Relations,
    StageDealCountLoader, StageDealsKey, StageDealsLoader,
};
use crate::auth::Scope;
use crate::deals::model::{Deal, DealContact, DealOrder};
use crate::error::AppError;
use crate::graphql::contacts::{CompanyLoader, ContactLoader};
use crate::graphql::cursor_key::Cursors;
use crate::graphql::pagination::page_size;
use crate::graphql::pipelines::{PipelineLoader, StageLoader};
use crate::graphql::{actor, loaders, pool};
use crate::pipelines::model::Stage;

/// `deals(…)`: loads, in one go per loader, the relations the query selects on a page of deals. The
/// loaders cache per request, so each deal's own field resolvers are then answered from memory.
pub(super) async fn deal_page(ctx: &Context<'_>, rows: &[Arc<Deal>]) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let look = ctx.look_ahead();
    let nodes = [look.field("nodes"), look.field("edges").field("node")];
    let wants = |name: &str| nodes.iter().any(|n| n.field(name).exists());
    let unique = |ids: Vec<Uuid>| {
        let mut ids = ids;
        ids.sort();
        ids.dedup();
        ids
    };
    let deal_ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let stages = async {
        if ["stage", "closeProbability", "isRotting", "weightedAmount"]
            .iter()
            .any(|f| wants(f))
        {
            loaders::get::<StageLoader>(ctx)?
                .load_many(unique(rows.iter().map(|d| d.stage_id).collect()))
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let pipelines = async {
        if wants("pipeline") {
            loaders::get::<PipelineLoader>(ctx)?
                .load_many(unique(rows.iter().map(|d| d.pipeline_id).collect()))
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let companies = async {
        if wants("company") {
            loaders::get::<CompanyLoader>(ctx)?
                .load_many(unique(rows.iter().filter_map(|d| d.company_id).collect()))
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let tags = async {
        if wants("tags") {
            loaders::get::<DealTagsLoader>(ctx)?
                .load_many(deal_ids.clone())
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let contacts = async {
        if !wants("contacts") {
            return Ok::<_, AppError>(());
        }
        let links = loaders::get::<DealContactsLoader>(ctx)?
            .load_many(deal_ids.clone())
            .await?;
        let contact_field = nodes
            .iter()
            .map(|n| n.field("contacts").field("contact"))
            .find(|f| f.exists());
        if let Some(contact_field) = contact_field {
            let ids = unique(links.values().flatten().map(|l| l.contact_id).collect());
            let people = loaders::get::<ContactLoader>(ctx)?.load_many(ids).await?;
            if contact_field.field("company").exists() {
                let company_ids = unique(people.values().filter_map(|c| c.company_id).collect());
                loaders::get::<CompanyLoader>(ctx)?
                    .load_many(company_ids)
                    .await?;
            }
        }
        Ok(())
    };
    let tasks = crate::graphql::tasks::prefetch_deals(ctx, &nodes, &deal_ids);
    futures_util::try_join!(stages, pipelines, companies, tags, contacts, tasks)?;
    Ok(())
}

/// `deal(id:)`: the deal, and its contact links in the same statement when the query selects
/// them (the deal page then costs that statement and its history's).
pub(super) async fn one_deal(ctx: &Context<'_>, id: Uuid) -> Result<Option<Arc<Deal>>, AppError> {
    let deals = loaders::get::<DealLoader>(ctx)?;
    if !ctx.look_ahead().field("contacts").exists() {
        return deals.load_one(id).await;
    }
    let workspace_id = actor(ctx)?.workspace_id;
    let rows = {
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        DealContact::deal_with_links(&mut conn, workspace_id, id).await?
    };
    // One row per linked contact, the deal repeated in each: the first one is kept.
    let mut deal = None;
    let mut links = Vec::with_capacity(rows.len());
    for (row, link) in rows {
        deal.get_or_insert(row);
        links.extend(link);
    }
    let Some(deal) = deal.map(Arc::new) else {
        return Ok(None);
    };
    loaders::get::<DealContactsLoader>(ctx)?
        .feed_one(id, links)
        .await;
    deals.feed_one(id, deal.clone()).await;
    Ok(Some(deal))
}

/// `Stage.deals`: batched across the stages of a board by `StageDealsLoader`.
pub(crate) async fn stage_deals(
    ctx: &Context<'_>,
    stage: &Stage,
    first: Option<i32>,
    after: Option<String>,
    order_by: Option<DealOrderInput>,
) -> async_graphql::Result<DealConnection> {
    actor(ctx)?.require(Scope::CrmRead)?;
    let order = DealOrder::from(order_by);
    let limit = page_size(first)?;
    let after = after
        .as_deref()
        .map(|c| decode_deal_cursor(Cursors::of(ctx)?, c, &order, "after"))
        .transpose()?;
    let key = StageDealsKey {
        stage_id: stage.id,
        order: order_key(&order),
        limit: limit + 1,
        after: after.clone(),
        relations: wanted_relations(ctx),
    };
    let page = loaders::get::<StageDealsLoader>(ctx)?.load_one(key).await?;
    let Some(page) = page else {
        return Ok(DealConnection {
            order,
            rows: Arc::from([]),
            has_next: false,
            has_previous: after.is_some(),
            total: Total::Stage(stage.id),
        });
    };
    prime(ctx, &page.related).await?;
    Ok(DealConnection {
        order,
        rows: page.deals,
        has_next: page.has_next,
        has_previous: after.is_some(),
        total: Total::Stage(stage.id),
    })
}

/// The relations a deal connection's selection asks for.
fn wanted_relations(ctx: &Context<'_>) -> Relations {
    relations_of(&ctx.look_ahead())
}

fn relations_of(look: &async_graphql::Lookahead<'_>) -> Relations {
    let nodes = [look.field("nodes"), look.field("edges").field("node")];
    let wants = |name: &str| nodes.iter().any(|n| n.field(name).exists());
    let contact = |name: &str| {
        nodes
            .iter()
            .any(|n| n.field("contacts").field("contact").field(name).exists())
    };
    Relations {
        stages: ["stage", "closeProbability", "isRotting", "weightedAmount"]
            .iter()
            .any(|f| wants(f)),
        companies: wants("company"),
        contact_links: wants("contacts"),
        contacts: nodes
            .iter()
            .any(|n| n.field("contacts").field("contact").exists()),
        contact_companies: contact("company"),
        tags: wants("tags"),
    }
}

/// `Pipeline.stages`: loads what every stage's `deals` and `dealCount` will ask for in one
/// call each, so a board's statements do not depend on how its stages' resolvers interleave.
pub(crate) async fn prime_board(ctx: &Context<'_>, stage_ids: &[Uuid]) -> Result<(), AppError> {
    if stage_ids.is_empty() {
        return Ok(());
    }
    let look = ctx.look_ahead();
    prime_stage_deals(ctx, &look, stage_ids).await?;
    // After the deals: their statement brings the first page's totals along.
    if look.field("dealCount").exists() || look.field("deals").field("totalCount").exists() {
        loaders::get::<StageDealCountLoader>(ctx)?
            .load_many(stage_ids.iter().copied())
            .await?;
    }
    Ok(())
}

/// The first page of every stage's `deals`, when the board selects them in the plain way.
async fn prime_stage_deals(
    ctx: &Context<'_>,
    look: &async_graphql::Lookahead<'_>,
    stage_ids: &[Uuid],
) -> Result<(), AppError> {
    use async_graphql::InputType;
    let deals = look.field("deals");
    let fields = deals.selection_fields();
    // Only the plain case: one `deals` selection (aliases with other arguments load lazily).
    let [field] = fields.as_slice() else {
        return Ok(());
    };
    let Ok(arguments) = field.arguments() else {
        return Ok(());
    };
    let argument = |name: &str| {
        arguments
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v.clone())
    };
    let Ok(first) = <Option<i32> as InputType>::parse(argument("first")) else {
        return Ok(());
    };
    let Ok(after) = <Option<String> as InputType>::parse(argument("after")) else {
        return Ok(());
    };
    let Ok(order_by) = <Option<DealOrderInput> as InputType>::parse(argument("orderBy")) else {
        return Ok(());
    };
    let Ok(limit) = page_size(first) else {
        return Ok(());
    };
    let order = DealOrder::from(order_by);
    let after = match after.as_deref() {
        None => None,
        Some(cursor) => match decode_deal_cursor(Cursors::of(ctx)?, cursor, &order, "after") {
            Ok(position) => Some(position),
            Err(_) => return Ok(()),
        },
    };
    let relations = relations_of(&deals);
    let keys = stage_ids.iter().map(|id| StageDealsKey {
        stage_id: *id,
        order: order_key(&order),
        limit: limit + 1,
        after: after.clone(),
        relations,
    });
    let pages = loaders::get::<StageDealsLoader>(ctx)?
        .load_many(keys)
        .await?;
    // Every page of the batch shares its relations.
    if let Some(page) = pages.values().next() {
        prime(ctx, &page.related).await?;
    }
    Ok(())
}

/// Moves a batch's relations into the request's loader caches: the first of its pages does,
/// the others (its stages share them) find them gone.
async fn prime(ctx: &Context<'_>, pending: &PendingRelated) -> Result<(), AppError> {
    let taken = pending
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take();
    let Some(related) = taken else {
        return Ok(());
    };
    if !related.stages.is_empty() {
        loaders::get::<StageLoader>(ctx)?
            .feed_many(related.stages)
            .await;
    }
    if !related.companies.is_empty() {
        loaders::get::<CompanyLoader>(ctx)?
            .feed_many(related.companies)
            .await;
    }
    if !related.contact_links.is_empty() {
        loaders::get::<DealContactsLoader>(ctx)?
            .feed_many(related.contact_links)
            .await;
    }
    if !related.contacts.is_empty() {
        loaders::get::<ContactLoader>(ctx)?
            .feed_many(related.contacts)
            .await;
    }
    if !related.tags.is_empty() {
        loaders::get::<DealTagsLoader>(ctx)?
            .feed_many(related.tags)
            .await;
    }
    if !related.stage_totals.is_empty() {
        loaders::get::<StageDealCountLoader>(ctx)?
            .feed_many(related.stage_totals)
            .await;
    }
    Ok(())
}

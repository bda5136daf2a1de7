//! GraphQL for timelines: `timeline(entityId:)` and the `timeline` field of contacts,
//! companies, deals and leads — one connection of the record's activities, stage changes,
//! lead status changes and conversions, newest first, read in one statement per page.

use async_graphql::{Context, Enum, Object, Union, ID};
use uuid::Uuid;

use super::{actor, parse_id, pool};
use crate::activities::model::Activity;
use crate::activities::rules::LinkKind;
use crate::graphql::activities::ActivityGql;
use crate::graphql::deals::StageChangeGql;
use crate::graphql::leads::conversion::LeadConversionGql;
use crate::graphql::leads::types::LeadStatusChangeGql;
use crate::graphql::pagination::{ListConnection, Page};
use crate::timeline::{ops, ItemKind, Listing, TimelineItem, TimelineOrder};

/// The name timeline cursors carry.
const TIMELINE_LIST: &str = "timeline";

pub type TimelineConnection = ListConnection<TimelineItemGql>;

/// One thing that happened to a record.
// Unboxed: the schema's types are used as they are elsewhere, and a page holds at most 100.
#[allow(clippy::large_enum_variant)]
#[derive(Union)]
#[graphql(name = "TimelineItem")]
pub enum TimelineItemGql {
    Activity(ActivityGql),
    StageChange(StageChangeGql),
    LeadStatusChange(LeadStatusChangeGql),
    LeadConversion(LeadConversionGql),
}

impl From<TimelineItem> for TimelineItemGql {
    fn from(item: TimelineItem) -> Self {
        match item {
            TimelineItem::Activity(row) => TimelineItemGql::Activity(ActivityGql(row)),
            TimelineItem::StageChange(row) => TimelineItemGql::StageChange(row.into()),
            TimelineItem::LeadStatusChange(row) => TimelineItemGql::LeadStatusChange(row.into()),
            TimelineItem::Conversion(row) => {
                TimelineItemGql::LeadConversion(LeadConversionGql::from_row(row))
            }
        }
    }
}

/// The kinds of things a timeline holds.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "TimelineItemType")]
pub enum TimelineItemTypeGql {
    /// Activities, TASK_COMPLETED ones included.
    Activity,
    /// A deal's moves between stages.
    StageChange,
    /// A lead's status changes.
    LeadStatusChange,
    /// A lead's conversion: on the lead, and on the contact, company and deal it became.
    Conversion,
}

fn item_kinds(types: Option<Vec<TimelineItemTypeGql>>) -> Vec<ItemKind> {
    match types {
        None => ItemKind::ALL.to_vec(),
        Some(types) => types
            .into_iter()
            .map(|t| match t {
                TimelineItemTypeGql::Activity => ItemKind::Activity,
                TimelineItemTypeGql::StageChange => ItemKind::StageChange,
                TimelineItemTypeGql::LeadStatusChange => ItemKind::LeadStatusChange,
                TimelineItemTypeGql::Conversion => ItemKind::Conversion,
            })
            .collect(),
    }
}

#[derive(Default)]
pub struct TimelineQuery;

#[Object]
impl TimelineQuery {
    /// The history of a contact, company, deal or lead, newest first: its activities, a
    /// deal's stage changes or a lead's status changes, and the conversion that made it (or,
    /// on a lead, its own). `types` keeps only those kinds.
    /// NOT_FOUND (naming `entityId`) when the id names none of the workspace's records.
    /// Needs `crm:read`.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        entity_id: ID,
        first: Option<i32>,
        after: Option<String>,
        types: Option<Vec<TimelineItemTypeGql>>,
    ) -> async_graphql::Result<TimelineConnection> {
        let id = parse_id(&entity_id, "entityId")?;
        let page = Page::forward(ctx, TIMELINE_LIST, TimelineOrder, first, after)?;
        let listing = ops::timeline(
            pool(ctx)?,
            actor(ctx)?,
            id,
            &item_kinds(types),
            &page.window,
        )
        .await?;
        prefetched(ctx, &listing).await?;
        Ok(page.connection(listing, TimelineItemGql::from))
    }
}

/// `Contact.timeline`, `Company.timeline`, `Deal.timeline`, `Lead.timeline`.
pub async fn record_timeline(
    ctx: &Context<'_>,
    kind: LinkKind,
    record: Uuid,
    first: Option<i32>,
    after: Option<String>,
    types: Option<Vec<TimelineItemTypeGql>>,
) -> async_graphql::Result<TimelineConnection> {
    let page = Page::forward(ctx, TIMELINE_LIST, TimelineOrder, first, after)?;
    let kinds = item_kinds(types);
    let listing =
        ops::timeline_of(pool(ctx)?, actor(ctx)?, kind, record, &kinds, &page.window).await?;
    prefetched(ctx, &listing).await?;
    Ok(page.connection(listing, TimelineItemGql::from))
}

/// Loads what the page's activities link to, when the query selects it.
async fn prefetched(
    ctx: &Context<'_>,
    listing: &Listing<TimelineItem>,
) -> async_graphql::Result<()> {
    let activities: Vec<Activity> = listing
        .rows
        .iter()
        .filter_map(|item| match item {
            TimelineItem::Activity(row) => Some(row.clone()),
            _ => None,
        })
        .collect();
    crate::graphql::activities::prefetch_links(ctx, &activities).await?;
    Ok(())
}

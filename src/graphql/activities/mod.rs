//! GraphQL for activities: `activity`, `activities`, `logActivity`, `updateActivity`,
//! `deleteActivity`, and the `activities` connection of contacts, companies, deals and leads
//! ([`linked_activities`]).

mod inputs;
pub mod links;
pub mod loaders;
mod prefetch;
pub use self::prefetch::links as prefetch_links;
pub mod types;

use std::sync::Arc;

use async_graphql::{Context, Object, ID};
use async_trait::async_trait;
use uuid::Uuid;

pub use self::inputs::{
    ActivityFilterInput, DeleteActivityInput, LogActivityInput, UpdateActivityInput,
};
pub use self::loaders::{
    register as register_loaders, ActivityLoader, LinkedActivitiesLoader, LinkedPageKey,
};
pub use self::types::{
    ActivityConnection, ActivityGql, ActivityTypeGql, DeleteActivityPayload, LogActivityPayload,
    UpdateActivityPayload,
};
use super::{actor, loaders as registry, parse_id, pool};
use crate::activities::model::Activity;
use crate::activities::ops::{self, LinkKind};
use crate::activities::ActivitiesOrder;
use crate::error::AppError;
use crate::graphql::contacts::{CompanyLoader, ContactLoader};
use crate::graphql::deals::DealLoader;
use crate::graphql::leads::LeadLoader;
use crate::graphql::mutation::{mutate, Delete, Kept};
use crate::graphql::pagination::Page;
use crate::write::record;

/// The name activity cursors carry (a record's activities page like the list).
const ACTIVITIES_LIST: &str = "activities";

#[derive(Default)]
pub struct ActivitiesQuery;

#[Object]
impl ActivitiesQuery {
    /// An activity by id; null when this workspace has none with that id. Needs `crm:read`.
    async fn activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<ActivityGql>> {
        let id = parse_id(&id, "id")?;
        let found = ops::activity(pool(ctx)?, actor(ctx)?, id).await?;
        Ok(found.map(ActivityGql))
    }

    /// The workspace's activities, newest `occurredAt` first. Needs `crm:read`.
    async fn activities(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActivityFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ActivityConnection> {
        let page = Page::forward(ctx, ACTIVITIES_LIST, ActivitiesOrder, first, after)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let listing = ops::activities(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        prefetch::links(ctx, &listing.rows).await?;
        Ok(page.connection(listing, ActivityGql))
    }
}

#[derive(Default)]
pub struct ActivitiesMutation;

#[Object]
impl ActivitiesMutation {
    /// Logs an activity about at least one contact, company, deal or lead, moving their
    /// `lastActivityAt` forward to its `occurredAt` (never back). Needs `crm:write`.
    async fn log_activity(
        &self,
        ctx: &Context<'_>,
        input: LogActivityInput,
    ) -> async_graphql::Result<LogActivityPayload> {
        let (input, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| ops::log(pool, actor, input, options)).await
    }

    /// Changes the given fields of an activity. Needs `crm:write`.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        input: UpdateActivityInput,
    ) -> async_graphql::Result<UpdateActivityPayload> {
        mutate(ctx, input.into_parts()?.through(record::update::<Activity>)).await
    }

    /// Deletes an activity. The linked records keep their `lastActivityAt`. Needs
    /// `crm:write`.
    async fn delete_activity(
        &self,
        ctx: &Context<'_>,
        input: DeleteActivityInput,
    ) -> async_graphql::Result<DeleteActivityPayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, delete.through(record::delete::<Activity>)).await
    }
}

/// A committed write makes the request's caches true to it: the activity, the pages of
/// activities, and the linked records (their `lastActivityAt` moved).
#[async_trait]
impl Kept for Activity {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        forget_linked(ctx)?;
        registry::get::<ActivityLoader>(ctx)?
            .feed_one(self.id, Arc::new(self.clone()))
            .await;
        Ok(())
    }

    async fn forget(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        registry::get::<ActivityLoader>(ctx)?.clear::<Uuid>();
        registry::get::<LinkedActivitiesLoader>(ctx)?.clear::<LinkedPageKey>();
        Ok(())
    }
}

/// Forgets what logging an activity may have changed in this request's caches.
pub fn forget_linked(ctx: &Context<'_>) -> Result<(), AppError> {
    registry::get::<LinkedActivitiesLoader>(ctx)?.clear::<LinkedPageKey>();
    registry::get::<ActivityLoader>(ctx)?.clear::<Uuid>();
    registry::get::<ContactLoader>(ctx)?.clear::<Uuid>();
    registry::get::<CompanyLoader>(ctx)?.clear::<Uuid>();
    registry::get::<DealLoader>(ctx)?.clear::<Uuid>();
    registry::get::<LeadLoader>(ctx)?.clear::<Uuid>();
    Ok(())
}

/// `Contact.activities`, `Company.activities`, `Deal.activities`, `Lead.activities`: one page
/// of a record's activities, newest first, through the loader every record of a list shares.
pub async fn linked_activities(
    ctx: &Context<'_>,
    kind: LinkKind,
    parent_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<ActivityConnection> {
    let page = Page::forward(ctx, ACTIVITIES_LIST, ActivitiesOrder, first, after)?;
    let listing = loaders::linked_page::<Activity, _>(ctx, kind, parent_id, &page.window).await?;
    // Every record of a list gets its page from the same batch, at the same moment, so their
    // links land in one batch per loader too.
    prefetch::links(ctx, &listing.rows).await?;
    Ok(page.connection(listing, ActivityGql))
}

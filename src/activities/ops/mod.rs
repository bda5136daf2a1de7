//! Operations on activities, used by GraphQL (and later the CLI, webhooks and agent tools):
//! reads check the `crm:read` scope; writes go through the write path (`activity.rs`).

mod activity;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use self::activity::{check_links, log, log_in};
use super::model::{linked, Activity, ActivityFilter, LinkedRow};
pub use super::rules::{ActivityInput, ActivityPatch, ActivityType, LinkKind, Links};
use super::{ActivitiesWindow, Listing};
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;

/// `activity(id)`: the activity, or none when the workspace has no such activity.
pub async fn activity(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
) -> Result<Option<Activity>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    Ok(Activity::find(&mut conn, actor.workspace_id, id).await?)
}

/// `activities(filter, …)`: one page, newest first, and the total number of matches.
pub async fn activities(
    pool: &DbPool,
    actor: &Actor,
    filter: ActivityFilter,
    window: &ActivitiesWindow,
) -> Result<Listing<Activity>, AppError> {
    actor.require(Scope::CrmRead)?;
    if let (Some(from), Some(to)) = (filter.occurred_from, filter.occurred_to) {
        if from > to {
            return Err(AppError::bad_input(
                "filter.occurredTo",
                "must not be before filter.occurredFrom",
            ));
        }
    }
    let mut conn = crate::db::conn(pool).await?;
    let rows = Activity::page(&mut conn, actor.workspace_id, &filter, window).await?;
    let total = Activity::count(&mut conn, actor.workspace_id, &filter).await?;
    Ok(Listing { rows, total })
}

/// One page of the rows (activities or tasks) linked to each of `parent_ids` (records of one
/// kind), with each record's total: two statements for any number of records. For loaders
/// (the caller has checked the scope).
pub async fn linked_pages<T: LinkedRow>(
    pool: &DbPool,
    workspace_id: Uuid,
    kind: LinkKind,
    parent_ids: &[Uuid],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<HashMap<Uuid, Listing<T>>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    let pages = linked::pages(&mut conn, workspace_id, kind, parent_ids, after, limit);
    Ok(pages.await?)
}

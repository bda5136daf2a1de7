//! Operations on tasks, used by GraphQL (and later the CLI, webhooks and agent tools): reads
//! check the `crm:read` scope; writes go through the write path (`task.rs`).

mod task;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use self::task::{create, follow_up, update};
use super::model::{Task, TaskFilter};
pub use super::rules::{TaskInput, TaskPatch, TaskPriority, TaskStatus};
use super::{Listing, TasksWindow};
use crate::activities::rules::LinkKind;
use crate::auth::{Actor, Scope};
use crate::db::per_parent::{self, ChildList};
use crate::db::DbPool;
use crate::error::AppError;

/// `task(id)`: the task, or none when the workspace has no such task.
pub async fn task(pool: &DbPool, actor: &Actor, id: Uuid) -> Result<Option<Task>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    Ok(Task::find(&mut conn, actor.workspace_id, id).await?)
}

/// `tasks(filter, …)`: one page, soonest due first, and the total number of matches.
pub async fn tasks(
    pool: &DbPool,
    actor: &Actor,
    mut filter: TaskFilter,
    window: &TasksWindow,
) -> Result<Listing<Task>, AppError> {
    actor.require(Scope::CrmRead)?;
    filter.assignee = crate::validate::optional_text(
        "filter.assignee",
        filter.assignee.as_deref(),
        super::rules::ASSIGNEE_MAX,
    )?;
    let mut conn = crate::db::conn(pool).await?;
    let rows = Task::page(&mut conn, actor.workspace_id, &filter, window).await?;
    let total = Task::count(&mut conn, actor.workspace_id, &filter).await?;
    Ok(Listing { rows, total })
}

/// One page of the tasks of each of `parent_ids` (records of one kind), with each record's
/// total: two statements for any number of records. For loaders.
pub async fn tasks_of(
    pool: &DbPool,
    workspace_id: Uuid,
    kind: LinkKind,
    parent_ids: &[Uuid],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<HashMap<Uuid, Listing<Task>>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    // In list order: due soonest first, undated last (`due_sort`).
    let list = ChildList {
        table: "tasks",
        sort: "due_sort",
        newest_first: false,
    };
    let column = kind.column();
    let parent_of = |row: &Task| row.links().get(kind);
    let pages = per_parent::pages(
        &mut conn,
        list,
        column,
        workspace_id,
        parent_ids,
        after,
        limit,
        parent_of,
    );
    Ok(pages.await?)
}

/// Each deal's next open task, in one statement. For loaders.
pub async fn next_tasks(
    pool: &DbPool,
    workspace_id: Uuid,
    deal_ids: &[Uuid],
) -> Result<Vec<Task>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Task::next_open_of_deals(&mut conn, workspace_id, deal_ids).await?)
}

//! Operations on tasks, used by GraphQL (and later the CLI, webhooks and agent tools): reads
//! check the `crm:read` scope; writes go through the write path (`task.rs`).

mod task;

use uuid::Uuid;

pub use self::task::{create, follow_up};
use super::model::{Task, TaskFilter};
pub use super::rules::{TaskInput, TaskPatch, TaskPriority, TaskStatus};
use super::{Listing, TasksWindow};
use crate::auth::{Actor, Scope};
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

/// Each deal's next open task, in one statement. For loaders.
pub async fn next_tasks(
    pool: &DbPool,
    workspace_id: Uuid,
    deal_ids: &[Uuid],
) -> Result<Vec<Task>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Task::next_open_of_deals(&mut conn, workspace_id, deal_ids).await?)
}

//! Tasks through the write path: a plain record, except that entering DONE logs a
//! TASK_COMPLETED activity (through the activities domain's `log_in`) in the same
//! transaction (`Record::written`).

use crate::activities::model::LinkedRow;
use async_trait::async_trait;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::json;
use uuid::Uuid;

use crate::activities::model::ActivityChanges;
use crate::activities::ops::{check_links, log_in, ActivityType};
use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::tasks::events::{self, TaskIdentity};
use crate::tasks::model::{Task, TaskChanges};
use crate::tasks::rules::{self, TaskInput, TaskPatch, TaskStatus, FOLLOW_UP_TITLE};
use crate::write::record::{self, record_names, Record, RecordNames};
use crate::write::{WriteOptions, WriteResult};

#[async_trait]
impl Record for Task {
    const NAMES: RecordNames = record_names!("task");
    const UPDATED: EventKind = events::TASK_UPDATED;

    type Input = TaskInput;
    type Patch = TaskPatch;

    fn new_changes(input: &TaskInput) -> Result<TaskChanges, AppError> {
        rules::new_values(input, Utc::now())
    }

    fn patched_changes(current: &Task, patch: TaskPatch) -> Result<TaskChanges, AppError> {
        rules::patched_values(current, patch, Utc::now())
    }

    async fn check_references(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        changes: &TaskChanges,
        current: Option<&Task>,
    ) -> Result<(), AppError> {
        let before = current.map(Task::links).unwrap_or_default();
        check_links(conn, workspace_id, &changes.links().added_to(&before)).await
    }

    /// A task that enters DONE (created DONE, or updated into it) publishes its completion.
    async fn written(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        actor_key_id: Uuid,
        before: Option<&Task>,
        after: &Task,
    ) -> Result<Vec<NewEvent>, AppError> {
        let was_done = before.is_some_and(|task| task.status() == TaskStatus::Done);
        if after.status() != TaskStatus::Done || was_done {
            return Ok(Vec::new());
        }
        completed_in(conn, workspace_id, actor_key_id, after).await
    }

    fn created(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(events::TASK_CREATED, self.id, &TaskIdentity::from(self))
    }

    fn deleted(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(events::TASK_DELETED, self.id, &TaskIdentity::from(self))
    }
}

/// What a task that has just become DONE publishes: `task.completed`, and the
/// TASK_COMPLETED activity it logs on the records it links (none when it links nothing).
async fn completed_in(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    actor_key_id: Uuid,
    task: &Task,
) -> Result<Vec<NewEvent>, AppError> {
    let mut published = Vec::new();
    let mut identity = TaskIdentity::from(task);
    let links = task.links();
    if !links.is_empty() {
        let activity = ActivityChanges {
            activity_type: ActivityType::TaskCompleted.as_str(),
            subject: Some(task.title.clone()),
            body: None,
            occurred_at: task.completed_at.unwrap_or_else(Utc::now),
            metadata: json!({ "taskId": task.id }),
            created_by: actor_key_id,
            contact_id: links.contact_id,
            company_id: links.company_id,
            deal_id: links.deal_id,
            lead_id: links.lead_id,
        };
        let (logged, events) = log_in(conn, workspace_id, &activity).await?;
        identity.activity_id = Some(logged.id);
        published.extend(events);
    }
    published.insert(
        0,
        NewEvent::new(events::TASK_COMPLETED, task.id, &identity)?,
    );
    Ok(published)
}

/// `createTask` (and `followUp`): the acting key is its `createdBy`. (`updateTask` and
/// `deleteTask` are the write path's generic record update and delete.)
pub async fn create(
    pool: &DbPool,
    actor: &Actor,
    mut input: TaskInput,
    options: WriteOptions,
) -> Result<WriteResult<Task>, AppError> {
    input.created_by = actor.key_id;
    record::create::<Task>(pool, actor, input, options).await
}

/// `followUp`: a task about exactly one lead, deal or contact, titled "Follow up" unless
/// the caller says otherwise.
pub async fn follow_up(
    pool: &DbPool,
    actor: &Actor,
    mut input: TaskInput,
    options: WriteOptions,
) -> Result<WriteResult<Task>, AppError> {
    input.links = rules::follow_up_links(input.links)?;
    if input.title.trim().is_empty() {
        input.title = FOLLOW_UP_TITLE.to_owned();
    }
    create(pool, actor, input, options).await
}

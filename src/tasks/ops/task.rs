//! Tasks through the write path. Creating and updating are operations of their own, since
//! entering DONE logs a TASK_COMPLETED activity (through the activities domain's
//! `log_in`) in the same transaction; deleting is the write path's generic record delete.

use crate::activities::model::LinkedRow;
use async_trait::async_trait;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde_json::json;
use uuid::Uuid;

use crate::activities::model::ActivityChanges;
use crate::activities::ops::{check_links, log_in, ActivityType};
use crate::auth::{Actor, Scope};
use crate::db::record_sql::TenantRow;
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::tasks::events::{self, TaskIdentity};
use crate::tasks::model::{NewTask, Task, TaskChanges};
use crate::tasks::rules::{self, TaskInput, TaskPatch, TaskStatus, FOLLOW_UP_TITLE};
use crate::validate;
use crate::write::record::{
    self, changed_fields, request_input, Record, RecordNames, RecordUpdated,
};
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

#[async_trait]
impl Record for Task {
    const NAMES: RecordNames = RecordNames {
        entity: "task",
        create: "task.create",
        update: "task.update",
        delete: "task.delete",
    };
    const UPDATED: EventKind = events::TASK_UPDATED;

    type Input = TaskInput;
    type Patch = TaskPatch;

    fn id(&self) -> Uuid {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }

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
        let (logged, event) = log_in(conn, workspace_id, &activity).await?;
        identity.activity_id = Some(logged.id);
        published.push(event);
    }
    published.insert(
        0,
        NewEvent::new(events::TASK_COMPLETED, task.id, &identity)?,
    );
    Ok(published)
}

/// `createTask` (and `followUp`): the acting key is its `createdBy`.
pub async fn create(
    pool: &DbPool,
    actor: &Actor,
    mut input: TaskInput,
    options: WriteOptions,
) -> Result<WriteResult<Task>, AppError> {
    input.created_by = actor.key_id;
    let request_json = request_input(None, None, &input)?;
    let names = Task::NAMES;
    let request = WriteRequest::new(
        names.create,
        names.entity,
        Scope::CrmWrite,
        request_json,
        options,
    );
    let workspace_id = actor.workspace_id;
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let changes = rules::new_values(&input, Utc::now())?;
            check_links(conn, workspace_id, &changes.links()).await?;
            let new = NewTask {
                workspace_id,
                id: Uuid::now_v7(),
                changes,
            };
            let task = Task::insert(conn, &new).await?;
            let mut published = vec![task.created()?];
            if task.status() == TaskStatus::Done {
                published.extend(completed_in(conn, workspace_id, actor_key_id, &task).await?);
            }
            Ok(Written {
                entity_id: task.id,
                before: None,
                after: Some(snapshot(&task)?),
                events: published,
                value: task,
            })
        }
        .boxed()
    })
    .await
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

/// `updateTask`: a partial update; entering DONE also publishes `task.completed` and logs
/// the TASK_COMPLETED activity.
pub async fn update(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: TaskPatch,
    options: WriteOptions,
) -> Result<WriteResult<Task>, AppError> {
    let request_json = request_input(Some(id), expected_version, &patch)?;
    let names = Task::NAMES;
    let request = WriteRequest::new(
        names.update,
        names.entity,
        Scope::CrmWrite,
        request_json,
        options,
    )
    .on(id);
    let workspace_id = actor.workspace_id;
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Task::lock(conn, workspace_id, id)
                .await?
                .ok_or_else(|| AppError::not_found(names.entity, id))?;
            validate::expected_version(expected_version, before.version, names.entity, id)?;
            let changes = rules::patched_values(&before, patch, Utc::now())?;
            Task::check_references(conn, workspace_id, &changes, Some(&before)).await?;
            let after = record::change::<Task>(conn, workspace_id, id, &changes).await?;
            let before_json = snapshot(&before)?;
            let after_json = snapshot(&after)?;
            let mut published = vec![NewEvent::new(
                events::TASK_UPDATED,
                id,
                &RecordUpdated {
                    id,
                    version: after.version,
                    changed: changed_fields(&before_json, &after_json),
                },
            )?];
            if after.status() == TaskStatus::Done && before.status() != TaskStatus::Done {
                published.extend(completed_in(conn, workspace_id, actor_key_id, &after).await?);
            }
            Ok(Written {
                entity_id: id,
                before: Some(before_json),
                after: Some(after_json),
                events: published,
                value: after,
            })
        }
        .boxed()
    })
    .await
}

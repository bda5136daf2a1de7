//! Activities through the write path. Logging and updating are operations of their own (they
//! move the linked records' `last_activity_at` in the same transaction); deleting is the
//! write path's generic record delete. [`log_in`] is the piece other domains log with inside
//! their own transaction (a task's completion).

use crate::activities::model::LinkedRow;
use async_trait::async_trait;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use uuid::Uuid;

use crate::activities::events::{self, ActivityIdentity};
use crate::activities::model::{Activity, ActivityChanges, NewActivity};
use crate::activities::rules::{self, ActivityInput, ActivityPatch, Links};
use crate::auth::{Actor, Scope};
use crate::db::record_sql::TenantRow;
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::validate;
use crate::write::record::{
    self, changed_fields, request_input, Record, RecordNames, RecordUpdated,
};
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

#[async_trait]
impl Record for Activity {
    const NAMES: RecordNames = RecordNames {
        entity: "activity",
        create: "activity.log",
        update: "activity.update",
        delete: "activity.delete",
    };
    const UPDATED: EventKind = events::ACTIVITY_UPDATED;

    type Input = ActivityInput;
    type Patch = ActivityPatch;

    fn id(&self) -> Uuid {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn new_changes(input: &ActivityInput) -> Result<ActivityChanges, AppError> {
        rules::new_values(input, Utc::now())
    }

    fn patched_changes(
        current: &Activity,
        patch: ActivityPatch,
    ) -> Result<ActivityChanges, AppError> {
        rules::patched_values(current, patch)
    }

    async fn check_references(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        changes: &ActivityChanges,
        current: Option<&Activity>,
    ) -> Result<(), AppError> {
        let before = current.map(Activity::links).unwrap_or_default();
        check_links(conn, workspace_id, &changes.links().added_to(&before)).await
    }

    fn created(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(
            events::ACTIVITY_LOGGED,
            self.id,
            &ActivityIdentity::from(self),
        )
    }

    fn deleted(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(
            events::ACTIVITY_DELETED,
            self.id,
            &ActivityIdentity::from(self),
        )
    }
}

/// Checks that every one of `links` names a record of the workspace: `NOT_FOUND` naming the
/// input field of the first that does not.
pub async fn check_links(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    links: &Links,
) -> Result<(), AppError> {
    match Activity::missing_link(conn, workspace_id, links).await? {
        Some(kind) => Err(AppError::not_found_at(
            kind.field(),
            kind.entity(),
            links.get(kind).unwrap_or_default(),
        )),
        None => Ok(()),
    }
}

/// Logs an activity inside the caller's transaction: checks its links, inserts it and moves
/// `last_activity_at` of what it links. Returns the row and its `activity.logged` event for
/// the caller's write to publish.
pub async fn log_in(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    changes: &ActivityChanges,
) -> Result<(Activity, NewEvent), AppError> {
    check_links(conn, workspace_id, &changes.links()).await?;
    let new = NewActivity {
        workspace_id,
        id: Uuid::now_v7(),
        changes: changes.clone(),
    };
    let activity = Activity::insert(conn, &new).await?;
    Activity::touch_linked(conn, workspace_id, &activity.links(), activity.occurred_at).await?;
    let event = activity.created()?;
    Ok((activity, event))
}

/// `logActivity`: the acting key is its `createdBy`.
pub async fn log(
    pool: &DbPool,
    actor: &Actor,
    mut input: ActivityInput,
    options: WriteOptions,
) -> Result<WriteResult<Activity>, AppError> {
    input.created_by = actor.key_id;
    let request_json = request_input(None, None, &input)?;
    let names = Activity::NAMES;
    let request = WriteRequest::new(
        names.create,
        names.entity,
        Scope::CrmWrite,
        request_json,
        options,
    );
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let changes = rules::new_values(&input, Utc::now())?;
            let (activity, event) = log_in(conn, workspace_id, &changes).await?;
            Ok(Written {
                entity_id: activity.id,
                before: None,
                after: Some(snapshot(&activity)?),
                events: vec![event],
                value: activity,
            })
        }
        .boxed()
    })
    .await
}

/// `updateActivity`: a partial update. A later `occurredAt` or a new link moves the linked
/// records' `last_activity_at` forward; nothing moves it back.
pub async fn update(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    patch: ActivityPatch,
    options: WriteOptions,
) -> Result<WriteResult<Activity>, AppError> {
    let request_json = request_input(Some(id), expected_version, &patch)?;
    let names = Activity::NAMES;
    let request = WriteRequest::new(
        names.update,
        names.entity,
        Scope::CrmWrite,
        request_json,
        options,
    )
    .on(id);
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let before = Activity::lock(conn, workspace_id, id)
                .await?
                .ok_or_else(|| AppError::not_found(names.entity, id))?;
            validate::expected_version(expected_version, before.version, names.entity, id)?;
            let changes = rules::patched_values(&before, patch)?;
            Activity::check_references(conn, workspace_id, &changes, Some(&before)).await?;
            let after = record::change::<Activity>(conn, workspace_id, id, &changes).await?;
            Activity::touch_linked(conn, workspace_id, &after.links(), after.occurred_at).await?;
            let before_json = snapshot(&before)?;
            let after_json = snapshot(&after)?;
            let event = NewEvent::new(
                events::ACTIVITY_UPDATED,
                id,
                &RecordUpdated {
                    id,
                    version: after.version,
                    changed: changed_fields(&before_json, &after_json),
                },
            )?;
            Ok(Written {
                entity_id: id,
                before: Some(before_json),
                after: Some(after_json),
                events: vec![event],
                value: after,
            })
        }
        .boxed()
    })
    .await
}

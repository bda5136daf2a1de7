//! Activities through the write path: a plain record whose writes move the linked records'
//! `last_activity_at` in the same transaction (`Record::written`). [`log_in`] is the piece
//! other domains log with inside their own transaction (a task's completion).

use crate::activities::model::LinkedRow;
use async_trait::async_trait;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::activities::events::{self, ActivityIdentity};
use crate::activities::model::{Activity, ActivityChanges};
use crate::activities::rules::{self, ActivityInput, ActivityPatch, Links};
use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::write::record::{self, record_names, Record, RecordNames};
use crate::write::{WriteOptions, WriteResult};

#[async_trait]
impl Record for Activity {
    const NAMES: RecordNames = record_names!("activity", "log");
    const UPDATED: EventKind = events::ACTIVITY_UPDATED;

    type Input = ActivityInput;
    type Patch = ActivityPatch;

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

    /// A logged activity, or a later `occurredAt` or a new link, moves the linked records'
    /// `last_activity_at` forward; nothing moves it back.
    async fn written(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        _actor_key_id: Uuid,
        _before: Option<&Activity>,
        after: &Activity,
    ) -> Result<Vec<NewEvent>, AppError> {
        Activity::touch_linked(conn, workspace_id, &after.links(), after.occurred_at).await?;
        Ok(Vec::new())
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

/// Logs an activity inside the caller's transaction, as `logActivity` does: checks its links,
/// inserts it and moves `last_activity_at` of what it links. Returns the row and the events
/// (its `activity.logged`) for the caller's write to publish.
pub async fn log_in(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    changes: &ActivityChanges,
) -> Result<(Activity, Vec<NewEvent>), AppError> {
    let (activity, events) =
        record::insert::<Activity>(conn, workspace_id, changes.clone()).await?;
    let created_by = activity.created_by;
    Activity::written(conn, workspace_id, created_by, None, &activity).await?;
    Ok((activity, events))
}

/// `logActivity`: the acting key is its `createdBy`. (`updateActivity` and
/// `deleteActivity` are the write path's generic record update and delete.)
pub async fn log(
    pool: &DbPool,
    actor: &Actor,
    mut input: ActivityInput,
    options: WriteOptions,
) -> Result<WriteResult<Activity>, AppError> {
    input.created_by = actor.key_id;
    record::create::<Activity>(pool, actor, input, options).await
}

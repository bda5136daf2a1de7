//! The events tasks publish, declared once. (`task.updated` carries the write layer's
//! `RecordUpdated`; a completion publishes `task.completed` next to it.)

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::model::Task;
use crate::events::EventKind;

pub const TASK_CREATED: EventKind = EventKind::new("task.created", "task");
pub const TASK_UPDATED: EventKind = EventKind::new("task.updated", "task");
pub const TASK_COMPLETED: EventKind = EventKind::new("task.completed", "task");
pub const TASK_DELETED: EventKind = EventKind::new("task.deleted", "task");

/// Every event of the domain, in the order the API lists them.
pub const KINDS: &[EventKind] = &[TASK_CREATED, TASK_UPDATED, TASK_COMPLETED, TASK_DELETED];

/// The payload of `task.created`, `task.completed` and `task.deleted`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskIdentity<'a> {
    pub id: Uuid,
    pub title: &'a str,
    pub status: &'a str,
    pub priority: &'a str,
    pub assignee: Option<&'a str>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub completed_at: Option<DateTime<Utc>>,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    /// For `task.completed`: the TASK_COMPLETED activity it logged (none without links).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<Uuid>,
}

impl<'a> From<&'a Task> for TaskIdentity<'a> {
    fn from(task: &'a Task) -> Self {
        TaskIdentity {
            id: task.id,
            title: &task.title,
            status: &task.status,
            priority: &task.priority,
            assignee: task.assignee.as_deref(),
            due_at: task.due_at,
            due_date: task.due_date,
            completed_at: task.completed_at,
            contact_id: task.contact_id,
            company_id: task.company_id,
            deal_id: task.deal_id,
            lead_id: task.lead_id,
            activity_id: None,
        }
    }
}

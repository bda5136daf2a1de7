//! Inputs of the task API, and their mapping onto the domain's (absent → unchanged, null →
//! cleared).

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::types::{TaskPriorityGql, TaskStatusGql};
use crate::activities::rules::Links;
use crate::error::AppError;
use crate::graphql::activities::links::{LinkIdChanges, LinkIds};
use crate::graphql::mutation::{MutationOptions, Update};
use crate::graphql::{optional_id, patch};
use crate::tasks::model::TaskFilter;
use crate::tasks::ops::{TaskInput, TaskPatch};
use crate::write::WriteOptions;

#[derive(InputObject)]
pub struct CreateTaskInput {
    /// 1–300 characters.
    pub title: String,
    pub notes: Option<String>,
    /// Due at this time (RFC 3339); or give `dueDate`, not both.
    pub due_at: Option<DateTime<Utc>>,
    /// Due on this day.
    pub due_date: Option<NaiveDate>,
    /// NORMAL when absent.
    pub priority: Option<TaskPriorityGql>,
    /// TODO when absent.
    pub status: Option<TaskStatusGql>,
    pub assignee: Option<String>,
    #[graphql(flatten)]
    pub links: LinkIds,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl CreateTaskInput {
    pub fn into_parts(self) -> Result<(TaskInput, WriteOptions), AppError> {
        let links = self.links.parse("input")?;
        let input = TaskInput {
            title: self.title,
            notes: self.notes,
            due_at: self.due_at,
            due_date: self.due_date,
            priority: self.priority.map(Into::into),
            status: self.status.map(Into::into),
            assignee: self.assignee,
            links,
            created_by: Uuid::nil(),
        };
        Ok((input, self.options.into()))
    }
}

/// A task about exactly one lead, deal or contact.
#[derive(InputObject)]
pub struct FollowUpInput {
    pub lead_id: Option<ID>,
    pub deal_id: Option<ID>,
    pub contact_id: Option<ID>,
    /// "Follow up" when absent.
    pub title: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub assignee: Option<String>,
    pub notes: Option<String>,
    pub priority: Option<TaskPriorityGql>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl FollowUpInput {
    pub fn into_parts(self) -> Result<(TaskInput, WriteOptions), AppError> {
        let links = Links {
            contact_id: optional_id(self.contact_id, "input.contactId")?,
            company_id: None,
            deal_id: optional_id(self.deal_id, "input.dealId")?,
            lead_id: optional_id(self.lead_id, "input.leadId")?,
        };
        let input = TaskInput {
            title: self.title.unwrap_or_default(),
            notes: self.notes,
            due_at: self.due_at,
            due_date: self.due_date,
            priority: self.priority.map(Into::into),
            status: None,
            assignee: self.assignee,
            links,
            created_by: Uuid::nil(),
        };
        Ok((input, self.options.into()))
    }
}

/// A partial update: fields left out stay as they are, fields set to null are cleared.
/// Status DONE stamps `completedAt` and logs a TASK_COMPLETED activity; leaving DONE clears
/// `completedAt`.
#[derive(InputObject)]
pub struct UpdateTaskInput {
    pub id: ID,
    /// Refuse the update (STALE_OBJECT) unless the task still has this version.
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub notes: MaybeUndefined<String>,
    pub due_at: MaybeUndefined<DateTime<Utc>>,
    pub due_date: MaybeUndefined<NaiveDate>,
    pub priority: Option<TaskPriorityGql>,
    pub status: Option<TaskStatusGql>,
    pub assignee: MaybeUndefined<String>,
    #[graphql(flatten)]
    pub links: LinkIdChanges,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

impl UpdateTaskInput {
    pub fn into_parts(self) -> Result<Update<TaskPatch>, AppError> {
        let patch = TaskPatch {
            title: self.title,
            notes: patch(self.notes),
            due_at: patch(self.due_at),
            due_date: patch(self.due_date),
            priority: self.priority.map(Into::into),
            status: self.status.map(Into::into),
            assignee: patch(self.assignee),
            links: self.links.parse()?,
        };
        Update::of(&self.id, self.expected_version, patch, self.options)
    }
}

#[derive(InputObject)]
pub struct DeleteTaskInput {
    pub id: ID,
    /// Refuse the delete (STALE_OBJECT) unless the task still has this version.
    pub expected_version: Option<i32>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// Which tasks to list; every field given narrows the list.
#[derive(InputObject, Default)]
#[graphql(name = "TaskFilter")]
pub struct TaskFilterInput {
    pub status: Option<TaskStatusGql>,
    pub assignee: Option<String>,
    /// true: open (TODO or IN_PROGRESS) and due in the past; false: all others.
    pub overdue: Option<bool>,
    /// Due before this time (a due day counts from its start, UTC).
    pub due_before: Option<DateTime<Utc>>,
    /// Due at or after this time.
    pub due_after: Option<DateTime<Utc>>,
    #[graphql(flatten)]
    pub links: LinkIds,
}

impl TaskFilterInput {
    pub fn into_domain(self) -> Result<TaskFilter, AppError> {
        Ok(TaskFilter {
            status: self.status.map(Into::into),
            assignee: self.assignee,
            overdue: self.overdue,
            due_before: self.due_before,
            due_after: self.due_after,
            links: self.links.parse("filter")?,
        })
    }
}

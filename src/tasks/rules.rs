//! Input rules for tasks: pure validation and the completion stamp, no database.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::model::{Task, TaskChanges};
use crate::activities::rules::{links_of, LinkPatch, Links};
use crate::error::AppError;
use crate::validate;
use crate::write::Patch;

pub const TITLE_MAX: usize = 300;
pub const NOTES_MAX: usize = 20_000;
pub const ASSIGNEE_MAX: usize = 200;
/// The title of a `followUp` that gives none.
pub const FOLLOW_UP_TITLE: &str = "Follow up";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaskPriority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl TaskPriority {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskPriority::Low => "low",
            TaskPriority::Normal => "normal",
            TaskPriority::High => "high",
            TaskPriority::Urgent => "urgent",
        }
    }

    pub fn parse(text: &str) -> Option<TaskPriority> {
        [Self::Low, Self::Normal, Self::High, Self::Urgent]
            .into_iter()
            .find(|p| p.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    #[default]
    Todo,
    InProgress,
    Done,
    Cancelled,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<TaskStatus> {
        [Self::Todo, Self::InProgress, Self::Done, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A new task as the caller gives it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskInput {
    pub title: String,
    pub notes: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub priority: Option<TaskPriority>,
    pub status: Option<TaskStatus>,
    pub assignee: Option<String>,
    #[serde(flatten)]
    pub links: Links,
    /// The acting key, set by the operation.
    #[serde(skip)]
    pub created_by: Uuid,
}

/// A partial update: absent leaves a field, null clears it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub notes: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub due_at: Patch<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub due_date: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<TaskPriority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub assignee: Patch<String>,
    /// Left out, a link stays; null, it is removed.
    #[serde(flatten)]
    pub links: LinkPatch,
}

/// The stored values of a new task; `now` stamps a task created DONE.
pub fn new_values(input: &TaskInput, now: DateTime<Utc>) -> Result<TaskChanges, AppError> {
    let status = input.status.unwrap_or_default();
    TaskChanges {
        title: validate::required_text("input.title", &input.title, TITLE_MAX)?,
        notes: validate::optional_text("input.notes", input.notes.as_deref(), NOTES_MAX)?,
        due_at: input.due_at,
        due_date: input.due_date,
        priority: input.priority.unwrap_or_default().as_str(),
        status: status.as_str(),
        assignee: validate::optional_text(
            "input.assignee",
            input.assignee.as_deref(),
            ASSIGNEE_MAX,
        )?,
        contact_id: input.links.contact_id,
        company_id: input.links.company_id,
        deal_id: input.links.deal_id,
        lead_id: input.links.lead_id,
        completed_at: (status == TaskStatus::Done).then_some(now),
        created_by: input.created_by,
    }
    .checked()
}

/// The stored values of `current` after `patch`. Entering DONE stamps `completed_at` with
/// `now`; staying DONE keeps the stamp; leaving DONE clears it.
pub fn patched_values(
    current: &Task,
    patch: TaskPatch,
    now: DateTime<Utc>,
) -> Result<TaskChanges, AppError> {
    let was = current.status();
    let status = patch.status.unwrap_or(was);
    let completed_at = match (was, status) {
        (TaskStatus::Done, TaskStatus::Done) => current.completed_at,
        (_, TaskStatus::Done) => Some(now),
        _ => None,
    };
    let title = match &patch.title {
        Some(title) => validate::required_text("input.title", title, TITLE_MAX)?,
        None => current.title.clone(),
    };
    let notes = patch.notes.apply(current.notes.clone());
    let assignee = patch.assignee.apply(current.assignee.clone());
    let links = patch.links.applied_to(links_of!(current));
    TaskChanges {
        title,
        notes: validate::optional_text("input.notes", notes.as_deref(), NOTES_MAX)?,
        due_at: patch.due_at.apply(current.due_at),
        due_date: patch.due_date.apply(current.due_date),
        priority: patch
            .priority
            .or_else(|| TaskPriority::parse(&current.priority))
            .unwrap_or_default()
            .as_str(),
        status: status.as_str(),
        assignee: validate::optional_text("input.assignee", assignee.as_deref(), ASSIGNEE_MAX)?,
        contact_id: links.contact_id,
        company_id: links.company_id,
        deal_id: links.deal_id,
        lead_id: links.lead_id,
        completed_at,
        created_by: current.created_by,
    }
    .checked()
}

impl TaskChanges {
    pub fn links(&self) -> Links {
        links_of!(self)
    }

    /// A task is due at a time or on a day, not both.
    fn checked(self) -> Result<TaskChanges, AppError> {
        if self.due_at.is_some() && self.due_date.is_some() {
            return Err(AppError::bad_input(
                "input.dueDate",
                "give either dueAt (a time) or dueDate (a day), not both",
            ));
        }
        Ok(self)
    }
}

/// `followUp`'s one record: exactly one of a lead, a deal, a contact.
pub fn follow_up_links(links: Links) -> Result<Links, AppError> {
    let given = [links.lead_id, links.deal_id, links.contact_id]
        .iter()
        .filter(|id| id.is_some())
        .count();
    if given != 1 || links.company_id.is_some() {
        return Err(AppError::bad_input(
            "input",
            "give exactly one of leadId, dealId, contactId",
        ));
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TaskInput {
        TaskInput {
            title: " Send proposal ".into(),
            notes: None,
            due_at: None,
            due_date: None,
            priority: None,
            status: None,
            assignee: None,
            links: Links::default(),
            created_by: Uuid::nil(),
        }
    }

    fn task(changes: TaskChanges) -> Task {
        let now = Utc::now();
        Task {
            workspace_id: Uuid::nil(),
            id: Uuid::nil(),
            title: changes.title,
            notes: changes.notes,
            due_at: changes.due_at,
            due_date: changes.due_date,
            priority: changes.priority.into(),
            status: changes.status.into(),
            assignee: changes.assignee,
            contact_id: None,
            company_id: None,
            deal_id: None,
            lead_id: None,
            completed_at: changes.completed_at,
            created_by: Uuid::nil(),
            due_sort: now,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn defaults_and_the_due_either_or() {
        let now = Utc::now();
        let changes = new_values(&input(), now).unwrap();
        assert_eq!((changes.priority, changes.status), ("normal", "todo"));
        assert_eq!(changes.title, "Send proposal");
        assert_eq!(changes.completed_at, None);
        let both = TaskInput {
            due_at: Some(now),
            due_date: Some(now.date_naive()),
            ..input()
        };
        let err = new_values(&both, now).unwrap_err();
        assert_eq!(err.field(), Some("input.dueDate"));
        let blank = TaskInput {
            title: "  ".into(),
            ..input()
        };
        assert_eq!(
            new_values(&blank, now).unwrap_err().field(),
            Some("input.title")
        );
    }

    #[test]
    fn done_stamps_completed_at_and_leaving_done_clears_it() {
        let t0 = Utc::now();
        let todo = task(new_values(&input(), t0).unwrap());
        let done = |status| TaskPatch {
            status: Some(status),
            ..TaskPatch::default()
        };
        let t1 = t0 + chrono::Duration::minutes(5);
        let completed = patched_values(&todo, done(TaskStatus::Done), t1).unwrap();
        assert_eq!(completed.completed_at, Some(t1));
        let completed = task(completed);
        let t2 = t1 + chrono::Duration::minutes(5);
        let still = patched_values(&completed, TaskPatch::default(), t2).unwrap();
        assert_eq!(still.completed_at, Some(t1));
        let reopened = patched_values(&completed, done(TaskStatus::InProgress), t2).unwrap();
        assert_eq!(reopened.completed_at, None);
    }

    #[test]
    fn a_follow_up_is_about_exactly_one_record() {
        let one = Links {
            deal_id: Some(Uuid::now_v7()),
            ..Links::default()
        };
        assert!(follow_up_links(one).is_ok());
        assert!(follow_up_links(Links::default()).is_err());
        let two = Links {
            lead_id: Some(Uuid::now_v7()),
            ..one
        };
        assert_eq!(follow_up_links(two).unwrap_err().field(), Some("input"));
    }
}

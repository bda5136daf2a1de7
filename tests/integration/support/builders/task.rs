//! `TaskBuilder`: a task, due at a time or on a day, about records or about nothing.

use serde_json::Value;

use super::{Draft, Id};
use crate::support::TestApp;

/// What a created task holds; task tests read the same fields from updates.
pub const TASK_FIELDS: &str = "id title notes dueAt dueDate priority status assignee completedAt isOverdue createdBy contactId companyId dealId leadId version";

/// `TaskBuilder::new("Send proposal").deal(&id).due_at("2026-12-03T09:00:00Z").create(&app)`.
#[derive(Clone, Debug)]
pub struct TaskBuilder {
    draft: Draft,
}

impl TaskBuilder {
    pub fn new(title: &str) -> TaskBuilder {
        TaskBuilder {
            draft: Draft::new("title", title),
        }
    }

    /// An RFC 3339 time.
    pub fn due_at(self, at: &str) -> TaskBuilder {
        self.set("dueAt", at)
    }

    /// A day, `2026-12-03`.
    pub fn due_date(self, day: &str) -> TaskBuilder {
        self.set("dueDate", day)
    }

    /// A `TaskStatus` name.
    pub fn status(self, status: &str) -> TaskBuilder {
        self.set("status", status)
    }

    pub fn assignee(self, assignee: &str) -> TaskBuilder {
        self.set("assignee", assignee)
    }

    pub fn contact(self, id: &(impl Id + ?Sized)) -> TaskBuilder {
        self.set("contactId", id.to_id())
    }

    pub fn deal(self, id: &(impl Id + ?Sized)) -> TaskBuilder {
        self.set("dealId", id.to_id())
    }

    /// Creates the task; returns it with `TASK_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ task {{ {TASK_FIELDS} }} }} }}"
        );
        self.draft
            .create(app, &mutation, "createTask", "task")
            .await
    }

    fn set(mut self, field: &str, value: impl Into<Value>) -> TaskBuilder {
        self.draft = self.draft.set(field, value);
        self
    }
}

//! Tools for follow-up work: `create_task`, `list_tasks` — over `createTask` and `tasks`.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::activities::links;
use super::args::Id;
use super::paging::{page_json, row, window_of};
use super::tool::{self, options, written, Call, Effect, ToolSpec};
use crate::error::AppError;
use crate::tasks::model::TaskFilter;
use crate::tasks::ops::{self, TaskInput, TaskPriority, TaskStatus};
use crate::tasks::TasksOrder;

pub fn tools() -> Vec<ToolSpec> {
    vec![
        tool::write(
            "create_task",
            "Creates a task (a to-do), optionally due at a time or on a day and about any of a \
             contact, a company, a deal and a lead.",
            Effect::Write,
            create_task,
        ),
        tool::read(
            "list_tasks",
            "Lists tasks, soonest due first (undated last), by status, assignee, overdue, due \
             range or the record they are about.",
            list_tasks,
        ),
    ]
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskPriorityArg {
    Low,
    Normal,
    High,
    Urgent,
}

impl From<TaskPriorityArg> for TaskPriority {
    fn from(priority: TaskPriorityArg) -> Self {
        match priority {
            TaskPriorityArg::Low => TaskPriority::Low,
            TaskPriorityArg::Normal => TaskPriority::Normal,
            TaskPriorityArg::High => TaskPriority::High,
            TaskPriorityArg::Urgent => TaskPriority::Urgent,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatusArg {
    Todo,
    InProgress,
    Done,
    Cancelled,
}

impl From<TaskStatusArg> for TaskStatus {
    fn from(status: TaskStatusArg) -> Self {
        match status {
            TaskStatusArg::Todo => TaskStatus::Todo,
            TaskStatusArg::InProgress => TaskStatus::InProgress,
            TaskStatusArg::Done => TaskStatus::Done,
            TaskStatusArg::Cancelled => TaskStatus::Cancelled,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    pub title: String,
    pub notes: Option<String>,
    /// RFC 3339; give this or due_date, not both.
    pub due_at: Option<DateTime<Utc>>,
    /// YYYY-MM-DD.
    pub due_date: Option<NaiveDate>,
    /// `normal` when absent.
    pub priority: Option<TaskPriorityArg>,
    /// `todo` when absent.
    pub status: Option<TaskStatusArg>,
    pub assignee: Option<String>,
    pub contact_id: Option<Id>,
    pub company_id: Option<Id>,
    pub deal_id: Option<Id>,
    pub lead_id: Option<Id>,
    /// Retrying with the same key and input returns the first result and writes nothing.
    pub idempotency_key: Option<String>,
    /// Check and return the would-be task without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

async fn create_task(call: Call, input: CreateTask) -> Result<Value, AppError> {
    let task = TaskInput {
        title: input.title,
        notes: input.notes,
        due_at: input.due_at,
        due_date: input.due_date,
        priority: input.priority.map(Into::into),
        status: input.status.map(Into::into),
        assignee: input.assignee,
        links: links(
            input.contact_id,
            input.company_id,
            input.deal_id,
            input.lead_id,
        ),
        created_by: Uuid::nil(),
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::create(&call.pool, &call.actor, task, options).await?;
    written("task", &result)
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTasks {
    pub status: Option<TaskStatusArg>,
    pub assignee: Option<String>,
    /// true: open and due in the past; false: anything else.
    pub overdue: Option<bool>,
    /// Due before this time (RFC 3339).
    pub due_before: Option<DateTime<Utc>>,
    /// Due at or after this time (RFC 3339).
    pub due_after: Option<DateTime<Utc>>,
    pub contact_id: Option<Id>,
    pub company_id: Option<Id>,
    pub deal_id: Option<Id>,
    pub lead_id: Option<Id>,
    /// 1 to 100; 20 when absent.
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<i32>,
    /// `next_cursor` of the previous page.
    pub after: Option<String>,
}

async fn list_tasks(call: Call, input: ListTasks) -> Result<Value, AppError> {
    let filter = TaskFilter {
        status: input.status.map(Into::into),
        assignee: input.assignee,
        overdue: input.overdue,
        due_before: input.due_before,
        due_after: input.due_after,
        links: links(
            input.contact_id,
            input.company_id,
            input.deal_id,
            input.lead_id,
        ),
    };
    let window = window_of(&call, "tasks", TasksOrder, input.limit, input.after)?;
    let listing = ops::tasks(&call.pool, &call.actor, filter, &window).await?;
    page_json(&call, "tasks", &window, listing, row)
}

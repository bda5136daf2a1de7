//! Tools for follow-up work: `create_task`, `list_tasks` — over `createTask` and `tasks`.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::activities::links;
use super::args::{arg_enum, tool_args, Id};
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

arg_enum!(
    TaskPriorityArg => TaskPriority { Low, Normal, High, Urgent }
);

arg_enum!(
    TaskStatusArg => TaskStatus { Todo, InProgress, Done, Cancelled }
);

tool_args! {
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
    }
    writes "task"
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

tool_args! {
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
    }
    pages
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

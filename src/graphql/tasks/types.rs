//! The `Task` output type, its enums and the mutation payloads.

use async_graphql::{Enum, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};

use crate::activities::model::LinkedRow;
use crate::activities::rules::Links;
use crate::graphql::enums::same_enum;
use crate::graphql::linked::{linked_record, About};
use crate::graphql::loaders;
use crate::graphql::mutation::{record_payload, WriteOutcome};
use crate::graphql::pagination::ListConnection;
use crate::tasks::model::Task;
use crate::tasks::rules::{TaskPriority, TaskStatus};

pub type TaskConnection = ListConnection<TaskGql>;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "TaskPriority")]
pub enum TaskPriorityGql {
    Low,
    Normal,
    High,
    Urgent,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "TaskStatus")]
pub enum TaskStatusGql {
    Todo,
    InProgress,
    /// Done: `completedAt` says when; a TASK_COMPLETED activity was logged on its records.
    Done,
    Cancelled,
}

same_enum!(TaskPriorityGql, TaskPriority, [Low, Normal, High, Urgent]);
same_enum!(
    TaskStatusGql,
    TaskStatus,
    [Todo, InProgress, Done, Cancelled]
);

/// Something someone has to do, due at a time or on a day, about any of a contact, a
/// company, a deal and a lead.
#[derive(Clone)]
pub struct TaskGql(pub Task);

impl From<Task> for TaskGql {
    fn from(row: Task) -> Self {
        TaskGql(row)
    }
}

loaders::from_shared_row!(TaskGql: Task);

impl About for TaskGql {
    fn about(&self) -> Links {
        self.0.links()
    }
}

linked_record! {
    #[async_graphql::Object(name = "Task")]
    impl TaskGql (0.id) {
        {
            pub async fn id(&self) -> ID {
                ID(self.0.id.to_string())
            }
            async fn title(&self) -> &str {
                &self.0.title
            }
            async fn notes(&self) -> Option<&str> {
                self.0.notes.as_deref()
            }
            /// Due at this time (or on `dueDate`; never both).
            async fn due_at(&self) -> Option<DateTime<Utc>> {
                self.0.due_at
            }
            /// Due on this day.
            async fn due_date(&self) -> Option<NaiveDate> {
                self.0.due_date
            }
            async fn priority(&self) -> TaskPriorityGql {
                TaskPriority::parse(&self.0.priority)
                    .unwrap_or_default()
                    .into()
            }
            async fn status(&self) -> TaskStatusGql {
                self.0.status().into()
            }
            /// Who does it: a free-form user id of your identity system (like `Deal.ownerId`).
            async fn assignee(&self) -> Option<&str> {
                self.0.assignee.as_deref()
            }
            /// When it was done; null unless DONE.
            async fn completed_at(&self) -> Option<DateTime<Utc>> {
                self.0.completed_at
            }
            /// Open (TODO or IN_PROGRESS) and due in the past.
            async fn is_overdue(&self) -> bool {
                let open = matches!(self.0.status(), TaskStatus::Todo | TaskStatus::InProgress);
                let now = Utc::now();
                let past = self.0.due_at.is_some_and(|at| at < now)
                    || self.0.due_date.is_some_and(|day| day < now.date_naive());
                open && past
            }
            /// The API key that created it.
            async fn created_by(&self) -> ID {
                ID(self.0.created_by.to_string())
            }
        }
        about: Records;

        /// Increases with every change; pass it as `expectedVersion` to update safely.
        async fn version(&self) -> i32 {
            self.0.version
        }
        async fn created_at(&self) -> DateTime<Utc> {
            self.0.created_at
        }
        async fn updated_at(&self) -> DateTime<Utc> {
            self.0.updated_at
        }
    }
}

#[derive(SimpleObject)]
pub struct CreateTaskPayload {
    pub task: TaskGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct UpdateTaskPayload {
    pub task: TaskGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DeleteTaskPayload {
    /// The task as it was before it was deleted.
    pub task: TaskGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

record_payload!(
    CreateTaskPayload { task: Task },
    UpdateTaskPayload { task: Task },
    DeleteTaskPayload { task: Task },
);

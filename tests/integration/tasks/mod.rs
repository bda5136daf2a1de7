//! Tasks: due at a time or on a day, completed into a TASK_COMPLETED activity on what they
//! link (in the same transaction), follow-ups, bad input that writes nothing, the filtered
//! list and each record's tasks and next task in a fixed number of statements.

mod complete;
mod list;

use crate::support::builders::TASK_FIELDS;
use crate::support::TestApp;

fn create_task_query() -> String {
    format!("mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ replayed dryRun task {{ {TASK_FIELDS} }} }} }}")
}

fn update_task_query() -> String {
    format!("mutation($input: UpdateTaskInput!) {{ updateTask(input: $input) {{ replayed dryRun task {{ {TASK_FIELDS} }} }} }}")
}

fn follow_up_query() -> String {
    format!("mutation($input: FollowUpInput!) {{ followUp(input: $input) {{ task {{ {TASK_FIELDS} }} }} }}")
}

async fn task_count(app: &TestApp) -> i64 {
    app.count("SELECT count(*) AS n FROM tasks").await
}

async fn events_of(app: &TestApp, event_type: &str) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS n FROM outbox_events WHERE event_type = '{event_type}'"
    ))
    .await
}

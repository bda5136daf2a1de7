//! Completing a task: the stamp, the TASK_COMPLETED activity on its records and their
//! `lastActivityAt`, in one transaction; reopening; and input refused with nothing written.

use serde_json::{json, Value};

use super::{create_task_query, events_of, follow_up_query, task_count, update_task_query};
use crate::support::builders::{ContactBuilder, DealBuilder, PipelineBuilder, TaskBuilder};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn done_stamps_completed_at_and_logs_a_task_completed_activity() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Acme renewal").create_id(&app).await;
    let contact = ContactBuilder::new("Ada").create_id(&app).await;
    let task = TaskBuilder::new("Send the proposal")
        .deal(&deal)
        .contact(&contact)
        .due_at("2026-12-03T09:00:00Z")
        .assignee("user-7")
        .create(&app)
        .await;
    assert_eq!(task["status"], "TODO");
    assert_eq!(task["priority"], "NORMAL");
    assert_eq!(task["completedAt"], Value::Null);

    let done = app
        .gql(
            &update_task_query(),
            json!({ "input": { "id": task["id"], "expectedVersion": 1, "status": "DONE" } }),
        )
        .await;
    let done = &done.data()["updateTask"]["task"];
    assert_eq!(done["status"], "DONE");
    let completed_at = done["completedAt"].clone();
    assert!(completed_at.is_string(), "{done}");

    // The deal's history shows it, at the completion time, and the stamps moved there.
    let history = app
        .gql(
            "query($d: ID!, $c: ID!) {
                deal(id: $d) { lastActivityAt activities { nodes { type subject occurredAt metadata contactId } } }
                contact(id: $c) { lastActivityAt } }",
            json!({ "d": deal, "c": contact }),
        )
        .await;
    let data = history.data();
    let logged = &data["deal"]["activities"]["nodes"][0];
    assert_eq!(logged["type"], "TASK_COMPLETED");
    assert_eq!(logged["subject"], "Send the proposal");
    assert_eq!(logged["metadata"], json!({ "taskId": task["id"] }));
    assert_eq!(logged["contactId"], json!(contact));
    assert_eq!(logged["occurredAt"], completed_at);
    assert_eq!(data["deal"]["lastActivityAt"], completed_at);
    assert_eq!(data["contact"]["lastActivityAt"], completed_at);
    assert_eq!(events_of(&app, "task.completed").await, 1);
    assert_eq!(events_of(&app, "task.updated").await, 1);
    assert_eq!(events_of(&app, "activity.logged").await, 1);

    // An edit while DONE keeps the stamp and logs nothing more.
    let renamed = app
        .gql(
            &update_task_query(),
            json!({ "input": { "id": task["id"], "title": "Send the proposal (v2)" } }),
        )
        .await;
    assert_eq!(
        renamed.data()["updateTask"]["task"]["completedAt"],
        completed_at
    );
    assert_eq!(events_of(&app, "activity.logged").await, 1);

    // Leaving DONE clears the stamp; the activity stays, as what happened.
    let reopened = app
        .gql(
            &update_task_query(),
            json!({ "input": { "id": task["id"], "status": "IN_PROGRESS" } }),
        )
        .await;
    assert_eq!(
        reopened.data()["updateTask"]["task"]["completedAt"],
        Value::Null
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM activities WHERE activity_type = 'task_completed'")
            .await,
        1
    );

    // A dry-run completion writes neither the stamp nor the activity.
    let dry = app
        .gql(
            &update_task_query(),
            json!({ "input": { "id": task["id"], "status": "DONE", "dryRun": true } }),
        )
        .await;
    assert_eq!(dry.data()["updateTask"]["dryRun"], true);
    assert_eq!(app.count("SELECT count(*) AS n FROM activities").await, 1);

    // A task about nothing completes without an activity.
    let chore = TaskBuilder::new("Tidy the pipeline")
        .status("DONE")
        .create(&app)
        .await;
    assert!(chore["completedAt"].is_string());
    assert_eq!(events_of(&app, "task.completed").await, 2);
    assert_eq!(app.count("SELECT count(*) AS n FROM activities").await, 1);

    let deleted = app
        .gql(
            "mutation($id: ID!) { deleteTask(input: {id: $id}) { task { id } } }",
            json!({ "id": chore["id"] }),
        )
        .await;
    deleted.data();
    assert_eq!(events_of(&app, "task.deleted").await, 1);
    assert_eq!(events_of(&app, "task.created").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    PipelineBuilder::new("Sales").create(&app).await;
    let deal = DealBuilder::new("Acme").create_id(&app).await;
    let (_, their_key) = app.other_workspace().await;
    PipelineBuilder::new("Theirs")
        .with_key(&their_key)
        .create(&app)
        .await;
    let their_deal = DealBuilder::new("Theirs")
        .with_key(&their_key)
        .create_id(&app)
        .await;
    for (input, code, field) in [
        (
            json!({ "title": "Call", "dueAt": "next tuesday" }),
            "BAD_USER_INPUT",
            "input.dueAt",
        ),
        (
            json!({ "title": "Call", "dueAt": "2026-12-03" }),
            "BAD_USER_INPUT",
            "input.dueAt",
        ),
        (
            json!({ "title": "Call", "dueAt": "2026-12-03T09:00:00Z", "dueDate": "2026-12-03" }),
            "BAD_USER_INPUT",
            "input.dueDate",
        ),
        (json!({ "title": "   " }), "BAD_USER_INPUT", "input.title"),
        (
            json!({ "title": "Call", "dealId": their_deal }),
            "NOT_FOUND",
            "input.dealId",
        ),
    ] {
        let refused = app
            .gql(&create_task_query(), json!({ "input": input }))
            .await;
        assert_eq!(refused.error_code(), code, "{}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"], field,
            "{}",
            refused.body
        );
    }
    for input in [json!({}), json!({ "dealId": deal, "leadId": deal })] {
        let refused = app.gql(&follow_up_query(), json!({ "input": input })).await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT", "{}", refused.body);
        assert_eq!(refused.body["errors"][0]["extensions"]["field"], "input");
    }
    assert_eq!(task_count(&app).await, 0);
    assert_eq!(events_of(&app, "task.created").await, 0);
}

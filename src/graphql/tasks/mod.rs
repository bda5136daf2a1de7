//! GraphQL for tasks: `task`, `tasks`, `createTask`, `updateTask`, `deleteTask`, `followUp`,
//! and the `tasks` connection and `nextTask` of deals, contacts and leads
//! ([`linked_tasks`], [`next_task`]).

mod inputs;
pub mod loaders;
pub mod types;

use std::sync::Arc;

use async_graphql::{Context, Lookahead, Object, Value, ID};
use async_trait::async_trait;
use uuid::Uuid;

pub use self::inputs::{
    CreateTaskInput, DeleteTaskInput, FollowUpInput, TaskFilterInput, UpdateTaskInput,
};
pub use self::loaders::{
    register as register_loaders, LinkedTasksLoader, NextTaskLoader, TaskLoader,
};
pub use self::types::{
    CreateTaskPayload, DeleteTaskPayload, TaskConnection, TaskGql, TaskPriorityGql, TaskStatusGql,
    UpdateTaskPayload,
};
use super::{actor, loaders as registry, parse_id, pool};
use crate::activities::rules::LinkKind;
use crate::error::AppError;
use crate::graphql::activities::loaders::{linked_page, LinkedPageKey};
use crate::graphql::cursor_key::Cursors;
use crate::graphql::mutation::{mutate, Delete, Kept};
use crate::graphql::pagination::{window, Page, PageArgs};
use crate::tasks::model::Task;
use crate::tasks::{ops, TasksOrder};
use crate::write::record;

/// The name task cursors carry (a record's tasks page like the list).
const TASKS_LIST: &str = "tasks";

#[derive(Default)]
pub struct TasksQuery;

#[Object]
impl TasksQuery {
    /// A task by id; null when this workspace has none with that id. Needs `crm:read`.
    async fn task(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<TaskGql>> {
        let id = parse_id(&id, "id")?;
        Ok(ops::task(pool(ctx)?, actor(ctx)?, id).await?.map(TaskGql))
    }

    /// The workspace's tasks, soonest due first (undated last). Needs `crm:read`.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<TaskConnection> {
        let page = Page::forward(ctx, TASKS_LIST, TasksOrder, first, after)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let listing = ops::tasks(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        Ok(page.connection(listing, TaskGql))
    }
}

#[derive(Default)]
pub struct TasksMutation;

#[Object]
impl TasksMutation {
    /// Creates a task. Needs `crm:write`.
    async fn create_task(
        &self,
        ctx: &Context<'_>,
        input: CreateTaskInput,
    ) -> async_graphql::Result<CreateTaskPayload> {
        let (input, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| ops::create(pool, actor, input, options)).await
    }

    /// A follow-up task about exactly one lead, deal or contact ("Follow up" unless titled).
    /// Needs `crm:write`.
    async fn follow_up(
        &self,
        ctx: &Context<'_>,
        input: FollowUpInput,
    ) -> async_graphql::Result<CreateTaskPayload> {
        let (input, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| {
            ops::follow_up(pool, actor, input, options)
        })
        .await
    }

    /// Changes the given fields of a task; DONE completes it. Needs `crm:write`.
    async fn update_task(
        &self,
        ctx: &Context<'_>,
        input: UpdateTaskInput,
    ) -> async_graphql::Result<UpdateTaskPayload> {
        mutate(ctx, input.into_parts()?.through(record::update::<Task>)).await
    }

    /// Deletes a task (a TASK_COMPLETED activity it logged stays). Needs `crm:write`.
    async fn delete_task(
        &self,
        ctx: &Context<'_>,
        input: DeleteTaskInput,
    ) -> async_graphql::Result<DeleteTaskPayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, delete.through(record::delete::<Task>)).await
    }
}

/// Forgets the request's cached tasks (and, as a completion logs an activity, what
/// activities cache).
fn forget(ctx: &Context<'_>) -> Result<(), AppError> {
    registry::get::<TaskLoader>(ctx)?.clear::<Uuid>();
    registry::get::<LinkedTasksLoader>(ctx)?.clear::<LinkedPageKey>();
    registry::get::<NextTaskLoader>(ctx)?.clear::<Uuid>();
    crate::graphql::activities::forget_linked(ctx)
}

#[async_trait]
impl Kept for Task {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        forget(ctx)?;
        registry::get::<TaskLoader>(ctx)?
            .feed_one(self.id, Arc::new(self.clone()))
            .await;
        Ok(())
    }

    async fn forget(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        forget(ctx)
    }
}

/// `Deal.tasks`, `Contact.tasks`, `Lead.tasks`: one page of a record's tasks, soonest due
/// first, through the loader every record of a list shares.
pub async fn linked_tasks(
    ctx: &Context<'_>,
    kind: LinkKind,
    parent_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<TaskConnection> {
    let page = Page::forward(ctx, TASKS_LIST, TasksOrder, first, after)?;
    let listing = linked_page::<Task, _>(ctx, kind, parent_id, &page.window).await?;
    Ok(page.connection(listing, TaskGql))
}

/// `Deal.nextTask`: the deal's open task due soonest.
pub async fn next_task(ctx: &Context<'_>, deal_id: Uuid) -> async_graphql::Result<Option<TaskGql>> {
    let task = registry::get::<NextTaskLoader>(ctx)?
        .load_one(deal_id)
        .await?;
    Ok(task.map(TaskGql))
}

/// For a page of deals (`deals(…)`): each deal's `nextTask` and first page of `tasks`, when
/// the query selects them under `nodes`, loaded in one batch per loader before the deals
/// resolve. Arguments that do not parse are left to the field itself to report.
pub(crate) async fn prefetch_deals(
    ctx: &Context<'_>,
    nodes: &[Lookahead<'_>],
    deal_ids: &[Uuid],
) -> Result<(), AppError> {
    if nodes.iter().any(|node| node.field("nextTask").exists()) {
        registry::get::<NextTaskLoader>(ctx)?
            .load_many(deal_ids.iter().copied())
            .await?;
    }
    let Ok(cursors) = Cursors::of(ctx) else {
        return Ok(());
    };
    let mut keys = Vec::new();
    for node in nodes {
        for field in node.field("tasks").selection_fields() {
            let Some(first) = field.arguments().ok().and_then(|args| first_only(&args)) else {
                continue;
            };
            let Ok(window) = window(
                cursors,
                TASKS_LIST,
                TasksOrder,
                PageArgs::forward(first, None),
            ) else {
                continue;
            };
            keys.extend(deal_ids.iter().map(|deal_id| LinkedPageKey {
                kind: LinkKind::Deal,
                parent_id: *deal_id,
                after: None,
                limit: window.fetch_limit(),
            }));
        }
    }
    if !keys.is_empty() {
        registry::get::<LinkedTasksLoader>(ctx)?
            .load_many(keys)
            .await?;
    }
    Ok(())
}

/// `first` of a `tasks` field that asks for a first page (no `after`).
fn first_only(args: &[(async_graphql::Name, Value)]) -> Option<Option<i32>> {
    let mut first = None;
    for (name, value) in args {
        match (name.as_str(), value) {
            ("first", Value::Number(n)) => first = Some(i32::try_from(n.as_i64()?).ok()?),
            ("first", Value::Null) => {}
            _ => return None,
        }
    }
    Some(first)
}

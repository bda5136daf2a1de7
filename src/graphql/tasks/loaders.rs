//! Dataloaders for tasks, scoped to the caller's workspace: tasks by id, one page of a
//! record's tasks for many records in two statements, and each deal's next open task.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::activities::rules::LinkKind;
use crate::error::AppError;
use crate::graphql::loaders::{find_by_id, ById, Loaders, Scope};
use crate::tasks::model::Task;
use crate::tasks::{ops, Listing};

find_by_id!(Task);

/// Tasks by id (`node`, payloads).
pub type TaskLoader = ById<Task>;

/// One page of one record's tasks; records asking for the same page share one statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkedTasksKey {
    pub kind: LinkKind,
    pub parent_id: Uuid,
    /// The `(due_sort, id)` of the last task already seen.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

pub struct LinkedTasksLoader(pub Scope);

type PageOf = (LinkKind, Option<(DateTime<Utc>, Uuid)>, i64);

impl Loader<LinkedTasksKey> for LinkedTasksLoader {
    type Value = Listing<Task>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[LinkedTasksKey],
    ) -> Result<HashMap<LinkedTasksKey, Listing<Task>>, AppError> {
        let mut same_page: HashMap<PageOf, Vec<Uuid>> = HashMap::new();
        for key in keys {
            same_page
                .entry((key.kind, key.after, key.limit))
                .or_default()
                .push(key.parent_id);
        }
        let mut pages = HashMap::with_capacity(keys.len());
        for ((kind, after, limit), parent_ids) in same_page {
            let scope = &self.0;
            let listings = ops::tasks_of(
                &scope.pool,
                scope.workspace_id,
                kind,
                &parent_ids,
                after,
                limit,
            )
            .await?;
            pages.extend(listings.into_iter().map(|(parent_id, listing)| {
                let key = LinkedTasksKey {
                    kind,
                    parent_id,
                    after,
                    limit,
                };
                (key, listing)
            }));
        }
        Ok(pages)
    }
}

/// A deal's next open task (`Deal.nextTask`); deals without one are left out.
pub struct NextTaskLoader(pub Scope);

impl Loader<Uuid> for NextTaskLoader {
    type Value = Task;
    type Error = AppError;

    async fn load(&self, deal_ids: &[Uuid]) -> Result<HashMap<Uuid, Task>, AppError> {
        let tasks = ops::next_tasks(&self.0.pool, self.0.workspace_id, deal_ids).await?;
        Ok(tasks
            .into_iter()
            .filter_map(|task| task.deal_id.map(|deal_id| (deal_id, task)))
            .collect())
    }
}

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(TaskLoader::new(scope.clone()));
    loaders.add(LinkedTasksLoader(scope.clone()));
    loaders.add(NextTaskLoader(scope));
}

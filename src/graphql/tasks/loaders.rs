//! Dataloaders for tasks, scoped to the caller's workspace: tasks by id, one page of a
//! record's tasks for many records in two statements, and each deal's next open task.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::activities::loaders::LinkedLoader;
use crate::graphql::loaders::{find_by_id, ById, Loaders, Scope};
use crate::tasks::model::Task;
use crate::tasks::ops;

find_by_id!(Task);

/// Tasks by id (`node`, payloads).
pub type TaskLoader = ById<Task>;

/// One page of one record's tasks (the activities' loader, over tasks).
pub type LinkedTasksLoader = LinkedLoader<Task>;

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
    loaders.add(LinkedTasksLoader::new(scope.clone()));
    loaders.add(NextTaskLoader(scope));
}

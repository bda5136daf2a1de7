//! Dataloaders for activities, scoped to the caller's workspace: activities by id, and one
//! page of a record's activities (`Contact.activities`, …) for many records in two statements
//! — the same loader serves tasks, which link to records the same way.

use std::collections::HashMap;
use std::marker::PhantomData;

use async_graphql::dataloader::Loader;
use async_graphql::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::activities::model::{Activity, LinkedRow};
use crate::activities::ops::{self, LinkKind};
use crate::db::page::{ListOrder, Listing, Window};
use crate::error::AppError;
use crate::graphql::loaders as registry;
use crate::graphql::loaders::{find_by_id, ById, Loaders, Scope};

find_by_id!(Activity);

/// Activities by id (`node`, payloads).
pub type ActivityLoader = ById<Activity>;

/// One page of one record's activities or tasks. Records asking for the same page (the
/// usual case: the first page, for every contact of a list) share one statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkedPageKey {
    pub kind: LinkKind,
    pub parent_id: Uuid,
    /// The `(sort, id)` of the last row already seen.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    /// Rows to fetch per record.
    pub limit: i64,
}

/// Pages of the rows of type `T` linked to records (`Contact.activities`, `Deal.tasks`, …).
pub struct LinkedLoader<T>(Scope, PhantomData<fn() -> T>);

impl<T> LinkedLoader<T> {
    pub fn new(scope: Scope) -> Self {
        LinkedLoader(scope, PhantomData)
    }
}

pub type LinkedActivitiesLoader = LinkedLoader<Activity>;

type PageOf = (LinkKind, Option<(DateTime<Utc>, Uuid)>, i64);

impl<T: LinkedRow + Clone + Sync> Loader<LinkedPageKey> for LinkedLoader<T> {
    type Value = Listing<T>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[LinkedPageKey],
    ) -> Result<HashMap<LinkedPageKey, Listing<T>>, AppError> {
        let mut same_page: HashMap<PageOf, Vec<Uuid>> = HashMap::new();
        for key in keys {
            same_page
                .entry((key.kind, key.after, key.limit))
                .or_default()
                .push(key.parent_id);
        }
        let mut pages = HashMap::with_capacity(keys.len());
        for ((kind, after, limit), parent_ids) in same_page {
            let Scope {
                pool, workspace_id, ..
            } = &self.0;
            let listings =
                ops::linked_pages(pool, *workspace_id, kind, &parent_ids, after, limit).await?;
            pages.extend(listings.into_iter().map(|(parent_id, listing)| {
                let key = LinkedPageKey {
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

/// `window`'s page of the `T` linked to one record, through the loader every record of a
/// list shares.
pub async fn linked_page<T, O>(
    ctx: &Context<'_>,
    kind: LinkKind,
    parent_id: Uuid,
    window: &Window<O>,
) -> Result<Listing<T>, AppError>
where
    T: LinkedRow + Clone + Sync,
    O: ListOrder,
{
    let after = window.after_time();
    let key = LinkedPageKey {
        kind,
        parent_id,
        after,
        limit: window.fetch_limit(),
    };
    let listing = registry::get::<LinkedLoader<T>>(ctx)?.load_one(key).await?;
    Ok(listing.unwrap_or_default())
}

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(ActivityLoader::new(scope.clone()));
    loaders.add(LinkedActivitiesLoader::new(scope));
}

//! Dataloaders for activities, scoped to the caller's workspace: activities by id, and one
//! page of a record's activities (`Contact.activities`, …) for many records in two statements.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::activities::model::Activity;
use crate::activities::ops::{self, LinkKind};
use crate::activities::Listing;
use crate::error::AppError;
use crate::graphql::loaders::{find_by_id, ById, Loaders, Scope};

find_by_id!(Activity);

/// Activities by id (`node`, payloads).
pub type ActivityLoader = ById<Activity>;

/// One page of one record's activities. Records asking for the same page (the usual case:
/// the first page, for every contact of a list) share one statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkedActivitiesKey {
    pub kind: LinkKind,
    pub parent_id: Uuid,
    /// The `(occurred_at, id)` of the last activity already seen.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    /// Rows to fetch per record.
    pub limit: i64,
}

pub struct LinkedActivitiesLoader(pub Scope);

type PageOf = (LinkKind, Option<(DateTime<Utc>, Uuid)>, i64);

impl Loader<LinkedActivitiesKey> for LinkedActivitiesLoader {
    type Value = Listing<Activity>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[LinkedActivitiesKey],
    ) -> Result<HashMap<LinkedActivitiesKey, Listing<Activity>>, AppError> {
        let mut same_page: HashMap<PageOf, Vec<Uuid>> = HashMap::new();
        for key in keys {
            same_page
                .entry((key.kind, key.after, key.limit))
                .or_default()
                .push(key.parent_id);
        }
        let mut pages = HashMap::with_capacity(keys.len());
        for ((kind, after, limit), parent_ids) in same_page {
            let listings = ops::activities_of(
                &self.0.pool,
                self.0.workspace_id,
                kind,
                &parent_ids,
                after,
                limit,
            )
            .await?;
            pages.extend(listings.into_iter().map(|(parent_id, listing)| {
                let key = LinkedActivitiesKey {
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

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(ActivityLoader::new(scope.clone()));
    loaders.add(LinkedActivitiesLoader(scope));
}

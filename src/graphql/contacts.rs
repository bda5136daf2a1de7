//! GraphQL for contacts and companies.

use async_graphql::{MergedObject, Object};

use crate::auth::Actor;
use crate::db::DbPool;

#[derive(Default)]
pub struct ContactsQuery;

#[Object]
impl ContactsQuery {
    /// Placeholder until contacts land.
    async fn contacts_ready(&self) -> bool {
        false
    }
}

#[derive(MergedObject, Default)]
pub struct ContactsMutation();

/// Attaches this domain's per-request dataloaders.
pub fn attach_loaders(
    request: async_graphql::Request,
    _pool: &DbPool,
    _actor: &Actor,
) -> async_graphql::Request {
    request
}

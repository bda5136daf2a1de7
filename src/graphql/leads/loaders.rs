//! Dataloaders for leads, scoped to the caller's workspace: one statement per batch.

use crate::graphql::loaders::{find_by_id, ById, Loaders};
use crate::leads::model::Lead;

find_by_id!(Lead);

/// Leads by id (`node`, and the relations later domains have to leads).
pub type LeadLoader = ById<Lead>;

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    loaders.add(LeadLoader::new(loaders.scope()));
}

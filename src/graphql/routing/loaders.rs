//! Dataloaders for routing rules (`node`): one statement per batch.

use crate::graphql::loaders::{find_by_id, ById, Loaders};
use crate::routing::model::RoutingRule;

find_by_id!(RoutingRule);

pub type RoutingRuleLoader = ById<RoutingRule>;

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    loaders.add(RoutingRuleLoader::new(loaders.scope()));
}

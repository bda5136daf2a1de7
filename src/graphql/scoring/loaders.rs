//! Dataloaders for scoring rules (`node`): one statement per batch.

use crate::graphql::loaders::{find_by_id, ById, Loaders};
use crate::scoring::model::ScoringRule;

find_by_id!(ScoringRule);

pub type ScoringRuleLoader = ById<ScoringRule>;

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    loaders.add(ScoringRuleLoader::new(loaders.scope()));
}

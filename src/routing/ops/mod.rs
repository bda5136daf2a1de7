//! Operations on routing rules and with them: reads check `crm:read`; rules are plain records
//! written through the write path's generic operations (`Record`, in `rule.rs`); routing
//! itself is in `route.rs`.

mod route;
mod rule;

pub use self::route::{owner_for, route_unassigned, OwnerCount, Routable, RoutingReport};
pub use self::rule::{RoutingRuleInput, RoutingRulePatch};
use super::model::RoutingRule;
use super::rules::RoutedEntity;
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;

/// `routingRules(entity)`: the workspace's rules for `entity`, in the order they are tried.
pub async fn routing_rules(
    pool: &DbPool,
    actor: &Actor,
    entity: RoutedEntity,
) -> Result<Vec<RoutingRule>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    Ok(RoutingRule::in_order(&mut conn, actor.workspace_id, entity).await?)
}

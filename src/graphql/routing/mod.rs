//! GraphQL for routing: `routingRules`, their create/update/delete mutations, and
//! `routeUnassigned`.

mod inputs;
pub mod loaders;
pub mod types;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use self::inputs::{
    CreateRoutingRuleInput, DeleteRoutingRuleInput, RouteUnassignedInput, RoutingConditionInput,
    UpdateRoutingRuleInput,
};
pub use self::loaders::{register as register_loaders, RoutingRuleLoader};
pub use self::types::{
    CreateRoutingRulePayload, DeleteRoutingRulePayload, RouteUnassignedPayload, RoutingEntityGql,
    RoutingRuleGql, UpdateRoutingRulePayload,
};
use super::{actor, loaders as registry, parse_id, pool};
use crate::deals::model::Deal;
use crate::graphql::mutation::Delete;
use crate::leads::model::Lead;
use crate::routing::model::RoutingRule;
use crate::routing::ops;
use crate::routing::rules::RoutedEntity;
use crate::write::record;

#[derive(Default)]
pub struct RoutingQuery;

#[Object]
impl RoutingQuery {
    /// The workspace's routing rules for an entity, in the order they are tried. Needs
    /// `crm:read`.
    async fn routing_rules(
        &self,
        ctx: &Context<'_>,
        entity: RoutingEntityGql,
    ) -> async_graphql::Result<Vec<RoutingRuleGql>> {
        let rules = ops::routing_rules(pool(ctx)?, actor(ctx)?, entity.into()).await?;
        Ok(rules.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct RoutingMutation;

#[Object]
impl RoutingMutation {
    /// Adds a routing rule. Conditions are checked against the entity: an unknown field, an
    /// operator that does not fit it, or an AMOUNT without a currency is BAD_USER_INPUT.
    /// Needs `crm:write`.
    async fn create_routing_rule(
        &self,
        ctx: &Context<'_>,
        input: CreateRoutingRuleInput,
    ) -> async_graphql::Result<CreateRoutingRulePayload> {
        let (input, options) = input.into_parts();
        let result = record::create::<RoutingRule>(pool(ctx)?, actor(ctx)?, input, options).await?;
        forget_cached(ctx, result.committed())?;
        Ok(result.into())
    }

    /// Changes the given fields of a routing rule. Needs `crm:write`.
    async fn update_routing_rule(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoutingRuleInput,
    ) -> async_graphql::Result<UpdateRoutingRulePayload> {
        let update = input.into_parts()?;
        let result = update.apply::<RoutingRule>(pool(ctx)?, actor(ctx)?).await?;
        forget_cached(ctx, result.committed())?;
        Ok(result.into())
    }

    /// Deletes a routing rule. Needs `crm:write`.
    async fn delete_routing_rule(
        &self,
        ctx: &Context<'_>,
        input: DeleteRoutingRuleInput,
    ) -> async_graphql::Result<DeleteRoutingRulePayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        let result = delete.apply::<RoutingRule>(pool(ctx)?, actor(ctx)?).await?;
        forget_cached(ctx, result.committed())?;
        Ok(result.into())
    }

    /// Applies the rules to every unowned open lead or deal (of one pipeline, for deals) in
    /// one transaction, and says who got how many. Each assignment is audited and published
    /// (`lead.assigned`; `deal.updated`). Needs `crm:write`.
    async fn route_unassigned(
        &self,
        ctx: &Context<'_>,
        input: RouteUnassignedInput,
    ) -> async_graphql::Result<RouteUnassignedPayload> {
        let pipeline_id = input
            .pipeline_id
            .as_ref()
            .map(|id| parse_id(id, "input.pipelineId"))
            .transpose()?;
        let (pool, actor, options) = (pool(ctx)?, actor(ctx)?, input.options.into());
        let result = match RoutedEntity::from(input.entity) {
            RoutedEntity::Lead => {
                ops::route_unassigned::<Lead>(pool, actor, pipeline_id, options).await?
            }
            RoutedEntity::Deal => {
                ops::route_unassigned::<Deal>(pool, actor, pipeline_id, options).await?
            }
        };
        Ok(result.into())
    }
}

/// After a committed rule write, the request's cached rules are stale.
fn forget_cached(ctx: &Context<'_>, committed: bool) -> async_graphql::Result<()> {
    if committed {
        registry::get::<RoutingRuleLoader>(ctx)?.clear::<Uuid>();
    }
    Ok(())
}

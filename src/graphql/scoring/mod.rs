//! GraphQL for scoring: `scoringRules`, their create/update/delete mutations, and
//! `scoreLead`, `scoreLeads`, `rescoreAll`.

mod inputs;
pub mod loaders;
pub mod types;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use self::inputs::{
    CreateScoringRuleInput, DeleteScoringRuleInput, RescoreAllInput, ScoreLeadInput,
    ScoreLeadsInput, UpdateScoringRuleInput,
};
pub use self::loaders::{register as register_loaders, ScoringRuleLoader};
pub use self::types::{
    CreateScoringRulePayload, DeleteScoringRulePayload, ScorePayload, ScoringEntityGql,
    ScoringRuleGql, UpdateScoringRulePayload,
};
use super::{actor, loaders as registry, parse_id, pool};
use crate::contacts::model::Contact;
use crate::error::AppError;
use crate::graphql::contacts::ContactLoader;
use crate::graphql::leads::LeadLoader;
use crate::graphql::mutation::Delete;
use crate::leads::model::Lead;
use crate::scoring::model::ScoringRule;
use crate::scoring::ops::{self, Selection};
use crate::scoring::rules::{ScoredEntity, BATCH_MAX};
use crate::write::{record, WriteResult};

#[derive(Default)]
pub struct ScoringQuery;

#[Object]
impl ScoringQuery {
    /// The workspace's scoring rules for an entity, oldest first. Needs `crm:read`.
    async fn scoring_rules(
        &self,
        ctx: &Context<'_>,
        entity: ScoringEntityGql,
    ) -> async_graphql::Result<Vec<ScoringRuleGql>> {
        let rules = ops::scoring_rules(pool(ctx)?, actor(ctx)?, entity.into()).await?;
        Ok(rules.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct ScoringMutation;

#[Object]
impl ScoringMutation {
    /// Adds a scoring rule. An unknown field, an operator that does not fit the field (GTE on
    /// a text) or a value that does not fit the operator (IN without a list) is
    /// BAD_USER_INPUT. Scores change when records are next scored. Needs `crm:write`.
    async fn create_scoring_rule(
        &self,
        ctx: &Context<'_>,
        input: CreateScoringRuleInput,
    ) -> async_graphql::Result<CreateScoringRulePayload> {
        let (input, options) = input.into_parts();
        let result = record::create::<ScoringRule>(pool(ctx)?, actor(ctx)?, input, options).await?;
        forget_cached_rules(ctx, result.committed())?;
        Ok(result.into())
    }

    /// Changes the given fields of a scoring rule. Needs `crm:write`.
    async fn update_scoring_rule(
        &self,
        ctx: &Context<'_>,
        input: UpdateScoringRuleInput,
    ) -> async_graphql::Result<UpdateScoringRulePayload> {
        let update = input.into_parts()?;
        let result = update.apply::<ScoringRule>(pool(ctx)?, actor(ctx)?).await?;
        forget_cached_rules(ctx, result.committed())?;
        Ok(result.into())
    }

    /// Deletes a scoring rule. Needs `crm:write`.
    async fn delete_scoring_rule(
        &self,
        ctx: &Context<'_>,
        input: DeleteScoringRuleInput,
    ) -> async_graphql::Result<DeleteScoringRulePayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        let result = delete.apply::<ScoringRule>(pool(ctx)?, actor(ctx)?).await?;
        forget_cached_rules(ctx, result.committed())?;
        Ok(result.into())
    }

    /// Recomputes one lead's score under the current rules (`lead.scored` when it changes).
    /// Needs `crm:write`.
    async fn score_lead(
        &self,
        ctx: &Context<'_>,
        input: ScoreLeadInput,
    ) -> async_graphql::Result<ScorePayload> {
        let ids = vec![parse_id(&input.id, "input.id")?];
        let selection = Selection::Ids {
            ids,
            field: "input.id",
        };
        let result =
            ops::rescore::<Lead>(pool(ctx)?, actor(ctx)?, selection, input.options.into()).await?;
        Ok(rescored(ctx, ScoredEntity::Lead, result)?.into())
    }

    /// Recomputes the scores of up to 1,000 leads in one transaction, with a fixed number of
    /// statements however many leads. Needs `crm:write`.
    async fn score_leads(
        &self,
        ctx: &Context<'_>,
        input: ScoreLeadsInput,
    ) -> async_graphql::Result<ScorePayload> {
        if input.ids.len() > BATCH_MAX {
            return Err(AppError::bad_input(
                "input.ids",
                format!("at most {BATCH_MAX} ids at once (got {})", input.ids.len()),
            )
            .into());
        }
        let ids = input
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| parse_id(id, &format!("input.ids[{i}]")))
            .collect::<Result<Vec<Uuid>, _>>()?;
        let selection = Selection::Ids {
            ids,
            field: "input.ids",
        };
        let result =
            ops::rescore::<Lead>(pool(ctx)?, actor(ctx)?, selection, input.options.into()).await?;
        Ok(rescored(ctx, ScoredEntity::Lead, result)?.into())
    }

    /// Recomputes the score of every lead (`Lead.score`) or contact (`Contact.leadScore`)
    /// of the workspace in one transaction. Needs `crm:write`.
    async fn rescore_all(
        &self,
        ctx: &Context<'_>,
        input: RescoreAllInput,
    ) -> async_graphql::Result<ScorePayload> {
        let (pool, actor, options) = (pool(ctx)?, actor(ctx)?, input.options.into());
        let entity = ScoredEntity::from(input.entity);
        let result = match entity {
            ScoredEntity::Lead => {
                ops::rescore::<Lead>(pool, actor, Selection::All, options).await?
            }
            ScoredEntity::Contact => {
                ops::rescore::<Contact>(pool, actor, Selection::All, options).await?
            }
        };
        Ok(rescored(ctx, entity, result)?.into())
    }
}

/// After a committed rule write, the request's cached rules are stale.
fn forget_cached_rules(ctx: &Context<'_>, committed: bool) -> async_graphql::Result<()> {
    if committed {
        registry::get::<ScoringRuleLoader>(ctx)?.clear::<Uuid>();
    }
    Ok(())
}

/// A rescoring's result, after dropping the request's cached records it changed.
fn rescored<T>(
    ctx: &Context<'_>,
    entity: ScoredEntity,
    result: WriteResult<T>,
) -> Result<WriteResult<T>, AppError> {
    if result.committed() {
        match entity {
            ScoredEntity::Lead => registry::get::<LeadLoader>(ctx)?.clear::<Uuid>(),
            ScoredEntity::Contact => registry::get::<ContactLoader>(ctx)?.clear::<Uuid>(),
        }
    }
    Ok(result)
}

//! `StageChange`: one move of a deal in its stage history, as deals and timelines show it.

use async_graphql::{ComplexObject, Context, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::loaders::DealLoader;
use super::types::DealGql;
use crate::deals::model::StageChange;
use crate::graphql::loaders;
use crate::graphql::pipelines::{StageGql, StageLoader};
use crate::graphql::scalars::Decimal;

/// One move of a deal between stages, with the deal's value at that moment.
#[derive(SimpleObject, Clone)]
#[graphql(name = "StageChange", complex)]
pub struct StageChangeGql {
    pub id: ID,
    /// 1 for the stage the deal was created in, then 2, 3, …
    pub sequence: i32,
    pub from_stage_id: Option<ID>,
    pub to_stage_id: ID,
    pub from_pipeline_id: Option<ID>,
    pub to_pipeline_id: ID,
    /// The stage names at the time (stages may be renamed or deleted later).
    pub from_stage_name: Option<String>,
    pub to_stage_name: String,
    pub amount: Decimal,
    pub currency: String,
    /// The API key that made the move.
    pub actor_key_id: Option<ID>,
    pub changed_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: StageChange,
}

impl From<StageChange> for StageChangeGql {
    fn from(c: StageChange) -> Self {
        Self {
            id: ID(c.id.to_string()),
            sequence: c.sequence,
            from_stage_id: c.from_stage_id.map(|id| ID(id.to_string())),
            to_stage_id: ID(c.to_stage_id.to_string()),
            from_pipeline_id: c.from_pipeline_id.map(|id| ID(id.to_string())),
            to_pipeline_id: ID(c.to_pipeline_id.to_string()),
            from_stage_name: c.from_stage_name.clone(),
            to_stage_name: c.to_stage_name.clone(),
            amount: Decimal::money(&c.amount, &c.currency),
            currency: c.currency.clone(),
            actor_key_id: c.actor_key_id.map(|id| ID(id.to_string())),
            changed_at: c.changed_at,
            row: c,
        }
    }
}

#[ComplexObject]
impl StageChangeGql {
    /// Null when the deal was created in `toStage`, or the stage was deleted since.
    #[allow(clippy::wrong_self_convention)] // the GraphQL field is `fromStage`, not a conversion
    async fn from_stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StageGql>> {
        let Some(id) = self.row.from_stage_id else {
            return Ok(None);
        };
        Ok(loaders::get::<StageLoader>(ctx)?
            .load_one(id)
            .await?
            .map(StageGql::from))
    }
    /// Null when the stage was deleted since.
    async fn to_stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StageGql>> {
        Ok(loaders::get::<StageLoader>(ctx)?
            .load_one(self.row.to_stage_id)
            .await?
            .map(StageGql::from))
    }
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DealGql>> {
        Ok(loaders::get::<DealLoader>(ctx)?
            .load_one(self.row.deal_id)
            .await?
            .map(DealGql::from))
    }
}

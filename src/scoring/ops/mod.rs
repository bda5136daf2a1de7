//! Operations on scoring rules and with them: reads check `crm:read`; rules are plain records
//! written through the write path's generic operations (`Record`, in `rule.rs`); scoring
//! itself is in `score.rs`.

mod rule;
mod score;

pub use self::rule::{ScoringRuleInput, ScoringRulePatch};
pub use self::score::{
    rescore, score_of, scored_event, Scorable, ScoreChange, ScoringReport, Selection,
};
use super::model::ScoringRule;
use super::rules::ScoredEntity;
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;

/// `scoringRules(entity)`: the workspace's rules for `entity`, oldest first.
pub async fn scoring_rules(
    pool: &DbPool,
    actor: &Actor,
    entity: ScoredEntity,
) -> Result<Vec<ScoringRule>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    Ok(ScoringRule::in_order(&mut conn, actor.workspace_id, entity).await?)
}

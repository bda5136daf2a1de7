//! The scoring rule row and its SQL.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::rules::{self, Criterion, ScoredEntity, ScoringOperator};
use crate::db::schema::scoring_rules;

/// A scoring rule row; also its audit before/after JSON and its stored idempotent response.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = scoring_rules, check_for_backend(diesel::pg::Pg))]
pub struct ScoringRule {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub entity: String,
    pub name: String,
    pub field: String,
    pub operator: String,
    pub value: Option<Value>,
    pub points: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = scoring_rules, treat_none_as_null = true)]
pub struct ScoringRuleChanges {
    pub entity: &'static str,
    pub name: String,
    pub field: String,
    pub operator: &'static str,
    pub value: Option<Value>,
    pub points: i32,
}

crate::db::record_sql::tenant_row_sql!(
    ScoringRule,
    scoring_rules,
    NewScoringRule,
    ScoringRuleChanges
);

impl ScoringRule {
    pub fn entity(&self) -> ScoredEntity {
        ScoredEntity::parse(&self.entity).unwrap_or(ScoredEntity::Lead)
    }

    pub fn operator(&self) -> ScoringOperator {
        ScoringOperator::parse(&self.operator).unwrap_or(ScoringOperator::Exists)
    }

    /// The rule, ready to evaluate; `None` for a row the rules would no longer accept.
    pub fn criterion(&self) -> Option<Criterion> {
        let field = rules::field(self.entity(), &self.field).ok()?;
        Some(Criterion {
            field,
            operator: self.operator(),
            value: self.value.clone(),
            points: self.points,
        })
    }

    /// The workspace's rules for `entity`, oldest first.
    pub async fn in_order(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        entity: ScoredEntity,
    ) -> QueryResult<Vec<ScoringRule>> {
        scoring_rules::table
            .filter(scoring_rules::workspace_id.eq(workspace_id))
            .filter(scoring_rules::entity.eq(entity.as_str()))
            .order((scoring_rules::created_at, scoring_rules::id))
            .select(ScoringRule::as_select())
            .load(conn)
            .await
    }
}

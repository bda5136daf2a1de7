//! The routing rule row and its SQL, including the round-robin rotation.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::rules::{self, Assignment, Condition, RoutedEntity};
use crate::db::schema::routing_rules;

/// A routing rule row; also its audit before/after JSON and its stored idempotent response.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = routing_rules, check_for_backend(diesel::pg::Pg))]
pub struct RoutingRule {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub entity: String,
    pub name: String,
    pub position: i32,
    pub conditions: Value,
    pub assignment: String,
    pub owner_ids: Vec<Option<String>>,
    /// The rotation's next slot (round robin); moves on under the row lock.
    pub next_slot: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a rule's writes set (the rotation is not among them: it belongs to the rule's use).
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = routing_rules)]
pub struct RoutingRuleChanges {
    pub entity: &'static str,
    pub name: String,
    pub position: i32,
    pub conditions: Value,
    pub assignment: &'static str,
    pub owner_ids: Vec<String>,
}

crate::db::record_sql::tenant_row_sql!(
    RoutingRule,
    routing_rules,
    NewRoutingRule,
    RoutingRuleChanges
);

impl RoutingRule {
    pub fn entity(&self) -> RoutedEntity {
        RoutedEntity::parse(&self.entity).unwrap_or(RoutedEntity::Lead)
    }

    pub fn conditions(&self) -> Vec<Condition> {
        rules::stored(&self.conditions)
    }

    pub fn owners(&self) -> Vec<String> {
        self.owner_ids.iter().flatten().cloned().collect()
    }

    pub fn assignment(&self) -> Assignment {
        let owners = self.owners();
        match (self.assignment.as_str(), owners.as_slice()) {
            ("owner", [owner, ..]) => Assignment::Owner(owner.clone()),
            _ => Assignment::RoundRobin(owners),
        }
    }

    /// The workspace's rules for `entity`, in the order they are tried.
    pub async fn in_order(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        entity: RoutedEntity,
    ) -> QueryResult<Vec<RoutingRule>> {
        routing_rules::table
            .filter(routing_rules::workspace_id.eq(workspace_id))
            .filter(routing_rules::entity.eq(entity.as_str()))
            .order((routing_rules::position, routing_rules::id))
            .select(RoutingRule::as_select())
            .load(conn)
            .await
    }

    /// Takes `count` consecutive slots of the rule's rotation and returns the first with the
    /// owners as they are now; `None` when the rule was deleted meanwhile. The update locks
    /// the rule's row until the caller's transaction ends, so concurrent takers queue and
    /// never get the same slot.
    pub async fn take_slots(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        count: i64,
    ) -> QueryResult<Option<(i64, Vec<Option<String>>)>> {
        let taken: Option<(i64, Vec<Option<String>>)> = diesel::update(routing_rules::table)
            .filter(routing_rules::workspace_id.eq(workspace_id))
            .filter(routing_rules::id.eq(id))
            .set(routing_rules::next_slot.eq(routing_rules::next_slot + count))
            .returning((routing_rules::next_slot, routing_rules::owner_ids))
            .get_result(conn)
            .await
            .optional()?;
        Ok(taken.map(|(next, owners)| (next - count, owners)))
    }
}

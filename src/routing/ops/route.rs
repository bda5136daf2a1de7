//! Routing records: the owner of a new unowned record (in its creator's transaction), and
//! `routeUnassigned`, which routes every unowned record of an entity in one transaction.

use std::collections::BTreeMap;

use async_trait::async_trait;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{AuditEvent, NewAuditEvent};
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::NewEvent;
use crate::routing::model::RoutingRule;
use crate::routing::rules::{self, owner_at, Assignment, RoutedEntity, Subject};
use crate::write::{self, WriteOptions, WriteRequest, WriteResult, Written};

/// The owner the workspace's rules give a new record of `entity`, if any rule takes it.
/// Runs in the creator's transaction: a round-robin slot taken by a write that then fails or
/// is a dry run is given back with it.
pub async fn owner_for(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    entity: RoutedEntity,
    subject: &Subject,
) -> Result<Option<String>, AppError> {
    let rules = RoutingRule::in_order(conn, workspace_id, entity).await?;
    let Some(rule) = rules
        .iter()
        .find(|rule| rules::matches(&rule.conditions(), subject))
    else {
        return Ok(None);
    };
    let owners = owners_from(conn, workspace_id, rule, 1).await?;
    Ok(owners.into_iter().next())
}

/// `count` owners from `rule`: its one owner each time, or the next `count` slots of its
/// rotation.
async fn owners_from(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    rule: &RoutingRule,
    count: usize,
) -> Result<Vec<String>, AppError> {
    match rule.assignment() {
        Assignment::Owner(owner) => Ok(vec![owner; count]),
        Assignment::RoundRobin(_) => {
            let wanted = i64::try_from(count).map_err(AppError::internal)?;
            let (first, owners) = RoutingRule::take_slots(conn, workspace_id, rule.id, wanted)
                .await?
                .ok_or_else(|| {
                    AppError::conflict(
                        None,
                        "a routing rule was deleted while it was being applied; try again",
                    )
                })?;
            let owners: Vec<String> = owners.into_iter().flatten().collect();
            (first..first + wanted)
                .map(|slot| {
                    owner_at(&owners, slot)
                        .map(str::to_owned)
                        .ok_or_else(|| AppError::internal("round-robin rule without owners"))
                })
                .collect()
        }
    }
}

/// A record kind routing can assign in bulk: leads and deals implement it in their domains.
#[async_trait]
pub trait Routable {
    const ENTITY: RoutedEntity;

    /// The workspace's unowned records (of `pipeline_id`, for deals), oldest first, locked
    /// for this transaction, each with what routing sees of it.
    async fn unowned(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        pipeline_id: Option<Uuid>,
    ) -> Result<Vec<(Uuid, Subject)>, AppError>;

    /// Gives each record its owner, in one statement; returns the events saying so. Called
    /// only with assignments to make.
    async fn assign_owners(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        assignments: &[(Uuid, String)],
    ) -> Result<Vec<NewEvent>, AppError>;
}

/// How many records one owner got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerCount {
    pub owner_id: String,
    pub count: i32,
}

/// What `routeUnassigned` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingReport {
    /// Owners by id, each with how many records it got.
    pub assigned: Vec<OwnerCount>,
    pub total: i32,
    /// Unowned records no rule took: they stay unowned.
    pub unmatched: i32,
}

/// `routeUnassigned`: applies the rules to every unowned record of `R` (of `pipeline_id` for
/// deals) in one transaction. Each assignment is audited and published.
pub async fn route_unassigned<R: Routable>(
    pool: &DbPool,
    actor: &Actor,
    pipeline_id: Option<Uuid>,
    options: WriteOptions,
) -> Result<WriteResult<RoutingReport>, AppError> {
    let entity = R::ENTITY;
    let action = match entity {
        RoutedEntity::Lead => "lead.route",
        RoutedEntity::Deal => "deal.route",
    };
    let input = json!({ "entity": entity.as_str(), "pipelineId": pipeline_id });
    let workspace_id = actor.workspace_id;
    let request =
        WriteRequest::new(action, "workspace", Scope::CrmWrite, input, options).on(workspace_id);
    let audit_actor = actor.clone();
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            if entity == RoutedEntity::Lead && pipeline_id.is_some() {
                return Err(AppError::bad_input(
                    "input.pipelineId",
                    "leads have no pipeline: leave it out for LEAD",
                ));
            }
            if let Some(id) = pipeline_id {
                crate::pipelines::model::Pipeline::find(conn, workspace_id, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("pipeline", id))?;
            }
            let rules = RoutingRule::in_order(conn, workspace_id, entity).await?;
            let conditions: Vec<_> = rules.iter().map(RoutingRule::conditions).collect();
            let records = R::unowned(conn, workspace_id, pipeline_id).await?;
            // Records per rule, in the order they came (oldest first takes the first slot).
            let mut taken: Vec<Vec<Uuid>> = vec![Vec::new(); rules.len()];
            let mut unmatched = 0;
            for (id, subject) in &records {
                match conditions.iter().position(|c| rules::matches(c, subject)) {
                    Some(index) => taken[index].push(*id),
                    None => unmatched += 1,
                }
            }
            let mut assignments = Vec::new();
            for (rule, ids) in rules.iter().zip(&taken) {
                if ids.is_empty() {
                    continue;
                }
                let owners = owners_from(conn, workspace_id, rule, ids.len()).await?;
                assignments.extend(ids.iter().copied().zip(owners));
            }
            let events = match assignments.is_empty() {
                true => Vec::new(),
                false => R::assign_owners(conn, workspace_id, &assignments).await?,
            };
            audit_assignments(conn, &audit_actor, entity, &assignments).await?;
            let report = report(&assignments, unmatched);
            Written::created(workspace_id, report, events)
        }
        .boxed()
    })
    .await
}

fn report(assignments: &[(Uuid, String)], unmatched: i32) -> RoutingReport {
    let mut counts: BTreeMap<&str, i32> = BTreeMap::new();
    for (_, owner) in assignments {
        *counts.entry(owner).or_default() += 1;
    }
    RoutingReport {
        total: counts.values().sum(),
        assigned: counts
            .into_iter()
            .map(|(owner_id, count)| OwnerCount {
                owner_id: owner_id.to_owned(),
                count,
            })
            .collect(),
        unmatched,
    }
}

/// One audit row per assignment, in one statement.
async fn audit_assignments(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    entity: RoutedEntity,
    assignments: &[(Uuid, String)],
) -> Result<(), AppError> {
    let action = match entity {
        RoutedEntity::Lead => "lead.assign",
        RoutedEntity::Deal => "deal.assign",
    };
    let before = json!({ "owner_id": null });
    let afters: Vec<_> = assignments
        .iter()
        .map(|(_, owner)| json!({ "owner_id": owner, "routed": true }))
        .collect();
    let rows: Vec<NewAuditEvent<'_>> = assignments
        .iter()
        .zip(&afters)
        .map(|((id, _), after)| NewAuditEvent {
            before: Some(&before),
            after: Some(after),
            ..write::audit_row(actor, action, entity.as_str(), Some(*id))
        })
        .collect();
    Ok(AuditEvent::insert_many(conn, &rows).await?)
}

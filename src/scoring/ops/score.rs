//! Scoring records: the score of a lead being written (in its writer's transaction), and
//! `scoreLead`, `scoreLeads`, `rescoreAll`, which rescore many records with a fixed number
//! of statements: the rules, the records, one update, one audit insert, the events.

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
use crate::scoring::events::{Scored, CONTACT_SCORED, LEAD_SCORED};
use crate::scoring::model::ScoringRule;
use crate::scoring::rules::{self, Criterion, Facts, ScoredEntity, BATCH_MAX};
use crate::write::{self, WriteOptions, WriteRequest, WriteResult, Written};

/// The workspace's criteria for `entity`.
async fn criteria(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    entity: ScoredEntity,
) -> Result<Vec<Criterion>, AppError> {
    let rules = ScoringRule::in_order(conn, workspace_id, entity).await?;
    Ok(rules.iter().filter_map(ScoringRule::criterion).collect())
}

/// The score the workspace's rules give `facts`; `None` when it has no rules for `entity`
/// (then a score is whatever the caller sets).
pub async fn score_of(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    entity: ScoredEntity,
    facts: &Facts,
) -> Result<Option<i32>, AppError> {
    let criteria = criteria(conn, workspace_id, entity).await?;
    if criteria.is_empty() {
        return Ok(None);
    }
    Ok(Some(rules::score(&criteria, facts)))
}

/// The event of a score change.
pub fn scored_event(
    entity: ScoredEntity,
    id: Uuid,
    old_score: Option<i32>,
    new_score: i32,
) -> Result<NewEvent, AppError> {
    let kind = match entity {
        ScoredEntity::Lead => LEAD_SCORED,
        ScoredEntity::Contact => CONTACT_SCORED,
    };
    let payload = Scored {
        id,
        old_score,
        new_score,
    };
    Ok(NewEvent::new(kind, id, &payload)?)
}

/// A record kind scoring can rescore in bulk: leads and contacts implement it in their
/// domains.
#[async_trait]
pub trait Scorable {
    const ENTITY: ScoredEntity;

    /// The workspace's records among `ids` (all of them for `None`), locked for this
    /// transaction, each with its current score and its facts; one statement.
    async fn scored(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: Option<&[Uuid]>,
    ) -> Result<Vec<(Uuid, Option<i32>, Facts)>, AppError>;

    /// Stores the new scores, in one statement. Called only with scores to store.
    async fn save_scores(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        scores: &[(Uuid, i32)],
    ) -> Result<(), AppError>;
}

/// One record's score change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreChange {
    pub id: Uuid,
    pub old_score: Option<i32>,
    pub new_score: i32,
}

/// What a rescoring did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoringReport {
    /// Records scored.
    pub scored: i32,
    /// The records whose score changed (the others kept theirs).
    pub changes: Vec<ScoreChange>,
}

/// Which records to rescore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These (`scoreLead`, `scoreLeads`); an unknown id is NOT_FOUND. `field` names the
    /// argument in errors.
    Ids { ids: Vec<Uuid>, field: &'static str },
    /// All of them (`rescoreAll`).
    All,
}

/// `scoreLead`, `scoreLeads`, `rescoreAll`: recomputes scores under the current rules in
/// one transaction; each change is audited and published (`lead.scored`).
pub async fn rescore<S: Scorable>(
    pool: &DbPool,
    actor: &Actor,
    selection: Selection,
    options: WriteOptions,
) -> Result<WriteResult<ScoringReport>, AppError> {
    let entity = S::ENTITY;
    let action = match entity {
        ScoredEntity::Lead => "lead.score",
        ScoredEntity::Contact => "contact.score",
    };
    let input = match &selection {
        Selection::Ids { ids, .. } => json!({ "entity": entity.as_str(), "ids": ids }),
        Selection::All => json!({ "entity": entity.as_str(), "all": true }),
    };
    let workspace_id = actor.workspace_id;
    let request =
        WriteRequest::new(action, "workspace", Scope::CrmWrite, input, options).on(workspace_id);
    let audit_actor = actor.clone();
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            if let Selection::Ids { ids, field } = &selection {
                if ids.len() > BATCH_MAX {
                    return Err(AppError::bad_input(
                        *field,
                        format!("at most {BATCH_MAX} ids at once (got {})", ids.len()),
                    ));
                }
            }
            let criteria = criteria(conn, workspace_id, entity).await?;
            let wanted = match &selection {
                Selection::Ids { ids, .. } => Some(ids.as_slice()),
                Selection::All => None,
            };
            let records = S::scored(conn, workspace_id, wanted).await?;
            if let Selection::Ids { ids, .. } = &selection {
                let found: std::collections::HashSet<Uuid> = records.iter().map(|r| r.0).collect();
                if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
                    return Err(AppError::not_found(entity.as_str(), missing));
                }
            }
            let changes: Vec<ScoreChange> = records
                .iter()
                .map(|(id, old, facts)| ScoreChange {
                    id: *id,
                    old_score: *old,
                    new_score: rules::score(&criteria, facts),
                })
                .filter(|c| c.old_score != Some(c.new_score))
                .collect();
            let scores: Vec<(Uuid, i32)> = changes.iter().map(|c| (c.id, c.new_score)).collect();
            if !scores.is_empty() {
                S::save_scores(conn, workspace_id, &scores).await?;
            }
            audit_changes(conn, &audit_actor, entity, &changes).await?;
            let events = changes
                .iter()
                .map(|c| scored_event(entity, c.id, c.old_score, c.new_score))
                .collect::<Result<Vec<_>, _>>()?;
            let report = ScoringReport {
                scored: i32::try_from(records.len()).map_err(AppError::internal)?,
                changes,
            };
            Ok(Written {
                entity_id: workspace_id,
                before: None,
                after: Some(json!({ "scored": report.scored, "changed": report.changes.len() })),
                events,
                value: report,
            })
        }
        .boxed()
    })
    .await
}

/// One audit row per score change, in one statement.
async fn audit_changes(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    entity: ScoredEntity,
    changes: &[ScoreChange],
) -> Result<(), AppError> {
    let action = match entity {
        ScoredEntity::Lead => "lead.score",
        ScoredEntity::Contact => "contact.score",
    };
    let snapshots: Vec<_> = changes
        .iter()
        .map(|c| {
            (
                json!({ "score": c.old_score }),
                json!({ "score": c.new_score }),
            )
        })
        .collect();
    let rows: Vec<NewAuditEvent<'_>> = changes
        .iter()
        .zip(&snapshots)
        .map(|(change, (before, after))| NewAuditEvent {
            before: Some(before),
            after: Some(after),
            ..write::audit_row(actor, action, entity.as_str(), Some(change.id))
        })
        .collect();
    Ok(AuditEvent::insert_many(conn, &rows).await?)
}

//! A lead's lifecycle: qualify, disqualify, reopen (each recorded in its status history and
//! published as `lead.status_changed`) and assign (`lead.assigned`). Each is one write-path
//! transaction under the lead's row lock, so changes of one lead run one after another and
//! its history stays a chain.

use chrono::Utc;
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::NewEvent;
use crate::leads::events::{self, LeadAssigned, LeadStatusChanged};
use crate::leads::model::{Lead, LeadStatusChange};
use crate::leads::rules::{self, Transition, OWNER_ID_MAX};
use crate::validate;
use crate::write::locked::locked;
use crate::write::{self, record, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// What a status change wrote: the lead as it now is and the history row it added.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusChanged {
    pub lead: Lead,
    pub change: LeadStatusChange,
}

/// `qualifyLead`, `disqualifyLead`, `reopenLead`.
pub async fn change_status(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    transition: Transition,
    reason: Option<String>,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<StatusChanged>, AppError> {
    let input = json!({ "id": id, "reason": reason, "expectedVersion": expected_version });
    let request = WriteRequest::crm(transition.action(), Some(id), input, options);
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = locked::<Lead>(conn, workspace_id, id, expected_version).await?;
            let now = Utc::now();
            let (changes, reason) =
                rules::transitioned(&before, transition, reason.as_deref(), now)?;
            // Reopening may meet a newer open lead with the same e-mail address.
            let lead = record::change::<Lead>(conn, workspace_id, id, &changes).await?;
            let change = LeadStatusChange {
                workspace_id,
                id: Uuid::now_v7(),
                lead_id: id,
                sequence: LeadStatusChange::next_sequence(conn, id).await?,
                from_status: before.status.clone(),
                to_status: lead.status.clone(),
                reason,
                actor_key_id,
                changed_at: now,
            };
            LeadStatusChange::insert(conn, &change).await?;
            let event = NewEvent::new(
                events::LEAD_STATUS_CHANGED,
                id,
                &LeadStatusChanged {
                    lead_id: id,
                    sequence: change.sequence,
                    from: &change.from_status,
                    to: &change.to_status,
                    reason: change.reason.as_deref(),
                    version: lead.version,
                },
            )?;
            Ok(Written {
                entity_id: id,
                before: Some(snapshot(&before)?),
                after: Some(snapshot(&lead)?),
                events: vec![event],
                value: StatusChanged { lead, change },
            })
        }
        .boxed()
    })
    .await
}

/// `assignLead`: a new owner, or none.
pub async fn assign(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    owner_id: Option<String>,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<Lead>, AppError> {
    let input = json!({ "id": id, "ownerId": owner_id, "expectedVersion": expected_version });
    let request = WriteRequest::crm("lead.assign", Some(id), input, options);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let owner_id =
                validate::optional_text("input.ownerId", owner_id.as_deref(), OWNER_ID_MAX)?;
            let before = locked::<Lead>(conn, workspace_id, id, expected_version).await?;
            rules::still_open(&before)?;
            let mut changes = rules::current_values(&before);
            changes.owner_id = owner_id;
            let lead = record::change::<Lead>(conn, workspace_id, id, &changes).await?;
            let event = NewEvent::new(
                events::LEAD_ASSIGNED,
                id,
                &LeadAssigned {
                    lead_id: id,
                    from_owner_id: before.owner_id.as_deref(),
                    to_owner_id: lead.owner_id.as_deref(),
                    version: lead.version,
                },
            )?;
            Written::changed(id, &before, lead, vec![event])
        }
        .boxed()
    })
    .await
}

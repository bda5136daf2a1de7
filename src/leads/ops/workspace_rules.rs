//! Leads under the workspace's routing and scoring rules: a new unowned lead gets the owner
//! routing gives it, and every written lead gets the score its rules give (both in the
//! write's transaction); leads are `Routable` and `Scorable` for the batch operations.

use async_trait::async_trait;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::error::AppError;
use crate::events::NewEvent;
use crate::leads::events::{self, LeadAssigned};
use crate::leads::model::{Lead, LeadChanges};
use crate::leads::rules::current_values;
use crate::routing::ops::{owner_for, Routable};
use crate::routing::rules::{custom_country, RoutedEntity, Subject};
use crate::scoring::ops::{score_of, scored_event, Scorable};
use crate::scoring::rules::{Facts, ScoredEntity};

/// What routing sees of a lead. Leads keep a country among their custom fields
/// (`customFields.country`, an ISO 3166-1 alpha-2 code).
fn subject(lead: &LeadChanges) -> Subject {
    Subject {
        source: Some(lead.source.to_owned()),
        country: custom_country(&lead.custom_fields),
        tags: lead.tags.clone(),
        custom_fields: lead.custom_fields.clone(),
        amount: None,
        pipeline_id: None,
    }
}

/// What scoring sees of a lead, by the API's field names.
fn facts(lead: &LeadChanges) -> Facts {
    Facts {
        text: vec![
            ("name", Some(lead.name.clone())),
            ("email", lead.email.clone()),
            ("phone", lead.phone.clone()),
            ("title", lead.title.clone()),
            ("companyName", lead.company_name.clone()),
            ("website", lead.website.clone()),
            ("source", Some(lead.source.to_owned())),
        ],
        tags: lead.tags.clone(),
        custom_fields: lead.custom_fields.clone(),
    }
}

/// `Record::complete` for leads: routes a new unowned lead and scores any written lead
/// (when the workspace has scoring rules; without, the score is the caller's).
pub async fn complete(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    id: Uuid,
    changes: &mut LeadChanges,
    current: Option<&Lead>,
) -> Result<Vec<NewEvent>, AppError> {
    if current.is_none() && changes.owner_id.is_none() {
        changes.owner_id =
            owner_for(conn, workspace_id, RoutedEntity::Lead, &subject(changes)).await?;
    }
    let mut events = Vec::new();
    if let Some(score) = score_of(conn, workspace_id, ScoredEntity::Lead, &facts(changes)).await? {
        changes.score = score;
        let old = current.map(|lead| lead.score);
        if old != Some(score) {
            events.push(scored_event(ScoredEntity::Lead, id, old, score)?);
        }
    }
    Ok(events)
}

#[async_trait]
impl Routable for Lead {
    const ENTITY: RoutedEntity = RoutedEntity::Lead;

    async fn unowned(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        _pipeline_id: Option<Uuid>,
    ) -> Result<Vec<(Uuid, Subject)>, AppError> {
        let leads = Lead::unowned_open(conn, workspace_id).await?;
        Ok(leads
            .iter()
            .map(|lead| (lead.id, subject(&current_values(lead))))
            .collect())
    }

    async fn assign_owners(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        assignments: &[(Uuid, String)],
    ) -> Result<Vec<NewEvent>, AppError> {
        let assigned = Lead::assign_many(conn, workspace_id, assignments).await?;
        assigned
            .iter()
            .map(|lead| {
                let payload = LeadAssigned {
                    lead_id: lead.id,
                    from_owner_id: None,
                    to_owner_id: Some(&lead.owner_id),
                    version: lead.version,
                };
                Ok(NewEvent::new(events::LEAD_ASSIGNED, lead.id, &payload)?)
            })
            .collect()
    }
}

#[async_trait]
impl Scorable for Lead {
    const ENTITY: ScoredEntity = ScoredEntity::Lead;

    async fn scored(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: Option<&[Uuid]>,
    ) -> Result<Vec<(Uuid, Option<i32>, Facts)>, AppError> {
        let leads = Lead::locked_many(conn, workspace_id, ids).await?;
        Ok(leads
            .iter()
            .map(|lead| (lead.id, Some(lead.score), facts(&current_values(lead))))
            .collect())
    }

    async fn save_scores(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        scores: &[(Uuid, i32)],
    ) -> Result<(), AppError> {
        Lead::save_scores(conn, workspace_id, scores).await?;
        Ok(())
    }
}

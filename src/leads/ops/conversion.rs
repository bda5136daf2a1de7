//! `convertLead`: a lead becomes a contact (new or existing), perhaps a company (new, existing,
//! or found by the lead's domain) and perhaps a deal, in one write-path transaction under the
//! lead's row lock. Each created record goes through its own domain's rules and unique checks
//! (`record::insert`, `deals::ops::insert_deal`) and publishes its own events; the lead gets a
//! status change to CONVERTED and a `LeadConversion` record, published as
//! `lead.status_changed` and `lead.converted`.

use chrono::{SubsecRound, Utc};
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::contacts::model::{Company, Contact};
use crate::contacts::ops::ContactPatch;
use crate::contacts::rules::LifecycleStage;
use crate::db::DbPool;
use crate::deals::events::ContactLinked;
use crate::deals::model::{Deal, DealContact};
use crate::deals::ops::{insert_deal, stage_for};
use crate::error::{unique_conflict, AppError};
use crate::events::NewEvent;
use crate::leads::events::{self, LeadConverted, LeadStatusChanged};
use crate::leads::model::{Lead, LeadConversion, LeadStatusChange};
use crate::leads::rules::conversion::{
    self as rules, nested, CompanyChoice, CompanyOverrides, ContactChoice, ConversionInput,
};
use crate::leads::rules::LeadStatus;
use crate::write::locked::locked;
use crate::write::record::{self, Record, RecordUpdated};
use crate::write::{self, snapshot, Patch, WriteOptions, WriteRequest, WriteResult, Written};

/// What a conversion wrote (for a dry run: would have written, ids included).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Converted {
    pub conversion: LeadConversion,
    pub lead: Lead,
    pub status_change: LeadStatusChange,
    pub contact: Contact,
    pub company: Option<Company>,
    pub deal: Option<Deal>,
    pub deal_contact: Option<DealContact>,
}

/// `convertLead`.
pub async fn convert(
    pool: &DbPool,
    actor: &Actor,
    input: ConversionInput,
    options: WriteOptions,
) -> Result<WriteResult<Converted>, AppError> {
    let request = WriteRequest::crm(
        "lead.convert",
        Some(input.lead_id),
        serde_json::to_value(&input)?,
        options,
    );
    let actor_key_id = actor.key_id;
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move { convert_in(conn, workspace_id, actor_key_id, input).await }.boxed()
    })
    .await
}

async fn convert_in(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    actor_key_id: Uuid,
    input: ConversionInput,
) -> Result<Written<Converted>, AppError> {
    // The input's own checks first: a bad request touches no row.
    let reason = rules::reason(input.reason.as_deref())?;
    let deal_plan = match &input.deal {
        Some(deal) => Some((deal, rules::stage_target(deal)?, rules::deal_role(deal)?)),
        None => None,
    };

    let lead_id = input.lead_id;
    let before = locked::<Lead>(conn, workspace_id, lead_id, input.expected_version).await?;
    let earlier = if before.status() == LeadStatus::Converted {
        LeadConversion::of_leads(conn, workspace_id, &[lead_id])
            .await?
            .pop()
    } else {
        None
    };
    rules::check_convertible(&before, earlier.as_ref())?;
    let now = Utc::now().trunc_subsecs(6);
    let mut events = Vec::new();

    // An existing contact is locked first: its company decides the conversion's when the
    // caller names none.
    let existing = match &input.contact {
        ContactChoice::Existing(id) => {
            Some(locked::<Contact>(conn, workspace_id, *id, None).await?)
        }
        ContactChoice::Create(_) => None,
    };
    let (company, company_created) = company_for(
        conn,
        workspace_id,
        &before,
        &input.company,
        existing.as_ref(),
        &mut events,
    )
    .await?;
    let company_id = company.as_ref().map(|c| c.id);
    let reached = |current| rules::stage_after_conversion(current, deal_plan.is_some());

    let (contact, contact_created) = match (existing, &input.contact) {
        (Some(contact), _) => {
            rules::check_contact_company(&contact, company_id)?;
            let stage = reached(Some(contact.stage()));
            let contact =
                update_contact(conn, workspace_id, contact, company_id, stage, &mut events).await?;
            (contact, false)
        }
        (None, ContactChoice::Create(overrides)) => {
            let new = rules::contact_input(&before, overrides, company_id, reached(None));
            let contact = create::<Contact>(
                conn,
                workspace_id,
                &new,
                "input.contact.create",
                &mut events,
            )
            .await?;
            (contact, true)
        }
        (None, ContactChoice::Existing(id)) => return Err(AppError::not_found("contact", id)),
    };

    let (deal, deal_contact) = match deal_plan {
        Some((request, target, role)) => {
            let stage = stage_for(conn, workspace_id, &target)
                .await
                .map_err(nested("input.deal"))?;
            let deal_input = rules::deal_input(&before, request, stage.id, company_id);
            let inserted = insert_deal(conn, workspace_id, actor_key_id, &deal_input)
                .await
                .map_err(nested("input.deal"))?;
            events.push(inserted.event);
            let link = DealContact::upsert(
                conn,
                &DealContact {
                    workspace_id,
                    deal_id: inserted.deal.id,
                    contact_id: contact.id,
                    role: Some(role),
                    created_at: now,
                },
            )
            .await?;
            events.push(NewEvent::of(&ContactLinked::from(&link))?);
            (Some(inserted.deal), Some(link))
        }
        None => (None, None),
    };

    let lead = record::change::<Lead>(
        conn,
        workspace_id,
        lead_id,
        &rules::converted_values(&before, now),
    )
    .await?;
    let status_change = LeadStatusChange {
        workspace_id,
        id: Uuid::now_v7(),
        lead_id,
        sequence: LeadStatusChange::next_sequence(conn, lead_id).await?,
        from_status: before.status.clone(),
        to_status: lead.status.clone(),
        reason: reason.clone(),
        actor_key_id,
        changed_at: now,
    };
    LeadStatusChange::insert(conn, &status_change).await?;
    let conversion = LeadConversion {
        workspace_id,
        id: Uuid::now_v7(),
        lead_id,
        contact_id: Some(contact.id),
        company_id,
        deal_id: deal.as_ref().map(|d| d.id),
        contact_created,
        company_created,
        owner_id: before.owner_id.clone(),
        reason,
        actor_key_id,
        converted_at: now,
    };
    LeadConversion::insert(conn, &conversion)
        .await
        .map_err(|e| {
            unique_conflict(
                e,
                &[(
                    "lead_conversions_lead_unique",
                    "input.leadId",
                    "the lead was converted by another request",
                )],
            )
        })?;
    events.push(NewEvent::new(
        events::LEAD_STATUS_CHANGED,
        lead_id,
        &LeadStatusChanged {
            lead_id,
            sequence: status_change.sequence,
            from: &status_change.from_status,
            to: &status_change.to_status,
            reason: status_change.reason.as_deref(),
            version: lead.version,
        },
    )?);
    events.push(NewEvent::new(
        events::LEAD_CONVERTED,
        lead_id,
        &LeadConverted {
            lead_id,
            conversion_id: conversion.id,
            contact_id: conversion.contact_id,
            contact_created,
            company_id,
            company_created,
            deal_id: conversion.deal_id,
            owner_id: conversion.owner_id.as_deref(),
            reason: conversion.reason.as_deref(),
            version: lead.version,
        },
    )?);

    let converted = Converted {
        conversion,
        lead,
        status_change,
        contact,
        company,
        deal,
        deal_contact,
    };
    Ok(Written {
        entity_id: lead_id,
        before: Some(json!({ "lead": snapshot(&before)? })),
        after: Some(json!({
            "lead": snapshot(&converted.lead)?,
            "conversion": snapshot(&converted.conversion)?,
            "contact": snapshot(&converted.contact)?,
            "company": snapshot(&converted.company)?,
            "deal": snapshot(&converted.deal)?,
        })),
        events,
        value: converted,
    })
}

/// The company the conversion links (and whether it created it). Left to the lead: an
/// existing contact's own company; else the company holding the lead's domain; else a new
/// one from the lead's company name; else none.
async fn company_for(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    lead: &Lead,
    choice: &CompanyChoice,
    contact: Option<&Contact>,
    events: &mut Vec<NewEvent>,
) -> Result<(Option<Company>, bool), AppError> {
    let (existing, overrides, prefix) = match choice {
        CompanyChoice::Existing(id) => (Some(*id), None, ""),
        CompanyChoice::Create(overrides) => {
            (None, Some(overrides.as_ref()), "input.company.create")
        }
        CompanyChoice::FromLead => {
            let by_domain = match rules::company_domain(lead) {
                Some(domain) => Company::id_by_domain(conn, workspace_id, &domain).await?,
                None => None,
            };
            match contact.and_then(|c| c.company_id).or(by_domain) {
                Some(id) => (Some(id), None, ""),
                None if lead.company_name.is_some() => (None, None, "input.company"),
                None => return Ok((None, false)),
            }
        }
    };
    if let Some(id) = existing {
        let company = Company::find(conn, workspace_id, id)
            .await?
            .ok_or_else(|| AppError::not_found("company", id))?;
        return Ok((Some(company), false));
    }
    let default = CompanyOverrides::default();
    let new = rules::company_input(lead, overrides.unwrap_or(&default))?;
    let company = create::<Company>(conn, workspace_id, &new, prefix, events).await?;
    Ok((Some(company), true))
}

/// A new record of `R` through its own rules and unique checks, errors named under `prefix`;
/// its events (`created`, then any of the workspace's rules) join `events`.
async fn create<R: Record>(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    input: &R::Input,
    prefix: &'static str,
    events: &mut Vec<NewEvent>,
) -> Result<R, AppError> {
    let changes = R::new_changes(input).map_err(nested(prefix))?;
    let (record, created) = record::insert::<R>(conn, workspace_id, changes)
        .await
        .map_err(nested(prefix))?;
    events.extend(created);
    Ok(record)
}

/// The linked contact joins the company (when it has none) and reaches `stage`; published
/// as `contact.updated` when that changed anything.
async fn update_contact(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    contact: Contact,
    company_id: Option<Uuid>,
    stage: LifecycleStage,
    events: &mut Vec<NewEvent>,
) -> Result<Contact, AppError> {
    let mut patch = ContactPatch::default();
    if contact.company_id.is_none() {
        if let Some(id) = company_id {
            patch.company_id = Patch::Set(id);
        }
    }
    if contact.stage() != stage {
        patch.lifecycle_stage = Patch::Set(stage);
    }
    if patch.company_id.is_unchanged() && patch.lifecycle_stage.is_unchanged() {
        return Ok(contact);
    }
    let changes = Contact::patched_changes(&contact, patch)?;
    Contact::check_references(conn, workspace_id, &changes, Some(&contact)).await?;
    let after = record::change::<Contact>(conn, workspace_id, contact.id, &changes).await?;
    let changed = record::changed_fields(&snapshot(&contact)?, &snapshot(&after)?);
    events.push(NewEvent::new(
        Contact::UPDATED,
        after.id,
        &RecordUpdated {
            id: after.id,
            version: after.version,
            changed,
        },
    )?);
    Ok(after)
}

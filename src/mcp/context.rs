//! `context_for_person`: what an agent needs before it talks to someone — the contact (or,
//! when no contact has the address, the open lead) with their company, open deals, recent
//! activities and open tasks, in one call. Reads only, through the domains' list operations.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::args::{uuid, Id};
use super::paging::row;
use super::tool::{self, Call, ToolSpec};
use crate::activities::model::ActivityFilter;
use crate::activities::ops::Links;
use crate::activities::ActivitiesOrder;
use crate::db::page::Window;
use crate::deals::model::{DealFilter, DealOrder};
use crate::deals::rules::DealStatus;
use crate::error::AppError;
use crate::tasks::model::TaskFilter;
use crate::tasks::ops::TaskStatus;
use crate::tasks::TasksOrder;

/// How many recent activities, open deals and open tasks the context holds.
const RECENT: i64 = 10;

pub fn tools() -> Vec<ToolSpec> {
    vec![tool::read(
        "context_for_person",
        "Everything about one person before talking to them: the contact (by email or \
         contact_id; by email, an open lead when no contact has the address, or by lead_id) \
         with their company, open deals, the 10 most recent activities and open tasks. Give \
         exactly one of email, contact_id, lead_id.",
        context_for_person,
    )]
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextForPerson {
    /// The person's e-mail address, in any case.
    pub email: Option<String>,
    pub contact_id: Option<Id>,
    pub lead_id: Option<Id>,
}

/// Whom the context is about.
enum Person {
    Contact(Uuid),
    Lead(Uuid),
}

async fn context_for_person(call: Call, input: ContextForPerson) -> Result<Value, AppError> {
    let given = [
        input.email.is_some(),
        input.contact_id.is_some(),
        input.lead_id.is_some(),
    ]
    .into_iter()
    .filter(|given| *given)
    .count();
    if given != 1 {
        return Err(AppError::bad_input(
            "arguments",
            "give exactly one of email, contact_id and lead_id",
        ));
    }
    let person = find(&call, &input).await?;
    let links = match person {
        Person::Contact(id) => Links {
            contact_id: Some(id),
            ..Links::default()
        },
        Person::Lead(id) => Links {
            lead_id: Some(id),
            ..Links::default()
        },
    };
    let (person_json, company) = match person {
        Person::Contact(id) => {
            let contact = crate::contacts::ops::contact(&call.pool, &call.actor, id)
                .await?
                .ok_or_else(|| AppError::not_found_at("contact_id", "contact", id))?;
            let company = match contact.company_id {
                Some(company_id) => {
                    crate::contacts::ops::company(&call.pool, &call.actor, company_id).await?
                }
                None => None,
            };
            (
                json!({ "kind": "contact", "contact": row(&contact)? }),
                row(&company)?,
            )
        }
        Person::Lead(id) => {
            let lead = crate::leads::ops::lead(&call.pool, &call.actor, id)
                .await?
                .ok_or_else(|| AppError::not_found_at("lead_id", "lead", id))?;
            (json!({ "kind": "lead", "lead": row(&lead)? }), Value::Null)
        }
    };
    let open_deals = match person {
        Person::Contact(id) => open_deals(&call, id).await?,
        Person::Lead(_) => Vec::new(),
    };
    Ok(json!({
        "person": person_json,
        "company": company,
        "open_deals": open_deals,
        "recent_activities": recent_activities(&call, links).await?,
        "open_tasks": open_tasks(&call, links).await?,
    }))
}

async fn find(call: &Call, input: &ContextForPerson) -> Result<Person, AppError> {
    if let Some(id) = uuid(input.contact_id) {
        return Ok(Person::Contact(id));
    }
    if let Some(id) = uuid(input.lead_id) {
        return Ok(Person::Lead(id));
    }
    let email = input.email.as_deref().unwrap_or_default();
    if let Some(contact) =
        crate::contacts::ops::contact_by_email(&call.pool, &call.actor, email).await?
    {
        return Ok(Person::Contact(contact.id));
    }
    match crate::leads::ops::open_lead_by_email(&call.pool, &call.actor, email).await? {
        Some(lead) => Ok(Person::Lead(lead.id)),
        None => Err(AppError::NotFound {
            entity: "contact or open lead with e-mail",
            id: email.to_owned(),
            field: Some("email".into()),
        }),
    }
}

fn first<O: Default>(limit: i64) -> Window<O> {
    Window {
        order: O::default(),
        after: None,
        before: None,
        limit,
        from_end: false,
    }
}

async fn open_deals(call: &Call, contact_id: Uuid) -> Result<Vec<Value>, AppError> {
    let filter = DealFilter {
        contact_id: Some(contact_id),
        status: Some(DealStatus::Open),
        ..DealFilter::default()
    };
    let window = first::<DealOrder>(RECENT);
    let mut deals =
        crate::deals::ops::deal_page(&call.pool, call.actor.workspace_id, &filter, &window).await?;
    deals.truncate(RECENT as usize);
    deals.iter().map(row).collect()
}

async fn recent_activities(call: &Call, links: Links) -> Result<Vec<Value>, AppError> {
    let filter = ActivityFilter {
        links,
        ..ActivityFilter::default()
    };
    let window = first::<ActivitiesOrder>(RECENT);
    let listing =
        crate::activities::ops::activities(&call.pool, &call.actor, filter, &window).await?;
    listing.rows.iter().take(RECENT as usize).map(row).collect()
}

/// Tasks still to do, in progress first, then to-do; each soonest due first.
async fn open_tasks(call: &Call, links: Links) -> Result<Vec<Value>, AppError> {
    let mut open = Vec::new();
    for status in [TaskStatus::InProgress, TaskStatus::Todo] {
        let filter = TaskFilter {
            status: Some(status),
            links,
            ..TaskFilter::default()
        };
        let window = first::<TasksOrder>(RECENT);
        let listing = crate::tasks::ops::tasks(&call.pool, &call.actor, filter, &window).await?;
        for task in listing.rows.iter().take(RECENT as usize) {
            open.push(row(task)?);
        }
    }
    open.truncate(RECENT as usize);
    Ok(open)
}

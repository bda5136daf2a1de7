//! Tools for leads: `create_lead`, `list_leads`, `convert_lead` — over the operations behind
//! `createLead`, `leads` and `convertLead`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::args::{arg_enum, number, tool_args, uuid, Decimal, Id};
use super::paging::{page_json, row, window_of};
use super::tool::{self, options, Call, Effect, ToolSpec};
use crate::error::AppError;
use crate::leads::model::{Lead, LeadFilter};
use crate::leads::ops::{self, LeadInput};
use crate::leads::rules::conversion::{CompanyChoice, ContactChoice, ConversionInput, DealRequest};
use crate::leads::rules::{LeadSource, LeadStatus};
use crate::leads::LeadsOrder;
use crate::write::record;

pub fn tools() -> Vec<ToolSpec> {
    vec![
        tool::write(
            "create_lead",
            "Creates a lead: a person who may become a customer. One open lead per e-mail \
             address. Its source is `mcp` unless given.",
            Effect::Write,
            create_lead,
        ),
        tool::read(
            "list_leads",
            "Lists leads, newest first, by a term in name, e-mail or company name, status, \
             source, owner, tag or score range.",
            list_leads,
        ),
        tool::write(
            "convert_lead",
            "Converts a lead, in one transaction, into a contact (new from the lead, or \
             contact_id), a company (company_id, else decided from the lead) and, with `deal`, \
             an open deal with the contact on it. A converted lead is read-only afterwards, so \
             this cannot be undone.",
            Effect::Destructive,
            convert_lead,
        ),
    ]
}

arg_enum!(
    /// Where a lead came from.
    LeadSourceArg => LeadSource { Manual, Website, Referral, Campaign, Import, Api, Mcp, Other }
);

arg_enum!(
    /// Where a lead is in its lifecycle.
    LeadStatusArg => LeadStatus { New, Working, Qualified, Disqualified, Converted }
);

tool_args! {
    pub struct CreateLead {
        /// The person's name, 1–200 characters.
        pub name: String,
        pub email: Option<String>,
        pub phone: Option<String>,
        /// Job title.
        pub title: Option<String>,
        pub company_name: Option<String>,
        pub website: Option<String>,
        /// `mcp` when absent.
        pub source: Option<LeadSourceArg>,
        /// 0..100.
        pub score: Option<i32>,
        pub owner_id: Option<String>,
        pub tags: Option<Vec<String>>,
        /// A JSON object of custom fields.
        pub custom_fields: Option<Map<String, Value>>,
    }
    writes "lead"
}

async fn create_lead(call: Call, input: CreateLead) -> Result<Value, AppError> {
    let lead = LeadInput {
        name: input.name,
        email: input.email,
        phone: input.phone,
        title: input.title,
        company_name: input.company_name,
        website: input.website,
        source: Some(input.source.map_or(LeadSource::Mcp, Into::into)),
        score: input.score,
        owner_id: input.owner_id,
        tags: input.tags,
        custom_fields: input.custom_fields.map(Value::Object),
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = record::create::<Lead>(&call.pool, &call.actor, lead, options).await?;
    tool::written("lead", &result)
}

tool_args! {
    pub struct ListLeads {
        /// Part of the name, e-mail address or company name, in any case.
        pub query: Option<String>,
        pub status: Option<LeadStatusArg>,
        pub source: Option<LeadSourceArg>,
        pub owner_id: Option<String>,
        /// Only leads nobody owns.
        #[serde(default)]
        pub unowned: bool,
        /// Leads carrying exactly this tag.
        pub tag: Option<String>,
        /// At least this score (0..100).
        pub score_min: Option<i32>,
        /// At most this score (0..100).
        pub score_max: Option<i32>,
    }
    pages
}

async fn list_leads(call: Call, input: ListLeads) -> Result<Value, AppError> {
    let filter = LeadFilter {
        search: input.query,
        status: input.status.map(Into::into),
        source: input.source.map(Into::into),
        owner_id: input.owner_id,
        unowned: input.unowned,
        tag: input.tag,
        score_min: input.score_min,
        score_max: input.score_max,
        custom_field: None,
    };
    let window = window_of(
        &call,
        "leads",
        LeadsOrder::CreatedAt,
        input.limit,
        input.after,
    )?;
    let listing = ops::leads(&call.pool, &call.actor, filter, &window)
        .await
        .map_err(|err| match err {
            AppError::BadInput { field, message } if field == "filter.search" => {
                AppError::BadInput {
                    field: "query".into(),
                    message,
                }
            }
            other => other,
        })?;
    page_json(&call, "leads", &window, listing, row)
}

/// The deal a conversion opens.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversionDeal {
    pub title: String,
    /// A pipeline whose stage_key (or first stage) to use; the default pipeline when absent.
    pub pipeline_id: Option<Id>,
    pub stage_id: Option<Id>,
    /// A stage key such as "proposal".
    pub stage_key: Option<String>,
    /// A decimal string.
    pub amount: Option<Decimal>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// Absent: the lead's owner.
    pub owner_id: Option<String>,
    /// YYYY-MM-DD.
    pub expected_close_date: Option<chrono::NaiveDate>,
    /// The contact's role on the deal; `decision_maker` when absent.
    pub contact_role: Option<String>,
}

tool_args! {
    pub struct ConvertLead {
        pub lead_id: Id,
        /// Link this existing contact instead of creating one from the lead.
        pub contact_id: Option<Id>,
        /// Link this existing company instead of deciding from the lead.
        pub company_id: Option<Id>,
        /// Open a deal for the new customer.
        pub deal: Option<ConversionDeal>,
        /// Why the lead converted.
        pub reason: Option<String>,
        /// Refuse (STALE_OBJECT) unless the lead still has this version.
        pub expected_version: Option<i32>,
    }
    writes "conversion"
}

async fn convert_lead(call: Call, input: ConvertLead) -> Result<Value, AppError> {
    let deal = match input.deal {
        None => None,
        Some(deal) => Some(DealRequest {
            title: deal.title,
            pipeline_id: uuid(deal.pipeline_id),
            stage_id: uuid(deal.stage_id),
            stage_key: deal.stage_key,
            amount: number(deal.amount),
            currency: deal.currency,
            owner_id: deal.owner_id,
            expected_close_date: deal.expected_close_date,
            contact_role: deal.contact_role,
        }),
    };
    let conversion = ConversionInput {
        lead_id: input.lead_id.0,
        expected_version: input.expected_version,
        contact: match uuid(input.contact_id) {
            Some(contact_id) => ContactChoice::Existing(contact_id),
            None => ContactChoice::Create(Box::default()),
        },
        company: match uuid(input.company_id) {
            Some(company_id) => CompanyChoice::Existing(company_id),
            None => CompanyChoice::FromLead,
        },
        deal,
        reason: input.reason,
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::convert(&call.pool, &call.actor, conversion, options).await?;
    let converted = &result.value;
    Ok(json!({
        "conversion": row(&converted.conversion)?,
        "lead": row(&converted.lead)?,
        "contact": row(&converted.contact)?,
        "company": row(&converted.company)?,
        "deal": row(&converted.deal)?,
        "replayed": result.replayed,
        "dry_run": result.dry_run,
    }))
}

//! Converting a lead: what the caller may ask for, and the decisions that need no database —
//! which domain a lead's company has, which lifecycle stage the contact reaches, what the new
//! contact and company hold, where the deal starts, and when a lead cannot be converted.

mod input;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use self::input::{
    CompanyChoice, CompanyOverrides, ContactChoice, ContactOverrides, ConversionInput, DealRequest,
};
use super::{current_values, LeadStatus, REASON_MAX};
use crate::contacts::model::Contact;
use crate::contacts::ops::{CompanyInput, ContactInput};
use crate::contacts::rules::{domain, LifecycleStage};
use crate::deals::rules::{DealInput, StageTarget, MAX_ROLE_LEN};
use crate::error::AppError;
use crate::leads::model::{Lead, LeadChanges, LeadConversion};
use crate::validate::optional_text;

/// The role a converted lead's contact has on the deal unless the caller names one.
pub const DEFAULT_DEAL_ROLE: &str = "decision_maker";

/// Mail providers anyone can have an address at: their domains never name a company.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "126.com",
    "163.com",
    "aol.com",
    "fastmail.com",
    "free.fr",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.co.uk",
    "hotmail.com",
    "hotmail.de",
    "hotmail.fr",
    "icloud.com",
    "laposte.net",
    "libero.it",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "naver.com",
    "orange.fr",
    "outlook.com",
    "pm.me",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "rediffmail.com",
    "t-online.de",
    "tutanota.com",
    "web.de",
    "yahoo.co.uk",
    "yahoo.com",
    "yahoo.de",
    "yahoo.fr",
    "yandex.com",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
];

/// The domain a lead's company has, if the lead says: its website's, else its e-mail
/// address's; a free-mail provider's domain (gmail.com …) names no company.
pub fn company_domain(lead: &Lead) -> Option<String> {
    let from_website = lead
        .website
        .as_deref()
        .and_then(|site| domain("website", Some(site)).ok().flatten());
    let from_email = lead
        .email
        .as_deref()
        .and_then(|email| email.rsplit_once('@'))
        .and_then(|(_, host)| domain("email", Some(host)).ok().flatten());
    [from_website, from_email]
        .into_iter()
        .flatten()
        .find(|d| !is_free_mail(d))
}

/// Whether `domain` (normalised) belongs to a free-mail provider.
pub fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL_DOMAINS.binary_search(&domain).is_ok()
}

/// The stage a converted lead's contact reaches: OPPORTUNITY with a deal, SQL without. A
/// contact already further along the funnel (a customer, or an opportunity converted again
/// without a deal) keeps its stage; OTHER is outside the funnel and moves.
pub fn stage_after_conversion(current: Option<LifecycleStage>, with_deal: bool) -> LifecycleStage {
    let target = if with_deal {
        LifecycleStage::Opportunity
    } else {
        LifecycleStage::Sql
    };
    match current {
        Some(stage) if funnel_rank(stage) > funnel_rank(target) => stage,
        _ => target,
    }
}

fn funnel_rank(stage: LifecycleStage) -> u8 {
    match stage {
        LifecycleStage::Other => 0,
        LifecycleStage::Subscriber => 1,
        LifecycleStage::Lead => 2,
        LifecycleStage::Mql => 3,
        LifecycleStage::Sql => 4,
        LifecycleStage::Opportunity => 5,
        LifecycleStage::Customer => 6,
    }
}

/// A lead may be converted once, and not while disqualified: CONFLICT naming the earlier
/// conversion (its id as `existingId`) or the disqualification.
pub fn check_convertible(lead: &Lead, earlier: Option<&LeadConversion>) -> Result<(), AppError> {
    match lead.status() {
        LeadStatus::Converted => {
            let (conversion, at) = match earlier {
                Some(c) => (
                    format!(" by conversion {}", c.id),
                    c.converted_at.format(" on %Y-%m-%d").to_string(),
                ),
                None => (String::new(), String::new()),
            };
            Err(AppError::Conflict {
                field: Some("input.leadId".into()),
                message: format!("lead {} was already converted{at}{conversion}", lead.id),
                existing_id: earlier.map(|c| c.id),
            })
        }
        LeadStatus::Disqualified => Err(AppError::conflict(
            Some("input.leadId"),
            format!(
                "lead {} is DISQUALIFIED ({}): reopen it before converting it",
                lead.id,
                lead.disqualified_reason
                    .as_deref()
                    .unwrap_or("no reason given")
            ),
        )),
        _ => Ok(()),
    }
}

/// The lead's values once converted at `now`.
pub fn converted_values(lead: &Lead, now: DateTime<Utc>) -> LeadChanges {
    let mut values = current_values(lead);
    values.status = LeadStatus::Converted.as_str();
    values.converted_at = Some(now);
    values
}

/// The reason kept with the conversion and in the status history.
pub fn reason(value: Option<&str>) -> Result<Option<String>, AppError> {
    optional_text("input.reason", value, REASON_MAX)
}

/// The new contact: the lead's name, e-mail, phone, title and owner unless overridden, at
/// `company_id`, in `stage`.
pub fn contact_input(
    lead: &Lead,
    overrides: &ContactOverrides,
    company_id: Option<Uuid>,
    stage: LifecycleStage,
) -> ContactInput {
    let o = overrides.clone();
    let explicit_name = o.name.is_some() || o.first_name.is_some() || o.last_name.is_some();
    ContactInput {
        // A first or last name given without a name makes the name, as in createContact.
        name: o.name.or((!explicit_name).then(|| lead.name.clone())),
        first_name: o.first_name,
        last_name: o.last_name,
        email: o.email.or_else(|| lead.email.clone()),
        phone: o.phone.or_else(|| lead.phone.clone()),
        title: o.title.or_else(|| lead.title.clone()),
        company_id,
        lifecycle_stage: Some(stage),
        lead_score: o.lead_score,
        owner_id: o.owner_id.or_else(|| lead.owner_id.clone()),
        tags: o.tags,
        custom_fields: o.custom_fields,
        last_activity_at: lead.last_activity_at,
    }
}

/// The new company: the lead's company name, domain (see [`company_domain`]), website and
/// owner unless overridden. Without a name from either, BAD_USER_INPUT on `create.name`.
pub fn company_input(lead: &Lead, overrides: &CompanyOverrides) -> Result<CompanyInput, AppError> {
    let o = overrides.clone();
    let name = o
        .name
        .or_else(|| lead.company_name.clone())
        .ok_or_else(|| {
            AppError::bad_input(
                "input.company.create.name",
                "the lead has no companyName: give the company a name",
            )
        })?;
    Ok(CompanyInput {
        name,
        domain: o.domain.or_else(|| company_domain(lead)),
        website: o.website.or_else(|| lead.website.clone()),
        industry: o.industry,
        size: o.size,
        country: o.country,
        city: o.city,
        icp_tier: o.icp_tier,
        is_target_account: o.is_target_account,
        owner_id: o.owner_id.or_else(|| lead.owner_id.clone()),
        tags: o.tags,
        custom_fields: o.custom_fields,
    })
}

/// A linked contact must not belong to another company than the one the conversion links.
pub fn check_contact_company(contact: &Contact, company_id: Option<Uuid>) -> Result<(), AppError> {
    match (contact.company_id, company_id) {
        (Some(own), Some(linked)) if own != linked => Err(AppError::bad_input(
            "input.contact.existingId",
            format!(
                "contact {} belongs to company {own}, not to company {linked}: link that \
                 company, or another contact",
                contact.id
            ),
        )),
        _ => Ok(()),
    }
}

/// Where the deal starts: `stageId`, or `stageKey` in `pipelineId` (default: the default
/// pipeline), or `pipelineId`'s first stage, or the default pipeline's first stage.
pub fn stage_target(deal: &DealRequest) -> Result<StageTarget, AppError> {
    let key = optional_text("input.deal.stageKey", deal.stage_key.as_deref(), 100)?;
    match (deal.stage_id, key, deal.pipeline_id) {
        (Some(_), Some(_), _) => Err(AppError::bad_input(
            "input.deal.stageKey",
            "give stageId or stageKey, not both",
        )),
        (Some(_), None, Some(_)) => Err(AppError::bad_input(
            "input.deal.pipelineId",
            "give stageId or pipelineId (with stageKey), not both: a stage has one pipeline",
        )),
        (Some(id), None, None) => Ok(StageTarget::Stage(id)),
        (None, Some(key), pipeline_id) => Ok(StageTarget::Keyed { pipeline_id, key }),
        (None, None, Some(id)) => Ok(StageTarget::FirstOf(id)),
        (None, None, None) => Ok(StageTarget::DefaultPipeline),
    }
}

/// The deal's input for the deals domain: in `stage_id`, at `company_id`, owned by the
/// request's owner or else the lead's.
pub fn deal_input(
    lead: &Lead,
    deal: &DealRequest,
    stage_id: Uuid,
    company_id: Option<Uuid>,
) -> DealInput {
    DealInput {
        title: deal.title.clone(),
        amount: deal.amount.clone(),
        currency: deal.currency.clone(),
        expected_close_date: deal.expected_close_date,
        owner_id: deal.owner_id.clone().or_else(|| lead.owner_id.clone()),
        company_id,
        stage_id: Some(stage_id),
        ..DealInput::default()
    }
}

/// The contact's role on the deal.
pub fn deal_role(deal: &DealRequest) -> Result<String, AppError> {
    Ok(optional_text(
        "input.deal.contactRole",
        deal.contact_role.as_deref(),
        MAX_ROLE_LEN,
    )?
    .unwrap_or_else(|| DEFAULT_DEAL_ROLE.to_owned()))
}

/// An error of another domain's rules, its field moved under `prefix`: `input.email` of
/// createContact becomes `input.contact.create.email`.
pub fn nested(prefix: &'static str) -> impl Fn(AppError) -> AppError {
    move |err| {
        let moved = |field: String| match field.strip_prefix("input.") {
            Some(rest) => format!("{prefix}.{rest}"),
            None => field,
        };
        match err {
            AppError::BadInput { field, message } => AppError::BadInput {
                field: moved(field),
                message,
            },
            AppError::Conflict {
                field,
                message,
                existing_id,
            } => AppError::Conflict {
                field: field.map(moved),
                message,
                existing_id,
            },
            other => other,
        }
    }
}

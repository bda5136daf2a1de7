//! Converting a lead: what the caller may ask for, and the decisions that need no database —
//! which domain a lead's company has, which lifecycle stage the contact reaches, what the new
//! contact and company hold, where the deal starts, and when a lead cannot be converted.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

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

/// A conversion as the caller asked for it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversionInput {
    pub lead_id: Uuid,
    pub expected_version: Option<i32>,
    pub contact: ContactChoice,
    pub company: CompanyChoice,
    pub deal: Option<DealRequest>,
    pub reason: Option<String>,
}

/// Who the lead becomes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContactChoice {
    /// An existing contact of the workspace.
    Existing(Uuid),
    /// A new contact from the lead's name, e-mail, phone, title and owner; given values win.
    Create(Box<ContactOverrides>),
}

/// Which company the contact (and deal) belongs to.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CompanyChoice {
    /// Decided from the lead: a linked contact's own company, else the company holding the
    /// lead's domain, else a new one from the lead's company name, else none.
    FromLead,
    /// An existing company of the workspace.
    Existing(Uuid),
    /// A new company from the lead's company name, domain and website; given values win.
    Create(Box<CompanyOverrides>),
}

/// Values of the new contact that replace the lead's (absent: the lead's).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactOverrides {
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub lead_score: Option<i32>,
    pub owner_id: Option<String>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<Value>,
}

/// Values of the new company that replace the lead's (absent: the lead's, where it has one).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyOverrides {
    pub name: Option<String>,
    pub domain: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub icp_tier: Option<String>,
    pub is_target_account: Option<bool>,
    pub owner_id: Option<String>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<Value>,
}

/// The deal to open for the converted lead.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DealRequest {
    pub title: String,
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    pub stage_key: Option<String>,
    /// A string, so the idempotency fingerprint never sees a float.
    #[serde(serialize_with = "canonical_amount")]
    pub amount: Option<BigDecimal>,
    pub currency: Option<String>,
    /// Absent: the lead's owner.
    pub owner_id: Option<String>,
    pub expected_close_date: Option<NaiveDate>,
    /// Absent: `decision_maker`.
    pub contact_role: Option<String>,
}

fn canonical_amount<S: serde::Serializer>(
    amount: &Option<BigDecimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match amount {
        Some(value) => serializer.serialize_some(&value.normalized().to_string()),
        None => serializer.serialize_none(),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::rules::fixtures::lead;

    fn lead_with(email: Option<&str>, website: Option<&str>) -> Lead {
        Lead {
            email: email.map(str::to_owned),
            website: website.map(str::to_owned),
            ..lead(LeadStatus::Qualified)
        }
    }

    #[test]
    fn the_free_mail_list_is_sorted_for_binary_search() {
        assert!(FREE_MAIL_DOMAINS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_free_mail("gmail.com"));
        assert!(!is_free_mail("northstar.example"));
    }

    #[test]
    fn a_company_domain_comes_from_the_website_then_the_email_never_free_mail() {
        let both = lead_with(
            Some("priya@mail.northstar.example"),
            Some("https://www.Northstar.example/studio"),
        );
        assert_eq!(
            company_domain(&both).as_deref(),
            Some("northstar.example"),
            "the website wins"
        );
        let email_only = lead_with(Some("Priya@Northstar.Example"), None);
        assert_eq!(
            company_domain(&email_only).as_deref(),
            Some("northstar.example")
        );
        let gmail = lead_with(Some("priya@gmail.com"), None);
        assert_eq!(company_domain(&gmail), None);
        let gmail_and_site = lead_with(Some("priya@GMAIL.com"), Some("northstar.example"));
        assert_eq!(
            company_domain(&gmail_and_site).as_deref(),
            Some("northstar.example")
        );
        let junk_site = lead_with(Some("priya@northstar.example"), Some("not a site"));
        assert_eq!(
            company_domain(&junk_site).as_deref(),
            Some("northstar.example"),
            "an unusable website falls back to the e-mail"
        );
        assert_eq!(company_domain(&lead_with(None, None)), None);
    }

    #[test]
    fn the_contact_reaches_opportunity_with_a_deal_and_sql_without_never_back() {
        use LifecycleStage::*;
        assert_eq!(stage_after_conversion(None, true), Opportunity);
        assert_eq!(stage_after_conversion(None, false), Sql);
        assert_eq!(stage_after_conversion(Some(Lead), true), Opportunity);
        assert_eq!(stage_after_conversion(Some(Mql), false), Sql);
        assert_eq!(stage_after_conversion(Some(Other), false), Sql);
        assert_eq!(stage_after_conversion(Some(Customer), true), Customer);
        assert_eq!(
            stage_after_conversion(Some(Opportunity), false),
            Opportunity
        );
    }

    #[test]
    fn converted_and_disqualified_leads_cannot_be_converted() {
        assert!(check_convertible(&lead(LeadStatus::New), None).is_ok());
        assert!(check_convertible(&lead(LeadStatus::Qualified), None).is_ok());
        let earlier = LeadConversion {
            workspace_id: Uuid::nil(),
            id: Uuid::now_v7(),
            lead_id: Uuid::nil(),
            contact_id: None,
            company_id: None,
            deal_id: None,
            contact_created: true,
            company_created: false,
            owner_id: None,
            reason: None,
            actor_key_id: Uuid::nil(),
            converted_at: Utc::now(),
        };
        let err = check_convertible(&lead(LeadStatus::Converted), Some(&earlier)).unwrap_err();
        assert_eq!(err.code().as_str(), "CONFLICT");
        assert!(err.to_string().contains(&earlier.id.to_string()), "{err}");
        let err = check_convertible(&lead(LeadStatus::Disqualified), None).unwrap_err();
        assert_eq!(err.code().as_str(), "CONFLICT");
        assert!(err.to_string().contains("DISQUALIFIED"), "{err}");
    }

    #[test]
    fn the_new_contact_and_company_take_the_leads_values_unless_given() {
        let lead = Lead {
            phone: Some("+1 555".into()),
            title: Some("Founder".into()),
            website: Some("northstar.example".into()),
            owner_id: Some("ana".into()),
            ..lead(LeadStatus::Qualified)
        };
        let contact = contact_input(
            &lead,
            &ContactOverrides::default(),
            None,
            LifecycleStage::Sql,
        );
        assert_eq!(contact.name.as_deref(), Some("Priya Raman"));
        assert_eq!(contact.email, lead.email);
        assert_eq!(contact.phone.as_deref(), Some("+1 555"));
        assert_eq!(contact.owner_id.as_deref(), Some("ana"));
        let renamed = contact_input(
            &lead,
            &ContactOverrides {
                first_name: Some("Priya".into()),
                title: Some("CEO".into()),
                ..ContactOverrides::default()
            },
            None,
            LifecycleStage::Sql,
        );
        assert_eq!(
            renamed.name, None,
            "built from the first name by the contact rules"
        );
        assert_eq!(renamed.title.as_deref(), Some("CEO"));

        let company = company_input(&lead, &CompanyOverrides::default()).unwrap();
        assert_eq!(company.name, "Northstar Studio");
        assert_eq!(company.domain.as_deref(), Some("northstar.example"));
        let nameless = Lead {
            company_name: None,
            ..lead.clone()
        };
        let err = company_input(&nameless, &CompanyOverrides::default()).unwrap_err();
        assert_eq!(err.field(), Some("input.company.create.name"));
    }

    #[test]
    fn a_linked_contact_must_not_belong_to_another_company() {
        let contact = |company_id| Contact {
            workspace_id: Uuid::nil(),
            id: Uuid::nil(),
            name: "Priya".into(),
            first_name: None,
            last_name: None,
            email: None,
            phone: None,
            title: None,
            company_id,
            lifecycle_stage: "lead".into(),
            lead_score: None,
            owner_id: None,
            tags: vec![],
            custom_fields: serde_json::json!({}),
            last_activity_at: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(check_contact_company(&contact(None), Some(a)).is_ok());
        assert!(check_contact_company(&contact(Some(a)), Some(a)).is_ok());
        assert!(check_contact_company(&contact(Some(a)), None).is_ok());
        let err = check_contact_company(&contact(Some(a)), Some(b)).unwrap_err();
        assert_eq!(err.field(), Some("input.contact.existingId"));
    }

    #[test]
    fn the_deal_starts_where_asked() {
        let id = Uuid::now_v7();
        let deal = |stage_id, pipeline_id, stage_key: Option<&str>| DealRequest {
            title: "Website redesign".into(),
            stage_id,
            pipeline_id,
            stage_key: stage_key.map(str::to_owned),
            ..DealRequest::default()
        };
        assert_eq!(
            stage_target(&deal(None, None, None)).unwrap(),
            StageTarget::DefaultPipeline
        );
        assert_eq!(
            stage_target(&deal(Some(id), None, None)).unwrap(),
            StageTarget::Stage(id)
        );
        assert_eq!(
            stage_target(&deal(None, Some(id), None)).unwrap(),
            StageTarget::FirstOf(id)
        );
        assert_eq!(
            stage_target(&deal(None, None, Some("proposal"))).unwrap(),
            StageTarget::Keyed {
                pipeline_id: None,
                key: "proposal".into()
            }
        );
        let both = stage_target(&deal(Some(id), None, Some("proposal"))).unwrap_err();
        assert_eq!(both.field(), Some("input.deal.stageKey"));
        let stage_and_pipeline = stage_target(&deal(Some(id), Some(id), None)).unwrap_err();
        assert_eq!(stage_and_pipeline.field(), Some("input.deal.pipelineId"));
        assert_eq!(
            deal_role(&deal(None, None, None)).unwrap(),
            "decision_maker"
        );
    }

    #[test]
    fn nested_errors_name_the_field_under_its_part() {
        let moved = nested("input.contact.create")(AppError::bad_input("input.email", "bad"));
        assert_eq!(moved.field(), Some("input.contact.create.email"));
        let conflict = nested("input.deal")(AppError::conflict(Some("input.title"), "taken"));
        assert_eq!(conflict.field(), Some("input.deal.title"));
        let other = nested("input.deal")(AppError::not_found("stage", Uuid::nil()));
        assert_eq!(other.code().as_str(), "NOT_FOUND");
    }
}

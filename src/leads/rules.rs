//! Lead rules: what a lead's input may hold and what its lifecycle allows. Pure: no database.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

pub use crate::contacts::rules::OWNER_ID_MAX;
use crate::contacts::rules::{
    email, patched_custom_fields, patched_tags, patched_text, NAME_MAX, PHONE_MAX, TITLE_MAX,
    WEBSITE_MAX,
};
use crate::error::AppError;
use crate::leads::model::{Lead, LeadChanges};
use crate::validate::{self, optional_text};
use crate::write::Patch;

pub const COMPANY_NAME_MAX: usize = 200;
pub const SCORE_MAX: i32 = 100;

/// Where a lead came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    #[default]
    Manual,
    Website,
    Referral,
    Campaign,
    Import,
    Api,
    Mcp,
    Other,
}

impl LeadSource {
    pub const ALL: [LeadSource; 8] = [
        LeadSource::Manual,
        LeadSource::Website,
        LeadSource::Referral,
        LeadSource::Campaign,
        LeadSource::Import,
        LeadSource::Api,
        LeadSource::Mcp,
        LeadSource::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadSource::Manual => "manual",
            LeadSource::Website => "website",
            LeadSource::Referral => "referral",
            LeadSource::Campaign => "campaign",
            LeadSource::Import => "import",
            LeadSource::Api => "api",
            LeadSource::Mcp => "mcp",
            LeadSource::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<LeadSource> {
        LeadSource::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Where a lead is in its lifecycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    #[default]
    New,
    Working,
    Qualified,
    Disqualified,
    Converted,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 5] = [
        LeadStatus::New,
        LeadStatus::Working,
        LeadStatus::Qualified,
        LeadStatus::Disqualified,
        LeadStatus::Converted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Working => "working",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Disqualified => "disqualified",
            LeadStatus::Converted => "converted",
        }
    }

    pub fn parse(text: &str) -> Option<LeadStatus> {
        LeadStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A new lead as the caller gave it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadInput {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company_name: Option<String>,
    pub website: Option<String>,
    pub source: Option<LeadSource>,
    pub score: Option<i32>,
    pub owner_id: Option<String>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<Value>,
}

/// A partial update: only the fields that are not `Unchanged` change. The status moves only
/// through the lifecycle operations, which keep its history.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadPatch {
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub email: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub phone: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub title: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub company_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub website: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub source: Patch<LeadSource>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub score: Patch<i32>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub owner_id: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub tags: Patch<Vec<String>>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub custom_fields: Patch<Value>,
}

/// 0 to 100.
pub fn score(field: &str, value: i32) -> Result<i32, AppError> {
    if (0..=SCORE_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::bad_input(
            field,
            format!("must be between 0 and {SCORE_MAX}"),
        ))
    }
}

/// A converted lead is the record of a conversion: it no longer changes.
pub fn still_open(lead: &Lead) -> Result<(), AppError> {
    if lead.status() == LeadStatus::Converted {
        let at = lead
            .converted_at
            .map(|at| format!(" on {}", at.format("%Y-%m-%d")))
            .unwrap_or_default();
        return Err(AppError::conflict(
            None,
            format!("lead {} was converted{at} and is read-only", lead.id),
        ));
    }
    Ok(())
}

/// The stored values of a new lead: status NEW, nothing stamped yet.
pub fn new_values(input: &LeadInput) -> Result<LeadChanges, AppError> {
    Ok(LeadChanges {
        name: validate::required_text("input.name", &input.name, NAME_MAX)?,
        email: email("input.email", input.email.as_deref())?,
        phone: optional_text("input.phone", input.phone.as_deref(), PHONE_MAX)?,
        title: optional_text("input.title", input.title.as_deref(), TITLE_MAX)?,
        company_name: optional_text(
            "input.companyName",
            input.company_name.as_deref(),
            COMPANY_NAME_MAX,
        )?,
        website: optional_text("input.website", input.website.as_deref(), WEBSITE_MAX)?,
        source: input.source.unwrap_or_default().as_str(),
        status: LeadStatus::New.as_str(),
        score: score("input.score", input.score.unwrap_or(0))?,
        owner_id: optional_text("input.ownerId", input.owner_id.as_deref(), OWNER_ID_MAX)?,
        tags: validate::tags("input.tags", input.tags.as_deref().unwrap_or_default())?,
        custom_fields: match &input.custom_fields {
            Some(fields) => validate::custom_fields("input.customFields", fields)?,
            None => Value::Object(Default::default()),
        },
        qualified_at: None,
        disqualified_at: None,
        disqualified_reason: None,
        converted_at: None,
        last_activity_at: None,
    })
}

/// The row's current values, as the starting point of a change.
pub fn current_values(lead: &Lead) -> LeadChanges {
    LeadChanges {
        name: lead.name.clone(),
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        title: lead.title.clone(),
        company_name: lead.company_name.clone(),
        website: lead.website.clone(),
        source: lead.source().as_str(),
        status: lead.status().as_str(),
        score: lead.score,
        owner_id: lead.owner_id.clone(),
        tags: crate::contacts::rules::tag_list(&lead.tags),
        custom_fields: lead.custom_fields.clone(),
        qualified_at: lead.qualified_at,
        disqualified_at: lead.disqualified_at,
        disqualified_reason: lead.disqualified_reason.clone(),
        converted_at: lead.converted_at,
        last_activity_at: lead.last_activity_at,
    }
}

/// The stored values of `current` after `patch`; a converted lead refuses any.
pub fn patched_values(current: &Lead, patch: LeadPatch) -> Result<LeadChanges, AppError> {
    still_open(current)?;
    let mut values = current_values(current);
    match patch.name {
        Patch::Unchanged => {}
        Patch::Clear => return Err(AppError::bad_input("input.name", "cannot be null")),
        Patch::Set(name) => values.name = validate::required_text("input.name", &name, NAME_MAX)?,
    }
    values.email = match patch.email {
        Patch::Unchanged => values.email,
        Patch::Clear => None,
        Patch::Set(value) => email("input.email", Some(&value))?,
    };
    values.phone = patched_text("input.phone", values.phone, patch.phone, PHONE_MAX)?;
    values.title = patched_text("input.title", values.title, patch.title, TITLE_MAX)?;
    values.company_name = patched_text(
        "input.companyName",
        values.company_name,
        patch.company_name,
        COMPANY_NAME_MAX,
    )?;
    values.website = patched_text("input.website", values.website, patch.website, WEBSITE_MAX)?;
    values.source = match patch.source {
        Patch::Unchanged => values.source,
        Patch::Clear => return Err(AppError::bad_input("input.source", "cannot be null")),
        Patch::Set(source) => source.as_str(),
    };
    values.score = match patch.score {
        Patch::Unchanged => values.score,
        Patch::Clear => 0,
        Patch::Set(value) => score("input.score", value)?,
    };
    values.owner_id = patched_text(
        "input.ownerId",
        values.owner_id,
        patch.owner_id,
        OWNER_ID_MAX,
    )?;
    values.tags = patched_tags("input.tags", values.tags, patch.tags)?;
    values.custom_fields = patched_custom_fields(
        "input.customFields",
        values.custom_fields,
        patch.custom_fields,
    )?;
    Ok(values)
}

pub const REASON_MAX: usize = 1000;

/// A lifecycle move a caller asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// NEW or WORKING → QUALIFIED, stamping `qualified_at`.
    Qualify,
    /// Any open status → DISQUALIFIED, with a reason.
    Disqualify,
    /// DISQUALIFIED or QUALIFIED → WORKING, clearing that status's stamps.
    Reopen,
}

impl Transition {
    /// The write path's action name.
    pub fn action(self) -> &'static str {
        match self {
            Transition::Qualify => "lead.qualify",
            Transition::Disqualify => "lead.disqualify",
            Transition::Reopen => "lead.reopen",
        }
    }
}

/// The lead's values after `transition` at `now`, and the reason to record; or why the move
/// is not possible from where the lead stands (CONFLICT) or what the input lacks.
pub fn transitioned(
    lead: &Lead,
    transition: Transition,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(LeadChanges, Option<String>), AppError> {
    still_open(lead)?;
    let reason = optional_text("input.reason", reason, REASON_MAX)?;
    let from = lead.status();
    let mut values = current_values(lead);
    let refuse = |what: &str| {
        Err(AppError::conflict(
            Some("input.id"),
            format!("a {} lead cannot be {what}", from.as_str().to_uppercase()),
        ))
    };
    match transition {
        Transition::Qualify => {
            if !matches!(from, LeadStatus::New | LeadStatus::Working) {
                return refuse("qualified (reopen it first)");
            }
            values.status = LeadStatus::Qualified.as_str();
            values.qualified_at = Some(now);
        }
        Transition::Disqualify => {
            let Some(reason) = &reason else {
                return Err(AppError::bad_input(
                    "input.reason",
                    "is required: say why the lead is not a fit",
                ));
            };
            if from == LeadStatus::Disqualified {
                return refuse("disqualified again");
            }
            values.status = LeadStatus::Disqualified.as_str();
            values.disqualified_at = Some(now);
            values.disqualified_reason = Some(reason.clone());
        }
        Transition::Reopen => {
            if !matches!(from, LeadStatus::Disqualified | LeadStatus::Qualified) {
                return refuse("reopened (only QUALIFIED and DISQUALIFIED leads are)");
            }
            values.status = LeadStatus::Working.as_str();
            values.qualified_at = None;
            values.disqualified_at = None;
            values.disqualified_reason = None;
        }
    }
    Ok((values, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> LeadInput {
        LeadInput {
            name: "Priya Raman".into(),
            email: Some("Priya@Northstar.example".into()),
            company_name: Some("Northstar Studio".into()),
            source: Some(LeadSource::Website),
            ..LeadInput::default()
        }
    }

    fn lead(status: LeadStatus) -> Lead {
        let values = new_values(&input()).unwrap();
        Lead {
            workspace_id: uuid::Uuid::nil(),
            id: uuid::Uuid::nil(),
            name: values.name,
            email: values.email,
            phone: None,
            title: None,
            company_name: values.company_name,
            website: None,
            source: values.source.into(),
            status: status.as_str().into(),
            score: 0,
            owner_id: None,
            tags: vec![],
            custom_fields: values.custom_fields,
            qualified_at: None,
            disqualified_at: None,
            disqualified_reason: None,
            converted_at: (status == LeadStatus::Converted).then(Utc::now),
            last_activity_at: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn field_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> Option<String> {
        result.unwrap_err().field().map(str::to_owned)
    }

    #[test]
    fn a_new_lead_is_new_with_checked_fields() {
        let values = new_values(&input()).unwrap();
        assert_eq!(values.status, "new");
        assert_eq!(values.source, "website");
        assert_eq!(values.score, 0);
        let no_name = LeadInput {
            name: "  ".into(),
            ..input()
        };
        assert_eq!(
            field_of(new_values(&no_name)).as_deref(),
            Some("input.name")
        );
        let bad_email = LeadInput {
            email: Some("priya@".into()),
            ..input()
        };
        assert_eq!(
            field_of(new_values(&bad_email)).as_deref(),
            Some("input.email")
        );
        let too_high = LeadInput {
            score: Some(101),
            ..input()
        };
        assert_eq!(
            field_of(new_values(&too_high)).as_deref(),
            Some("input.score")
        );
    }

    #[test]
    fn patches_keep_absent_fields_and_converted_leads_refuse_any() {
        let open = lead(LeadStatus::Working);
        let patch = LeadPatch {
            title: Patch::Set("Founder".into()),
            company_name: Patch::Clear,
            ..LeadPatch::default()
        };
        let after = patched_values(&open, patch.clone()).unwrap();
        assert_eq!(after.title.as_deref(), Some("Founder"));
        assert_eq!(after.company_name, None);
        assert_eq!(after.name, open.name);
        assert_eq!(after.status, "working");
        let converted = lead(LeadStatus::Converted);
        let err = patched_values(&converted, patch).unwrap_err();
        assert_eq!(err.code().as_str(), "CONFLICT");
        assert!(err.to_string().contains("converted"), "{err}");
    }

    #[test]
    fn the_lifecycle_moves_only_from_where_it_may() {
        use LeadStatus::*;
        use Transition::*;
        let now = Utc::now();
        for (from, transition, to) in [
            (New, Qualify, Some(Qualified)),
            (Working, Qualify, Some(Qualified)),
            (Qualified, Qualify, None),
            (Disqualified, Qualify, None),
            (New, Disqualify, Some(Disqualified)),
            (Qualified, Disqualify, Some(Disqualified)),
            (Disqualified, Disqualify, None),
            (Disqualified, Reopen, Some(Working)),
            (Qualified, Reopen, Some(Working)),
            (New, Reopen, None),
            (Converted, Qualify, None),
            (Converted, Reopen, None),
        ] {
            let result = transitioned(&lead(from), transition, Some("fit"), now);
            match to {
                Some(to) => assert_eq!(result.unwrap().0.status, to.as_str()),
                None => assert_eq!(result.unwrap_err().code().as_str(), "CONFLICT"),
            }
        }
        let (qualified, _) = transitioned(&lead(New), Qualify, None, now).unwrap();
        assert_eq!(qualified.qualified_at, Some(now));
        let (reopened, _) = transitioned(
            &Lead {
                disqualified_at: Some(now),
                disqualified_reason: Some("no budget".into()),
                ..lead(Disqualified)
            },
            Reopen,
            None,
            now,
        )
        .unwrap();
        assert_eq!(reopened.disqualified_at, None);
        assert_eq!(reopened.disqualified_reason, None);
        let no_reason = transitioned(&lead(New), Disqualify, Some("  "), now);
        assert_eq!(field_of(no_reason).as_deref(), Some("input.reason"));
    }

    #[test]
    fn sources_and_statuses_round_trip() {
        for source in LeadSource::ALL {
            assert_eq!(LeadSource::parse(source.as_str()), Some(source));
        }
        for status in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(status.as_str()), Some(status));
        }
    }
}

//! A lead's input, checked and turned into the values its row stores.

use serde::Serialize;
use serde_json::Value;

use super::{score, still_open, LeadSource, LeadStatus, COMPANY_NAME_MAX};
use crate::contacts::rules::{
    email, patched_custom_fields, patched_tags, patched_text, NAME_MAX, OWNER_ID_MAX, PHONE_MAX,
    TITLE_MAX, WEBSITE_MAX,
};
use crate::error::AppError;
use crate::leads::model::{Lead, LeadChanges};
use crate::validate::{self, optional_text};
use crate::write::Patch;

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
        custom_fields: lead.custom_fields.value().clone(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::rules::fixtures::{field_of, input, lead};

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
}

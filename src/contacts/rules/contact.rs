//! A contact's input, checked and turned into the values its row stores.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::{
    display_name, email, lead_score, not_null, patched_custom_fields, patched_tags, patched_text,
    tag_list, LifecycleStage, FIRST_NAME_MAX, LAST_NAME_MAX, NAME_MAX, OWNER_ID_MAX, PHONE_MAX,
    TITLE_MAX,
};
use crate::contacts::model::{Contact, ContactChanges};
use crate::contacts::Patch;
use crate::error::AppError;
use crate::validate::{self, optional_text};

/// A new contact as the caller gave it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactInput {
    /// Built from `first_name` and `last_name` when absent.
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company_id: Option<Uuid>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub lead_score: Option<i32>,
    pub owner_id: Option<String>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<Value>,
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// A partial update: only the fields that are not `Unchanged` change.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactPatch {
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub first_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub last_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub email: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub phone: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub title: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub company_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub lifecycle_stage: Patch<LifecycleStage>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub lead_score: Patch<i32>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub owner_id: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub tags: Patch<Vec<String>>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub custom_fields: Patch<Value>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub last_activity_at: Patch<DateTime<Utc>>,
}

/// The stored values of a new contact.
pub fn new_values(input: &ContactInput) -> Result<ContactChanges, AppError> {
    let first_name = optional_text(
        "input.firstName",
        input.first_name.as_deref(),
        FIRST_NAME_MAX,
    )?;
    let last_name = optional_text("input.lastName", input.last_name.as_deref(), LAST_NAME_MAX)?;
    let name = match input.name.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(name) => validate::required_text("input.name", name, NAME_MAX)?,
        None => derived_name(first_name.as_deref(), last_name.as_deref())?,
    };
    Ok(ContactChanges {
        name,
        first_name,
        last_name,
        email: email("input.email", input.email.as_deref())?,
        phone: optional_text("input.phone", input.phone.as_deref(), PHONE_MAX)?,
        title: optional_text("input.title", input.title.as_deref(), TITLE_MAX)?,
        company_id: input.company_id,
        lifecycle_stage: input.lifecycle_stage.unwrap_or_default().as_str(),
        lead_score: lead_score("input.leadScore", input.lead_score)?,
        owner_id: optional_text("input.ownerId", input.owner_id.as_deref(), OWNER_ID_MAX)?,
        tags: validate::tags("input.tags", input.tags.as_deref().unwrap_or_default())?,
        custom_fields: match &input.custom_fields {
            Some(fields) => validate::custom_fields("input.customFields", fields)?,
            None => Value::Object(Default::default()),
        },
        last_activity_at: input.last_activity_at,
    })
}

/// The stored values of `current` after `patch`.
///
/// A name that was built from the first and last names follows them when they change and no
/// name is given; a null (or blank) name is built from them again.
pub fn patched_values(current: &Contact, patch: ContactPatch) -> Result<ContactChanges, AppError> {
    let first_name = patched_text(
        "input.firstName",
        current.first_name.clone(),
        patch.first_name,
        FIRST_NAME_MAX,
    )?;
    let last_name = patched_text(
        "input.lastName",
        current.last_name.clone(),
        patch.last_name,
        LAST_NAME_MAX,
    )?;
    let name = match patch.name {
        Patch::Set(name) if !name.trim().is_empty() => {
            validate::required_text("input.name", &name, NAME_MAX)?
        }
        Patch::Set(_) | Patch::Clear => derived_name(first_name.as_deref(), last_name.as_deref())?,
        Patch::Unchanged => {
            let was_derived =
                display_name(current.first_name.as_deref(), current.last_name.as_deref())
                    .is_some_and(|derived| derived == current.name);
            match display_name(first_name.as_deref(), last_name.as_deref()) {
                Some(derived) if was_derived && derived != current.name => {
                    validate::required_text("input.name", &derived, NAME_MAX)?
                }
                _ => current.name.clone(),
            }
        }
    };
    let email = match patch.email {
        Patch::Unchanged => current.email.clone(),
        Patch::Clear => None,
        Patch::Set(value) => email("input.email", Some(&value))?,
    };
    let lead_score = match patch.lead_score {
        Patch::Unchanged => current.lead_score,
        Patch::Clear => None,
        Patch::Set(score) => lead_score("input.leadScore", Some(score))?,
    };
    let lifecycle_stage = match not_null("input.lifecycleStage", patch.lifecycle_stage)? {
        Some(stage) => stage.as_str(),
        None => current.stage().as_str(),
    };
    Ok(ContactChanges {
        name,
        first_name,
        last_name,
        email,
        phone: patched_text("input.phone", current.phone.clone(), patch.phone, PHONE_MAX)?,
        title: patched_text("input.title", current.title.clone(), patch.title, TITLE_MAX)?,
        company_id: patch.company_id.apply(current.company_id),
        lifecycle_stage,
        lead_score,
        owner_id: patched_text(
            "input.ownerId",
            current.owner_id.clone(),
            patch.owner_id,
            OWNER_ID_MAX,
        )?,
        tags: patched_tags("input.tags", tag_list(&current.tags), patch.tags)?,
        custom_fields: patched_custom_fields(
            "input.customFields",
            current.custom_fields.value().clone(),
            patch.custom_fields,
        )?,
        last_activity_at: patch.last_activity_at.apply(current.last_activity_at),
    })
}

fn derived_name(first: Option<&str>, last: Option<&str>) -> Result<String, AppError> {
    let name = display_name(first, last).ok_or_else(|| {
        AppError::bad_input("input.name", "give a name, or a firstName or lastName")
    })?;
    validate::required_text("input.name", &name, NAME_MAX)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn contact() -> Contact {
        let now = Utc::now();
        Contact {
            workspace_id: Uuid::nil(),
            id: Uuid::nil(),
            name: "Ada Lovelace".into(),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            email: Some("ada@example.com".into()),
            phone: Some("+44 20".into()),
            title: None,
            company_id: None,
            lifecycle_stage: "mql".into(),
            lead_score: Some(10),
            owner_id: None,
            tags: vec![Some("vip".into())],
            custom_fields: json!({"plan": "pro"}).into(),
            last_activity_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn field_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> Option<String> {
        result.err().and_then(|e| e.field().map(str::to_owned))
    }

    #[test]
    fn a_missing_name_is_built_from_first_and_last() {
        let input = ContactInput {
            first_name: Some("Grace".into()),
            last_name: Some("Hopper".into()),
            ..Default::default()
        };
        let values = new_values(&input).map(|v| v.name).ok();
        assert_eq!(values.as_deref(), Some("Grace Hopper"));
        assert_eq!(
            field_of(new_values(&ContactInput::default())).as_deref(),
            Some("input.name")
        );
    }

    #[test]
    fn new_contacts_get_defaults_and_checked_fields() {
        let values = new_values(&ContactInput {
            name: Some(" Ada ".into()),
            ..Default::default()
        });
        let values = values.ok();
        assert_eq!(values.as_ref().map(|v| v.lifecycle_stage), Some("lead"));
        assert_eq!(values.map(|v| v.custom_fields), Some(json!({})));
        let long = ContactInput {
            name: Some("x".repeat(10_000)),
            ..Default::default()
        };
        assert_eq!(field_of(new_values(&long)).as_deref(), Some("input.name"));
        let not_object = ContactInput {
            name: Some("Ada".into()),
            custom_fields: Some(json!([1, 2])),
            ..Default::default()
        };
        assert_eq!(
            field_of(new_values(&not_object)).as_deref(),
            Some("input.customFields")
        );
    }

    #[test]
    fn patches_keep_absent_fields_and_clear_null_ones() {
        let patch = ContactPatch {
            title: Patch::Set("CTO".into()),
            phone: Patch::Clear,
            ..Default::default()
        };
        let values = patched_values(&contact(), patch).ok();
        let values = values.as_ref();
        assert_eq!(values.and_then(|v| v.title.as_deref()), Some("CTO"));
        assert_eq!(values.map(|v| v.phone.is_none()), Some(true));
        assert_eq!(
            values.and_then(|v| v.email.as_deref()),
            Some("ada@example.com")
        );
        assert_eq!(values.map(|v| v.lifecycle_stage), Some("mql"));
        assert_eq!(values.map(|v| v.tags.clone()), Some(vec!["vip".to_owned()]));
    }

    #[test]
    fn a_derived_name_follows_its_parts_but_a_chosen_one_stays() {
        let patch = ContactPatch {
            last_name: Patch::Set("King".into()),
            ..Default::default()
        };
        let renamed = patched_values(&contact(), patch.clone()).map(|v| v.name);
        assert_eq!(renamed.ok().as_deref(), Some("Ada King"));

        let mut chosen = contact();
        chosen.name = "Countess of Lovelace".into();
        let kept = patched_values(&chosen, patch).map(|v| v.name);
        assert_eq!(kept.ok().as_deref(), Some("Countess of Lovelace"));

        let cleared = ContactPatch {
            name: Patch::Clear,
            first_name: Patch::Clear,
            ..Default::default()
        };
        let rebuilt = patched_values(&chosen, cleared).map(|v| v.name);
        assert_eq!(rebuilt.ok().as_deref(), Some("Lovelace"));
    }

    #[test]
    fn required_fields_cannot_be_nulled() {
        let patch = ContactPatch {
            lifecycle_stage: Patch::Clear,
            ..Default::default()
        };
        assert_eq!(
            field_of(patched_values(&contact(), patch)).as_deref(),
            Some("input.lifecycleStage")
        );
    }

    #[test]
    fn unchanged_fields_are_left_out_of_the_fingerprint() {
        let patch = ContactPatch {
            name: Patch::Set("Ada".into()),
            phone: Patch::Clear,
            ..Default::default()
        };
        let json = serde_json::to_value(&patch).ok();
        assert_eq!(json, Some(json!({"name": "Ada", "phone": null})));
    }
}

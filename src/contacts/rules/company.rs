//! A company's input, checked and turned into the values its row stores.

use serde::Serialize;
use serde_json::Value;

use super::{
    domain, not_null, patched_custom_fields, patched_tags, patched_text, tag_list, CITY_MAX,
    ICP_TIER_MAX, INDUSTRY_MAX, NAME_MAX, OWNER_ID_MAX, SIZE_MAX, WEBSITE_MAX,
};
use crate::contacts::model::{Company, CompanyChanges};
use crate::contacts::Patch;
use crate::error::AppError;
use crate::validate::{self, optional_text};

/// A new company as the caller gave it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyInput {
    pub name: String,
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

/// A partial update: only the fields that are not `Unchanged` change.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyPatch {
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub domain: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub website: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub industry: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub size: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub country: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub city: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub icp_tier: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub is_target_account: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub owner_id: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub tags: Patch<Vec<String>>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub custom_fields: Patch<Value>,
}

/// The stored values of a new company.
pub fn new_values(input: &CompanyInput) -> Result<CompanyChanges, AppError> {
    Ok(CompanyChanges {
        name: validate::required_text("input.name", &input.name, NAME_MAX)?,
        domain: domain("input.domain", input.domain.as_deref())?,
        website: optional_text("input.website", input.website.as_deref(), WEBSITE_MAX)?,
        industry: optional_text("input.industry", input.industry.as_deref(), INDUSTRY_MAX)?,
        size: optional_text("input.size", input.size.as_deref(), SIZE_MAX)?,
        country: validate::country("input.country", input.country.as_deref())?,
        city: optional_text("input.city", input.city.as_deref(), CITY_MAX)?,
        icp_tier: optional_text("input.icpTier", input.icp_tier.as_deref(), ICP_TIER_MAX)?,
        is_target_account: input.is_target_account.unwrap_or(false),
        owner_id: optional_text("input.ownerId", input.owner_id.as_deref(), OWNER_ID_MAX)?,
        tags: validate::tags("input.tags", input.tags.as_deref().unwrap_or_default())?,
        custom_fields: match &input.custom_fields {
            Some(fields) => validate::custom_fields("input.customFields", fields)?,
            None => Value::Object(Default::default()),
        },
    })
}

/// The stored values of `current` after `patch`.
pub fn patched_values(current: &Company, patch: CompanyPatch) -> Result<CompanyChanges, AppError> {
    let name = match not_null("input.name", patch.name)? {
        Some(name) => validate::required_text("input.name", &name, NAME_MAX)?,
        None => current.name.clone(),
    };
    Ok(CompanyChanges {
        name,
        domain: match patch.domain {
            Patch::Unchanged => current.domain.clone(),
            Patch::Clear => None,
            Patch::Set(value) => domain("input.domain", Some(&value))?,
        },
        website: patched_text(
            "input.website",
            current.website.clone(),
            patch.website,
            WEBSITE_MAX,
        )?,
        industry: patched_text(
            "input.industry",
            current.industry.clone(),
            patch.industry,
            INDUSTRY_MAX,
        )?,
        size: patched_text("input.size", current.size.clone(), patch.size, SIZE_MAX)?,
        country: match patch.country {
            Patch::Unchanged => current.country.clone(),
            Patch::Clear => None,
            Patch::Set(code) => validate::country("input.country", Some(&code))?,
        },
        city: patched_text("input.city", current.city.clone(), patch.city, CITY_MAX)?,
        icp_tier: patched_text(
            "input.icpTier",
            current.icp_tier.clone(),
            patch.icp_tier,
            ICP_TIER_MAX,
        )?,
        is_target_account: not_null("input.isTargetAccount", patch.is_target_account)?
            .unwrap_or(current.is_target_account),
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
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    fn field_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> Option<String> {
        result.err().and_then(|e| e.field().map(str::to_owned))
    }

    fn company() -> Company {
        let now = Utc::now();
        Company {
            workspace_id: Uuid::nil(),
            id: Uuid::nil(),
            name: "Acme".into(),
            domain: Some("acme.com".into()),
            website: Some("https://acme.com".into()),
            industry: Some("Anvils".into()),
            size: None,
            country: Some("US".into()),
            city: None,
            icp_tier: None,
            is_target_account: true,
            owner_id: None,
            tags: vec![],
            custom_fields: json!({}).into(),
            version: 3,
            created_at: now,
            updated_at: now,
            last_activity_at: None,
        }
    }

    #[test]
    fn new_companies_are_normalised_and_checked() {
        let input = CompanyInput {
            name: " Acme ".into(),
            domain: Some("https://www.Acme.com/about".into()),
            country: Some("de".into()),
            ..Default::default()
        };
        let values = new_values(&input).ok();
        assert_eq!(values.as_ref().map(|v| v.name.as_str()), Some("Acme"));
        assert_eq!(
            values.as_ref().and_then(|v| v.domain.as_deref()),
            Some("acme.com")
        );
        assert_eq!(values.and_then(|v| v.country), Some("DE".to_owned()));
        let bad_country = CompanyInput {
            name: "Acme".into(),
            country: Some("XX".into()),
            ..Default::default()
        };
        assert_eq!(
            field_of(new_values(&bad_country)).as_deref(),
            Some("input.country")
        );
        let long_city = CompanyInput {
            name: "Acme".into(),
            city: Some("x".repeat(201)),
            ..Default::default()
        };
        assert_eq!(
            field_of(new_values(&long_city)).as_deref(),
            Some("input.city")
        );
    }

    #[test]
    fn patches_keep_absent_fields_and_clear_null_ones() {
        let patch = CompanyPatch {
            industry: Patch::Clear,
            domain: Patch::Set("WWW.Acme.io".into()),
            ..Default::default()
        };
        let values = patched_values(&company(), patch).ok();
        let values = values.as_ref();
        assert_eq!(values.and_then(|v| v.industry.as_deref()), None);
        assert_eq!(values.and_then(|v| v.domain.as_deref()), Some("acme.io"));
        assert_eq!(values.and_then(|v| v.country.as_deref()), Some("US"));
        assert_eq!(values.map(|v| v.is_target_account), Some(true));
        let null_name = CompanyPatch {
            name: Patch::Clear,
            ..Default::default()
        };
        assert_eq!(
            field_of(patched_values(&company(), null_name)).as_deref(),
            Some("input.name")
        );
    }
}

//! Lead rules: what a lead's input may hold (`lead`), what its lifecycle allows
//! (`lifecycle`) and what a conversion decides (`conversion`). Pure: no database.

pub mod conversion;
mod lead;
mod lifecycle;

use serde::Serialize;

use crate::error::AppError;
use crate::leads::model::Lead;

pub use self::lead::{current_values, new_values, patched_values, LeadInput, LeadPatch};
pub use self::lifecycle::{transitioned, Transition, REASON_MAX};
pub use crate::contacts::rules::OWNER_ID_MAX;

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

/// Fixtures the rule tests share.
#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::Utc;

    use super::*;

    pub fn input() -> LeadInput {
        LeadInput {
            name: "Priya Raman".into(),
            email: Some("Priya@Northstar.example".into()),
            company_name: Some("Northstar Studio".into()),
            source: Some(LeadSource::Website),
            ..LeadInput::default()
        }
    }

    pub fn lead(status: LeadStatus) -> Lead {
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
            custom_fields: values.custom_fields.into(),
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

    pub fn field_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> Option<String> {
        result.unwrap_err().field().map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

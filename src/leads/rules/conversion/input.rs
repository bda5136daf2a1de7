//! What a caller may ask of a conversion: the contact, the company and the deal, each to
//! link or to create, with the values that replace the lead's.

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

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

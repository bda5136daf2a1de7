//! Tools for the activity log: `log_activity` — over `logActivity`'s operation.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::tool::{self, optional_id, options, written, Call, Effect, ToolSpec};
use crate::activities::ops::{self, ActivityInput, ActivityType, Links};
use crate::error::AppError;

pub fn tools() -> Vec<ToolSpec> {
    vec![tool::write(
        "log_activity",
        "Logs something that happened — a call, an e-mail, a meeting, a note — about any of a \
         contact, a company, a deal and a lead (at least one). Moves their last_activity_at.",
        Effect::Write,
        log_activity,
    )]
}

/// What kind of activity.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityTypeArg {
    Note,
    Call,
    Email,
    Meeting,
    Other,
}

impl From<ActivityTypeArg> for ActivityType {
    fn from(kind: ActivityTypeArg) -> Self {
        match kind {
            ActivityTypeArg::Note => ActivityType::Note,
            ActivityTypeArg::Call => ActivityType::Call,
            ActivityTypeArg::Email => ActivityType::Email,
            ActivityTypeArg::Meeting => ActivityType::Meeting,
            ActivityTypeArg::Other => ActivityType::Other,
        }
    }
}

/// The records an activity or task is about, as ids.
pub fn links(
    contact_id: Option<&str>,
    company_id: Option<&str>,
    deal_id: Option<&str>,
    lead_id: Option<&str>,
) -> Result<Links, AppError> {
    Ok(Links {
        contact_id: optional_id("contact_id", contact_id)?,
        company_id: optional_id("company_id", company_id)?,
        deal_id: optional_id("deal_id", deal_id)?,
        lead_id: optional_id("lead_id", lead_id)?,
    })
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogActivity {
    #[serde(rename = "type")]
    pub activity_type: ActivityTypeArg,
    pub subject: Option<String>,
    pub body: Option<String>,
    /// RFC 3339; now when absent.
    pub occurred_at: Option<DateTime<Utc>>,
    /// A JSON object, e.g. {"minutes": 30}.
    pub metadata: Option<Map<String, Value>>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub lead_id: Option<String>,
    /// Retrying with the same key and input returns the first result and writes nothing.
    pub idempotency_key: Option<String>,
    /// Check and return the would-be activity without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

async fn log_activity(call: Call, input: LogActivity) -> Result<Value, AppError> {
    let activity = ActivityInput {
        activity_type: input.activity_type.into(),
        subject: input.subject,
        body: input.body,
        occurred_at: input.occurred_at,
        metadata: input.metadata.map(Value::Object),
        links: links(
            input.contact_id.as_deref(),
            input.company_id.as_deref(),
            input.deal_id.as_deref(),
            input.lead_id.as_deref(),
        )?,
        created_by: Uuid::nil(),
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::log(&call.pool, &call.actor, activity, options).await?;
    written("activity", &result)
}

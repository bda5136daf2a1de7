//! Tools for the activity log: `log_activity` — over `logActivity`'s operation.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::args::{uuid, Id};
use super::tool::{self, options, written, Call, Effect, ToolSpec};
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
    contact_id: Option<Id>,
    company_id: Option<Id>,
    deal_id: Option<Id>,
    lead_id: Option<Id>,
) -> Links {
    Links {
        contact_id: uuid(contact_id),
        company_id: uuid(company_id),
        deal_id: uuid(deal_id),
        lead_id: uuid(lead_id),
    }
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
    pub contact_id: Option<Id>,
    pub company_id: Option<Id>,
    pub deal_id: Option<Id>,
    pub lead_id: Option<Id>,
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
            input.contact_id,
            input.company_id,
            input.deal_id,
            input.lead_id,
        ),
        created_by: Uuid::nil(),
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::log(&call.pool, &call.actor, activity, options).await?;
    written("activity", &result)
}

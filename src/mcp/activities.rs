//! Tools for the activity log: `log_activity` — over `logActivity`'s operation.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::args::{arg_enum, tool_args, uuid, Id};
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

arg_enum!(
    /// What kind of activity.
    ActivityTypeArg => ActivityType { Note, Call, Email, Meeting, Other }
);

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

tool_args! {
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
    }
    writes "activity"
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

//! Input rules for activities: pure validation, no database. What a caller gives
//! (`ActivityInput`, `ActivityPatch`) becomes what is stored (`ActivityChanges`) here.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::model::{Activity, ActivityChanges};
use crate::error::AppError;
use crate::validate;
use crate::write::Patch;

/// The longest subject, in characters.
pub const SUBJECT_MAX: usize = 500;
/// The largest body, in bytes of UTF-8 (64 KiB): a long e-mail fits, an attachment does not.
pub const BODY_MAX_BYTES: usize = 64 * 1024;
/// The largest metadata object, in bytes of JSON.
pub const METADATA_MAX_BYTES: usize = 64 * 1024;

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityType {
    Note,
    Call,
    Email,
    Meeting,
    /// Logged by the tasks domain when a task is done.
    TaskCompleted,
    Other,
}

impl ActivityType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityType::Note => "note",
            ActivityType::Call => "call",
            ActivityType::Email => "email",
            ActivityType::Meeting => "meeting",
            ActivityType::TaskCompleted => "task_completed",
            ActivityType::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<ActivityType> {
        [
            ActivityType::Note,
            ActivityType::Call,
            ActivityType::Email,
            ActivityType::Meeting,
            ActivityType::TaskCompleted,
            ActivityType::Other,
        ]
        .into_iter()
        .find(|t| t.as_str() == text)
    }
}

/// The records an activity (or a task) is about: any of a contact, a company, a deal, a lead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Links {
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
}

/// `links_of!(row)`: the [`Links`] of anything with the four link columns (an activity, a
/// task, their changes).
macro_rules! links_of {
    ($row:expr) => {
        $crate::activities::rules::Links {
            contact_id: $row.contact_id,
            company_id: $row.company_id,
            deal_id: $row.deal_id,
            lead_id: $row.lead_id,
        }
    };
}
pub(crate) use links_of;

/// What a partial update does to each link: left out, a link stays; null, it is removed.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkPatch {
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub contact_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub company_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub deal_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub lead_id: Patch<Uuid>,
}

impl LinkPatch {
    /// The links `current` has after this patch.
    pub fn applied_to(self, current: Links) -> Links {
        Links {
            contact_id: self.contact_id.apply(current.contact_id),
            company_id: self.company_id.apply(current.company_id),
            deal_id: self.deal_id.apply(current.deal_id),
            lead_id: self.lead_id.apply(current.lead_id),
        }
    }
}

/// One kind of record a link points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    Contact,
    Company,
    Deal,
    Lead,
}

impl LinkKind {
    pub const ALL: [LinkKind; 4] = [
        LinkKind::Contact,
        LinkKind::Company,
        LinkKind::Deal,
        LinkKind::Lead,
    ];

    /// The entity name, as errors and the timeline call it.
    pub fn entity(self) -> &'static str {
        match self {
            LinkKind::Contact => "contact",
            LinkKind::Company => "company",
            LinkKind::Deal => "deal",
            LinkKind::Lead => "lead",
        }
    }

    /// The table the linked records live in (a fixed name, safe to put in SQL).
    pub fn table(self) -> &'static str {
        match self {
            LinkKind::Contact => "contacts",
            LinkKind::Company => "companies",
            LinkKind::Deal => "deals",
            LinkKind::Lead => "leads",
        }
    }

    /// The link's column in `activities` and `tasks` (a fixed name, safe to put in SQL).
    pub fn column(self) -> &'static str {
        match self {
            LinkKind::Contact => "contact_id",
            LinkKind::Company => "company_id",
            LinkKind::Deal => "deal_id",
            LinkKind::Lead => "lead_id",
        }
    }

    /// The input field that carries the link.
    pub fn field(self) -> &'static str {
        match self {
            LinkKind::Contact => "input.contactId",
            LinkKind::Company => "input.companyId",
            LinkKind::Deal => "input.dealId",
            LinkKind::Lead => "input.leadId",
        }
    }
}

impl Links {
    pub fn get(&self, kind: LinkKind) -> Option<Uuid> {
        match kind {
            LinkKind::Contact => self.contact_id,
            LinkKind::Company => self.company_id,
            LinkKind::Deal => self.deal_id,
            LinkKind::Lead => self.lead_id,
        }
    }

    pub fn is_empty(&self) -> bool {
        LinkKind::ALL.iter().all(|kind| self.get(*kind).is_none())
    }

    /// The links in `self` that `before` does not have (each needs a reference check).
    pub fn added_to(&self, before: &Links) -> Links {
        let new = |kind| self.get(kind).filter(|id| before.get(kind) != Some(*id));
        Links {
            contact_id: new(LinkKind::Contact),
            company_id: new(LinkKind::Company),
            deal_id: new(LinkKind::Deal),
            lead_id: new(LinkKind::Lead),
        }
    }

    /// Links are what make an activity findable: one at least.
    pub fn required(self) -> Result<Links, AppError> {
        if self.is_empty() {
            return Err(AppError::bad_input(
                "input",
                "link the activity to at least one of contactId, companyId, dealId, leadId",
            ));
        }
        Ok(self)
    }
}

/// A new activity as the caller gives it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityInput {
    #[serde(rename = "type")]
    pub activity_type: ActivityType,
    pub subject: Option<String>,
    pub body: Option<String>,
    /// Now when absent.
    pub occurred_at: Option<DateTime<Utc>>,
    pub metadata: Option<Value>,
    #[serde(flatten)]
    pub links: Links,
    /// The acting key, set by the operation (not part of the caller's input).
    #[serde(skip)]
    pub created_by: Uuid,
}

/// A partial update: absent leaves a field, null clears it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityPatch {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<ActivityType>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub subject: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub body: Patch<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub metadata: Patch<Value>,
    /// Left out, a link stays; null, it is removed.
    #[serde(flatten)]
    pub links: LinkPatch,
}

/// The stored values of a new activity; `now` stands in for a missing `occurredAt`.
pub fn new_values(input: &ActivityInput, now: DateTime<Utc>) -> Result<ActivityChanges, AppError> {
    ActivityChanges {
        activity_type: input.activity_type.as_str(),
        subject: subject(input.subject.as_deref())?,
        body: body(input.body.clone())?,
        occurred_at: input.occurred_at.unwrap_or(now),
        metadata: metadata(input.metadata.clone())?,
        created_by: input.created_by,
        contact_id: input.links.contact_id,
        company_id: input.links.company_id,
        deal_id: input.links.deal_id,
        lead_id: input.links.lead_id,
    }
    .checked()
}

/// The stored values of `current` after `patch`.
pub fn patched_values(
    current: &Activity,
    patch: ActivityPatch,
) -> Result<ActivityChanges, AppError> {
    let current_type = ActivityType::parse(&current.activity_type).unwrap_or(ActivityType::Other);
    let links = patch.links.applied_to(links_of!(current));
    let subject_now = patch.subject.apply(current.subject.clone());
    let body_now = patch.body.apply(current.body.clone());
    let metadata_now = match patch.metadata {
        Patch::Unchanged => current.metadata.clone(),
        Patch::Clear => Value::Object(Default::default()),
        Patch::Set(value) => metadata(Some(value))?,
    };
    ActivityChanges {
        activity_type: patch.activity_type.unwrap_or(current_type).as_str(),
        subject: subject(subject_now.as_deref())?,
        body: body(body_now)?,
        occurred_at: patch.occurred_at.unwrap_or(current.occurred_at),
        metadata: metadata_now,
        created_by: current.created_by,
        contact_id: links.contact_id,
        company_id: links.company_id,
        deal_id: links.deal_id,
        lead_id: links.lead_id,
    }
    .checked()
}

impl ActivityChanges {
    pub fn links(&self) -> Links {
        links_of!(self)
    }

    fn checked(self) -> Result<ActivityChanges, AppError> {
        self.links().required()?;
        Ok(self)
    }
}

fn subject(value: Option<&str>) -> Result<Option<String>, AppError> {
    validate::optional_text("input.subject", value, SUBJECT_MAX)
}

/// A body is kept as written (line breaks and indentation matter in a note), only bounded.
fn body(value: Option<String>) -> Result<Option<String>, AppError> {
    match value {
        Some(text) if text.len() > BODY_MAX_BYTES => Err(AppError::bad_input(
            "input.body",
            format!(
                "must be at most {BODY_MAX_BYTES} bytes (64 KiB) of UTF-8 (got {})",
                text.len()
            ),
        )),
        Some(text) if text.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}

fn metadata(value: Option<Value>) -> Result<Value, AppError> {
    match value {
        None | Some(Value::Null) => Ok(Value::Object(Default::default())),
        Some(Value::Object(map)) => {
            let value = Value::Object(map);
            if value.to_string().len() > METADATA_MAX_BYTES {
                return Err(AppError::bad_input(
                    "input.metadata",
                    format!("must be at most {METADATA_MAX_BYTES} bytes of JSON"),
                ));
            }
            Ok(value)
        }
        Some(_) => Err(AppError::bad_input(
            "input.metadata",
            "must be a JSON object (not an array, string, number or boolean)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input() -> ActivityInput {
        ActivityInput {
            activity_type: ActivityType::Call,
            subject: Some("  Intro call ".into()),
            body: None,
            occurred_at: None,
            metadata: None,
            links: Links {
                deal_id: Some(Uuid::now_v7()),
                ..Links::default()
            },
            created_by: Uuid::nil(),
        }
    }

    fn field(result: Result<ActivityChanges, AppError>) -> Option<String> {
        result.err().and_then(|e| e.field().map(str::to_owned))
    }

    #[test]
    fn a_new_activity_defaults_to_now_and_an_empty_object() {
        let now = Utc::now();
        let changes = new_values(&input(), now).unwrap();
        assert_eq!(changes.occurred_at, now);
        assert_eq!(changes.subject.as_deref(), Some("Intro call"));
        assert_eq!(changes.metadata, json!({}));
        assert_eq!(changes.activity_type, "call");
    }

    #[test]
    fn bad_input_names_its_field() {
        let now = Utc::now();
        let unlinked = ActivityInput {
            links: Links::default(),
            ..input()
        };
        assert_eq!(field(new_values(&unlinked, now)).as_deref(), Some("input"));
        let long = ActivityInput {
            body: Some("x".repeat(BODY_MAX_BYTES + 1)),
            ..input()
        };
        assert_eq!(field(new_values(&long, now)).as_deref(), Some("input.body"));
        // Bytes, not characters: 16,385 four-byte emoji are over 64 KiB.
        let emoji = ActivityInput {
            body: Some("🎉".repeat(BODY_MAX_BYTES / 4 + 1)),
            ..input()
        };
        assert!(new_values(&emoji, now).is_err());
        let exactly = ActivityInput {
            body: Some("x".repeat(BODY_MAX_BYTES)),
            ..input()
        };
        assert!(new_values(&exactly, now).is_ok());
        for bad in [json!([1, 2]), json!("note"), json!(3)] {
            let wrong = ActivityInput {
                metadata: Some(bad),
                ..input()
            };
            assert_eq!(
                field(new_values(&wrong, now)).as_deref(),
                Some("input.metadata")
            );
        }
    }

    #[test]
    fn links_added_are_the_new_or_changed_ones() {
        let deal = Uuid::now_v7();
        let before = Links {
            deal_id: Some(deal),
            ..Links::default()
        };
        let contact = Uuid::now_v7();
        let after = Links {
            deal_id: Some(deal),
            contact_id: Some(contact),
            ..Links::default()
        };
        assert_eq!(
            after.added_to(&before),
            Links {
                contact_id: Some(contact),
                ..Links::default()
            }
        );
    }
}

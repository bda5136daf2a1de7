//! Leads as plain records: the write path creates, updates and deletes them
//! (`crate::write::record`); this says what is special about a lead.

use async_trait::async_trait;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::leads::events::{self, LeadIdentity};
use crate::leads::model::{Lead, LeadChanges, EMAIL_UNIQUE};
use crate::leads::rules::{self, LeadInput, LeadPatch};
use crate::write::record::{record_names, Record, RecordNames, UniqueValue};

#[async_trait]
impl Record for Lead {
    const NAMES: RecordNames = record_names!("lead");
    const UNIQUE: &'static [UniqueValue] = &[UniqueValue {
        constraint: EMAIL_UNIQUE,
        field: "input.email",
    }];
    const UPDATED: EventKind = events::LEAD_UPDATED;

    type Input = LeadInput;
    type Patch = LeadPatch;

    fn new_changes(input: &LeadInput) -> Result<LeadChanges, AppError> {
        rules::new_values(input)
    }

    fn patched_changes(current: &Lead, patch: LeadPatch) -> Result<LeadChanges, AppError> {
        rules::patched_values(current, patch)
    }

    async fn unique_holder(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        _unique: &UniqueValue,
        changes: &LeadChanges,
    ) -> QueryResult<Option<(Option<Uuid>, String)>> {
        let Some(email) = changes.email.as_deref() else {
            return Ok(None);
        };
        let holder = Lead::open_id_by_email(conn, workspace_id, email).await?;
        Ok(Some((
            holder,
            format!("an open lead with the e-mail address {email:?} already exists"),
        )))
    }

    /// The workspace's routing (new unowned leads) and scoring rules.
    async fn complete(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        changes: &mut LeadChanges,
        current: Option<&Lead>,
    ) -> Result<Vec<NewEvent>, AppError> {
        super::workspace_rules::complete(conn, workspace_id, id, changes, current).await
    }

    /// A converted lead is kept as the record of its conversion.
    fn check_delete(&self) -> Result<(), AppError> {
        rules::still_open(self)
    }

    fn created(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(events::LEAD_CREATED, self.id, &LeadIdentity::from(self))
    }

    fn deleted(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(events::LEAD_DELETED, self.id, &LeadIdentity::from(self))
    }
}

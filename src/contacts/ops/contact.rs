//! Contacts as plain records: the write path creates, updates and deletes them
//! (`crate::write::record`); this says what is special about a contact.

use async_trait::async_trait;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::contacts::events::{self, ContactCreated, ContactIdentity};
use crate::contacts::model::contact::EMAIL_UNIQUE;
use crate::contacts::model::{Company, Contact, ContactChanges};
use crate::contacts::rules::contact::{new_values, patched_values, ContactInput, ContactPatch};
use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::write::record::{record_names, Record, RecordNames, UniqueValue};

#[async_trait]
impl Record for Contact {
    const NAMES: RecordNames = record_names!("contact");
    const UNIQUE: &'static [UniqueValue] = &[UniqueValue {
        constraint: EMAIL_UNIQUE,
        field: "input.email",
    }];
    const UPDATED: EventKind = events::CONTACT_UPDATED;

    type Input = ContactInput;
    type Patch = ContactPatch;

    fn new_changes(input: &ContactInput) -> Result<ContactChanges, AppError> {
        new_values(input)
    }

    fn patched_changes(current: &Contact, patch: ContactPatch) -> Result<ContactChanges, AppError> {
        patched_values(current, patch)
    }

    /// A contact may only point at a company of its own workspace.
    async fn check_references(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        changes: &ContactChanges,
        current: Option<&Contact>,
    ) -> Result<(), AppError> {
        match changes.company_id {
            Some(id) if Some(id) != current.and_then(|c| c.company_id) => {
                if Company::exists(conn, workspace_id, id).await? {
                    Ok(())
                } else {
                    Err(AppError::not_found("company", id))
                }
            }
            _ => Ok(()),
        }
    }

    async fn unique_holder(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        _unique: &UniqueValue,
        changes: &ContactChanges,
    ) -> QueryResult<Option<(Option<Uuid>, String)>> {
        let Some(email) = changes.email.as_deref() else {
            return Ok(None);
        };
        let holder = Contact::id_by_email(conn, workspace_id, email).await?;
        Ok(Some((
            holder,
            format!("a contact with the e-mail address {email:?} already exists"),
        )))
    }

    /// The only foreign key a contact's own values can break is its company's.
    fn broken_reference(changes: &ContactChanges) -> Option<AppError> {
        changes
            .company_id
            .map(|id| AppError::not_found("company", id))
    }

    fn created(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(
            events::CONTACT_CREATED,
            self.id,
            &ContactCreated {
                contact: self.into(),
                company_id: self.company_id,
            },
        )
    }

    /// Deleting a contact takes its place on deals with it (`deal_contacts` cascades).
    fn deleted(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(
            events::CONTACT_DELETED,
            self.id,
            &ContactIdentity::from(self),
        )
    }
}

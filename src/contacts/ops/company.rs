//! Companies as plain records: the write path creates, updates and deletes them
//! (`crate::write::record`); this says what is special about a company.

use async_trait::async_trait;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::contacts::events::{self, CompanyIdentity};
use crate::contacts::model::company::DOMAIN_UNIQUE;
use crate::contacts::model::{Company, CompanyChanges};
use crate::contacts::rules::company::{new_values, patched_values, CompanyInput, CompanyPatch};
use crate::error::AppError;
use crate::events::{EventKind, NewEvent};
use crate::write::record::{record_names, Record, RecordNames, UniqueValue};

#[async_trait]
impl Record for Company {
    const NAMES: RecordNames = record_names!("company");
    const UNIQUE: &'static [UniqueValue] = &[UniqueValue {
        constraint: DOMAIN_UNIQUE,
        field: "input.domain",
    }];
    const UPDATED: EventKind = events::COMPANY_UPDATED;

    type Input = CompanyInput;
    type Patch = CompanyPatch;

    fn new_changes(input: &CompanyInput) -> Result<CompanyChanges, AppError> {
        new_values(input)
    }

    fn patched_changes(current: &Company, patch: CompanyPatch) -> Result<CompanyChanges, AppError> {
        patched_values(current, patch)
    }

    async fn unique_holder(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        _unique: &UniqueValue,
        changes: &CompanyChanges,
    ) -> QueryResult<Option<(Option<Uuid>, String)>> {
        let Some(domain) = changes.domain.as_deref() else {
            return Ok(None);
        };
        let holder = Company::id_by_domain(conn, workspace_id, domain).await?;
        Ok(Some((
            holder,
            format!("a company with the domain {domain:?} already exists"),
        )))
    }

    fn created(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(
            events::COMPANY_CREATED,
            self.id,
            &CompanyIdentity::from(self),
        )
    }

    /// A deleted company's contacts and deals stay, without a company (the foreign keys set
    /// `company_id` to NULL).
    fn deleted(&self) -> Result<NewEvent, serde_json::Error> {
        NewEvent::new(
            events::COMPANY_DELETED,
            self.id,
            &CompanyIdentity::from(self),
        )
    }
}

//! Billing operations, used by GraphQL and MCP: reads check the `crm:read` scope; writes go
//! through the write path (`invoice`, `credit_note`, `payment`, `settings`) and post through
//! `posting`.

mod credit_note;
mod draft;
mod invoice;
mod payment;
pub mod posting;
mod settings;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use self::credit_note::credit_note;
pub use self::invoice::{create, issue, void, CreditNoteInput, CreditNoteRecord, InvoiceRecord};
pub use self::payment::{apply_credit, record, refund, PaymentRecord};
pub use self::settings::{settings, update_settings, SettingsView};
use super::model::{DealBilling, Invoice, InvoiceFilter, InvoiceLine, Payment, PaymentFilter};
use super::{InvoicesWindow, PaymentsWindow};
use crate::auth::{Actor, Scope};
use crate::db::page::Listing;
use crate::db::per_parent::{self, ChildList};
use crate::db::DbPool;
use crate::error::AppError;

/// `invoices(filter, …)`: one page, newest first, and the total number of matches.
pub async fn invoices(
    pool: &DbPool,
    actor: &Actor,
    filter: InvoiceFilter,
    window: &InvoicesWindow,
) -> Result<Listing<Invoice>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    let rows = Invoice::page(&mut conn, actor.workspace_id, &filter, window).await?;
    let total = Invoice::count(&mut conn, actor.workspace_id, &filter).await?;
    Ok(Listing { rows, total })
}

/// `payments(filter, …)`: one page, newest payment first, and the total number of matches.
pub async fn payments(
    pool: &DbPool,
    actor: &Actor,
    filter: PaymentFilter,
    window: &PaymentsWindow,
) -> Result<Listing<Payment>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    let rows = Payment::page(&mut conn, actor.workspace_id, &filter, window).await?;
    let total = Payment::count(&mut conn, actor.workspace_id, &filter).await?;
    Ok(Listing { rows, total })
}

/// An invoice by id, when the caller may read it.
pub async fn invoice(pool: &DbPool, actor: &Actor, id: Uuid) -> Result<Option<Invoice>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    Ok(Invoice::find(&mut conn, actor.workspace_id, id).await?)
}

/// Which record an invoice hangs off, for `Deal.invoices`, `Company.invoices` and
/// `Contact.invoices`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceParent {
    Deal,
    Company,
    Contact,
}

impl InvoiceParent {
    fn column(self) -> &'static str {
        match self {
            InvoiceParent::Deal => "deal_id",
            InvoiceParent::Company => "company_id",
            InvoiceParent::Contact => "contact_id",
        }
    }

    fn of(self, invoice: &Invoice) -> Option<Uuid> {
        match self {
            InvoiceParent::Deal => invoice.deal_id,
            InvoiceParent::Company => invoice.company_id,
            InvoiceParent::Contact => invoice.contact_id,
        }
    }
}

/// One page of the invoices of each of `parent_ids` (newest first), with each parent's
/// total: two statements for any number of parents. For loaders.
pub async fn invoices_of(
    pool: &DbPool,
    workspace_id: Uuid,
    parent: InvoiceParent,
    parent_ids: &[Uuid],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<HashMap<Uuid, Listing<Invoice>>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    let list = ChildList {
        table: "invoices",
        sort: "created_at",
        newest_first: true,
    };
    let pages = per_parent::pages(
        &mut conn,
        list,
        parent.column(),
        workspace_id,
        parent_ids,
        after,
        limit,
        |row: &Invoice| parent.of(row),
    );
    Ok(pages.await?)
}

/// The lines of each of `invoice_ids`. For loaders.
pub async fn lines_of(
    pool: &DbPool,
    workspace_id: Uuid,
    invoice_ids: &[Uuid],
) -> Result<Vec<InvoiceLine>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(InvoiceLine::of_invoices(&mut conn, workspace_id, invoice_ids).await?)
}

/// The payments (refunds and credit applications included) of each of `invoice_ids`.
pub async fn payments_of(
    pool: &DbPool,
    workspace_id: Uuid,
    invoice_ids: &[Uuid],
) -> Result<Vec<Payment>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Payment::of_invoices(&mut conn, workspace_id, invoice_ids).await?)
}

/// Invoiced and paid amounts of each of `deal_ids`, per currency. For loaders.
pub async fn billing_of_deals(
    pool: &DbPool,
    workspace_id: Uuid,
    deal_ids: &[Uuid],
) -> Result<Vec<DealBilling>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Invoice::billing_of_deals(&mut conn, workspace_id, deal_ids).await?)
}

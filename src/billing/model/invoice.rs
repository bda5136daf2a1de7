//! The invoice row (invoices and credit notes), its insert and its updates: a draft's new
//! content, its issue, its amounts after a payment or credit note, its voiding.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Numeric, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::billing::rules::{InvoiceKind, InvoiceStatus};
use crate::billing::InvoicesOrder;
use crate::db::page::{Listed, Position, SortKey};
use crate::db::schema::{billing_counters, invoices};

/// The unique index on a workspace's invoice numbers.
pub const NUMBER_UNIQUE: &str = "invoices_number_unique";

#[derive(
    Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Serialize, Deserialize,
)]
#[diesel(table_name = invoices, check_for_backend(diesel::pg::Pg))]
pub struct Invoice {
    pub workspace_id: Uuid,
    pub id: Uuid,
    /// Given, or assigned at issue (INV-000001 …, CN-000001 … for credit notes).
    pub number: Option<String>,
    pub kind: String,
    pub credited_invoice_id: Option<Uuid>,
    pub status: String,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub currency: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub payment_terms_days: Option<i32>,
    pub memo: Option<String>,
    pub subtotal: BigDecimal,
    pub tax_total: BigDecimal,
    pub total: BigDecimal,
    pub amount_paid: BigDecimal,
    pub amount_credited: BigDecimal,
    pub amount_due: BigDecimal,
    pub journal_entry_id: Option<Uuid>,
    pub issued_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A draft's content: what an insert stores and an update of a draft writes back whole.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = invoices, treat_none_as_null = true)]
pub struct NewInvoice {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub number: Option<String>,
    pub kind: &'static str,
    pub credited_invoice_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub currency: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub payment_terms_days: Option<i32>,
    pub memo: Option<String>,
    pub subtotal: BigDecimal,
    pub tax_total: BigDecimal,
    pub total: BigDecimal,
    pub amount_due: BigDecimal,
}

/// What issuing writes.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = invoices)]
pub struct InvoiceIssue {
    pub number: String,
    pub status: &'static str,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount_credited: BigDecimal,
    pub amount_due: BigDecimal,
    pub journal_entry_id: Option<Uuid>,
}

/// What a payment, refund or credit note changes on an issued invoice.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = invoices)]
pub struct InvoiceAmountsUpdate {
    pub status: &'static str,
    pub amount_paid: BigDecimal,
    pub amount_credited: BigDecimal,
    pub amount_due: BigDecimal,
}

/// Which invoices to list; every part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub status: Option<InvoiceStatus>,
    pub kind: Option<InvoiceKind>,
    /// Some(true): open and past due on `today`; Some(false): not.
    pub overdue: Option<bool>,
    pub today: Option<NaiveDate>,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    /// Issued on or after.
    pub issued_from: Option<NaiveDate>,
    /// Issued on or before.
    pub issued_to: Option<NaiveDate>,
    pub currency: Option<String>,
}

/// A deal's issued invoices (less credit notes) and what was paid on them, in one currency.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct DealBilling {
    #[diesel(sql_type = SqlUuid)]
    pub deal_id: Uuid,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Numeric)]
    pub invoiced: BigDecimal,
    #[diesel(sql_type = Numeric)]
    pub paid: BigDecimal,
}

crate::db::record_sql::tenant_find_sql!(Invoice, invoices);
crate::db::record_sql::tenant_list_sql!(Invoice, invoices, InvoiceFilter, InvoicesOrder);

const OPEN: [&str; 2] = ["issued", "partially_paid"];

impl Invoice {
    pub fn status(&self) -> InvoiceStatus {
        InvoiceStatus::parse(&self.status).unwrap_or(InvoiceStatus::Draft)
    }

    pub fn kind(&self) -> InvoiceKind {
        InvoiceKind::parse(&self.kind).unwrap_or(InvoiceKind::Invoice)
    }

    /// How the API names it in messages: its number, or "draft <id>".
    pub fn label(&self) -> String {
        self.number
            .clone()
            .unwrap_or_else(|| format!("draft {}", self.id))
    }

    pub async fn insert(conn: &mut AsyncPgConnection, new: &NewInvoice) -> QueryResult<Invoice> {
        diesel::insert_into(invoices::table)
            .values(new)
            .returning(Invoice::as_returning())
            .get_result(conn)
            .await
    }

    /// Writes a draft's new content, bumping its version.
    pub async fn rewrite(conn: &mut AsyncPgConnection, new: &NewInvoice) -> QueryResult<Invoice> {
        diesel::update(invoices::table)
            .filter(invoices::workspace_id.eq(new.workspace_id))
            .filter(invoices::id.eq(new.id))
            .set((
                new,
                invoices::version.eq(invoices::version + 1),
                invoices::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Invoice::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn issue(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        issue: &InvoiceIssue,
    ) -> QueryResult<Invoice> {
        diesel::update(invoices::table)
            .filter(invoices::workspace_id.eq(workspace_id))
            .filter(invoices::id.eq(id))
            .set((
                issue,
                invoices::issued_at.eq(diesel::dsl::now),
                invoices::version.eq(invoices::version + 1),
                invoices::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Invoice::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn set_amounts(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        amounts: &InvoiceAmountsUpdate,
    ) -> QueryResult<Invoice> {
        diesel::update(invoices::table)
            .filter(invoices::workspace_id.eq(workspace_id))
            .filter(invoices::id.eq(id))
            .set((
                amounts,
                invoices::version.eq(invoices::version + 1),
                invoices::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Invoice::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn void(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<Invoice> {
        diesel::update(invoices::table)
            .filter(invoices::workspace_id.eq(workspace_id))
            .filter(invoices::id.eq(id))
            .set((
                invoices::status.eq(InvoiceStatus::Void.as_str()),
                invoices::voided_at.eq(diesel::dsl::now),
                // Nothing is paid on a void invoice; a void credit note credits nothing.
                invoices::amount_credited.eq(BigDecimal::from(0)),
                invoices::amount_due.eq(invoices::total),
                invoices::version.eq(invoices::version + 1),
                invoices::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Invoice::as_returning())
            .get_result(conn)
            .await
    }

    /// The workspace's next number of `kind`, counted without gaps (the counter row is
    /// locked until the issuing transaction ends).
    pub async fn next_number(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        kind: InvoiceKind,
    ) -> QueryResult<i64> {
        diesel::insert_into(billing_counters::table)
            .values((
                billing_counters::workspace_id.eq(workspace_id),
                billing_counters::kind.eq(kind.as_str()),
                billing_counters::last_number.eq(1_i64),
            ))
            .on_conflict((billing_counters::workspace_id, billing_counters::kind))
            .do_update()
            .set(billing_counters::last_number.eq(billing_counters::last_number + 1))
            .returning(billing_counters::last_number)
            .get_result(conn)
            .await
    }

    /// The issued credit notes of each of `invoice_ids`.
    pub async fn credit_notes_of(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        invoice_ids: &[Uuid],
    ) -> QueryResult<Vec<Invoice>> {
        invoices::table
            .filter(invoices::workspace_id.eq(workspace_id))
            .filter(invoices::credited_invoice_id.eq_any(invoice_ids))
            .order_by((invoices::created_at, invoices::id))
            .select(Invoice::as_select())
            .load(conn)
            .await
    }

    /// Per deal and currency: issued invoices less credit notes, and what was paid.
    pub async fn billing_of_deals(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<DealBilling>> {
        diesel::sql_query(
            "SELECT deal_id, currency,
                    sum(CASE kind WHEN 'credit_note' THEN -total ELSE total END) AS invoiced,
                    sum(amount_paid) AS paid
               FROM invoices
              WHERE workspace_id = $1 AND deal_id = ANY($2) AND status NOT IN ('draft', 'void')
              GROUP BY deal_id, currency
              ORDER BY deal_id, currency",
        )
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Array<SqlUuid>, _>(deal_ids)
        .load(conn)
        .await
    }

    fn filtered(workspace_id: Uuid, filter: &InvoiceFilter) -> invoices::BoxedQuery<'static, Pg> {
        let mut query = invoices::table
            .filter(invoices::workspace_id.eq(workspace_id))
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(invoices::status.eq(status.as_str()));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(invoices::kind.eq(kind.as_str()));
        }
        if let (Some(overdue), Some(today)) = (filter.overdue, filter.today) {
            let past_due = invoices::status
                .eq_any(OPEN)
                .and(invoices::due_date.lt(today));
            query = if overdue {
                query.filter(past_due)
            } else {
                query.filter(diesel::dsl::not(past_due))
            };
        }
        if let Some(id) = filter.company_id {
            query = query.filter(invoices::company_id.eq(id));
        }
        if let Some(id) = filter.contact_id {
            query = query.filter(invoices::contact_id.eq(id));
        }
        if let Some(id) = filter.deal_id {
            query = query.filter(invoices::deal_id.eq(id));
        }
        if let Some(from) = filter.issued_from {
            query = query.filter(invoices::issue_date.ge(from));
        }
        if let Some(to) = filter.issued_to {
            query = query.filter(invoices::issue_date.le(to));
        }
        if let Some(currency) = &filter.currency {
            query = query.filter(invoices::currency.eq(currency.clone()));
        }
        query
    }
}

impl Listed<InvoicesOrder> for Invoice {
    fn position(&self, _order: InvoicesOrder) -> Position {
        Position {
            key: SortKey::Time(self.created_at),
            id: self.id,
        }
    }
}

//! Payment rows: written once, never changed (refunds are new rows), and their SQL.

use bigdecimal::{BigDecimal, Zero};
use chrono::{DateTime, Utc};
use diesel::dsl::sum;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::billing::rules::{PaymentKind, PaymentMethod};
use crate::billing::PaymentsOrder;
use crate::db::page::{Listed, Position, SortKey};
use crate::db::schema::payments;

/// The unique index on a provider's payment references.
pub const REFERENCE_UNIQUE: &str = "payments_provider_reference_unique";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = payments, check_for_backend(diesel::pg::Pg))]
pub struct Payment {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub kind: String,
    pub invoice_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub currency: String,
    /// Money in (+) or back out (−); 0 for customer credit applied to an invoice.
    pub amount: BigDecimal,
    /// What it adds to (or takes from) its invoice's amount paid.
    pub applied_amount: BigDecimal,
    /// What it adds to (or takes from) the customer's credit.
    pub credit_amount: BigDecimal,
    pub paid_at: DateTime<Utc>,
    pub method: String,
    pub provider: Option<String>,
    pub provider_reference_id: Option<String>,
    pub refunded_payment_id: Option<Uuid>,
    pub memo: Option<String>,
    pub journal_entry_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = payments)]
pub struct NewPayment {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub kind: &'static str,
    pub invoice_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub currency: String,
    pub amount: BigDecimal,
    pub applied_amount: BigDecimal,
    pub credit_amount: BigDecimal,
    pub paid_at: DateTime<Utc>,
    pub method: &'static str,
    pub provider: Option<String>,
    pub provider_reference_id: Option<String>,
    pub refunded_payment_id: Option<Uuid>,
    pub memo: Option<String>,
    pub journal_entry_id: Option<Uuid>,
}

/// Which payments to list; every part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    pub invoice_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub kind: Option<PaymentKind>,
    pub currency: Option<String>,
}

crate::db::record_sql::tenant_find_sql!(Payment, payments);
crate::db::record_sql::tenant_list_sql!(Payment, payments, PaymentFilter, PaymentsOrder);

impl Payment {
    pub fn kind(&self) -> PaymentKind {
        PaymentKind::parse(&self.kind).unwrap_or(PaymentKind::Payment)
    }

    pub fn method(&self) -> PaymentMethod {
        PaymentMethod::parse(&self.method).unwrap_or(PaymentMethod::Other)
    }

    pub async fn insert(conn: &mut AsyncPgConnection, new: &NewPayment) -> QueryResult<Payment> {
        diesel::insert_into(payments::table)
            .values(new)
            .returning(Payment::as_returning())
            .get_result(conn)
            .await
    }

    /// The payment a provider already reported under `reference`, if any.
    pub async fn by_reference(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        provider: &str,
        reference: &str,
    ) -> QueryResult<Option<Payment>> {
        payments::table
            .filter(payments::workspace_id.eq(workspace_id))
            .filter(payments::provider.eq(provider))
            .filter(payments::provider_reference_id.eq(reference))
            .select(Payment::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// The workspace's payments, oldest first, to narrow down.
    fn oldest_first(workspace_id: Uuid) -> payments::BoxedQuery<'static, Pg> {
        payments::table
            .filter(payments::workspace_id.eq(workspace_id))
            .order_by((payments::paid_at, payments::id))
            .into_boxed()
    }

    /// The payments of each of `invoice_ids`, oldest first.
    pub async fn of_invoices(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        invoice_ids: &[Uuid],
    ) -> QueryResult<Vec<Payment>> {
        Payment::oldest_first(workspace_id)
            .filter(payments::invoice_id.eq_any(invoice_ids))
            .select(Payment::as_select())
            .load(conn)
            .await
    }

    /// The refunds of each of `payment_ids`, oldest first.
    pub async fn refunds_of(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        payment_ids: &[Uuid],
    ) -> QueryResult<Vec<Payment>> {
        Payment::oldest_first(workspace_id)
            .filter(payments::refunded_payment_id.eq_any(payment_ids))
            .select(Payment::as_select())
            .load(conn)
            .await
    }

    /// The customer's credit in `currency`: held by the company when given, else by the
    /// contact (with no company).
    pub async fn customer_credit(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        company_id: Option<Uuid>,
        contact_id: Option<Uuid>,
        currency: &str,
    ) -> QueryResult<BigDecimal> {
        let mut query = payments::table
            .filter(payments::workspace_id.eq(workspace_id))
            .filter(payments::currency.eq(currency.to_owned()))
            .select(sum(payments::credit_amount))
            .into_boxed();
        query = match (company_id, contact_id) {
            (Some(company), _) => query.filter(payments::company_id.eq(company)),
            (None, Some(contact)) => query
                .filter(payments::company_id.is_null())
                .filter(payments::contact_id.eq(contact)),
            (None, None) => return Ok(BigDecimal::zero()),
        };
        let total: Option<BigDecimal> = query.get_result(conn).await?;
        Ok(total.unwrap_or_else(BigDecimal::zero))
    }

    /// Serialises the writes that move one customer's credit (until the transaction ends).
    pub async fn lock_customer(conn: &mut AsyncPgConnection, customer_id: Uuid) -> QueryResult<()> {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 11))")
            .bind::<diesel::sql_types::Uuid, _>(customer_id)
            .execute(conn)
            .await
            .map(|_| ())
    }

    fn filtered(workspace_id: Uuid, filter: &PaymentFilter) -> payments::BoxedQuery<'static, Pg> {
        let mut query = payments::table
            .filter(payments::workspace_id.eq(workspace_id))
            .into_boxed();
        if let Some(id) = filter.invoice_id {
            query = query.filter(payments::invoice_id.eq(id));
        }
        if let Some(id) = filter.company_id {
            query = query.filter(payments::company_id.eq(id));
        }
        if let Some(id) = filter.contact_id {
            query = query.filter(payments::contact_id.eq(id));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(payments::kind.eq(kind.as_str()));
        }
        if let Some(currency) = &filter.currency {
            query = query.filter(payments::currency.eq(currency.clone()));
        }
        query
    }
}

impl Listed<PaymentsOrder> for Payment {
    fn position(&self, _order: PaymentsOrder) -> Position {
        Position {
            key: SortKey::Time(self.paid_at),
            id: self.id,
        }
    }
}

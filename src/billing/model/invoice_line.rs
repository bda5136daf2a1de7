//! Invoice lines: written whole with their draft (a draft's update replaces them), frozen
//! with their invoice at issue.

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::billing::rules::LineKind;
use crate::db::schema::invoice_lines;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = invoice_lines, check_for_backend(diesel::pg::Pg))]
pub struct InvoiceLine {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub line_no: i32,
    pub kind: String,
    pub name: String,
    pub description: Option<String>,
    pub quantity: BigDecimal,
    pub unit_amount: BigDecimal,
    pub discount: BigDecimal,
    pub tax_rate: BigDecimal,
    pub service_period_start: Option<NaiveDate>,
    pub service_period_end: Option<NaiveDate>,
    /// Where its revenue posts; the default account for its kind when None.
    pub revenue_account_id: Option<Uuid>,
    pub subtotal: BigDecimal,
    pub tax: BigDecimal,
    pub total: BigDecimal,
}

impl InvoiceLine {
    pub fn kind(&self) -> LineKind {
        LineKind::parse(&self.kind).unwrap_or(LineKind::Service)
    }

    pub async fn insert_many(
        conn: &mut AsyncPgConnection,
        lines: &[InvoiceLine],
    ) -> QueryResult<Vec<InvoiceLine>> {
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        diesel::insert_into(invoice_lines::table)
            .values(lines)
            .returning(InvoiceLine::as_returning())
            .get_results(conn)
            .await
    }

    /// Removes a draft's lines (before writing its new ones).
    pub async fn delete_of(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        invoice_id: Uuid,
    ) -> QueryResult<usize> {
        diesel::delete(invoice_lines::table)
            .filter(invoice_lines::workspace_id.eq(workspace_id))
            .filter(invoice_lines::invoice_id.eq(invoice_id))
            .execute(conn)
            .await
    }

    /// Every line of each of `invoice_ids`, in line order per invoice, in one statement.
    pub async fn of_invoices(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        invoice_ids: &[Uuid],
    ) -> QueryResult<Vec<InvoiceLine>> {
        invoice_lines::table
            .filter(invoice_lines::workspace_id.eq(workspace_id))
            .filter(invoice_lines::invoice_id.eq_any(invoice_ids))
            .order_by((invoice_lines::invoice_id, invoice_lines::line_no))
            .select(InvoiceLine::as_select())
            .load(conn)
            .await
    }
}

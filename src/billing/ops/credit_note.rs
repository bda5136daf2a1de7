//! `createCreditNote`: the one way to correct an issued invoice. A credit note is an
//! invoice of kind CREDIT_NOTE referencing the invoice, issued (numbered CN-…, posted as the
//! mirror of an issue) at once; the invoice's amount credited grows by its total.

use bigdecimal::Zero;
use futures_util::FutureExt;
use uuid::Uuid;

use super::draft::{check_revenue_accounts, line_rows, locked, new_invoice, number_conflict};
use super::invoice::{issue_draft, CreditNoteInput, CreditNoteRecord};
use crate::auth::Actor;
use crate::billing::events::{self, invoice_event};
use crate::billing::model::{Invoice, InvoiceAmountsUpdate, InvoiceLine};
use crate::billing::rules::{self, amounts, InvoiceInput, InvoiceKind, InvoiceStatus};
use crate::db::DbPool;
use crate::error::AppError;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// `createCreditNote`: issues a credit note against an open invoice, at most its amount due;
/// the invoice's amount due drops by the note's total in the same transaction.
pub async fn credit_note(
    pool: &DbPool,
    actor: &Actor,
    input: CreditNoteInput,
    options: WriteOptions,
) -> Result<WriteResult<CreditNoteRecord>, AppError> {
    let request = WriteRequest::crm(
        "invoice.credit",
        Some(input.invoice_id),
        serde_json::to_value(&input)?,
        options,
    );
    let workspace_id = actor.workspace_id;
    write::write(pool, actor, request, move |conn| {
        async move {
            let original = locked(conn, workspace_id, input.invoice_id, None, "input.invoiceId")
                .await?;
            if original.kind() != InvoiceKind::Invoice || !original.status().is_open() {
                return Err(AppError::conflict(
                    Some("input.invoiceId"),
                    format!(
                        "{} is {}; only an issued invoice with an amount due can be credited",
                        original.label(),
                        original.status
                    ),
                ));
            }
            let lines = match input.lines {
                Some(lines) => lines,
                None => InvoiceLine::of_invoices(conn, workspace_id, &[original.id])
                    .await?
                    .iter()
                    .map(rules::as_input)
                    .collect(),
            };
            let note_input = InvoiceInput {
                number: input.number,
                company_id: original.company_id,
                contact_id: original.contact_id,
                deal_id: original.deal_id,
                lead_id: original.lead_id,
                currency: Some(original.currency.clone()),
                issue_date: input.issue_date,
                due_date: None,
                payment_terms_days: None,
                memo: input.memo,
                lines,
            };
            let valid = rules::validate_invoice(&note_input, &original.currency, "input")?;
            check_revenue_accounts(conn, workspace_id, &valid.lines, "input").await?;
            let total = &valid.amounts.total;
            if total.is_zero() || total > &original.amount_due {
                return Err(AppError::bad_input(
                    "input.lines",
                    format!(
                        "a credit note credits more than 0 and at most invoice {}'s amount due of {}; these lines come to {}",
                        original.label(),
                        original.amount_due.normalized(),
                        total.normalized()
                    ),
                ));
            }
            let id = Uuid::now_v7();
            let new = new_invoice(
                workspace_id,
                id,
                &valid,
                InvoiceKind::CreditNote,
                Some(original.id),
            );
            let draft = Invoice::insert(conn, &new).await.map_err(number_conflict)?;
            let lines =
                InvoiceLine::insert_many(conn, &line_rows(workspace_id, id, &valid.lines)).await?;
            let (note, mut events) = issue_draft(conn, draft, lines, input.issue_date).await?;
            let credited = &original.amount_credited + &note.invoice.total;
            let status = amounts::settled_status(
                InvoiceKind::Invoice,
                &original.total,
                &original.amount_paid,
                &credited,
            );
            let invoice = Invoice::set_amounts(
                conn,
                workspace_id,
                original.id,
                &InvoiceAmountsUpdate {
                    status: status.as_str(),
                    amount_paid: original.amount_paid.clone(),
                    amount_due: amounts::amount_due(
                        &original.total,
                        &original.amount_paid,
                        &credited,
                    ),
                    amount_credited: credited,
                },
            )
            .await?;
            if status == InvoiceStatus::Paid {
                events.push(invoice_event(events::INVOICE_PAID, &invoice)?);
            }
            let record = CreditNoteRecord {
                credit_note: note,
                invoice,
            };
            Ok(Written {
                entity_id: id,
                before: Some(snapshot(&original)?),
                after: Some(snapshot(&record)?),
                events,
                value: record,
            })
        }
        .boxed()
    })
    .await
}

//! `createCreditNote`: the one way to correct an issued invoice. A credit note is an
//! invoice of kind CREDIT_NOTE referencing the invoice, issued (numbered CN-…, posted as the
//! mirror of an issue) at once; the invoice's amount credited grows by its total. It credits
//! more than zero and at most the invoice's amount due (BAD_USER_INPUT on `input.lines`
//! otherwise): what was paid is given back by a refund, never by a credit note.
//!
//! `voidInvoice` on a credit note undoes it (`void_note`): its posting is reversed and its
//! invoice owes its total again — as long as no money was applied to the invoice after the
//! note, since that money settled the lowered amount due.

use bigdecimal::Zero;
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use uuid::Uuid;

use super::draft::{check_revenue_accounts, line_rows, locked, new_invoice, number_conflict};
use super::invoice::{issue_draft, CreditNoteInput, CreditNoteRecord, InvoiceRecord};
use super::posting;
use crate::auth::Actor;
use crate::billing::events::{self, invoice_event};
use crate::billing::model::{Invoice, InvoiceAmountsUpdate, InvoiceLine, Payment};
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
    write::write(pool, actor, request, move |conn, workspace_id| {
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
            Written::changed(id, &original, record, events)
        }
        .boxed()
    })
    .await
}

/// Voids credit note `note` (locked) in the caller's transaction: reverses its posting and
/// gives its invoice back the amount it had credited.
pub(super) async fn void_note(
    conn: &mut AsyncPgConnection,
    note: Invoice,
    date: NaiveDate,
) -> Result<Written<InvoiceRecord>, AppError> {
    let workspace_id = note.workspace_id;
    let refuse = |why: String| Err(AppError::conflict(Some("input.id"), why));
    let (InvoiceStatus::Issued, Some(invoice_id)) = (note.status(), note.credited_invoice_id)
    else {
        return refuse(format!(
            "credit note {} is {}; only an issued credit note is voided",
            note.label(),
            note.status.to_uppercase()
        ));
    };
    let invoice = locked(conn, workspace_id, invoice_id, None, "input.id").await?;
    let noted_at = note.issued_at.unwrap_or(note.created_at);
    let payments = Payment::of_invoices(conn, workspace_id, &[invoice_id]).await?;
    if payments.iter().any(|p| p.created_at > noted_at) {
        return refuse(format!(
            "money was applied to invoice {} after credit note {}, against the amount due it lowered; the note stays (invoice the difference instead)",
            invoice.label(),
            note.label()
        ));
    }
    let mut events = Vec::new();
    if let Some(posted) = posting::post_void(conn, &note, date).await? {
        events.extend(posted.events);
    }
    let voided = Invoice::void(conn, workspace_id, note.id).await?;
    events.insert(0, invoice_event(events::INVOICE_VOIDED, &voided)?);
    let credited = &invoice.amount_credited - &note.total;
    let status = amounts::settled_status(
        InvoiceKind::Invoice,
        &invoice.total,
        &invoice.amount_paid,
        &credited,
    );
    Invoice::set_amounts(
        conn,
        workspace_id,
        invoice.id,
        &InvoiceAmountsUpdate {
            status: status.as_str(),
            amount_paid: invoice.amount_paid.clone(),
            amount_due: amounts::amount_due(&invoice.total, &invoice.amount_paid, &credited),
            amount_credited: credited,
        },
    )
    .await?;
    let lines = InvoiceLine::of_invoices(conn, workspace_id, &[note.id]).await?;
    Ok(Written {
        entity_id: note.id,
        before: Some(snapshot(&note)?),
        after: Some(snapshot(&voided)?),
        events,
        value: InvoiceRecord {
            invoice: voided,
            lines,
        },
    })
}

//! Invoice operations through the write path: create drafts (changed and deleted as
//! `write::draft`s), issue (number, freeze, post), void (reverse the issue's posting), and
//! credit notes (a new, issued invoice of kind CREDIT_NOTE lowering its invoice's amount due).

use async_trait::async_trait;
use bigdecimal::{BigDecimal, Zero};
use chrono::{NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::draft::{checked, line_rows, locked, new_invoice, number_conflict};
use super::posting;
use crate::auth::Actor;
use crate::billing::events::{self, invoice_event};
use crate::billing::model::{Invoice, InvoiceIssue, InvoiceLine, Payment};
use crate::billing::rules::{
    self, amounts, InvoiceInput, InvoiceKind, InvoicePatch, InvoiceStatus, LineInput,
};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::NewEvent;
use crate::write::draft::{Doing, Draft};
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// An invoice (or credit note) and its lines, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoiceRecord {
    pub invoice: Invoice,
    pub lines: Vec<InvoiceLine>,
}

/// A credit note and the invoice it credits, after the change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreditNoteRecord {
    pub credit_note: InvoiceRecord,
    pub invoice: Invoice,
}

/// A credit note as the caller gave it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditNoteInput {
    pub invoice_id: Uuid,
    pub number: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub memo: Option<String>,
    /// Absent: the invoice's own lines (credits all of it).
    pub lines: Option<Vec<LineInput>>,
}

/// `createInvoice`: a draft.
pub async fn create(
    pool: &DbPool,
    actor: &Actor,
    input: InvoiceInput,
    options: WriteOptions,
) -> Result<WriteResult<InvoiceRecord>, AppError> {
    let request = WriteRequest::crm(
        "invoice.create",
        None,
        serde_json::to_value(&input)?,
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let valid = checked(conn, workspace_id, &input, "input").await?;
            let id = Uuid::now_v7();
            let new = new_invoice(workspace_id, id, &valid, InvoiceKind::Invoice, None);
            let invoice = Invoice::insert(conn, &new).await.map_err(number_conflict)?;
            let lines =
                InvoiceLine::insert_many(conn, &line_rows(workspace_id, id, &valid.lines)).await?;
            let record = InvoiceRecord { invoice, lines };
            Written::created(id, record, Vec::new())
        }
        .boxed()
    })
    .await
}

/// `updateInvoice` and `deleteInvoice` (through `write::draft`): a draft changes (its lines,
/// when given, replace all of them) or goes with its lines — nothing was numbered, posted or
/// paid yet. Issued invoices stay on the books: they are corrected by credit notes, or
/// voided, never edited.
#[async_trait]
impl Draft for InvoiceRecord {
    const UPDATE: &'static str = "invoice.update";
    const DELETE: &'static str = "invoice.delete";

    type Patch = InvoicePatch;

    async fn locked_draft(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        expected_version: Option<i32>,
        doing: Doing,
    ) -> Result<InvoiceRecord, AppError> {
        let draft = locked(conn, workspace_id, id, expected_version, "input.id").await?;
        if draft.status() != InvoiceStatus::Draft {
            let (status, instead) = match doing {
                Doing::Change => (
                    draft.status.clone(),
                    "edited (correct it with a credit note)",
                ),
                Doing::Delete => (
                    draft.status.to_uppercase(),
                    "deleted (void it, or correct it with a credit note)",
                ),
            };
            return Err(AppError::conflict(
                Some("input.id"),
                format!(
                    "invoice {} is {status}; only drafts are {instead}",
                    draft.label()
                ),
            ));
        }
        let lines = InvoiceLine::of_invoices(conn, workspace_id, &[id]).await?;
        Ok(InvoiceRecord {
            invoice: draft,
            lines,
        })
    }

    async fn rewrite(
        conn: &mut AsyncPgConnection,
        current: &InvoiceRecord,
        patch: InvoicePatch,
    ) -> Result<InvoiceRecord, AppError> {
        let draft = &current.invoice;
        let (workspace_id, id) = (draft.workspace_id, draft.id);
        let input = patch.apply(draft, &current.lines);
        let valid = checked(conn, workspace_id, &input, "input").await?;
        let new = new_invoice(
            workspace_id,
            id,
            &valid,
            draft.kind(),
            draft.credited_invoice_id,
        );
        let invoice = Invoice::rewrite(conn, &new)
            .await
            .map_err(number_conflict)?;
        InvoiceLine::delete_of(conn, workspace_id, id).await?;
        let lines =
            InvoiceLine::insert_many(conn, &line_rows(workspace_id, id, &valid.lines)).await?;
        Ok(InvoiceRecord { invoice, lines })
    }

    async fn remove(conn: &mut AsyncPgConnection, current: &InvoiceRecord) -> Result<(), AppError> {
        let draft = &current.invoice;
        Invoice::delete(conn, draft.workspace_id, draft.id).await?;
        Ok(())
    }
}

/// `issueInvoice`: numbers the draft (unless it has a number), sets its dates, posts it to
/// the ledger and freezes it.
pub async fn issue(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    issue_date: Option<NaiveDate>,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<InvoiceRecord>, AppError> {
    let input = json!({ "id": id, "issueDate": issue_date, "expectedVersion": expected_version });
    let request = WriteRequest::crm("invoice.issue", Some(id), input, options);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let draft = locked(conn, workspace_id, id, expected_version, "input.id").await?;
            if draft.status() != InvoiceStatus::Draft {
                return Err(AppError::conflict(
                    Some("input.id"),
                    format!("invoice {} is already issued", draft.label()),
                ));
            }
            let lines = InvoiceLine::of_invoices(conn, workspace_id, &[id]).await?;
            let (record, events) = issue_draft(conn, draft.clone(), lines, issue_date).await?;
            Written::changed(id, &draft, record, events)
        }
        .boxed()
    })
    .await
}

/// Issues a locked draft in the caller's transaction.
pub(super) async fn issue_draft(
    conn: &mut AsyncPgConnection,
    draft: Invoice,
    lines: Vec<InvoiceLine>,
    issue_date: Option<NaiveDate>,
) -> Result<(InvoiceRecord, Vec<NewEvent>), AppError> {
    if lines.is_empty() {
        return Err(AppError::bad_input(
            "input.id",
            format!(
                "invoice {} has no lines; add some before issuing it",
                draft.label()
            ),
        ));
    }
    let workspace_id = draft.workspace_id;
    let kind = draft.kind();
    let issue_date = issue_date
        .or(draft.issue_date)
        .unwrap_or_else(|| Utc::now().date_naive());
    let due_date = rules::due_date(
        issue_date,
        draft.due_date,
        draft.payment_terms_days,
        "input.issueDate",
    )?;
    let number = match &draft.number {
        Some(number) => number.clone(),
        None => {
            let n = Invoice::next_number(conn, workspace_id, kind).await?;
            match kind {
                InvoiceKind::Invoice => format!("INV-{n:06}"),
                InvoiceKind::CreditNote => format!("CN-{n:06}"),
            }
        }
    };
    let preview = Invoice {
        number: Some(number.clone()),
        issue_date: Some(issue_date),
        ..draft.clone()
    };
    let mut events = Vec::new();
    let mut entry_id = None;
    if let Some(accounts) = posting::posting_accounts(conn, workspace_id).await? {
        if let Some(posted) =
            posting::post_issue(conn, &accounts, &preview, &lines, issue_date).await?
        {
            entry_id = Some(posted.entry_id);
            events.extend(posted.events);
        }
    }
    // A credit note is spent on its invoice the moment it is issued.
    let credited = match kind {
        InvoiceKind::Invoice => BigDecimal::zero(),
        InvoiceKind::CreditNote => draft.total.clone(),
    };
    let zero = BigDecimal::zero();
    let status = amounts::settled_status(kind, &draft.total, &zero, &credited);
    let issued = Invoice::issue(
        conn,
        workspace_id,
        draft.id,
        &InvoiceIssue {
            number,
            status: status.as_str(),
            issue_date,
            due_date,
            amount_due: amounts::amount_due(&draft.total, &zero, &credited),
            amount_credited: credited,
            journal_entry_id: entry_id,
        },
    )
    .await
    .map_err(number_conflict)?;
    events.insert(0, invoice_event(events::INVOICE_ISSUED, &issued)?);
    if status == InvoiceStatus::Paid {
        events.push(invoice_event(events::INVOICE_PAID, &issued)?);
    }
    Ok((
        InvoiceRecord {
            invoice: issued,
            lines,
        },
        events,
    ))
}

/// `voidInvoice`: cancels an invoice nothing was paid on or credited against, reversing its
/// issue's posting; on a credit note, undoes the credit (see `credit_note::void_note`).
pub async fn void(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    date: Option<NaiveDate>,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<InvoiceRecord>, AppError> {
    let input = json!({ "id": id, "date": date, "expectedVersion": expected_version });
    let request = WriteRequest::crm("invoice.void", Some(id), input, options);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = locked(conn, workspace_id, id, expected_version, "input.id").await?;
            let date = date.unwrap_or_else(|| Utc::now().date_naive());
            if before.kind() == InvoiceKind::CreditNote {
                return super::credit_note::void_note(conn, before, date).await;
            }
            let refuse = |why: String| Err(AppError::conflict(Some("input.id"), why));
            if before.status() == InvoiceStatus::Void {
                return refuse(format!("invoice {} is already void", before.label()));
            }
            let payments = Payment::of_invoices(conn, workspace_id, &[id]).await?;
            if !payments.is_empty() {
                return refuse(format!(
                    "invoice {} has payments and cannot be voided; issue a credit note instead",
                    before.label()
                ));
            }
            if !before.amount_credited.is_zero() {
                return refuse(format!(
                    "invoice {} has credit notes and cannot be voided; credit the rest instead",
                    before.label()
                ));
            }
            let mut events = Vec::new();
            if let Some(posted) = posting::post_void(conn, &before, date).await? {
                events.extend(posted.events);
            }
            let invoice = Invoice::void(conn, workspace_id, id).await?;
            events.insert(0, invoice_event(events::INVOICE_VOIDED, &invoice)?);
            let lines = InvoiceLine::of_invoices(conn, workspace_id, &[id]).await?;
            let record = InvoiceRecord { invoice, lines };
            Ok(Written {
                entity_id: id,
                before: Some(snapshot(&before)?),
                after: Some(snapshot(&record.invoice)?),
                events,
                value: record,
            })
        }
        .boxed()
    })
    .await
}

//! Payment operations through the write path: record a payment (against an invoice, or
//! unapplied as customer credit), refund one, apply a customer's credit to an invoice. The
//! invoice's amounts and status, the postings and the events follow in the same transaction.

use bigdecimal::{BigDecimal, Zero};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::draft::locked;
use super::posting;
use crate::auth::Actor;
use crate::billing::events::{self, invoice_event, payment_event};
use crate::billing::model::{Invoice, InvoiceAmountsUpdate, NewPayment, Payment, REFERENCE_UNIQUE};
use crate::billing::rules::{
    self, amounts, InvoiceKind, InvoiceStatus, PaymentInput, PaymentKind, PaymentMethod,
    PaymentSplit, RefundInput,
};
use crate::db::DbPool;
use crate::error::{unique_conflict, AppError};
use crate::events::NewEvent;
use crate::write::{self, snapshot, WriteOptions, WriteRequest, WriteResult, Written};

/// A payment as stored, its invoice after it, and whether it was already recorded (a
/// provider's reference seen before: nothing new was written).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentRecord {
    pub payment: Payment,
    pub invoice: Option<Invoice>,
    pub duplicate: bool,
}

/// `recordPayment`.
pub async fn record(
    pool: &DbPool,
    actor: &Actor,
    input: PaymentInput,
    options: WriteOptions,
) -> Result<WriteResult<PaymentRecord>, AppError> {
    let request = WriteRequest::crm(
        "payment.record",
        None,
        serde_json::to_value(&input)?,
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let valid = rules::validate_payment(&input, "input")?;
            if let (Some(provider), Some(reference)) =
                (&valid.provider, &valid.provider_reference_id)
            {
                if let Some(existing) =
                    already_recorded(conn, workspace_id, provider, reference).await?
                {
                    return Ok(existing);
                }
            }
            let (invoice, split, company_id, contact_id) = match input.invoice_id {
                Some(invoice_id) => {
                    let invoice = open_invoice(conn, workspace_id, invoice_id).await?;
                    if invoice.currency != valid.currency {
                        return Err(AppError::bad_input(
                            "input.currency",
                            format!(
                                "invoice {} is in {}; a payment in {} cannot go to it",
                                invoice.label(),
                                invoice.currency,
                                valid.currency
                            ),
                        ));
                    }
                    let split = PaymentSplit::of_payment(
                        &valid.amount,
                        Some(&invoice.amount_due),
                        input.as_credit,
                        "input.amount",
                    )?;
                    let (company, contact) = (invoice.company_id, invoice.contact_id);
                    (Some(invoice), split, company, contact)
                }
                None => {
                    check_customer(conn, workspace_id, input.company_id, input.contact_id).await?;
                    let split =
                        PaymentSplit::of_payment(&valid.amount, None, false, "input.amount")?;
                    (None, split, input.company_id, input.contact_id)
                }
            };
            let new = NewPayment {
                workspace_id,
                id: Uuid::now_v7(),
                kind: PaymentKind::Payment.as_str(),
                invoice_id: invoice.as_ref().map(|i| i.id),
                company_id,
                contact_id,
                currency: valid.currency,
                amount: valid.amount,
                applied_amount: split.applied,
                credit_amount: split.credit,
                paid_at: valid.paid_at,
                method: valid.method.as_str(),
                provider: valid.provider,
                provider_reference_id: valid.provider_reference_id,
                refunded_payment_id: None,
                memo: valid.memo,
                journal_entry_id: None,
            };
            let written = store(conn, new, invoice, events::PAYMENT_RECORDED).await?;
            Ok(written)
        }
        .boxed()
    })
    .await
}

/// `refundPayment`: money back on a payment, never more than it brought in. The invoice
/// part goes back first (the invoice is owed again), then the customer-credit part.
pub async fn refund(
    pool: &DbPool,
    actor: &Actor,
    input: RefundInput,
    options: WriteOptions,
) -> Result<WriteResult<PaymentRecord>, AppError> {
    let request = WriteRequest::crm(
        "payment.refund",
        Some(input.payment_id),
        serde_json::to_value(&input)?,
        options,
    );
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            // Locking the original serialises refunds of one payment.
            let original = Payment::find_for_update(conn, workspace_id, input.payment_id)
                .await?
                .ok_or_else(|| AppError::not_found_at("input.paymentId", "payment", input.payment_id))?;
            if original.kind() != PaymentKind::Payment {
                return Err(AppError::bad_input(
                    "input.paymentId",
                    format!("{} is a {}, not a payment; only payments are refunded", original.id, original.kind),
                ));
            }
            let reference = crate::validate::optional_text(
                "input.providerReferenceId",
                input.provider_reference_id.as_deref(),
                200,
            )?;
            if let Some(reference) = &reference {
                let Some(provider) = &original.provider else {
                    return Err(AppError::bad_input(
                        "input.providerReferenceId",
                        "the payment has no provider, so its refund has no provider reference",
                    ));
                };
                if let Some(existing) = already_recorded(conn, workspace_id, provider, reference).await? {
                    return Ok(existing);
                }
            }
            let refunds = Payment::refunds_of(conn, workspace_id, &[original.id]).await?;
            let applied_left = refunds
                .iter()
                .fold(original.applied_amount.clone(), |left, r| left + &r.applied_amount);
            let credit_left = refunds
                .iter()
                .fold(original.credit_amount.clone(), |left, r| left + &r.credit_amount);
            let amount = match &input.amount {
                Some(amount) => rules::validate_refund(amount, &original.currency, "input.amount")?,
                None => (&applied_left + &credit_left).normalized(),
            };
            if amount.is_zero() {
                return Err(AppError::conflict(
                    Some("input.paymentId"),
                    format!("payment {} is already refunded in full", original.id),
                ));
            }
            let split = rules::refund_split(&amount, &applied_left, &credit_left, "input.amount")?;
            if !split.credit.is_zero() {
                let customer = original.company_id.or(original.contact_id).unwrap_or(original.id);
                Payment::lock_customer(conn, customer).await?;
                let credit = Payment::customer_credit(
                    conn,
                    workspace_id,
                    original.company_id,
                    original.contact_id,
                    &original.currency,
                )
                .await?;
                if &credit + &split.credit < BigDecimal::zero() {
                    return Err(AppError::bad_input(
                        "input.amount",
                        format!(
                            "the customer's credit is {} {}; the rest of this payment was applied to invoices since",
                            credit.normalized(),
                            original.currency
                        ),
                    ));
                }
            }
            let invoice = match original.invoice_id {
                Some(id) => Some(locked(conn, workspace_id, id, None, "input.paymentId").await?),
                None => None,
            };
            let new = NewPayment {
                workspace_id,
                id: Uuid::now_v7(),
                kind: PaymentKind::Refund.as_str(),
                invoice_id: original.invoice_id,
                company_id: original.company_id,
                contact_id: original.contact_id,
                currency: original.currency.clone(),
                amount: -amount,
                applied_amount: split.applied,
                credit_amount: split.credit,
                paid_at: input.paid_at.unwrap_or_else(Utc::now),
                method: original.method().as_str(),
                provider: reference.as_ref().and(original.provider.clone()),
                provider_reference_id: reference,
                refunded_payment_id: Some(original.id),
                memo: input.memo.clone(),
                journal_entry_id: None,
            };
            store(conn, new, invoice, events::PAYMENT_REFUNDED).await
        }
        .boxed()
    })
    .await
}

/// `applyCustomerCredit`: moves the customer's credit onto an open invoice of theirs, up to
/// `amount` (all that fits when absent).
pub async fn apply_credit(
    pool: &DbPool,
    actor: &Actor,
    invoice_id: Uuid,
    amount: Option<BigDecimal>,
    options: WriteOptions,
) -> Result<WriteResult<PaymentRecord>, AppError> {
    let input = json!({ "invoiceId": invoice_id, "amount": amount });
    let request = WriteRequest::crm("payment.apply_credit", Some(invoice_id), input, options);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let invoice = open_invoice(conn, workspace_id, invoice_id).await?;
            let customer = invoice.company_id.or(invoice.contact_id).unwrap_or(invoice.id);
            Payment::lock_customer(conn, customer).await?;
            let credit = Payment::customer_credit(
                conn,
                workspace_id,
                invoice.company_id,
                invoice.contact_id,
                &invoice.currency,
            )
            .await?;
            let amount = match &amount {
                Some(amount) => rules::validate_refund(amount, &invoice.currency, "input.amount")?,
                None => credit.clone().min(invoice.amount_due.clone()).normalized(),
            };
            if amount.is_zero() || amount > credit || amount > invoice.amount_due {
                return Err(AppError::bad_input(
                    "input.amount",
                    format!(
                        "the customer has {} {} of credit and invoice {} has {} due; {} does not fit",
                        credit.normalized(),
                        invoice.currency,
                        invoice.label(),
                        invoice.amount_due.normalized(),
                        amount.normalized()
                    ),
                ));
            }
            let new = NewPayment {
                workspace_id,
                id: Uuid::now_v7(),
                kind: PaymentKind::CreditApplication.as_str(),
                invoice_id: Some(invoice.id),
                company_id: invoice.company_id,
                contact_id: invoice.contact_id,
                currency: invoice.currency.clone(),
                amount: BigDecimal::zero(),
                applied_amount: amount.clone(),
                credit_amount: -amount,
                paid_at: Utc::now(),
                method: PaymentMethod::CustomerCredit.as_str(),
                provider: None,
                provider_reference_id: None,
                refunded_payment_id: None,
                memo: None,
                journal_entry_id: None,
            };
            store(conn, new, Some(invoice), events::PAYMENT_RECORDED).await
        }
        .boxed()
    })
    .await
}

/// The payment a provider already reported under `reference`, as the write's result (with
/// its invoice as it is now); the advisory lock makes a concurrent twin wait for this one.
async fn already_recorded(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    provider: &str,
    reference: &str,
) -> Result<Option<Written<PaymentRecord>>, AppError> {
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 12))")
            .bind::<diesel::sql_types::Text, _>(provider)
            .bind::<diesel::sql_types::Text, _>(reference),
        conn,
    )
    .await?;
    let Some(payment) = Payment::by_reference(conn, workspace_id, provider, reference).await?
    else {
        return Ok(None);
    };
    let invoice = match payment.invoice_id {
        Some(id) => Invoice::find(conn, workspace_id, id).await?,
        None => None,
    };
    Ok(Some(Written {
        entity_id: payment.id,
        before: None,
        after: None,
        events: Vec::new(),
        value: PaymentRecord {
            payment,
            invoice,
            duplicate: true,
        },
    }))
}

/// The invoice a payment goes to, locked: issued and not void.
async fn open_invoice(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    id: Uuid,
) -> Result<Invoice, AppError> {
    let invoice = locked(conn, workspace_id, id, None, "input.invoiceId").await?;
    if invoice.kind() != InvoiceKind::Invoice {
        return Err(AppError::bad_input(
            "input.invoiceId",
            format!(
                "{} is a credit note; payments go to invoices",
                invoice.label()
            ),
        ));
    }
    if matches!(invoice.status(), InvoiceStatus::Draft | InvoiceStatus::Void) {
        return Err(AppError::conflict(
            Some("input.invoiceId"),
            format!(
                "invoice {} is {}; payments go to issued invoices only",
                invoice.label(),
                invoice.status
            ),
        ));
    }
    Ok(invoice)
}

/// An unapplied payment's customer: given, and in the workspace.
async fn check_customer(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    company_id: Option<Uuid>,
    contact_id: Option<Uuid>,
) -> Result<(), AppError> {
    if company_id.is_none() && contact_id.is_none() {
        return Err(AppError::bad_input(
            "input.companyId",
            "a payment without an invoice is the customer's credit: give a companyId or contactId",
        ));
    }
    for (field, entity, table, id) in [
        ("input.companyId", "company", "companies", company_id),
        ("input.contactId", "contact", "contacts", contact_id),
    ] {
        let Some(id) = id else { continue };
        if crate::db::holder::table_holding(conn, workspace_id, id, &[table])
            .await?
            .is_none()
        {
            return Err(AppError::not_found_at(field, entity, id));
        }
    }
    Ok(())
}

/// Posts, stores the payment row, moves its invoice's amounts and status, and gathers the
/// events.
async fn store(
    conn: &mut AsyncPgConnection,
    mut new: NewPayment,
    invoice: Option<Invoice>,
    event: crate::events::EventKind,
) -> Result<Written<PaymentRecord>, AppError> {
    let mut posted_events: Vec<NewEvent> = Vec::new();
    if let Some(accounts) = posting::posting_accounts(conn, new.workspace_id).await? {
        if let Some(posted) = posting::post_payment(conn, &accounts, &new, invoice.as_ref()).await?
        {
            new.journal_entry_id = Some(posted.entry_id);
            posted_events = posted.events;
        }
    }
    let payment = Payment::insert(conn, &new).await.map_err(|err| {
        unique_conflict(
            err,
            &[(
                REFERENCE_UNIQUE,
                "input.providerReferenceId",
                "this provider reference is already recorded",
            )],
        )
    })?;
    let mut events = vec![payment_event(event, &payment)?];
    let before = invoice.as_ref().map(snapshot).transpose()?;
    let invoice = match invoice {
        Some(invoice) if !payment.applied_amount.is_zero() => {
            let paid = &invoice.amount_paid + &payment.applied_amount;
            let status = amounts::settled_status(
                InvoiceKind::Invoice,
                &invoice.total,
                &paid,
                &invoice.amount_credited,
            );
            let after = Invoice::set_amounts(
                conn,
                invoice.workspace_id,
                invoice.id,
                &InvoiceAmountsUpdate {
                    status: status.as_str(),
                    amount_due: amounts::amount_due(
                        &invoice.total,
                        &paid,
                        &invoice.amount_credited,
                    ),
                    amount_paid: paid,
                    amount_credited: invoice.amount_credited.clone(),
                },
            )
            .await?;
            if status == InvoiceStatus::Paid && invoice.status() != InvoiceStatus::Paid {
                events.push(invoice_event(events::INVOICE_PAID, &after)?);
            }
            Some(after)
        }
        other => other,
    };
    events.extend(posted_events);
    let record = PaymentRecord {
        payment,
        invoice,
        duplicate: false,
    };
    Ok(Written {
        entity_id: record.payment.id,
        before,
        after: Some(snapshot(&record)?),
        events,
        value: record,
    })
}

//! Billing's automatic postings to the ledger, in the caller's transaction: issuing an
//! invoice debits receivable and credits revenue per line (and sales tax); a credit note
//! posts the mirror; voiding reverses the issue's entry; a payment debits cash, bank or
//! undeposited funds by method and credits receivable (and customer credit for the excess);
//! applying credit moves it from the customer-credit liability to receivable; a refund posts
//! the mirror of its share of the payment. Every line links its invoice or payment, deal and
//! customer. Accounts come from the workspace's billing settings, else the default chart.

use std::collections::HashMap;

use bigdecimal::{BigDecimal, Zero};
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::billing::model::{BillingSettings, Invoice, InvoiceLine, NewPayment};
use crate::billing::rules::{InvoiceKind, LineKind, PaymentKind, PaymentMethod, PostingPurpose};
use crate::error::AppError;
use crate::events::NewEvent;
use crate::ledger::chart::{self, Role};
use crate::ledger::model::{JournalEntry, JournalLine};
use crate::ledger::ops::{self as ledger, EntryInput, EntryStatus, LineInput, SourceLinks};

/// The accounts billing posts to.
#[derive(Debug, Clone)]
pub struct PostingAccounts {
    pub receivable: Uuid,
    pub services_revenue: Uuid,
    pub product_revenue: Uuid,
    pub sales_tax: Uuid,
    pub customer_credit: Uuid,
    pub cash: Uuid,
    pub bank: Uuid,
    pub undeposited: Uuid,
}

/// The accounts to post to, or None when the workspace turned automatic postings off.
pub async fn posting_accounts(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
) -> Result<Option<PostingAccounts>, AppError> {
    let settings = BillingSettings::find(conn, workspace_id)
        .await?
        .unwrap_or_else(|| BillingSettings::defaults(workspace_id));
    if !settings.values.auto_post {
        return Ok(None);
    }
    let accounts = accounts_used(conn, &settings).await?;
    let pick = |purpose: PostingPurpose| -> Result<Uuid, AppError> {
        accounts.get(&purpose).copied().ok_or_else(|| {
            AppError::conflict(
                None,
                format!(
                    "the workspace has no {} account for billing to post to",
                    purpose.role().as_str()
                ),
            )
        })
    };
    Ok(Some(PostingAccounts {
        receivable: pick(PostingPurpose::Receivable)?,
        services_revenue: pick(PostingPurpose::ServicesRevenue)?,
        product_revenue: pick(PostingPurpose::ProductRevenue)?,
        sales_tax: pick(PostingPurpose::SalesTax)?,
        customer_credit: pick(PostingPurpose::CustomerCredit)?,
        cash: pick(PostingPurpose::Cash)?,
        bank: pick(PostingPurpose::Bank)?,
        undeposited: pick(PostingPurpose::UndepositedFunds)?,
    }))
}

/// The account each purpose posts to: the one `settings` chose, else the default chart's
/// account of its role (absent when the workspace deleted that one).
pub async fn accounts_used(
    conn: &mut AsyncPgConnection,
    settings: &BillingSettings,
) -> Result<HashMap<PostingPurpose, Uuid>, AppError> {
    let by_role: HashMap<Role, Uuid> = chart::accounts_by_role(conn, settings.workspace_id)
        .await?
        .into_iter()
        .map(|(role, account)| (role, account.id))
        .collect();
    Ok(PostingPurpose::ALL
        .iter()
        .filter_map(|&purpose| {
            let id = settings
                .account(purpose)
                .or_else(|| by_role.get(&purpose.role()).copied())?;
            Some((purpose, id))
        })
        .collect())
}

/// A posted entry's id and the events its posting publishes.
pub struct Posted {
    pub entry_id: Uuid,
    pub events: Vec<NewEvent>,
}

fn invoice_links(invoice: &Invoice) -> SourceLinks {
    SourceLinks {
        invoice_id: Some(invoice.id),
        payment_id: None,
        deal_id: invoice.deal_id,
        contact_id: invoice.contact_id,
        company_id: invoice.company_id,
    }
}

/// A line on `account`: a debit when `amount` is positive, a credit when negative.
fn signed(
    account_id: Uuid,
    currency: &str,
    amount: &BigDecimal,
    description: String,
    links: SourceLinks,
) -> Option<LineInput> {
    if amount.is_zero() {
        return None;
    }
    let (debit, credit) = if amount > &BigDecimal::zero() {
        (Some(amount.clone()), None)
    } else {
        (None, Some(-amount.clone()))
    };
    Some(LineInput {
        account_id,
        currency: currency.to_owned(),
        debit,
        credit,
        description: Some(description),
        links,
    })
}

async fn post(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    date: NaiveDate,
    memo: String,
    lines: Vec<LineInput>,
) -> Result<Option<Posted>, AppError> {
    if lines.len() < 2 {
        return Ok(None);
    }
    let input = EntryInput {
        date,
        memo: Some(memo),
        lines,
    };
    let recorded = ledger::post_entry(conn, workspace_id, &input, "posting").await?;
    Ok(Some(Posted {
        entry_id: recorded.entry.entry.id,
        events: recorded.events,
    }))
}

/// Issuing an invoice (Dr receivable, Cr revenue per line, Cr sales tax) or a credit note
/// (the mirror). Nothing for a zero total.
pub async fn post_issue(
    conn: &mut AsyncPgConnection,
    accounts: &PostingAccounts,
    invoice: &Invoice,
    lines: &[InvoiceLine],
    date: NaiveDate,
) -> Result<Option<Posted>, AppError> {
    // Credit notes take from what the customer owes: every side turns over.
    let sign = match invoice.kind() {
        InvoiceKind::Invoice => BigDecimal::from(1),
        InvoiceKind::CreditNote => BigDecimal::from(-1),
    };
    let label = invoice.label();
    let links = invoice_links(invoice);
    let currency = &invoice.currency;
    let mut entry = Vec::with_capacity(lines.len() + 2);
    entry.extend(signed(
        accounts.receivable,
        currency,
        &(&invoice.total * &sign),
        format!("{label}: receivable"),
        links,
    ));
    for line in lines {
        let revenue = line.revenue_account_id.unwrap_or(match line.kind() {
            LineKind::Service => accounts.services_revenue,
            LineKind::Product => accounts.product_revenue,
        });
        entry.extend(signed(
            revenue,
            currency,
            &-(&line.subtotal * &sign),
            format!("{label}: {}", line.name),
            links,
        ));
    }
    entry.extend(signed(
        accounts.sales_tax,
        currency,
        &-(&invoice.tax_total * &sign),
        format!("{label}: sales tax"),
        links,
    ));
    let memo = match invoice.kind() {
        InvoiceKind::Invoice => format!("Invoice {label} issued"),
        InvoiceKind::CreditNote => format!("Credit note {label} issued"),
    };
    post(conn, invoice.workspace_id, date, memo, entry).await
}

/// Voiding: the reversal of the issue's entry, linked to it.
pub async fn post_void(
    conn: &mut AsyncPgConnection,
    invoice: &Invoice,
    date: NaiveDate,
) -> Result<Option<Posted>, AppError> {
    let Some(entry_id) = invoice.journal_entry_id else {
        return Ok(None);
    };
    let workspace_id = invoice.workspace_id;
    let lines = JournalLine::of_entries(conn, workspace_id, &[entry_id]).await?;
    let number = JournalEntry::find(conn, workspace_id, entry_id)
        .await?
        .and_then(|e| e.number)
        .unwrap_or_default();
    let mirror = EntryInput {
        date,
        memo: Some(format!(
            "Invoice {} voided: reversal of journal entry {number}",
            invoice.label()
        )),
        lines: crate::ledger::rules::mirrored(&lines),
    };
    let recorded = ledger::record_entry(
        conn,
        workspace_id,
        &mirror,
        EntryStatus::Posted,
        Some(entry_id),
        "posting",
    )
    .await?;
    let mut events = recorded.events;
    events.push(NewEvent::new(
        crate::ledger::events::JOURNAL_ENTRY_REVERSED,
        entry_id,
        &serde_json::json!({
            "entryId": entry_id,
            "number": number,
            "reversalId": recorded.entry.entry.id,
            "reversalNumber": recorded.entry.entry.number,
            "reversalDate": recorded.entry.entry.entry_date,
        }),
    )?);
    Ok(Some(Posted {
        entry_id: recorded.entry.entry.id,
        events,
    }))
}

/// A payment, refund or credit application: money in (or out) on the method's account,
/// the applied part against receivable, the credit part on the customer-credit liability.
pub async fn post_payment(
    conn: &mut AsyncPgConnection,
    accounts: &PostingAccounts,
    payment: &NewPayment,
    invoice: Option<&Invoice>,
) -> Result<Option<Posted>, AppError> {
    let method = PaymentMethod::parse(payment.method).unwrap_or(PaymentMethod::Other);
    let money_account = match method {
        PaymentMethod::Cash => accounts.cash,
        PaymentMethod::Check => accounts.undeposited,
        PaymentMethod::CustomerCredit => accounts.customer_credit,
        PaymentMethod::BankTransfer | PaymentMethod::Card | PaymentMethod::Other => accounts.bank,
    };
    let links = SourceLinks {
        invoice_id: payment.invoice_id,
        payment_id: Some(payment.id),
        deal_id: invoice.and_then(|i| i.deal_id),
        contact_id: payment.contact_id,
        company_id: payment.company_id,
    };
    let about = invoice
        .map(|i| format!("invoice {}", i.label()))
        .unwrap_or_else(|| "customer credit".to_owned());
    let currency = &payment.currency;
    let mut lines = Vec::with_capacity(3);
    // A credit application moves credit (a debit to the liability) onto the invoice.
    let money = if method == PaymentMethod::CustomerCredit {
        payment.applied_amount.clone()
    } else {
        payment.amount.clone()
    };
    let credit_side = if method == PaymentMethod::CustomerCredit {
        BigDecimal::zero()
    } else {
        payment.credit_amount.clone()
    };
    lines.extend(signed(
        money_account,
        currency,
        &money,
        format!("{}: {about}", payment.method),
        links,
    ));
    lines.extend(signed(
        accounts.receivable,
        currency,
        &-payment.applied_amount.clone(),
        format!("receivable: {about}"),
        links,
    ));
    lines.extend(signed(
        accounts.customer_credit,
        currency,
        &-credit_side,
        format!("customer credit: {about}"),
        links,
    ));
    let memo = match PaymentKind::parse(payment.kind) {
        Some(PaymentKind::Refund) => format!("Refund for {about}"),
        Some(PaymentKind::CreditApplication) => format!("Customer credit applied to {about}"),
        _ => format!("Payment for {about}"),
    };
    post(
        conn,
        payment.workspace_id,
        payment.paid_at.date_naive(),
        memo,
        lines,
    )
    .await
}

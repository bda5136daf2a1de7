//! What the invoice operations share: the locked invoice, a draft's input checked against
//! the workspace (currency, references, revenue accounts), and its rows.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::billing::model::{Invoice, InvoiceLine, NewInvoice, NUMBER_UNIQUE};
use crate::billing::rules::{self, InvoiceInput, InvoiceKind, ValidInvoice, ValidLine};
use crate::deals::model::Deal;
use crate::error::{unique_conflict, AppError};
use crate::ledger::model::AccountingAccount;
use crate::ledger::rules::AccountType;

pub(super) fn number_conflict(err: diesel::result::Error) -> AppError {
    unique_conflict(
        err,
        &[(
            NUMBER_UNIQUE,
            "input.number",
            "another invoice of this workspace has this number",
        )],
    )
}

/// The invoice, locked for this transaction, at the version the caller expects.
pub(super) async fn locked(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    id: Uuid,
    expected_version: Option<i32>,
    field: &str,
) -> Result<Invoice, AppError> {
    let invoice = Invoice::find_for_update(conn, workspace_id, id)
        .await?
        .ok_or_else(|| AppError::not_found_at(field, "invoice", id))?;
    crate::validate::expected_version(expected_version, invoice.version, "invoice", id)?;
    Ok(invoice)
}

/// Resolves the currency (the caller's, else the deal's, else the workspace's), checks what
/// the invoice refers to, and checks it by the rules.
pub(super) async fn checked(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    input: &InvoiceInput,
    prefix: &str,
) -> Result<ValidInvoice, AppError> {
    let deal = match input.deal_id {
        Some(id) => Some(
            Deal::find(conn, workspace_id, id)
                .await?
                .ok_or_else(|| AppError::not_found_at(&format!("{prefix}.dealId"), "deal", id))?,
        ),
        None => None,
    };
    let currency = match (&input.currency, &deal) {
        (Some(code), _) => crate::money::currency(&format!("{prefix}.currency"), code)?,
        (None, Some(deal)) => deal.currency.trim().to_owned(),
        (None, None) => crate::auth::model::Workspace::find(conn, workspace_id)
            .await?
            .default_currency
            .trim()
            .to_owned(),
    };
    let valid = rules::validate_invoice(input, &currency, prefix)?;
    for (field, entity, table, id) in [
        ("companyId", "company", "companies", valid.company_id),
        ("contactId", "contact", "contacts", valid.contact_id),
        ("leadId", "lead", "leads", valid.lead_id),
    ] {
        let Some(id) = id else { continue };
        if crate::db::holder::table_holding(conn, workspace_id, id, &[table])
            .await?
            .is_none()
        {
            return Err(AppError::not_found_at(
                &format!("{prefix}.{field}"),
                entity,
                id,
            ));
        }
    }
    check_revenue_accounts(conn, workspace_id, &valid.lines, prefix).await?;
    Ok(valid)
}

/// Each line's revenue account, when given, is an open revenue account of the workspace.
pub(super) async fn check_revenue_accounts(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    lines: &[ValidLine],
    prefix: &str,
) -> Result<(), AppError> {
    let ids: Vec<Uuid> = lines.iter().filter_map(|l| l.revenue_account_id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let accounts = AccountingAccount::find_many(conn, workspace_id, &ids).await?;
    for (i, line) in lines.iter().enumerate() {
        let Some(id) = line.revenue_account_id else {
            continue;
        };
        let field = format!("{prefix}.lines[{i}].revenueAccountId");
        match accounts.iter().find(|a| a.id == id) {
            None => {
                return Err(AppError::bad_input(
                    field,
                    format!("this workspace has no accounting account {id}"),
                ))
            }
            Some(a) if a.is_archived() || a.account_type() != AccountType::Revenue => {
                return Err(AppError::bad_input(
                    field,
                    format!(
                        "account {} ({}) is not an open revenue account",
                        a.code, a.name
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

pub(super) fn new_invoice(
    workspace_id: Uuid,
    id: Uuid,
    valid: &ValidInvoice,
    kind: InvoiceKind,
    credited_invoice_id: Option<Uuid>,
) -> NewInvoice {
    NewInvoice {
        workspace_id,
        id,
        number: valid.number.clone(),
        kind: kind.as_str(),
        credited_invoice_id,
        company_id: valid.company_id,
        contact_id: valid.contact_id,
        deal_id: valid.deal_id,
        lead_id: valid.lead_id,
        currency: valid.currency.clone(),
        issue_date: valid.issue_date,
        due_date: valid.due_date,
        payment_terms_days: valid.payment_terms_days,
        memo: valid.memo.clone(),
        subtotal: valid.amounts.subtotal.clone(),
        tax_total: valid.amounts.tax_total.clone(),
        total: valid.amounts.total.clone(),
        amount_due: valid.amounts.total.clone(),
    }
}

pub(super) fn line_rows(
    workspace_id: Uuid,
    invoice_id: Uuid,
    lines: &[ValidLine],
) -> Vec<InvoiceLine> {
    lines
        .iter()
        .map(|line| InvoiceLine {
            workspace_id,
            id: Uuid::now_v7(),
            invoice_id,
            line_no: line.line_no,
            kind: line.kind.as_str().to_owned(),
            name: line.name.clone(),
            description: line.description.clone(),
            quantity: line.quantity.clone(),
            unit_amount: line.unit_amount.clone(),
            discount: line.discount.clone(),
            tax_rate: line.tax_rate.clone(),
            service_period_start: line.service_period_start,
            service_period_end: line.service_period_end,
            revenue_account_id: line.revenue_account_id,
            subtotal: line.amounts.subtotal.clone(),
            tax: line.amounts.tax.clone(),
            total: line.amounts.total.clone(),
        })
        .collect()
}

//! GraphQL for billing: invoices and credit notes, payments, refunds and customer credit,
//! and the invoice fields of deals, companies and contacts.

mod inputs;
pub mod loaders;
mod payloads;
mod settings;
pub mod types;

use async_graphql::{Context, Object, ID};
use async_trait::async_trait;
use uuid::Uuid;

pub use self::inputs::{
    ApplyCustomerCreditInput, CreateCreditNoteInput, CreateInvoiceInput, DeleteInvoiceInput,
    InvoiceFilterInput, IssueInvoiceInput, PaymentFilterInput, RecordPaymentInput,
    RefundPaymentInput, UpdateInvoiceInput, VoidInvoiceInput,
};
pub use self::loaders::{register as register_loaders, InvoiceLoader, PaymentLoader};
pub use self::payloads::{CreditNotePayload, InvoicePayload, PaymentPayload};
pub use self::settings::{BillingSettingsGql, BillingSettingsPayload, UpdateBillingSettingsInput};
pub use self::types::{InvoiceConnection, InvoiceGql, MoneyGql, PaymentConnection, PaymentGql};
use super::{actor, loaders as registry, parse_id, pool};
use crate::billing::ops::{self, CreditNoteRecord, InvoiceParent, InvoiceRecord, PaymentRecord};
use crate::billing::{InvoicesOrder, PaymentsOrder};
use crate::error::AppError;
use crate::graphql::mutation::{mutate, Kept, Target};
use crate::graphql::pagination::Page;
use crate::write::draft;

/// The names billing's lists' cursors carry.
const INVOICES_LIST: &str = "invoices";
const PAYMENTS_LIST: &str = "payments";

#[derive(Default)]
pub struct BillingQuery;

#[Object]
impl BillingQuery {
    /// Invoices and credit notes, newest first. Needs `crm:read`.
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        filter: Option<InvoiceFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<InvoiceConnection> {
        let page = Page::forward(ctx, INVOICES_LIST, InvoicesOrder, first, after)?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let listing = ops::invoices(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        prefetch(ctx, &listing.rows).await?;
        Ok(page.connection(listing, InvoiceGql::from))
    }

    /// An invoice (or credit note) by id; null if none. Needs `crm:read`.
    async fn invoice(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<InvoiceGql>> {
        let id = parse_id(&id, "id")?;
        let invoice = ops::invoice(pool(ctx)?, actor(ctx)?, id).await?;
        Ok(invoice.map(Into::into))
    }

    /// Whether billing posts to the ledger, and the accounts it posts to. Needs `crm:read`.
    async fn billing_settings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<BillingSettingsGql> {
        Ok(BillingSettingsGql(
            ops::settings(pool(ctx)?, actor(ctx)?).await?,
        ))
    }

    /// Payments, refunds and credit applications, newest first. Needs `crm:read`.
    async fn payments(
        &self,
        ctx: &Context<'_>,
        filter: Option<PaymentFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<PaymentConnection> {
        let page = Page::forward(ctx, PAYMENTS_LIST, PaymentsOrder, first, after)?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let listing = ops::payments(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        Ok(page.connection(listing, PaymentGql))
    }
}

/// `invoices(…)`: what the page's invoices will ask for (lines, payments, credit notes,
/// customer, deal and its amounts), loaded in one batch per loader before they resolve, so
/// the statement count depends on the query's shape, never on how many invoices it returns.
async fn prefetch(
    ctx: &Context<'_>,
    rows: &[crate::billing::model::Invoice],
) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let node = ctx.look_ahead().field("edges").field("node");
    let ids: Vec<Uuid> = rows.iter().map(|i| i.id).collect();
    let unique = |mut ids: Vec<Uuid>| {
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    if node.field("lines").exists() {
        registry::get::<loaders::InvoiceLinesLoader>(ctx)?
            .load_many(ids.clone())
            .await?;
    }
    if node.field("payments").exists() {
        registry::get::<loaders::InvoicePaymentsLoader>(ctx)?
            .load_many(ids.clone())
            .await?;
    }
    if node.field("creditNotes").exists() {
        registry::get::<loaders::CreditNotesLoader>(ctx)?
            .load_many(ids)
            .await?;
    }
    if node.field("company").exists() {
        let companies = unique(rows.iter().filter_map(|i| i.company_id).collect());
        registry::get::<crate::graphql::contacts::CompanyLoader>(ctx)?
            .load_many(companies)
            .await?;
    }
    let deal = node.field("deal");
    if deal.exists() {
        let deals = unique(rows.iter().filter_map(|i| i.deal_id).collect());
        registry::get::<crate::graphql::deals::DealLoader>(ctx)?
            .load_many(deals.clone())
            .await?;
        if deal.field("invoicedAmount").exists() || deal.field("paidAmount").exists() {
            registry::get::<loaders::DealBillingLoader>(ctx)?
                .load_many(deals)
                .await?;
        }
    }
    Ok(())
}

#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// A draft invoice. Needs `crm:write`.
    async fn create_invoice(
        &self,
        ctx: &Context<'_>,
        input: CreateInvoiceInput,
    ) -> async_graphql::Result<InvoicePayload> {
        let (input, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| ops::create(pool, actor, input, options)).await
    }

    /// Changes a draft (CONFLICT once issued: correct it with a credit note). Needs
    /// `crm:write`.
    async fn update_invoice(
        &self,
        ctx: &Context<'_>,
        input: UpdateInvoiceInput,
    ) -> async_graphql::Result<InvoicePayload> {
        mutate(
            ctx,
            input.into_parts()?.through(draft::update::<InvoiceRecord>),
        )
        .await
    }

    /// Deletes a draft and its lines, and returns it; an issued invoice is CONFLICT (void
    /// it, or correct it with a credit note). Needs `crm:write`.
    async fn delete_invoice(
        &self,
        ctx: &Context<'_>,
        input: DeleteInvoiceInput,
    ) -> async_graphql::Result<InvoicePayload> {
        let delete = Target::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, delete.through(draft::delete::<InvoiceRecord>)).await
    }

    /// Issues a draft: numbers it, posts it to the ledger and freezes it. Needs `crm:write`.
    async fn issue_invoice(
        &self,
        ctx: &Context<'_>,
        input: IssueInvoiceInput,
    ) -> async_graphql::Result<InvoicePayload> {
        let target = Target::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, target.through_with(input.issue_date, ops::issue)).await
    }

    /// Voids an invoice with no payments or credit notes, reversing its issue's posting. On
    /// a credit note: reverses its posting and its invoice owes the credited amount again,
    /// unless money was applied to that invoice after the note (CONFLICT). Needs `crm:write`.
    async fn void_invoice(
        &self,
        ctx: &Context<'_>,
        input: VoidInvoiceInput,
    ) -> async_graphql::Result<InvoicePayload> {
        let target = Target::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, target.through_with(input.date, ops::void)).await
    }

    /// Issues a credit note against an open invoice: more than zero and at most its amount
    /// due (else BAD_USER_INPUT on `input.lines`; money already paid goes back by
    /// refundPayment). Needs `crm:write`.
    async fn create_credit_note(
        &self,
        ctx: &Context<'_>,
        input: CreateCreditNoteInput,
    ) -> async_graphql::Result<CreditNotePayload> {
        let (input, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| {
            ops::credit_note(pool, actor, input, options)
        })
        .await
    }

    /// Records money received, against an invoice or as customer credit. Needs
    /// `crm:write`.
    async fn record_payment(
        &self,
        ctx: &Context<'_>,
        input: RecordPaymentInput,
    ) -> async_graphql::Result<PaymentPayload> {
        let (input, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| ops::record(pool, actor, input, options)).await
    }

    /// Gives money back on a payment, never more than it brought in. Needs `crm:write`.
    async fn refund_payment(
        &self,
        ctx: &Context<'_>,
        input: RefundPaymentInput,
    ) -> async_graphql::Result<PaymentPayload> {
        let (input, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| ops::refund(pool, actor, input, options)).await
    }

    /// Turns automatic postings on or off and chooses the accounts billing posts to (each an
    /// open account of the type its purpose needs). Needs `crm:write`, like the chart of
    /// accounts.
    async fn update_billing_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateBillingSettingsInput,
    ) -> async_graphql::Result<BillingSettingsPayload> {
        let (patch, expected_version, options) = input.into_parts()?;
        let result =
            ops::update_settings(pool(ctx)?, actor(ctx)?, patch, expected_version, options).await?;
        Ok(result.into())
    }

    /// Applies the invoice's customer's credit to it. Needs `crm:write`.
    async fn apply_customer_credit(
        &self,
        ctx: &Context<'_>,
        input: ApplyCustomerCreditInput,
    ) -> async_graphql::Result<PaymentPayload> {
        let id = parse_id(&input.invoice_id, "input.invoiceId")?;
        let (amount, options) = (input.amount.map(|a| a.0), input.options);
        mutate(ctx, |pool, actor| {
            ops::apply_credit(pool, actor, id, amount, options.into())
        })
        .await
    }
}

/// Drops the request's cached billing rows after a write changed some.
fn forget(ctx: &Context<'_>) -> Result<(), AppError> {
    registry::get::<InvoiceLoader>(ctx)?.clear::<Uuid>();
    registry::get::<loaders::InvoicePaymentsLoader>(ctx)?.clear::<Uuid>();
    registry::get::<loaders::CreditNotesLoader>(ctx)?.clear::<Uuid>();
    registry::get::<loaders::RefundsLoader>(ctx)?.clear::<Uuid>();
    registry::get::<loaders::LinkedInvoicesLoader>(ctx)?.clear::<loaders::LinkedInvoicesKey>();
    registry::get::<loaders::DealBillingLoader>(ctx)?.clear::<Uuid>();
    Ok(())
}

/// An invoice write (a delete too) drops billing's cached rows and keeps the invoice's lines.
#[async_trait]
impl Kept for InvoiceRecord {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        forget(ctx)?;
        registry::get::<loaders::InvoiceLinesLoader>(ctx)?
            .feed_one(self.invoice.id, self.lines.clone())
            .await;
        Ok(())
    }
}

#[async_trait]
impl Kept for CreditNoteRecord {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        forget(ctx)
    }
}

#[async_trait]
impl Kept for PaymentRecord {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        forget(ctx)
    }
}

/// `Deal.invoices`, `Company.invoices`, `Contact.invoices`: one page of a record's
/// invoices, newest first, through the loader every record of a list shares.
pub async fn linked_invoices(
    ctx: &Context<'_>,
    parent: InvoiceParent,
    parent_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<InvoiceConnection> {
    let page = Page::forward(ctx, INVOICES_LIST, InvoicesOrder, first, after)?;
    let after = page.window.after_time();
    let key = loaders::LinkedInvoicesKey {
        parent,
        parent_id,
        after,
        limit: page.window.fetch_limit(),
    };
    let listing = registry::get::<loaders::LinkedInvoicesLoader>(ctx)?
        .load_one(key)
        .await?
        .unwrap_or_default();
    Ok(page.connection(listing, InvoiceGql::from))
}

/// `Deal.invoicedAmount` (`paid: false`) and `Deal.paidAmount` (`paid: true`): per
/// currency, issued invoices less credit notes, or what was paid on them.
pub async fn deal_amounts(
    ctx: &Context<'_>,
    deal_id: Uuid,
    paid: bool,
) -> async_graphql::Result<Vec<MoneyGql>> {
    let rows = registry::get::<loaders::DealBillingLoader>(ctx)?
        .load_one(deal_id)
        .await?
        .unwrap_or_default();
    Ok(rows
        .iter()
        .map(|row| MoneyGql::of(if paid { &row.paid } else { &row.invoiced }, &row.currency))
        .collect())
}

//! Dataloaders for billing, scoped to the caller's workspace: one statement per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::billing::model::{DealBilling, Invoice, InvoiceLine, Payment};
use crate::billing::ops::{self, InvoiceParent};
use crate::db::page::Listing;
use crate::error::AppError;
use crate::graphql::loaders::{children_by, find_by_id, ById, Loaders, Scope};

find_by_id!(Invoice, Payment);

/// Invoices by id (`node`, a payment's invoice, a credit note's invoice).
pub type InvoiceLoader = ById<Invoice>;
/// Payments by id (`node`, a refund's payment).
pub type PaymentLoader = ById<Payment>;

children_by! {
    /// An invoice's lines, in line order.
    LinesOfInvoice, InvoiceLinesLoader: InvoiceLine = InvoiceLine::of_invoices, by invoice_id;
    /// An invoice's payments, refunds and credit applications, oldest first.
    PaymentsOfInvoice, InvoicePaymentsLoader: Payment = Payment::of_invoices, by invoice_id;
    /// The credit notes of an invoice.
    CreditNotesOfInvoice, CreditNotesLoader: Invoice = Invoice::credit_notes_of, by credited_invoice_id;
    /// The refunds of a payment.
    RefundsOfPayment, RefundsLoader: Payment = Payment::refunds_of, by refunded_payment_id;
}

/// One page of a record's invoices: `Deal.invoices`, `Company.invoices`, `Contact.invoices`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkedInvoicesKey {
    pub parent: InvoiceParent,
    pub parent_id: Uuid,
    /// The `(created_at, id)` of the last invoice already seen.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

pub struct LinkedInvoicesLoader(pub Scope);

type PageOf = (InvoiceParent, Option<(DateTime<Utc>, Uuid)>, i64);

impl Loader<LinkedInvoicesKey> for LinkedInvoicesLoader {
    type Value = Listing<Invoice>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[LinkedInvoicesKey],
    ) -> Result<HashMap<LinkedInvoicesKey, Listing<Invoice>>, AppError> {
        let mut same_page: HashMap<PageOf, Vec<Uuid>> = HashMap::new();
        for key in keys {
            same_page
                .entry((key.parent, key.after, key.limit))
                .or_default()
                .push(key.parent_id);
        }
        let mut pages = HashMap::with_capacity(keys.len());
        for ((parent, after, limit), parent_ids) in same_page {
            let listings = ops::invoices_of(
                &self.0.pool,
                self.0.workspace_id,
                parent,
                &parent_ids,
                after,
                limit,
            )
            .await?;
            for (parent_id, listing) in listings {
                let key = LinkedInvoicesKey {
                    parent,
                    parent_id,
                    after,
                    limit,
                };
                pages.insert(key, listing);
            }
        }
        Ok(pages)
    }
}

/// A deal's invoiced and paid amounts per currency (`Deal.invoicedAmount`, `paidAmount`).
pub struct DealBillingLoader(pub Scope);

impl Loader<Uuid> for DealBillingLoader {
    type Value = Vec<DealBilling>;
    type Error = AppError;

    async fn load(&self, deal_ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<DealBilling>>, AppError> {
        let rows = ops::billing_of_deals(&self.0.pool, self.0.workspace_id, deal_ids).await?;
        let mut found: HashMap<Uuid, Vec<DealBilling>> =
            deal_ids.iter().map(|id| (*id, Vec::new())).collect();
        for row in rows {
            found.entry(row.deal_id).or_default().push(row);
        }
        Ok(found)
    }
}

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(InvoiceLoader::new(scope.clone()));
    loaders.add(PaymentLoader::new(scope.clone()));
    loaders.add(InvoiceLinesLoader::new(scope.clone()));
    loaders.add(InvoicePaymentsLoader::new(scope.clone()));
    loaders.add(CreditNotesLoader::new(scope.clone()));
    loaders.add(RefundsLoader::new(scope.clone()));
    loaders.add(LinkedInvoicesLoader(scope.clone()));
    loaders.add(DealBillingLoader(scope));
}

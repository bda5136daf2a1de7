//! Billing rows and their SQL. The only place in the domain that talks to the database.

pub mod invoice;
pub mod invoice_line;
pub mod payment;
pub mod settings;

pub use invoice::{
    DealBilling, Invoice, InvoiceAmountsUpdate, InvoiceFilter, InvoiceIssue, NewInvoice,
    NUMBER_UNIQUE,
};
pub use invoice_line::InvoiceLine;
pub use payment::{NewPayment, Payment, PaymentFilter, REFERENCE_UNIQUE};
pub use settings::{BillingSettings, SettingsValues};

//! `InvoiceBuilder`: a draft invoice (issued with `.issued()`) for a customer, with lines.

use serde_json::{json, Value};

use super::{Draft, Id};
use crate::support::TestApp;

/// What a created invoice holds; billing tests read the same fields from every write.
pub const INVOICE_FIELDS: &str = "id number kind status currency issueDate dueDate subtotal tax total amountPaid amountCredited amountDue version lines { lineNo kind name quantity unitAmount discount taxRate subtotal tax total } journalEntry { id number }";

/// `InvoiceBuilder::for_company(&id).line("Design", "1", "9000").issued().create(&app)`.
#[derive(Clone, Debug)]
pub struct InvoiceBuilder {
    draft: Draft,
    lines: Vec<Value>,
    issue: bool,
}

impl InvoiceBuilder {
    pub fn for_company(id: &(impl Id + ?Sized)) -> InvoiceBuilder {
        InvoiceBuilder {
            draft: Draft::new("companyId", id.to_id()),
            lines: Vec::new(),
            issue: false,
        }
    }

    pub fn contact(self, id: &(impl Id + ?Sized)) -> InvoiceBuilder {
        self.set("contactId", id.to_id())
    }

    pub fn deal(self, id: &(impl Id + ?Sized)) -> InvoiceBuilder {
        self.set("dealId", id.to_id())
    }

    pub fn currency(self, currency: &str) -> InvoiceBuilder {
        self.set("currency", currency)
    }

    pub fn number(self, number: &str) -> InvoiceBuilder {
        self.set("number", number)
    }

    pub fn issue_date(self, date: &str) -> InvoiceBuilder {
        self.set("issueDate", date)
    }

    pub fn payment_terms(self, days: i32) -> InvoiceBuilder {
        self.set("paymentTermsDays", days)
    }

    /// A SERVICE line without tax or discount.
    pub fn line(self, name: &str, quantity: &str, unit_amount: &str) -> InvoiceBuilder {
        self.line_with(json!({"name": name, "quantity": quantity, "unitAmount": unit_amount}))
    }

    /// A line given whole (`{"kind": "PRODUCT", "name": …, "taxRate": "0.2"}`).
    pub fn line_with(mut self, line: Value) -> InvoiceBuilder {
        self.lines.push(line);
        self
    }

    /// Issues it after creating it.
    pub fn issued(mut self) -> InvoiceBuilder {
        self.issue = true;
        self
    }

    /// Creates (and, with `issued`, issues) the invoice; returns it with `INVOICE_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let key = self
            .draft
            .key
            .clone()
            .unwrap_or_else(|| app.admin_key.clone());
        let draft = self.draft.set("lines", Value::Array(self.lines));
        let mutation = format!(
            "mutation($input: CreateInvoiceInput!) {{ createInvoice(input: $input) {{ invoice {{ {INVOICE_FIELDS} }} }} }}"
        );
        let created = draft
            .create(app, &mutation, "createInvoice", "invoice")
            .await;
        if !self.issue {
            return created;
        }
        let issued = app
            .gql_as(
                &key,
                &format!("mutation($id: ID!) {{ issueInvoice(input: {{id: $id}}) {{ invoice {{ {INVOICE_FIELDS} }} }} }}"),
                json!({ "id": created["id"] }),
            )
            .await;
        issued.data()["issueInvoice"]["invoice"].clone()
    }

    fn set(mut self, field: &str, value: impl Into<Value>) -> InvoiceBuilder {
        self.draft = self.draft.set(field, value);
        self
    }
}

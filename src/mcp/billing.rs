//! Billing tools — `create_invoice`, `list_invoices`, `record_payment` — belong here, as thin
//! adapters over the billing domain's operations (`src/billing/ops`), declared like the other
//! areas' tools (`tool::write(…, Effect::Write, …)` with `idempotency_key` and `dry_run`;
//! `record_payment` posts to the ledger, so `Effect::Destructive`).
//!
//! TODO(billing): the billing domain is being built on another branch; once it is merged,
//! add the three tools here and a test per tool in `tests/integration/mcp/billing.rs`.

use super::tool::ToolSpec;

/// None yet: see the module comment.
pub fn tools() -> Vec<ToolSpec> {
    Vec::new()
}

//! Loading ahead: what a page of journal entries will ask for (lines, their accounts, the
//! reversal links), fetched in one batch per loader before the entries resolve, so the
//! statement count depends on the query's shape, never on how many entries it returns.

use async_graphql::Context;
use uuid::Uuid;

use super::loaders::{
    AccountingAccountLoader, JournalEntryLoader, JournalLinesLoader, ReversalLoader,
};
use crate::error::AppError;
use crate::graphql::loaders;
use crate::ledger::model::JournalEntry;

fn unique(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// `journalEntries(…)`: primes the request's loaders for the page.
pub(super) async fn entry_page(ctx: &Context<'_>, rows: &[JournalEntry]) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let look = ctx.look_ahead();
    let node = look.field("edges").field("node");
    let ids: Vec<Uuid> = rows.iter().map(|e| e.id).collect();
    let lines = async {
        if !node.field("lines").exists() {
            return Ok::<_, AppError>(());
        }
        let lines = loaders::get::<JournalLinesLoader>(ctx)?
            .load_many(ids.clone())
            .await?;
        let account = node.field("lines").field("account");
        if account.exists() {
            let account_ids = unique(lines.values().flatten().map(|l| l.account_id).collect());
            let accounts = loaders::get::<AccountingAccountLoader>(ctx)?
                .load_many(account_ids)
                .await?;
            if account.field("parent").exists() {
                let parents = unique(accounts.values().filter_map(|a| a.parent_id).collect());
                loaders::get::<AccountingAccountLoader>(ctx)?
                    .load_many(parents)
                    .await?;
            }
        }
        Ok(())
    };
    let reversed_by = async {
        if node.field("reversedBy").exists() {
            loaders::get::<ReversalLoader>(ctx)?
                .load_many(ids.clone())
                .await?;
        }
        Ok::<_, AppError>(())
    };
    let reverses = async {
        if node.field("reverses").exists() {
            let originals = unique(rows.iter().filter_map(|e| e.reverses_id).collect());
            loaders::get::<JournalEntryLoader>(ctx)?
                .load_many(originals)
                .await?;
        }
        Ok::<_, AppError>(())
    };
    futures_util::try_join!(lines, reversed_by, reverses)?;
    Ok(())
}

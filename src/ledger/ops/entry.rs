//! Journal entries: record one (as a draft or posted), change or delete a draft, post a
//! draft, reverse a posted one.
//! [`post_entry`] and [`record_entry`] run inside a caller's transaction, so another domain
//! (billing) posts in the same transaction as its own change; the API's mutations wrap them
//! in the write path.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::{unique_conflict, AppError};
use crate::events::NewEvent;
use crate::ledger::events::{self, JournalEntryPosted, JournalEntryReversed};
use crate::ledger::model::{AccountingAccount, JournalEntry, JournalLine, NewJournalEntry};
use crate::ledger::rules::{self, EntryInput, EntryPatch, EntryStatus, ValidEntry};
use crate::write::draft::{Doing, Draft};
use crate::write::locked::locked;
use crate::write::{self, WriteOptions, WriteRequest, WriteResult, Written};

/// An entry and its lines, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedEntry {
    pub entry: JournalEntry,
    pub lines: Vec<JournalLine>,
}

/// What recording an entry wrote, and the events the caller's write must publish.
pub struct Recorded {
    pub entry: RecordedEntry,
    pub events: Vec<NewEvent>,
}

/// Posts `input` in the caller's transaction: checks it (fields named under `prefix`), inserts
/// it and posts it (the database numbers it). The caller appends `events` to its write.
pub async fn post_entry(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    input: &EntryInput,
    prefix: &str,
) -> Result<Recorded, AppError> {
    record_entry(conn, workspace_id, input, EntryStatus::Posted, None, prefix).await
}

/// Records `input` in the caller's transaction, as a draft or posted; `reverses` links a
/// reversal to the entry it mirrors.
pub async fn record_entry(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    input: &EntryInput,
    status: EntryStatus,
    reverses: Option<Uuid>,
    prefix: &str,
) -> Result<Recorded, AppError> {
    let valid = rules::validate_entry(input, prefix)?;
    check_accounts(conn, workspace_id, &valid, prefix).await?;
    let draft = JournalEntry::insert(
        conn,
        &NewJournalEntry {
            workspace_id,
            id: Uuid::now_v7(),
            entry_date: valid.date,
            memo: valid.memo.as_deref(),
            reverses_id: reverses,
        },
    )
    .await
    .map_err(|err| {
        unique_conflict(
            err,
            &[(
                "journal_entries_reverses_unique",
                "input.id",
                "this journal entry is already reversed",
            )],
        )
    })?;
    let lines = insert_lines(conn, workspace_id, draft.id, &valid).await?;
    let (entry, events) = match status {
        EntryStatus::Draft => (draft, Vec::new()),
        EntryStatus::Posted => {
            let posted = JournalEntry::post(conn, workspace_id, draft.id).await?;
            let event = posted_event(&posted, &valid)?;
            (posted, vec![event])
        }
    };
    Ok(Recorded {
        entry: RecordedEntry { entry, lines },
        events,
    })
}

/// Inserts `valid`'s lines into entry `entry_id`.
async fn insert_lines(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    entry_id: Uuid,
    valid: &ValidEntry,
) -> Result<Vec<JournalLine>, AppError> {
    let rows: Vec<JournalLine> = valid
        .lines
        .iter()
        .map(|line| JournalLine {
            workspace_id,
            id: Uuid::now_v7(),
            entry_id,
            line_no: line.line_no,
            account_id: line.account_id,
            currency: line.currency.clone(),
            debit: line.debit.clone(),
            credit: line.credit.clone(),
            description: line.description.clone(),
            entry_date: valid.date,
            invoice_id: line.links.invoice_id,
            payment_id: line.links.payment_id,
            deal_id: line.links.deal_id,
            contact_id: line.links.contact_id,
            company_id: line.links.company_id,
        })
        .collect();
    Ok(JournalLine::insert_many(conn, &rows).await?)
}

/// Every line's account is one of the workspace's, and open.
async fn check_accounts(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    entry: &ValidEntry,
    prefix: &str,
) -> Result<(), AppError> {
    let mut ids: Vec<Uuid> = entry.lines.iter().map(|l| l.account_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let accounts: HashMap<Uuid, AccountingAccount> =
        AccountingAccount::find_many(conn, workspace_id, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    for (i, line) in entry.lines.iter().enumerate() {
        let field = format!("{prefix}.lines[{i}].accountId");
        match accounts.get(&line.account_id) {
            None => {
                return Err(AppError::bad_input(
                    field,
                    format!(
                        "this workspace has no accounting account {}",
                        line.account_id
                    ),
                ))
            }
            Some(account) if account.is_archived() => {
                return Err(AppError::bad_input(
                    field,
                    format!(
                        "account {} ({}) is archived; nothing can be posted to it",
                        account.code, account.name
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn posted_event(entry: &JournalEntry, valid: &ValidEntry) -> Result<NewEvent, AppError> {
    Ok(NewEvent::new(
        events::JOURNAL_ENTRY_POSTED,
        entry.id,
        &JournalEntryPosted {
            entry_id: entry.id,
            number: entry.number.unwrap_or_default(),
            date: entry.entry_date,
            memo: entry.memo.as_deref(),
            reverses_id: entry.reverses_id,
            line_count: valid.lines.len(),
            totals: &valid.totals,
        },
    )?)
}

/// `createJournalEntry`: records an entry as a draft, or posts it at once.
pub async fn create(
    pool: &DbPool,
    actor: &Actor,
    input: EntryInput,
    status: EntryStatus,
    options: WriteOptions,
) -> Result<WriteResult<RecordedEntry>, AppError> {
    let mut request_input = serde_json::to_value(&input)?;
    request_input["status"] = json!(status);
    let request = WriteRequest::crm("journal_entry.create", None, request_input, options);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let recorded = record_entry(conn, workspace_id, &input, status, None, "input").await?;
            Written::created(recorded.entry.entry.id, recorded.entry, recorded.events)
        }
        .boxed()
    })
    .await
}

/// `postJournalEntry`: posts a draft; it gets the workspace's next number.
pub async fn post(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    options: WriteOptions,
) -> Result<WriteResult<RecordedEntry>, AppError> {
    let input = json!({ "id": id, "expectedVersion": expected_version });
    let request = WriteRequest::crm("journal_entry.post", Some(id), input, options);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let before = locked::<JournalEntry>(conn, workspace_id, id, expected_version).await?;
            if let (EntryStatus::Posted, Some(number)) = (before.status(), before.number) {
                return Err(AppError::conflict(
                    Some("input.id"),
                    format!("journal entry {id} is already posted, as number {number}"),
                ));
            }
            let lines = JournalLine::of_entries(conn, workspace_id, &[id]).await?;
            // The draft was checked when recorded; its accounts may have been archived since.
            let valid = rules::validate_entry(&as_input(&before, &lines), "input")?;
            check_accounts(conn, workspace_id, &valid, "input").await?;
            let entry = JournalEntry::post(conn, workspace_id, id).await?;
            let event = posted_event(&entry, &valid)?;
            let recorded = RecordedEntry { entry, lines };
            Written::changed(id, &before, recorded, vec![event])
        }
        .boxed()
    })
    .await
}

/// `reverseJournalEntry`: posts the mirror of a posted entry (every debit a credit and back),
/// dated `date` (today when absent), linked to it both ways.
pub async fn reverse(
    pool: &DbPool,
    actor: &Actor,
    id: Uuid,
    date: Option<NaiveDate>,
    memo: Option<String>,
    options: WriteOptions,
) -> Result<WriteResult<RecordedEntry>, AppError> {
    let input = json!({ "id": id, "date": date, "memo": memo });
    let request = WriteRequest::crm("journal_entry.reverse", Some(id), input, options);
    write::write(pool, actor, request, move |conn, workspace_id| {
        async move {
            let original = locked::<JournalEntry>(conn, workspace_id, id, None).await?;
            let Some(number) = original.number else {
                return Err(AppError::conflict(
                    Some("input.id"),
                    format!("journal entry {id} is a draft; only posted entries are reversed"),
                ));
            };
            if let Some(reversal) = JournalEntry::reversals_of(conn, workspace_id, &[id])
                .await?
                .first()
            {
                return Err(AppError::Conflict {
                    field: Some("input.id".into()),
                    message: format!(
                        "journal entry {number} is already reversed by entry {}",
                        reversal.number.unwrap_or_default()
                    ),
                    existing_id: Some(reversal.id),
                });
            }
            let lines = JournalLine::of_entries(conn, workspace_id, &[id]).await?;
            let mirror = EntryInput {
                date: date.unwrap_or_else(|| Utc::now().date_naive()),
                memo: Some(memo.unwrap_or_else(|| format!("Reversal of journal entry {number}"))),
                lines: rules::mirrored(&lines),
            };
            let mut recorded = record_entry(
                conn,
                workspace_id,
                &mirror,
                EntryStatus::Posted,
                Some(id),
                "input",
            )
            .await?;
            recorded.events.push(NewEvent::new(
                events::JOURNAL_ENTRY_REVERSED,
                id,
                &JournalEntryReversed::of(&original, &recorded.entry.entry),
            )?);
            Written::created(recorded.entry.entry.id, recorded.entry, recorded.events)
        }
        .boxed()
    })
    .await
}

/// A stored entry as input again, to check it by the same rules.
fn as_input(entry: &JournalEntry, lines: &[JournalLine]) -> EntryInput {
    EntryInput {
        date: entry.entry_date,
        memo: entry.memo.clone(),
        lines: rules::as_lines(lines),
    }
}

/// `updateJournalEntry` and `deleteJournalEntry` (through `write::draft`): a draft's date,
/// memo or lines change (given lines replace all of them, and it is checked again as a whole,
/// like a new entry), or it goes with its lines. A posted entry is corrected by a reversal.
#[async_trait]
impl Draft for RecordedEntry {
    const UPDATE: &'static str = "journal_entry.update";
    const DELETE: &'static str = "journal_entry.delete";

    type Patch = EntryPatch;

    async fn locked_draft(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        expected_version: Option<i32>,
        doing: Doing,
    ) -> Result<RecordedEntry, AppError> {
        let entry = locked::<JournalEntry>(conn, workspace_id, id, expected_version).await?;
        if let (Some(number), EntryStatus::Posted) = (entry.number, entry.status()) {
            let doing = match doing {
                Doing::Change => "changed",
                Doing::Delete => "deleted",
            };
            return Err(AppError::conflict(
                Some("input.id"),
                format!(
                    "journal entry {number} is POSTED and cannot be {doing}; reverse it instead"
                ),
            ));
        }
        let lines = JournalLine::of_entries(conn, workspace_id, &[id]).await?;
        Ok(RecordedEntry { entry, lines })
    }

    async fn rewrite(
        conn: &mut AsyncPgConnection,
        current: &RecordedEntry,
        patch: EntryPatch,
    ) -> Result<RecordedEntry, AppError> {
        let (workspace_id, id) = (current.entry.workspace_id, current.entry.id);
        let valid = rules::validate_entry(&patch.apply(&current.entry, &current.lines), "input")?;
        check_accounts(conn, workspace_id, &valid, "input").await?;
        let entry =
            JournalEntry::rewrite(conn, workspace_id, id, valid.date, valid.memo.as_deref())
                .await?;
        // The lines are written again even when unchanged: each takes its date from the
        // entry as it is inserted, after the entry got its new one.
        JournalLine::delete_of(conn, workspace_id, id).await?;
        let lines = insert_lines(conn, workspace_id, id, &valid).await?;
        Ok(RecordedEntry { entry, lines })
    }

    async fn remove(conn: &mut AsyncPgConnection, current: &RecordedEntry) -> Result<(), AppError> {
        let entry = &current.entry;
        JournalEntry::delete(conn, entry.workspace_id, entry.id).await?;
        Ok(())
    }
}

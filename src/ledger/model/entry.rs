//! Journal entry and line rows and their SQL. Numbers, posting stamps, the lines' dates and
//! the daily totals are the database's work (its triggers), so the SQL here only inserts
//! drafts and flips them to posted.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::page::{Listed, Position, SortKey};
use crate::db::schema::{journal_entries, journal_lines};
use crate::ledger::rules::{EntryStatus, SourceLinks};
use crate::ledger::JournalEntriesOrder;

#[derive(
    Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Serialize, Deserialize,
)]
#[diesel(table_name = journal_entries, check_for_backend(diesel::pg::Pg))]
pub struct JournalEntry {
    pub workspace_id: Uuid,
    pub id: Uuid,
    /// Given at posting: 1, 2, 3 … per workspace, without gaps.
    pub number: Option<i64>,
    pub entry_date: NaiveDate,
    pub memo: Option<String>,
    pub status: String,
    /// The entry this one reverses.
    pub reverses_id: Option<Uuid>,
    pub posted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = journal_entries)]
pub struct NewJournalEntry<'a> {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub entry_date: NaiveDate,
    pub memo: Option<&'a str>,
    pub reverses_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = journal_lines, check_for_backend(diesel::pg::Pg))]
pub struct JournalLine {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub entry_id: Uuid,
    pub line_no: i32,
    pub account_id: Uuid,
    pub currency: String,
    pub debit: BigDecimal,
    pub credit: BigDecimal,
    pub description: Option<String>,
    /// The entry's date (the database copies it), so an account's lines read in date order.
    pub entry_date: NaiveDate,
    pub invoice_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
}

/// Which journal entries to list; every part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub status: Option<EntryStatus>,
    /// Dated on or after.
    pub from: Option<NaiveDate>,
    /// Dated on or before.
    pub to: Option<NaiveDate>,
}

// Its `delete` removes a draft with its lines; the database refuses it for a posted entry.
crate::db::record_sql::tenant_find_sql!(JournalEntry, journal_entries);
crate::db::record_sql::tenant_list_sql!(
    JournalEntry,
    journal_entries,
    EntryFilter,
    JournalEntriesOrder
);

impl JournalEntry {
    pub fn status(&self) -> EntryStatus {
        EntryStatus::parse(&self.status).unwrap_or(EntryStatus::Draft)
    }

    pub async fn insert(
        conn: &mut AsyncPgConnection,
        new: &NewJournalEntry<'_>,
    ) -> QueryResult<JournalEntry> {
        diesel::insert_into(journal_entries::table)
            .values(new)
            .returning(JournalEntry::as_returning())
            .get_result(conn)
            .await
    }

    /// Posts draft `id`: the database gives it its number and adds its lines to the totals.
    pub async fn post(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<JournalEntry> {
        diesel::update(journal_entries::table)
            .filter(journal_entries::workspace_id.eq(workspace_id))
            .filter(journal_entries::id.eq(id))
            .set((
                journal_entries::status.eq(EntryStatus::Posted.as_str()),
                journal_entries::version.eq(journal_entries::version + 1),
                journal_entries::updated_at.eq(diesel::dsl::now),
            ))
            .returning(JournalEntry::as_returning())
            .get_result(conn)
            .await
    }

    /// Gives draft `id` a new date and memo (the database refuses it for a posted entry).
    pub async fn rewrite(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        date: NaiveDate,
        memo: Option<&str>,
    ) -> QueryResult<JournalEntry> {
        diesel::update(journal_entries::table)
            .filter(journal_entries::workspace_id.eq(workspace_id))
            .filter(journal_entries::id.eq(id))
            .set((
                journal_entries::entry_date.eq(date),
                journal_entries::memo.eq(memo),
                journal_entries::version.eq(journal_entries::version + 1),
                journal_entries::updated_at.eq(diesel::dsl::now),
            ))
            .returning(JournalEntry::as_returning())
            .get_result(conn)
            .await
    }

    /// The reversals of `ids` (at most one each).
    pub async fn reversals_of(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: &[Uuid],
    ) -> QueryResult<Vec<JournalEntry>> {
        journal_entries::table
            .filter(journal_entries::workspace_id.eq(workspace_id))
            .filter(journal_entries::reverses_id.eq_any(ids))
            .select(JournalEntry::as_select())
            .load(conn)
            .await
    }

    fn filtered(
        workspace_id: Uuid,
        filter: &EntryFilter,
    ) -> journal_entries::BoxedQuery<'static, Pg> {
        let mut query = journal_entries::table
            .filter(journal_entries::workspace_id.eq(workspace_id))
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(journal_entries::status.eq(status.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(journal_entries::entry_date.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(journal_entries::entry_date.le(to));
        }
        query
    }
}

impl Listed<JournalEntriesOrder> for JournalEntry {
    fn position(&self, _order: JournalEntriesOrder) -> Position {
        Position {
            key: SortKey::Date(self.entry_date),
            id: self.id,
        }
    }
}

impl JournalLine {
    pub fn links(&self) -> SourceLinks {
        SourceLinks {
            invoice_id: self.invoice_id,
            payment_id: self.payment_id,
            deal_id: self.deal_id,
            contact_id: self.contact_id,
            company_id: self.company_id,
        }
    }

    /// Inserts `lines` (their `entry_date` is overwritten by the database with the entry's).
    pub async fn insert_many(
        conn: &mut AsyncPgConnection,
        lines: &[JournalLine],
    ) -> QueryResult<Vec<JournalLine>> {
        diesel::insert_into(journal_lines::table)
            .values(lines)
            .returning(JournalLine::as_returning())
            .get_results(conn)
            .await
    }

    /// Deletes the lines of draft `entry_id`, before it gets new ones.
    pub async fn delete_of(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        entry_id: Uuid,
    ) -> QueryResult<usize> {
        diesel::delete(journal_lines::table)
            .filter(journal_lines::workspace_id.eq(workspace_id))
            .filter(journal_lines::entry_id.eq(entry_id))
            .execute(conn)
            .await
    }

    /// Every line of each of `entry_ids`, in line order per entry, in one statement.
    pub async fn of_entries(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        entry_ids: &[Uuid],
    ) -> QueryResult<Vec<JournalLine>> {
        journal_lines::table
            .filter(journal_lines::workspace_id.eq(workspace_id))
            .filter(journal_lines::entry_id.eq_any(entry_ids))
            .order_by((journal_lines::entry_id, journal_lines::line_no))
            .select(JournalLine::as_select())
            .load(conn)
            .await
    }
}

//! Balances: read from `ledger_daily_totals` (posted debits and credits per account,
//! currency and day), so a trial balance costs the same at a thousand lines or a million.
//! And an account's posted lines in date order, for its ledger with a running balance.

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Date, Nullable, Numeric, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::entry::JournalLine;
use crate::db::page::Window;
use crate::db::schema::{journal_entries, journal_lines};
use crate::ledger::rules::EntryStatus;
use crate::ledger::LedgerLinesOrder;

/// An account's posted debits and credits in one currency.
#[derive(Debug, Clone, PartialEq, QueryableByName, Serialize)]
pub struct AccountTotals {
    #[diesel(sql_type = SqlUuid)]
    pub account_id: Uuid,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Numeric)]
    pub debit: BigDecimal,
    #[diesel(sql_type = Numeric)]
    pub credit: BigDecimal,
}

/// What [`totals`] runs: `$1` workspace, `$2` as of, `$3` currency or null, `$4` account ids
/// or null. Public so a test can check its plan at scale.
pub const TOTALS_SQL: &str =
    "SELECT account_id, currency, sum(debit) AS debit, sum(credit) AS credit
   FROM ledger_daily_totals
  WHERE workspace_id = $1 AND day <= $2
    AND ($3::text IS NULL OR currency = $3)
    AND ($4::uuid[] IS NULL OR account_id = ANY($4))
  GROUP BY account_id, currency
  ORDER BY account_id, currency";

/// Totals up to and including `as_of`, per account and currency (in account id, then currency
/// order); only `currency` when given, only `account_ids` when given.
pub async fn totals(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    as_of: NaiveDate,
    currency: Option<&str>,
    account_ids: Option<&[Uuid]>,
) -> QueryResult<Vec<AccountTotals>> {
    diesel::sql_query(TOTALS_SQL)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Date, _>(as_of)
        .bind::<Nullable<Text>, _>(currency)
        .bind::<Nullable<Array<SqlUuid>>, _>(account_ids)
        .load(conn)
        .await
}

/// Debits minus credits of one account, per currency, before a point of its ledger: every
/// posted line dated before `day`, plus (when `through` is given) the lines dated `day` up to
/// and including line id `through`.
pub async fn net_before(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    account_id: Uuid,
    day: NaiveDate,
    through: Option<Uuid>,
) -> QueryResult<Vec<(String, BigDecimal)>> {
    #[derive(QueryableByName)]
    struct Net {
        #[diesel(sql_type = Text)]
        currency: String,
        #[diesel(sql_type = Numeric)]
        net: BigDecimal,
    }
    let rows: Vec<Net> = diesel::sql_query(
        "SELECT currency, sum(net) AS net FROM (
             SELECT currency, debit - credit AS net
               FROM ledger_daily_totals
              WHERE workspace_id = $1 AND account_id = $2 AND day < $3
             UNION ALL
             SELECT l.currency, l.debit - l.credit
               FROM journal_lines l
               JOIN journal_entries e ON e.workspace_id = l.workspace_id AND e.id = l.entry_id
              WHERE $5 AND l.workspace_id = $1 AND l.account_id = $2 AND l.entry_date = $3
                AND l.id <= $4 AND e.status = 'posted'
         ) parts
         GROUP BY currency",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<SqlUuid, _>(account_id)
    .bind::<Date, _>(day)
    .bind::<SqlUuid, _>(through.unwrap_or_default())
    .bind::<Bool, _>(through.is_some())
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.currency, r.net)).collect())
}

/// Which lines of an account's ledger to read: dated within `from..=to`.
#[derive(Debug, Clone, Default)]
pub struct LedgerPage {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// An account's posted lines: its ledger.
pub struct LedgerLine;

impl LedgerLine {
    fn query(
        workspace_id: Uuid,
        account_id: Uuid,
        page: &LedgerPage,
    ) -> journal_lines::BoxedQuery<'static, diesel::pg::Pg> {
        let posted = journal_entries::table
            .filter(journal_entries::workspace_id.eq(journal_lines::workspace_id))
            .filter(journal_entries::id.eq(journal_lines::entry_id))
            .filter(journal_entries::status.eq(EntryStatus::Posted.as_str()));
        let mut query = journal_lines::table
            .filter(journal_lines::workspace_id.eq(workspace_id))
            .filter(journal_lines::account_id.eq(account_id))
            .filter(diesel::dsl::exists(posted))
            .into_boxed();
        if let Some(from) = page.from {
            query = query.filter(journal_lines::entry_date.ge(from));
        }
        if let Some(to) = page.to {
            query = query.filter(journal_lines::entry_date.le(to));
        }
        query
    }

    /// One page of the account's posted lines, oldest first (date, then line id).
    pub async fn page(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        account_id: Uuid,
        page: &LedgerPage,
        window: &Window<LedgerLinesOrder>,
    ) -> QueryResult<Vec<JournalLine>> {
        let mut query = Self::query(workspace_id, account_id, page)
            .order_by((journal_lines::entry_date.asc(), journal_lines::id.asc()))
            .limit(window.fetch_limit());
        if let Some(after) = &window.after {
            query = query.filter(crate::db::page::seek(
                "journal_lines.entry_date",
                "journal_lines.id",
                false,
                after,
            ));
        }
        query.select(JournalLine::as_select()).load(conn).await
    }

    /// How many posted lines the account has within the page's dates.
    pub async fn count(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        account_id: Uuid,
        page: &LedgerPage,
    ) -> QueryResult<i64> {
        Self::query(workspace_id, account_id, page)
            .count()
            .get_result(conn)
            .await
    }
}

/// Whether every row of `ledger_daily_totals` equals the sum of its posted lines, and every
/// posted line is counted: the rows that disagree (none, normally). For tests and checks.
pub async fn totals_drift(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Drift {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let drift: Drift = diesel::sql_query(
        "SELECT count(*) AS n FROM (
             SELECT l.workspace_id, l.account_id, l.currency, l.entry_date AS day,
                    sum(l.debit) AS debit, sum(l.credit) AS credit, count(*) AS lines
               FROM journal_lines l
               JOIN journal_entries e ON e.workspace_id = l.workspace_id AND e.id = l.entry_id
              WHERE e.status = 'posted'
              GROUP BY 1, 2, 3, 4
         ) s
         FULL JOIN ledger_daily_totals t USING (workspace_id, account_id, currency, day)
         WHERE s.debit IS DISTINCT FROM t.debit OR s.credit IS DISTINCT FROM t.credit
            OR s.lines IS DISTINCT FROM t.lines",
    )
    .get_result(conn)
    .await?;
    Ok(drift.n)
}

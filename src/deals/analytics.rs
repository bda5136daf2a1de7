//! Pipeline analytics: value, forecast, stage velocity and win rate of one pipeline. Every
//! figure is an SQL aggregate computed by PostgreSQL, so a report costs the same handful of
//! statements whether the pipeline holds ten deals or a million; no deal row reaches Rust.
//! Money is summed per currency only: amounts in different currencies are never added.

use std::collections::HashMap;

use bigdecimal::{BigDecimal, RoundingMode};
use chrono::{DateTime, Months, NaiveDate, Utc};
use diesel::sql_types::{
    BigInt, Bool, Date, Nullable, Numeric, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::rules::DealStatus;
use crate::error::AppError;
use crate::money;
use crate::pipelines::model::{Pipeline, Stage};

/// The longest forecast: 10 years of months keeps the month series (and the response) small.
pub const MAX_FORECAST_MONTHS: u32 = 120;

/// Deals in one currency and their value.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrencyTotal {
    pub currency: String,
    pub deal_count: i64,
    /// Σ amount.
    pub total: BigDecimal,
    /// Σ amount × probability, summed exactly and rounded once (half-even) to the currency's
    /// minor units, so it can differ by a minor unit from adding up rounded per-deal values.
    pub weighted: BigDecimal,
}

/// A group of deals: how many, and their value per currency (sorted by currency).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub deal_count: i64,
    pub currencies: Vec<CurrencyTotal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusTotals {
    pub status: DealStatus,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageTotals {
    pub stage: Stage,
    pub totals: Totals,
}

/// The pipeline's deals now: overall, per status (OPEN, WON, LOST) and per stage in order.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineSummary {
    pub pipeline: Pipeline,
    pub totals: Totals,
    pub by_status: Vec<StatusTotals>,
    pub stages: Vec<StageTotals>,
}

/// One calendar month of a forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastMonth {
    /// The month's first day.
    pub month: NaiveDate,
    /// OPEN deals expected to close this month.
    pub open: Vec<CurrencyTotal>,
    /// Deals won this month (UTC); a won deal is certain, so `weighted` equals `total`.
    pub won: Vec<CurrencyTotal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub pipeline: Pipeline,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub months: Vec<ForecastMonth>,
}

/// How deals flowed through one stage; see [`stage_velocity`] for the definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct StageVelocity {
    pub stage: Stage,
    pub deals_entered: i64,
    pub visits: i64,
    pub completed_visits: i64,
    pub average_seconds: Option<i64>,
    pub median_seconds: Option<i64>,
    pub advanced: i64,
    pub next_stage_conversion: Option<BigDecimal>,
    pub won: i64,
    pub won_conversion: Option<BigDecimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PipelineVelocity {
    pub pipeline: Pipeline,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub stages: Vec<StageVelocity>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WinRate {
    pub pipeline: Pipeline,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub closed: i64,
    pub won: i64,
    pub lost: i64,
    /// won / closed, rounded to 4 decimals; `None` when nothing closed.
    pub rate: Option<BigDecimal>,
    /// Value won per currency (`weighted` equals `total`).
    pub won_value: Vec<CurrencyTotal>,
}

// ---------------------------------------------------------------- rules

/// A forecast runs over whole months from `from`'s month to `to`'s, at most ten years.
pub fn check_forecast_range(from: NaiveDate, to: NaiveDate) -> Result<(), AppError> {
    if to < from {
        return Err(AppError::bad_input("to", "must not be before `from`"));
    }
    match from.checked_add_months(Months::new(MAX_FORECAST_MONTHS)) {
        Some(limit) if to <= limit => Ok(()),
        _ => Err(AppError::bad_input(
            "to",
            "must be at most 10 years after `from`",
        )),
    }
}

/// `[from, to)` must not run backwards.
pub fn check_period(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), AppError> {
    if to < from {
        Err(AppError::bad_input("to", "must not be before `from`"))
    } else {
        Ok(())
    }
}

/// A weighted sum rounded the way `Deal.weightedAmount` rounds one deal.
fn round_money(value: &BigDecimal, currency: &str) -> BigDecimal {
    value.with_scale_round(money::minor_units(currency), RoundingMode::HalfEven)
}

// ---------------------------------------------------------------- SQL

/// One statement for the whole summary: GROUPING SETS give the overall, per-status and
/// per-stage groups, each with and without currency (the deal counts must not depend on how
/// many currencies a group holds). A deal's probability is its own, or its stage's when unset.
pub const SUMMARY_SQL: &str = "
SELECT GROUPING(d.stage_id) = 0 AS per_stage,
       GROUPING(o.status) = 0 AS per_status,
       GROUPING(d.currency) = 0 AS per_currency,
       d.stage_id,
       o.status,
       d.currency::text AS currency,
       count(*) AS deal_count,
       sum(d.amount) AS total,
       sum(d.amount * coalesce(d.close_probability, s.probability)) AS weighted
FROM deals d
JOIN stages s ON s.workspace_id = d.workspace_id AND s.id = d.stage_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN d.won_at IS NOT NULL THEN 'won'
                WHEN d.lost_at IS NOT NULL THEN 'lost'
                ELSE 'open' END AS status
) o
WHERE d.workspace_id = $1 AND d.pipeline_id = $2
GROUP BY GROUPING SETS ((), (d.currency), (o.status), (o.status, d.currency),
                        (d.stage_id), (d.stage_id, d.currency))";

/// Every month of the range (so empty months are rows too), left-joined to OPEN deals by
/// expected-close month and to won deals by their UTC won month. Casting the dates to
/// `timestamp` keeps `date_trunc` away from the session's time zone.
pub const FORECAST_SQL: &str = "
WITH months AS (
    SELECT m::date AS month
    FROM generate_series(date_trunc('month', $3::date::timestamp),
                         date_trunc('month', $4::date::timestamp),
                         interval '1 month') AS m
),
buckets AS (
    SELECT 'open' AS kind,
           date_trunc('month', d.expected_close_date::timestamp)::date AS month,
           d.currency::text AS currency,
           count(*) AS deal_count,
           sum(d.amount) AS total,
           sum(d.amount * coalesce(d.close_probability, s.probability)) AS weighted
    FROM deals d
    JOIN stages s ON s.workspace_id = d.workspace_id AND s.id = d.stage_id
    WHERE d.workspace_id = $1 AND d.pipeline_id = $2
      AND d.won_at IS NULL AND d.lost_at IS NULL
      AND d.expected_close_date BETWEEN $3 AND $4
    GROUP BY 2, 3
    UNION ALL
    SELECT 'won',
           date_trunc('month', d.won_at AT TIME ZONE 'UTC')::date,
           d.currency::text,
           count(*),
           sum(d.amount),
           sum(d.amount)
    FROM deals d
    WHERE d.workspace_id = $1 AND d.pipeline_id = $2
      AND d.won_at >= $3::date::timestamp AT TIME ZONE 'UTC'
      AND d.won_at < ($4::date + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY 2, 3
)
SELECT m.month, b.kind, b.currency, b.deal_count, b.total, b.weighted
FROM months m
LEFT JOIN buckets b ON b.month = m.month
ORDER BY m.month, b.kind, b.currency";

/// Stage velocity from the stage history. `history` is the full history of every deal with
/// an entry into this pipeline in the period, with LEAD giving the moment each visit ended
/// (the deal's next change); the period filters entries only, so a visit entered in the
/// period and left after it still has its full duration. Stages are joined by their current
/// position; stages deleted since are gone from the report.
pub const VELOCITY_SQL: &str = "
WITH pipeline_stages AS (
    SELECT id, position, kind FROM stages WHERE workspace_id = $1 AND pipeline_id = $2
),
history AS (
    SELECT c.deal_id, c.sequence, c.to_stage_id, c.to_stage_kind, c.changed_at,
           lead(c.changed_at) OVER (PARTITION BY c.deal_id ORDER BY c.sequence) AS left_at
    FROM stage_changes c
    WHERE c.workspace_id = $1
      AND c.deal_id IN (SELECT e.deal_id FROM stage_changes e
                        WHERE e.workspace_id = $1 AND e.to_pipeline_id = $2
                          AND e.changed_at >= $3 AND e.changed_at < $4)
),
entries AS (
    SELECT h.*, s.position
    FROM history h
    JOIN pipeline_stages s ON s.id = h.to_stage_id
    WHERE h.changed_at >= $3 AND h.changed_at < $4
),
visits AS (
    SELECT to_stage_id AS stage_id,
           count(*) AS visits,
           count(left_at) AS completed_visits,
           round(extract(epoch FROM avg(left_at - changed_at)))::bigint AS average_seconds,
           round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY left_at - changed_at)))::bigint
               AS median_seconds
    FROM entries
    GROUP BY to_stage_id
),
first_entries AS (
    SELECT to_stage_id AS stage_id, deal_id, position, min(sequence) AS sequence
    FROM entries
    GROUP BY to_stage_id, deal_id, position
),
outcomes AS (
    SELECT f.stage_id,
           EXISTS (SELECT 1 FROM history h JOIN pipeline_stages s ON s.id = h.to_stage_id
                   WHERE h.deal_id = f.deal_id AND h.sequence > f.sequence
                     AND s.position > f.position AND s.kind <> 'lost') AS advanced,
           EXISTS (SELECT 1 FROM history h
                   WHERE h.deal_id = f.deal_id AND h.sequence >= f.sequence
                     AND h.to_stage_kind = 'won') AS won
    FROM first_entries f
),
conversions AS (
    SELECT stage_id,
           count(*) AS deals_entered,
           count(*) FILTER (WHERE advanced) AS advanced,
           count(*) FILTER (WHERE won) AS won
    FROM outcomes
    GROUP BY stage_id
)
SELECT s.id AS stage_id,
       coalesce(c.deals_entered, 0) AS deals_entered,
       coalesce(v.visits, 0) AS visits,
       coalesce(v.completed_visits, 0) AS completed_visits,
       v.average_seconds,
       v.median_seconds,
       coalesce(c.advanced, 0) AS advanced,
       round(c.advanced::numeric / nullif(c.deals_entered, 0), 4) AS next_stage_conversion,
       coalesce(c.won, 0) AS won,
       round(c.won::numeric / nullif(c.deals_entered, 0), 4) AS won_conversion
FROM pipeline_stages s
LEFT JOIN visits v ON v.stage_id = s.id
LEFT JOIN conversions c ON c.stage_id = s.id
ORDER BY s.position";

/// Deals closed in `[from, to)` by their current outcome, per currency and overall (ROLLUP).
/// A deal counts as lost only when it is not won, matching its status.
pub const WIN_RATE_SQL: &str = "
SELECT GROUPING(d.currency) = 0 AS per_currency,
       d.currency::text AS currency,
       count(*) AS closed,
       count(*) FILTER (WHERE c.won) AS won,
       count(*) FILTER (WHERE c.lost) AS lost,
       coalesce(sum(d.amount) FILTER (WHERE c.won), 0) AS won_value,
       round(count(*) FILTER (WHERE c.won)::numeric / nullif(count(*), 0), 4) AS rate
FROM deals d
CROSS JOIN LATERAL (
    SELECT d.won_at >= $3 AND d.won_at < $4 AS won,
           d.won_at IS NULL AND d.lost_at >= $3 AND d.lost_at < $4 AS lost
) c
WHERE d.workspace_id = $1 AND d.pipeline_id = $2 AND (c.won OR c.lost)
GROUP BY ROLLUP (d.currency)";

#[derive(QueryableByName)]
struct SummaryRow {
    #[diesel(sql_type = Bool)]
    per_stage: bool,
    #[diesel(sql_type = Bool)]
    per_status: bool,
    #[diesel(sql_type = Bool)]
    per_currency: bool,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    stage_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
    #[diesel(sql_type = BigInt)]
    deal_count: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    total: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    weighted: Option<BigDecimal>,
}

#[derive(QueryableByName)]
struct ForecastRow {
    #[diesel(sql_type = Date)]
    month: NaiveDate,
    #[diesel(sql_type = Nullable<Text>)]
    kind: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    deal_count: Option<i64>,
    #[diesel(sql_type = Nullable<Numeric>)]
    total: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    weighted: Option<BigDecimal>,
}

#[derive(QueryableByName)]
struct VelocityRow {
    #[diesel(sql_type = SqlUuid)]
    stage_id: Uuid,
    #[diesel(sql_type = BigInt)]
    deals_entered: i64,
    #[diesel(sql_type = BigInt)]
    visits: i64,
    #[diesel(sql_type = BigInt)]
    completed_visits: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    average_seconds: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    median_seconds: Option<i64>,
    #[diesel(sql_type = BigInt)]
    advanced: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    next_stage_conversion: Option<BigDecimal>,
    #[diesel(sql_type = BigInt)]
    won: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    won_conversion: Option<BigDecimal>,
}

#[derive(QueryableByName)]
struct WinRateRow {
    #[diesel(sql_type = Bool)]
    per_currency: bool,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
    #[diesel(sql_type = BigInt)]
    closed: i64,
    #[diesel(sql_type = BigInt)]
    won: i64,
    #[diesel(sql_type = BigInt)]
    lost: i64,
    #[diesel(sql_type = Numeric)]
    won_value: BigDecimal,
    #[diesel(sql_type = Nullable<Numeric>)]
    rate: Option<BigDecimal>,
}

fn currency_total(
    currency: String,
    deal_count: i64,
    total: Option<BigDecimal>,
    weighted: Option<BigDecimal>,
) -> CurrencyTotal {
    let weighted = round_money(&weighted.unwrap_or_default(), &currency);
    CurrencyTotal {
        deal_count,
        total: total.unwrap_or_default(),
        weighted,
        currency,
    }
}

fn sorted(mut currencies: Vec<CurrencyTotal>) -> Vec<CurrencyTotal> {
    currencies.sort_by(|a, b| a.currency.cmp(&b.currency));
    currencies
}

// ---------------------------------------------------------------- operations

async fn find_pipeline(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
) -> Result<Pipeline, AppError> {
    Pipeline::find(conn, workspace_id, pipeline_id)
        .await?
        .ok_or_else(|| AppError::not_found("pipeline", pipeline_id))
}

/// `pipelineSummary`: deal count and value per currency of the pipeline's deals now, overall,
/// per status and per stage (every stage, in order, empty ones with no currencies).
pub async fn pipeline_summary(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
) -> Result<PipelineSummary, AppError> {
    // One read-only snapshot, so a stage added or deleted meanwhile cannot make the stage
    // list and the figures disagree.
    let (pipeline, stages, rows) = conn
        .build_transaction()
        .read_only()
        .repeatable_read()
        .run(async move |conn| {
            let pipeline = find_pipeline(conn, workspace_id, pipeline_id).await?;
            let stages = Stage::of_pipelines(conn, workspace_id, &[pipeline_id]).await?;
            let rows: Vec<SummaryRow> = diesel::sql_query(SUMMARY_SQL)
                .bind::<SqlUuid, _>(workspace_id)
                .bind::<SqlUuid, _>(pipeline_id)
                .load(conn)
                .await?;
            Ok::<_, AppError>((pipeline, stages, rows))
        })
        .await?;

    let mut overall = Totals::default();
    let mut by_status: HashMap<String, Totals> = HashMap::new();
    let mut by_stage: HashMap<Uuid, Totals> = HashMap::new();
    for row in rows {
        let group = if row.per_stage {
            match row.stage_id {
                Some(id) => by_stage.entry(id).or_default(),
                None => continue,
            }
        } else if row.per_status {
            match row.status {
                Some(status) => by_status.entry(status).or_default(),
                None => continue,
            }
        } else {
            &mut overall
        };
        match (row.per_currency, row.currency) {
            (true, Some(currency)) => group.currencies.push(currency_total(
                currency,
                row.deal_count,
                row.total,
                row.weighted,
            )),
            (true, None) => {}
            (false, _) => group.deal_count = row.deal_count,
        }
    }
    let finish = |totals: Totals| Totals {
        deal_count: totals.deal_count,
        currencies: sorted(totals.currencies),
    };
    let by_status = [
        ("open", DealStatus::Open),
        ("won", DealStatus::Won),
        ("lost", DealStatus::Lost),
    ]
    .into_iter()
    .map(|(key, status)| StatusTotals {
        status,
        totals: finish(by_status.remove(key).unwrap_or_default()),
    })
    .collect();
    let stages = stages
        .into_iter()
        .map(|stage| StageTotals {
            totals: finish(by_stage.remove(&stage.id).unwrap_or_default()),
            stage,
        })
        .collect();
    Ok(PipelineSummary {
        pipeline,
        totals: finish(overall),
        by_status,
        stages,
    })
}

/// `forecast`: for every month overlapping `[from, to]` (dates, inclusive), the OPEN deals
/// whose expected close date falls in the range and in that month, and the deals won (UTC)
/// in the range and in that month.
pub async fn forecast(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Forecast, AppError> {
    check_forecast_range(from, to)?;
    let pipeline = find_pipeline(conn, workspace_id, pipeline_id).await?;
    let rows: Vec<ForecastRow> = diesel::sql_query(FORECAST_SQL)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<SqlUuid, _>(pipeline_id)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .load(conn)
        .await?;
    let mut months: Vec<ForecastMonth> = Vec::new();
    for row in rows {
        if months.last().map(|m| m.month) != Some(row.month) {
            months.push(ForecastMonth {
                month: row.month,
                open: Vec::new(),
                won: Vec::new(),
            });
        }
        let (Some(month), Some(kind), Some(currency)) = (months.last_mut(), row.kind, row.currency)
        else {
            continue;
        };
        let total = currency_total(
            currency,
            row.deal_count.unwrap_or(0),
            row.total,
            row.weighted,
        );
        match kind.as_str() {
            "open" => month.open.push(total),
            _ => month.won.push(total),
        }
    }
    Ok(Forecast {
        pipeline,
        from,
        to,
        months,
    })
}

/// `stageVelocity`, per stage of the pipeline in order, from the stage history:
///
/// - an *entry* is a stage change into the stage at a time in `[from, to)`; a *visit* lasts
///   from its entry to the deal's next change (LEAD over the deal's changes by sequence);
/// - `deals_entered`: distinct deals with an entry; `visits`: entries (re-entries count again);
/// - durations: average and median over the visits that have ended (`completed_visits`);
///   visits still in the stage are left out rather than counted up to now, so a figure does
///   not drift while nothing happens;
/// - `advanced`: of the deals entered, those that later (any time after their first entry in
///   the period) entered a stage of this pipeline with a higher position that is not LOST —
///   skipping stages and winning count, losing does not;
/// - `won`: of the deals entered, those that entered a WON stage (of any pipeline: a deal may
///   move on to another pipeline and be won there) at or after that entry.
///
/// Conversions are `advanced` / `deals_entered` and `won` / `deals_entered`, rounded to 4
/// decimals, `None` when no deal entered.
pub async fn stage_velocity(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<PipelineVelocity, AppError> {
    check_period(from, to)?;
    // One snapshot for the stage list and the figures, as in `pipeline_summary`.
    let (pipeline, stages, rows) = conn
        .build_transaction()
        .read_only()
        .repeatable_read()
        .run(async move |conn| {
            let pipeline = find_pipeline(conn, workspace_id, pipeline_id).await?;
            let stages = Stage::of_pipelines(conn, workspace_id, &[pipeline_id]).await?;
            let rows: Vec<VelocityRow> = diesel::sql_query(VELOCITY_SQL)
                .bind::<SqlUuid, _>(workspace_id)
                .bind::<SqlUuid, _>(pipeline_id)
                .bind::<Timestamptz, _>(from)
                .bind::<Timestamptz, _>(to)
                .load(conn)
                .await?;
            Ok::<_, AppError>((pipeline, stages, rows))
        })
        .await?;
    let mut rows: HashMap<Uuid, VelocityRow> = rows.into_iter().map(|r| (r.stage_id, r)).collect();
    let stages = stages
        .into_iter()
        .map(|stage| match rows.remove(&stage.id) {
            Some(row) => StageVelocity {
                stage,
                deals_entered: row.deals_entered,
                visits: row.visits,
                completed_visits: row.completed_visits,
                average_seconds: row.average_seconds,
                median_seconds: row.median_seconds,
                advanced: row.advanced,
                next_stage_conversion: row.next_stage_conversion,
                won: row.won,
                won_conversion: row.won_conversion,
            },
            None => StageVelocity {
                stage,
                deals_entered: 0,
                visits: 0,
                completed_visits: 0,
                average_seconds: None,
                median_seconds: None,
                advanced: 0,
                next_stage_conversion: None,
                won: 0,
                won_conversion: None,
            },
        })
        .collect();
    Ok(PipelineVelocity {
        pipeline,
        from,
        to,
        stages,
    })
}

/// `winRate`: deals of the pipeline whose current outcome was reached in `[from, to)`.
pub async fn win_rate(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<WinRate, AppError> {
    check_period(from, to)?;
    let pipeline = find_pipeline(conn, workspace_id, pipeline_id).await?;
    let rows: Vec<WinRateRow> = diesel::sql_query(WIN_RATE_SQL)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<SqlUuid, _>(pipeline_id)
        .bind::<Timestamptz, _>(from)
        .bind::<Timestamptz, _>(to)
        .load(conn)
        .await?;
    let mut result = WinRate {
        pipeline,
        from,
        to,
        closed: 0,
        won: 0,
        lost: 0,
        rate: None,
        won_value: Vec::new(),
    };
    for row in rows {
        match (row.per_currency, row.currency) {
            (true, Some(currency)) if row.won > 0 => result.won_value.push(CurrencyTotal {
                deal_count: row.won,
                total: row.won_value.clone(),
                weighted: row.won_value,
                currency,
            }),
            (true, _) => {}
            (false, _) => {
                result.closed = row.closed;
                result.won = row.won;
                result.lost = row.lost;
                result.rate = row.rate;
            }
        }
    }
    result.won_value = sorted(result.won_value);
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_forecast_runs_forwards_and_at_most_ten_years() {
        assert!(check_forecast_range(day(2026, 1, 1), day(2026, 1, 1)).is_ok());
        assert!(check_forecast_range(day(2026, 1, 15), day(2036, 1, 15)).is_ok());
        let late = check_forecast_range(day(2026, 1, 15), day(2036, 1, 16));
        assert_eq!(
            late.err()
                .and_then(|e| e.field().map(str::to_owned))
                .as_deref(),
            Some("to")
        );
        let backwards = check_forecast_range(day(2026, 2, 1), day(2026, 1, 31));
        assert_eq!(
            backwards
                .err()
                .and_then(|e| e.field().map(str::to_owned))
                .as_deref(),
            Some("to")
        );
    }

    #[test]
    fn weighted_sums_round_half_even_to_the_currencys_minor_units() {
        let value = |s: &str| s.parse::<BigDecimal>().unwrap_or_default();
        assert_eq!(round_money(&value("10.125"), "USD").to_string(), "10.12");
        assert_eq!(round_money(&value("10.135"), "USD").to_string(), "10.14");
        assert_eq!(round_money(&value("1500.5"), "JPY").to_string(), "1500");
    }
}

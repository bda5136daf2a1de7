//! The analytics aggregates: every figure of a pipeline report is computed by PostgreSQL, so
//! a report costs the same handful of statements whether the pipeline holds ten deals or a
//! million; no deal row reaches Rust. Rows come back per currency, never summed across.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{
    BigInt, Bool, Date, Nullable, Numeric, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// One statement for the whole summary, over the pipeline's rollups (`deal_rollups`, kept by
/// triggers with every deal write) rather than its deals: GROUPING SETS give the overall,
/// per-status and per-stage groups, each with and without currency (the deal counts must not
/// depend on how many currencies a group holds). A deal's probability is its own, or its
/// stage's when unset: the rollups keep the two parts apart, the stage's is applied here.
pub const SUMMARY_SQL: &str = "
SELECT GROUPING(r.stage_id) = 0 AS per_stage,
       GROUPING(r.status) = 0 AS per_status,
       GROUPING(r.currency) = 0 AS per_currency,
       r.stage_id,
       r.status,
       r.currency::text AS currency,
       coalesce(sum(r.deals), 0)::bigint AS deal_count,
       sum(r.amount) AS total,
       sum(r.own_weighted + r.stage_weighted_amount * s.probability) AS weighted
FROM deal_rollups r
JOIN stages s ON s.workspace_id = r.workspace_id AND s.id = r.stage_id
WHERE r.workspace_id = $1 AND r.pipeline_id = $2 AND r.deals > 0
GROUP BY GROUPING SETS ((), (r.currency), (r.status), (r.status, r.currency),
                        (r.stage_id), (r.stage_id, r.currency))";

/// Every month of the range (so empty months are rows too), left-joined to the OPEN deals'
/// rollups by expected close day and to the won deals' by UTC won day (see `SUMMARY_SQL`).
/// Casting the dates to `timestamp` keeps `date_trunc` away from the session's time zone.
pub const FORECAST_SQL: &str = "
WITH months AS (
    SELECT m::date AS month
    FROM generate_series(date_trunc('month', $3::date::timestamp),
                         date_trunc('month', $4::date::timestamp),
                         interval '1 month') AS m
),
buckets AS (
    SELECT r.status AS kind,
           date_trunc('month', r.day::timestamp)::date AS month,
           r.currency::text AS currency,
           coalesce(sum(r.deals), 0)::bigint AS deal_count,
           sum(r.amount) AS total,
           sum(CASE WHEN r.status = 'won' THEN r.amount
                    ELSE r.own_weighted + r.stage_weighted_amount * s.probability END) AS weighted
    FROM deal_rollups r
    JOIN stages s ON s.workspace_id = r.workspace_id AND s.id = r.stage_id
    WHERE r.workspace_id = $1 AND r.pipeline_id = $2 AND r.deals > 0
      AND r.status IN ('open', 'won') AND r.day BETWEEN $3 AND $4
    GROUP BY 1, 2, 3
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
pub struct SummaryRow {
    #[diesel(sql_type = Bool)]
    pub per_stage: bool,
    #[diesel(sql_type = Bool)]
    pub per_status: bool,
    #[diesel(sql_type = Bool)]
    pub per_currency: bool,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub stage_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub currency: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub deal_count: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub total: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub weighted: Option<BigDecimal>,
}

#[derive(QueryableByName)]
pub struct ForecastRow {
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = Nullable<Text>)]
    pub kind: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub currency: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub deal_count: Option<i64>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub total: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub weighted: Option<BigDecimal>,
}

/// A stage's velocity figures; a stage no deal entered has the default (zeros, no averages).
#[derive(QueryableByName, Default)]
pub struct VelocityRow {
    #[diesel(sql_type = SqlUuid)]
    pub stage_id: Uuid,
    #[diesel(sql_type = BigInt)]
    pub deals_entered: i64,
    #[diesel(sql_type = BigInt)]
    pub visits: i64,
    #[diesel(sql_type = BigInt)]
    pub completed_visits: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub average_seconds: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub median_seconds: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub advanced: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub next_stage_conversion: Option<BigDecimal>,
    #[diesel(sql_type = BigInt)]
    pub won: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub won_conversion: Option<BigDecimal>,
}

#[derive(QueryableByName)]
pub struct WinRateRow {
    #[diesel(sql_type = Bool)]
    pub per_currency: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub currency: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub closed: i64,
    #[diesel(sql_type = BigInt)]
    pub won: i64,
    #[diesel(sql_type = BigInt)]
    pub lost: i64,
    #[diesel(sql_type = Numeric)]
    pub won_value: BigDecimal,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub rate: Option<BigDecimal>,
}

/// The summary's groups of a pipeline's deals now (see [`SUMMARY_SQL`]).
pub async fn summary_rows(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
) -> QueryResult<Vec<SummaryRow>> {
    diesel::sql_query(SUMMARY_SQL)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<SqlUuid, _>(pipeline_id)
        .load(conn)
        .await
}

/// Per month of `[from, to]`, the open and won buckets (see [`FORECAST_SQL`]).
pub async fn forecast_rows(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<ForecastRow>> {
    diesel::sql_query(FORECAST_SQL)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<SqlUuid, _>(pipeline_id)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .load(conn)
        .await
}

/// Per stage of the pipeline, its flow in `[from, to)` (see [`VELOCITY_SQL`]).
pub async fn velocity_rows(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<VelocityRow>> {
    period_rows(conn, VELOCITY_SQL, workspace_id, pipeline_id, from, to).await
}

/// Deals closed in `[from, to)`, per currency and overall (see [`WIN_RATE_SQL`]).
pub async fn win_rate_rows(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<WinRateRow>> {
    period_rows(conn, WIN_RATE_SQL, workspace_id, pipeline_id, from, to).await
}

/// A pipeline report over the period `[from, to)`: `$1` workspace, `$2` pipeline, `$3`/`$4`
/// the period's bounds.
async fn period_rows<R: diesel::QueryableByName<diesel::pg::Pg> + Send + 'static>(
    conn: &mut AsyncPgConnection,
    sql: &'static str,
    workspace_id: Uuid,
    pipeline_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<R>> {
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<SqlUuid, _>(pipeline_id)
        .bind::<Timestamptz, _>(from)
        .bind::<Timestamptz, _>(to)
        .load(conn)
        .await
}

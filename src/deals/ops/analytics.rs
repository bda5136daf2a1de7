//! Pipeline reports: value, forecast, stage velocity and win rate of one pipeline, each a
//! handful of aggregate statements (`model::analytics`) shaped into a report
//! (`rules::analytics`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use uuid::Uuid;

use crate::deals::model::analytics::{self, VelocityRow};
use crate::deals::rules::analytics::{
    check_forecast_range, check_period, currency_total, sorted, CurrencyTotal, Forecast,
    ForecastMonth, PipelineSummary, PipelineVelocity, StageTotals, StageVelocity, StatusTotals,
    Totals, WinRate,
};
use crate::deals::rules::DealStatus;
use crate::error::AppError;
use crate::pipelines::model::{Pipeline, Stage};

async fn find_pipeline(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
) -> Result<Pipeline, AppError> {
    Pipeline::find(conn, workspace_id, pipeline_id)
        .await?
        .ok_or_else(|| AppError::not_found("pipeline", pipeline_id))
}

/// The pipeline, its stages in order and a report's `rows`, read in one read-only snapshot, so
/// that a stage added or deleted meanwhile cannot make the stage list and the figures disagree.
async fn snapshot<R: Send + 'static>(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
    rows: impl for<'c> FnOnce(&'c mut AsyncPgConnection) -> BoxFuture<'c, QueryResult<R>>
        + Send
        + 'static,
) -> Result<(Pipeline, Vec<Stage>, R), AppError> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(async move |conn| {
            let pipeline = find_pipeline(conn, workspace_id, pipeline_id).await?;
            let stages = Stage::of_pipelines(conn, workspace_id, &[pipeline_id]).await?;
            let rows = rows(conn).await?;
            Ok((pipeline, stages, rows))
        })
        .await
}

/// `pipelineSummary`: deal count and value per currency of the pipeline's deals now, overall,
/// per status and per stage (every stage, in order, empty ones with no currencies).
pub async fn pipeline_summary(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    pipeline_id: Uuid,
) -> Result<PipelineSummary, AppError> {
    let (pipeline, stages, rows) = snapshot(conn, workspace_id, pipeline_id, move |conn| {
        analytics::summary_rows(conn, workspace_id, pipeline_id).boxed()
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
    let rows = analytics::forecast_rows(conn, workspace_id, pipeline_id, from, to).await?;
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
    let (pipeline, stages, rows) = snapshot(conn, workspace_id, pipeline_id, move |conn| {
        analytics::velocity_rows(conn, workspace_id, pipeline_id, from, to).boxed()
    })
    .await?;
    let mut rows: HashMap<Uuid, VelocityRow> = rows.into_iter().map(|r| (r.stage_id, r)).collect();
    let stages = stages
        .into_iter()
        .map(|stage| {
            let row = rows.remove(&stage.id).unwrap_or_default();
            StageVelocity {
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
            }
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
    let rows = analytics::win_rate_rows(conn, workspace_id, pipeline_id, from, to).await?;
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

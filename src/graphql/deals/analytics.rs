//! GraphQL for pipeline analytics: summary, forecast, stage velocity and win rate, each one
//! resolver over one domain call in `deals::ops::analytics` (the SQL aggregates live in
//! `deals::model::analytics`).

use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};

use super::types::DealStatusGql;
use crate::auth::Scope;
use crate::deals::ops::analytics;
use crate::deals::rules::analytics::{
    CurrencyTotal, Forecast, ForecastMonth, PipelineSummary, PipelineVelocity, StageVelocity,
    Totals, WinRate,
};
use crate::graphql::pipelines::{PipelineGql, StageGql};
use crate::graphql::scalars::Decimal;
use crate::graphql::{actor, parse_id, pool};

/// Deals in one currency and their value. Amounts in different currencies are never added
/// together, so every total comes with its currency.
#[derive(SimpleObject)]
#[graphql(name = "CurrencyTotal")]
pub struct CurrencyTotalGql {
    /// ISO 4217.
    pub currency: String,
    pub deal_count: i64,
    /// Σ amount, with exactly the currency's decimals.
    pub total: Decimal,
    /// Σ amount × close probability (the deal's own, else its stage's), summed exactly and
    /// rounded once, half-even, to the currency's decimals. For won deals it equals `total`.
    pub weighted: Decimal,
}

impl From<CurrencyTotal> for CurrencyTotalGql {
    fn from(t: CurrencyTotal) -> Self {
        Self {
            total: Decimal::money(&t.total, &t.currency),
            weighted: Decimal::money(&t.weighted, &t.currency),
            deal_count: t.deal_count,
            currency: t.currency,
        }
    }
}

fn currency_totals(totals: Vec<CurrencyTotal>) -> Vec<CurrencyTotalGql> {
    totals.into_iter().map(CurrencyTotalGql::from).collect()
}

/// The deals of one status: OPEN (neither won nor lost), WON or LOST.
#[derive(SimpleObject)]
#[graphql(name = "StatusSummary")]
pub struct StatusSummaryGql {
    pub status: DealStatusGql,
    pub deal_count: i64,
    /// Per currency, sorted by currency.
    pub totals: Vec<CurrencyTotalGql>,
}

/// The deals currently in one stage.
#[derive(SimpleObject)]
#[graphql(name = "StageSummary")]
pub struct StageSummaryGql {
    pub stage: StageGql,
    pub deal_count: i64,
    /// Per currency, sorted by currency; empty when the stage has no deals.
    pub totals: Vec<CurrencyTotalGql>,
}

/// A pipeline's deals as they are now, computed by the database.
#[derive(SimpleObject)]
#[graphql(name = "PipelineSummary")]
pub struct PipelineSummaryGql {
    pub pipeline: PipelineGql,
    pub deal_count: i64,
    /// All the pipeline's deals, per currency, sorted by currency.
    pub totals: Vec<CurrencyTotalGql>,
    /// OPEN, WON and LOST, always all three.
    pub by_status: Vec<StatusSummaryGql>,
    /// Every stage in pipeline order, including stages without deals.
    pub stages: Vec<StageSummaryGql>,
}

impl From<PipelineSummary> for PipelineSummaryGql {
    fn from(s: PipelineSummary) -> Self {
        let Totals {
            deal_count,
            currencies,
        } = s.totals;
        Self {
            pipeline: s.pipeline.into(),
            deal_count,
            totals: currency_totals(currencies),
            by_status: s
                .by_status
                .into_iter()
                .map(|g| StatusSummaryGql {
                    status: g.status.into(),
                    deal_count: g.totals.deal_count,
                    totals: currency_totals(g.totals.currencies),
                })
                .collect(),
            stages: s
                .stages
                .into_iter()
                .map(|g| StageSummaryGql {
                    stage: g.stage.into(),
                    deal_count: g.totals.deal_count,
                    totals: currency_totals(g.totals.currencies),
                })
                .collect(),
        }
    }
}

/// One calendar month of a forecast.
#[derive(SimpleObject)]
#[graphql(name = "ForecastMonth")]
pub struct ForecastMonthGql {
    /// The month's first day.
    pub month: NaiveDate,
    /// OPEN deals whose expected close date is in this month (and in the range), per currency.
    pub open: Vec<CurrencyTotalGql>,
    /// Deals won in this month (UTC, and in the range), per currency; `weighted` = `total`.
    pub won: Vec<CurrencyTotalGql>,
}

impl From<ForecastMonth> for ForecastMonthGql {
    fn from(m: ForecastMonth) -> Self {
        Self {
            month: m.month,
            open: currency_totals(m.open),
            won: currency_totals(m.won),
        }
    }
}

/// Expected and won value per month.
#[derive(SimpleObject)]
#[graphql(name = "Forecast")]
pub struct ForecastGql {
    pub pipeline: PipelineGql,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every month from `from`'s month to `to`'s, in order, empty months included.
    pub months: Vec<ForecastMonthGql>,
}

impl From<Forecast> for ForecastGql {
    fn from(f: Forecast) -> Self {
        Self {
            pipeline: f.pipeline.into(),
            from: f.from,
            to: f.to,
            months: f.months.into_iter().map(ForecastMonthGql::from).collect(),
        }
    }
}

/// How deals flowed through one stage during the period, from the stage history.
#[derive(SimpleObject)]
#[graphql(name = "StageVelocity")]
pub struct StageVelocityGql {
    pub stage: StageGql,
    /// Distinct deals that entered the stage (a stage change into it) in `[from, to)`.
    pub deals_entered: i64,
    /// Entries into the stage in `[from, to)`; a deal that re-enters counts again.
    pub visits: i64,
    /// Visits that have ended: the deal has changed stage since. Durations cover only these;
    /// deals still in the stage are left out (not counted up to now).
    pub completed_visits: i64,
    /// Mean time in the stage, in whole seconds (rounded), over completed visits; null when
    /// none.
    pub average_seconds: Option<i64>,
    /// Median time in the stage, in whole seconds (rounded), over completed visits; null when
    /// none.
    pub median_seconds: Option<i64>,
    /// Of `dealsEntered`, the deals that afterwards (at any time after their first entry in
    /// the period) entered a stage of this pipeline with a higher position that is not LOST.
    /// Skipping stages counts, winning counts, losing does not. Positions are the current ones.
    pub advanced: i64,
    /// `advanced` / `dealsEntered`, 0..1, rounded to 4 decimals; null when no deal entered.
    pub next_stage_conversion: Option<Decimal>,
    /// Of `dealsEntered`, the deals that entered a WON stage (of any pipeline) at or after
    /// their first entry in the period.
    pub won: i64,
    /// `won` / `dealsEntered`, 0..1, rounded to 4 decimals; null when no deal entered.
    pub won_conversion: Option<Decimal>,
}

impl From<StageVelocity> for StageVelocityGql {
    fn from(v: StageVelocity) -> Self {
        Self {
            stage: v.stage.into(),
            deals_entered: v.deals_entered,
            visits: v.visits,
            completed_visits: v.completed_visits,
            average_seconds: v.average_seconds,
            median_seconds: v.median_seconds,
            advanced: v.advanced,
            next_stage_conversion: v.next_stage_conversion.as_ref().map(Decimal::plain),
            won: v.won,
            won_conversion: v.won_conversion.as_ref().map(Decimal::plain),
        }
    }
}

/// Stage velocity of a pipeline over a period.
#[derive(SimpleObject)]
#[graphql(name = "PipelineVelocity")]
pub struct PipelineVelocityGql {
    pub pipeline: PipelineGql,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every stage in pipeline order.
    pub stages: Vec<StageVelocityGql>,
}

impl From<PipelineVelocity> for PipelineVelocityGql {
    fn from(v: PipelineVelocity) -> Self {
        Self {
            pipeline: v.pipeline.into(),
            from: v.from,
            to: v.to,
            stages: v.stages.into_iter().map(StageVelocityGql::from).collect(),
        }
    }
}

/// Deals closed in a period and how many of them were won.
#[derive(SimpleObject)]
#[graphql(name = "WinRate")]
pub struct WinRateGql {
    pub pipeline: PipelineGql,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Deals whose `wonAt` or `lostAt` is in `[from, to)` (their current outcome).
    pub closed: i64,
    pub won: i64,
    pub lost: i64,
    /// `won` / `closed`, 0..1, rounded to 4 decimals; null when nothing closed.
    pub rate: Option<Decimal>,
    /// The value won, per currency, sorted by currency (`weighted` = `total`).
    pub won_value: Vec<CurrencyTotalGql>,
}

impl From<WinRate> for WinRateGql {
    fn from(w: WinRate) -> Self {
        Self {
            pipeline: w.pipeline.into(),
            from: w.from,
            to: w.to,
            closed: w.closed,
            won: w.won,
            lost: w.lost,
            rate: w.rate.as_ref().map(Decimal::plain),
            won_value: currency_totals(w.won_value),
        }
    }
}

#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// Deal count, value and weighted value per currency of a pipeline's deals now: overall,
    /// per status and per stage.
    async fn pipeline_summary(
        &self,
        ctx: &Context<'_>,
        pipeline_id: ID,
    ) -> async_graphql::Result<PipelineSummaryGql> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let pipeline_id = parse_id(&pipeline_id, "pipelineId")?;
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        let summary =
            analytics::pipeline_summary(&mut conn, actor.workspace_id, pipeline_id).await?;
        Ok(summary.into())
    }

    /// Per month from `from` to `to` (dates, inclusive, at most 10 years): OPEN deals'
    /// value and weighted value by expected close month, and value won by `wonAt` month (UTC).
    async fn forecast(
        &self,
        ctx: &Context<'_>,
        pipeline_id: ID,
        from: NaiveDate,
        to: NaiveDate,
    ) -> async_graphql::Result<ForecastGql> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let pipeline_id = parse_id(&pipeline_id, "pipelineId")?;
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        let forecast =
            analytics::forecast(&mut conn, actor.workspace_id, pipeline_id, from, to).await?;
        Ok(forecast.into())
    }

    /// Per stage, in order: deals that entered it in `[from, to)`, how long visits lasted
    /// (completed visits only; deals still in the stage are left out), and how many of
    /// those deals went on to a later stage or were won. See `StageVelocity`.
    async fn stage_velocity(
        &self,
        ctx: &Context<'_>,
        pipeline_id: ID,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> async_graphql::Result<PipelineVelocityGql> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let pipeline_id = parse_id(&pipeline_id, "pipelineId")?;
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        let velocity =
            analytics::stage_velocity(&mut conn, actor.workspace_id, pipeline_id, from, to).await?;
        Ok(velocity.into())
    }

    /// Deals won or lost in `[from, to)`, the share won, and the value won per currency.
    async fn win_rate(
        &self,
        ctx: &Context<'_>,
        pipeline_id: ID,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> async_graphql::Result<WinRateGql> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let pipeline_id = parse_id(&pipeline_id, "pipelineId")?;
        let mut conn = crate::db::conn(pool(ctx)?).await?;
        let win_rate =
            analytics::win_rate(&mut conn, actor.workspace_id, pipeline_id, from, to).await?;
        Ok(win_rate.into())
    }
}

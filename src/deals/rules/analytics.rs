//! Pipeline reports as values, and the pure arithmetic behind them: the reports' shape, the
//! ranges a report may cover, and how summed money is rounded. Money is summed per currency
//! only: amounts in different currencies are never added.

use bigdecimal::{BigDecimal, RoundingMode};
use chrono::{DateTime, Months, NaiveDate, Utc};

use super::DealStatus;
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

/// How deals flowed through one stage; see [`crate::deals::ops::analytics::stage_velocity`] for the definitions.
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
pub fn round_money(value: &BigDecimal, currency: &str) -> BigDecimal {
    value.with_scale_round(money::minor_units(currency), RoundingMode::HalfEven)
}

/// One currency's figures from an aggregate row: the weighted sum rounded once, here.
pub fn currency_total(
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

/// Currencies in a stable order (by code), as every report lists them.
pub fn sorted(mut currencies: Vec<CurrencyTotal>) -> Vec<CurrencyTotal> {
    currencies.sort_by(|a, b| a.currency.cmp(&b.currency));
    currencies
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

//! An invoice's input, checked: a customer, a currency, dates that follow, and lines whose
//! quantities, prices, discounts and tax rates make sense — each refusal naming its field.

use bigdecimal::{BigDecimal, One, Zero};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use uuid::Uuid;

use super::amounts::{self, InvoiceAmounts, LineAmounts};
use super::LineKind;
use crate::error::AppError;
use crate::validate::{optional_text, required_text};

pub const MEMO_MAX: usize = 2000;
pub const NUMBER_MAX: usize = 40;
pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;
/// Enough for any invoice a person reads.
pub const MAX_LINES: usize = 200;
/// Quantities and unit amounts carry at most this many decimals (the columns' scale).
const MAX_DECIMALS: i64 = 4;
/// Tax rates: 0.0825 for 8.25 %, at most six decimals.
const RATE_DECIMALS: i64 = 6;
const TERMS_MAX: i32 = 3650;

/// A new invoice, or a draft's new content, as the caller gave it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceInput {
    pub number: Option<String>,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub currency: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub payment_terms_days: Option<i32>,
    pub memo: Option<String>,
    pub lines: Vec<LineInput>,
}

/// One line as the caller gave it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineInput {
    pub kind: LineKind,
    pub name: String,
    pub description: Option<String>,
    pub quantity: BigDecimal,
    pub unit_amount: BigDecimal,
    /// An amount off the line, in the invoice's currency.
    pub discount: Option<BigDecimal>,
    /// 0..1 (0.2 for 20 %).
    pub tax_rate: Option<BigDecimal>,
    pub service_period_start: Option<NaiveDate>,
    pub service_period_end: Option<NaiveDate>,
    pub revenue_account_id: Option<Uuid>,
}

/// A line that passed the rules, numbered from 1, with its amounts.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLine {
    pub line_no: i32,
    pub kind: LineKind,
    pub name: String,
    pub description: Option<String>,
    pub quantity: BigDecimal,
    pub unit_amount: BigDecimal,
    pub discount: BigDecimal,
    pub tax_rate: BigDecimal,
    pub service_period_start: Option<NaiveDate>,
    pub service_period_end: Option<NaiveDate>,
    pub revenue_account_id: Option<Uuid>,
    pub amounts: LineAmounts,
}

/// An invoice that passed the rules, in `currency`.
#[derive(Debug, Clone)]
pub struct ValidInvoice {
    pub number: Option<String>,
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub currency: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub payment_terms_days: Option<i32>,
    pub memo: Option<String>,
    pub lines: Vec<ValidLine>,
    pub amounts: InvoiceAmounts,
}

/// An invoice number as given: 1–40 characters, no surrounding spaces.
pub fn validate_number(field: &str, number: &str) -> Result<String, AppError> {
    required_text(field, number, NUMBER_MAX)
}

/// Checks `input` in `currency` (already resolved: the caller's, the deal's or the
/// workspace's), its fields named under `prefix`.
pub fn validate_invoice(
    input: &InvoiceInput,
    currency: &str,
    prefix: &str,
) -> Result<ValidInvoice, AppError> {
    if input.company_id.is_none() && input.contact_id.is_none() {
        return Err(AppError::bad_input(
            format!("{prefix}.companyId"),
            "an invoice needs a customer: a companyId, a contactId or both",
        ));
    }
    let number = input
        .number
        .as_deref()
        .map(|n| validate_number(&format!("{prefix}.number"), n))
        .transpose()?;
    let memo = optional_text(&format!("{prefix}.memo"), input.memo.as_deref(), MEMO_MAX)?;
    if let Some(days) = input.payment_terms_days {
        if !(0..=TERMS_MAX).contains(&days) {
            return Err(AppError::bad_input(
                format!("{prefix}.paymentTermsDays"),
                format!("must be between 0 and {TERMS_MAX} days"),
            ));
        }
    }
    if let (Some(issue), Some(due)) = (input.issue_date, input.due_date) {
        if due < issue {
            return Err(AppError::bad_input(
                format!("{prefix}.dueDate"),
                format!("the due date {due} is before the issue date {issue}"),
            ));
        }
    }
    let lines_field = format!("{prefix}.lines");
    if input.lines.len() > MAX_LINES {
        return Err(AppError::bad_input(
            &lines_field,
            format!("an invoice has at most {MAX_LINES} lines"),
        ));
    }
    let lines = input
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| validate_line(line, i, currency, &format!("{lines_field}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let amounts = amounts::invoice_amounts(lines.iter().map(|l| &l.amounts));
    Ok(ValidInvoice {
        number,
        company_id: input.company_id,
        contact_id: input.contact_id,
        deal_id: input.deal_id,
        lead_id: input.lead_id,
        currency: currency.to_owned(),
        issue_date: input.issue_date,
        due_date: input.due_date,
        payment_terms_days: input.payment_terms_days,
        memo,
        lines,
        amounts,
    })
}

/// A decimal with at most `decimals` places and 18 integer digits.
fn scaled(field: &str, value: &BigDecimal, decimals: i64) -> Result<BigDecimal, AppError> {
    let normalized = value.normalized();
    if normalized.fractional_digit_count() > decimals {
        return Err(AppError::bad_input(
            field,
            format!("at most {decimals} decimal places; {value} has more"),
        ));
    }
    if normalized.abs() >= 10_i64.pow(15) {
        return Err(AppError::bad_input(field, "is too large"));
    }
    Ok(normalized)
}

fn validate_line(
    line: &LineInput,
    index: usize,
    currency: &str,
    field: &str,
) -> Result<ValidLine, AppError> {
    let name = required_text(&format!("{field}.name"), &line.name, NAME_MAX)?;
    let description = optional_text(
        &format!("{field}.description"),
        line.description.as_deref(),
        DESCRIPTION_MAX,
    )?;
    let quantity = scaled(&format!("{field}.quantity"), &line.quantity, MAX_DECIMALS)?;
    if quantity <= BigDecimal::zero() {
        return Err(AppError::bad_input(
            format!("{field}.quantity"),
            format!("must be above zero (got {})", line.quantity),
        ));
    }
    let unit_amount = scaled(
        &format!("{field}.unitAmount"),
        &line.unit_amount,
        MAX_DECIMALS,
    )?;
    if unit_amount < BigDecimal::zero() {
        return Err(AppError::bad_input(
            format!("{field}.unitAmount"),
            format!("must not be negative (got {})", line.unit_amount),
        ));
    }
    let discount = match &line.discount {
        None => BigDecimal::zero(),
        Some(d) => crate::money::amount(&format!("{field}.discount"), d, currency)?,
    };
    let gross = amounts::line_gross(&quantity, &unit_amount, currency);
    if discount > gross {
        return Err(AppError::bad_input(
            format!("{field}.discount"),
            format!("the discount {discount} is more than the line's {gross} before it"),
        ));
    }
    let tax_rate = match &line.tax_rate {
        None => BigDecimal::zero(),
        Some(rate) => scaled(&format!("{field}.taxRate"), rate, RATE_DECIMALS)?,
    };
    if tax_rate < BigDecimal::zero() || tax_rate > BigDecimal::one() {
        return Err(AppError::bad_input(
            format!("{field}.taxRate"),
            format!("a rate between 0 and 1 (0.2 for 20 %); got {tax_rate}"),
        ));
    }
    if let (Some(start), Some(end)) = (line.service_period_start, line.service_period_end) {
        if end < start {
            return Err(AppError::bad_input(
                format!("{field}.servicePeriodEnd"),
                format!("the service period ends ({end}) before it starts ({start})"),
            ));
        }
    }
    let amounts = amounts::line_amounts(&quantity, &unit_amount, &discount, &tax_rate, currency);
    Ok(ValidLine {
        line_no: index as i32 + 1,
        kind: line.kind,
        name,
        description,
        quantity,
        unit_amount,
        discount,
        tax_rate,
        service_period_start: line.service_period_start,
        service_period_end: line.service_period_end,
        revenue_account_id: line.revenue_account_id,
        amounts,
    })
}

/// The due date an invoice issued on `issue` gets: the one given, else `issue` plus the
/// payment terms, else `issue` (due on receipt).
pub fn due_date(
    issue: NaiveDate,
    due: Option<NaiveDate>,
    terms_days: Option<i32>,
    field: &str,
) -> Result<NaiveDate, AppError> {
    let due = match (due, terms_days) {
        (Some(due), _) => due,
        (None, Some(days)) => issue
            .checked_add_days(Days::new(days.max(0) as u64))
            .ok_or_else(|| AppError::bad_input(field, "the due date is out of range"))?,
        (None, None) => issue,
    };
    if due < issue {
        return Err(AppError::bad_input(
            field,
            format!("the due date {due} is before the issue date {issue}"),
        ));
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).unwrap_or_default()
    }

    fn line(quantity: &str, unit: &str) -> LineInput {
        LineInput {
            kind: LineKind::Service,
            name: "Design".into(),
            description: None,
            quantity: dec(quantity),
            unit_amount: dec(unit),
            discount: None,
            tax_rate: None,
            service_period_start: None,
            service_period_end: None,
            revenue_account_id: None,
        }
    }

    fn input(lines: Vec<LineInput>) -> InvoiceInput {
        InvoiceInput {
            company_id: Some(Uuid::nil()),
            lines,
            ..InvoiceInput::default()
        }
    }

    fn field_of(err: AppError) -> String {
        err.field().unwrap_or_default().to_owned()
    }

    #[test]
    fn bad_lines_name_their_field() {
        let zero = validate_invoice(&input(vec![line("0", "10")]), "USD", "input");
        assert_eq!(field_of(zero.unwrap_err()), "input.lines[0].quantity");
        let negative = validate_invoice(&input(vec![line("1", "-1")]), "USD", "input");
        assert_eq!(field_of(negative.unwrap_err()), "input.lines[0].unitAmount");
        let mut discounted = line("1", "10");
        discounted.discount = Some(dec("10.001"));
        let bad = validate_invoice(&input(vec![discounted]), "USD", "input");
        assert_eq!(field_of(bad.unwrap_err()), "input.lines[0].discount");
        let mut taxed = line("1", "10");
        taxed.tax_rate = Some(dec("1.5"));
        let bad = validate_invoice(&input(vec![taxed]), "USD", "input");
        assert_eq!(field_of(bad.unwrap_err()), "input.lines[0].taxRate");
    }

    #[test]
    fn a_customer_is_required() {
        let mut no_customer = input(vec![line("1", "10")]);
        no_customer.company_id = None;
        let err = validate_invoice(&no_customer, "USD", "input").unwrap_err();
        assert_eq!(field_of(err), "input.companyId");
    }

    #[test]
    fn totals_come_from_the_lines() {
        let valid = validate_invoice(&input(vec![line("1", "9000")]), "USD", "input").unwrap();
        assert_eq!(valid.amounts.total, dec("9000"));
        assert_eq!(valid.lines[0].line_no, 1);
    }

    #[test]
    fn due_dates_follow_terms() {
        let issue = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let due = due_date(issue, None, Some(30), "f").unwrap();
        assert_eq!(due, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(due_date(issue, None, None, "f").unwrap(), issue);
        let early = NaiveDate::from_ymd_opt(2026, 11, 1);
        assert!(due_date(issue, early, None, "f").is_err());
    }
}

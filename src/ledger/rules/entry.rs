//! A journal entry's input, checked line by line: each line a debit or a credit (exactly one
//! above zero, in the currency's minor units), the entry balanced in every currency.

use std::collections::BTreeMap;

use bigdecimal::{BigDecimal, Zero};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::ledger::model::{JournalEntry, JournalLine};
use crate::validate::optional_text;
use crate::write::Patch;

pub const MEMO_MAX: usize = 1000;
pub const LINE_DESCRIPTION_MAX: usize = 1000;
/// Enough for any invoice; more is a bulk import, which wants several entries.
pub const MAX_LINES: usize = 500;

/// What a line is about, when it comes from elsewhere in the CRM: billing links its invoice
/// and payment, anyone may link a deal, contact or company.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceLinks {
    pub invoice_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
}

/// A new journal entry as the caller gave it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryInput {
    pub date: NaiveDate,
    pub memo: Option<String>,
    pub lines: Vec<LineInput>,
}

/// A draft's changes as the caller gave them: a field left `Unchanged` (or `lines: None`)
/// stays; given lines replace all of the draft's.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub memo: Patch<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineInput>>,
}

impl EntryPatch {
    /// The draft's content after the change, to be checked like a new entry.
    pub fn apply(self, entry: &JournalEntry, lines: &[JournalLine]) -> EntryInput {
        EntryInput {
            date: self.date.unwrap_or(entry.entry_date),
            memo: match self.memo {
                Patch::Unchanged => entry.memo.clone(),
                Patch::Clear => None,
                Patch::Set(memo) => Some(memo),
            },
            lines: self.lines.unwrap_or_else(|| as_lines(lines)),
        }
    }
}

/// Stored lines as input again, to check them by the same rules.
pub fn as_lines(lines: &[JournalLine]) -> Vec<LineInput> {
    lines
        .iter()
        .map(|line| LineInput {
            account_id: line.account_id,
            currency: line.currency.clone(),
            debit: Some(line.debit.clone()),
            credit: Some(line.credit.clone()),
            description: line.description.clone(),
            links: line.links(),
        })
        .collect()
}

/// One line as the caller gave it: a debit or a credit.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineInput {
    pub account_id: Uuid,
    pub currency: String,
    pub debit: Option<BigDecimal>,
    pub credit: Option<BigDecimal>,
    pub description: Option<String>,
    #[serde(flatten)]
    pub links: SourceLinks,
}

/// A line that passed the rules: numbered from 1, amounts normalised, zero on one side.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLine {
    pub line_no: i32,
    pub account_id: Uuid,
    pub currency: String,
    pub debit: BigDecimal,
    pub credit: BigDecimal,
    pub description: Option<String>,
    pub links: SourceLinks,
}

/// One currency's debits (equal to its credits) in an entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrencyTotal {
    pub currency: String,
    pub amount: BigDecimal,
}

/// An entry that passed the rules.
#[derive(Debug, Clone)]
pub struct ValidEntry {
    pub date: NaiveDate,
    pub memo: Option<String>,
    pub lines: Vec<ValidLine>,
    /// Per currency, in code order.
    pub totals: Vec<CurrencyTotal>,
}

/// Checks `input` (whose fields are named under `prefix`, e.g. `input`) and returns the
/// entry to store. Accounts are checked by the operation, which can see them.
pub fn validate_entry(input: &EntryInput, prefix: &str) -> Result<ValidEntry, AppError> {
    let memo = optional_text(&format!("{prefix}.memo"), input.memo.as_deref(), MEMO_MAX)?;
    let lines_field = format!("{prefix}.lines");
    if input.lines.len() < 2 {
        return Err(AppError::bad_input(
            &lines_field,
            "a journal entry needs at least two lines (a debit and a credit)",
        ));
    }
    if input.lines.len() > MAX_LINES {
        return Err(AppError::bad_input(
            &lines_field,
            format!("a journal entry has at most {MAX_LINES} lines"),
        ));
    }
    let lines = input
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| validate_line(line, i, &format!("{lines_field}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let totals = balanced(&lines, &lines_field)?;
    Ok(ValidEntry {
        date: input.date,
        memo,
        lines,
        totals,
    })
}

fn validate_line(line: &LineInput, index: usize, field: &str) -> Result<ValidLine, AppError> {
    let currency = crate::money::currency(&format!("{field}.currency"), &line.currency)?;
    let side = |name: &str, amount: &Option<BigDecimal>| -> Result<BigDecimal, AppError> {
        match amount {
            None => Ok(BigDecimal::zero()),
            Some(amount) => crate::money::amount(&format!("{field}.{name}"), amount, &currency),
        }
    };
    let debit = side("debit", &line.debit)?;
    let credit = side("credit", &line.credit)?;
    match (debit.is_zero(), credit.is_zero()) {
        (false, false) => {
            return Err(AppError::bad_input(
                format!("{field}.credit"),
                "a line is either a debit or a credit: give the other side its own line",
            ))
        }
        (true, true) => {
            return Err(AppError::bad_input(
                format!("{field}.debit"),
                "a line needs a debit or a credit above zero",
            ))
        }
        _ => {}
    }
    Ok(ValidLine {
        line_no: i32::try_from(index + 1).unwrap_or(i32::MAX),
        account_id: line.account_id,
        currency,
        debit,
        credit,
        description: optional_text(
            &format!("{field}.description"),
            line.description.as_deref(),
            LINE_DESCRIPTION_MAX,
        )?,
        links: line.links,
    })
}

/// Debits equal credits in every currency; returns each currency's total.
fn balanced(lines: &[ValidLine], field: &str) -> Result<Vec<CurrencyTotal>, AppError> {
    let mut sums: BTreeMap<&str, (BigDecimal, BigDecimal)> = BTreeMap::new();
    for line in lines {
        let sum = sums.entry(&line.currency).or_default();
        sum.0 += &line.debit;
        sum.1 += &line.credit;
    }
    if let Some((currency, (debits, credits))) = sums.iter().find(|(_, (d, c))| d != c) {
        return Err(AppError::bad_input(
            field,
            format!(
                "a journal entry must balance: in {currency} its debits are {} and its credits {}",
                crate::money::display(debits, currency),
                crate::money::display(credits, currency)
            ),
        ));
    }
    Ok(sums
        .into_iter()
        .map(|(currency, (debits, _))| CurrencyTotal {
            currency: currency.to_owned(),
            amount: debits,
        })
        .collect())
}

/// The lines of a reversal: each of `lines` with its debit and credit swapped.
pub fn mirrored(lines: &[JournalLine]) -> Vec<LineInput> {
    lines
        .iter()
        .map(|line| LineInput {
            account_id: line.account_id,
            currency: line.currency.clone(),
            debit: Some(line.credit.clone()).filter(|a| !a.is_zero()),
            credit: Some(line.debit.clone()).filter(|a| !a.is_zero()),
            description: line.description.clone(),
            links: line.links(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(s: &str) -> Option<BigDecimal> {
        Some(BigDecimal::from_str(s).unwrap())
    }

    fn line(currency: &str, debit: Option<BigDecimal>, credit: Option<BigDecimal>) -> LineInput {
        LineInput {
            account_id: Uuid::nil(),
            currency: currency.into(),
            debit,
            credit,
            description: None,
            links: SourceLinks::default(),
        }
    }

    fn entry(lines: Vec<LineInput>) -> EntryInput {
        EntryInput {
            date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            memo: None,
            lines,
        }
    }

    fn refused(lines: Vec<LineInput>) -> (String, String) {
        let err = validate_entry(&entry(lines), "input").unwrap_err();
        assert_eq!(err.code(), crate::error::ErrorCode::BadUserInput);
        (err.field().unwrap().to_owned(), err.client_message())
    }

    #[test]
    fn a_balanced_entry_passes_with_totals_per_currency() {
        let valid = validate_entry(
            &entry(vec![
                line("usd", dec("10.50"), None),
                line("USD", None, dec("10.5")),
                line("JPY", dec("100"), None),
                line("JPY", None, dec("100")),
            ]),
            "input",
        )
        .unwrap();
        assert_eq!(valid.lines[0].currency, "USD");
        assert_eq!(valid.lines[3].line_no, 4);
        assert_eq!(valid.totals.len(), 2);
        assert_eq!(valid.totals[0].currency, "JPY");
        assert_eq!(
            valid.totals[1].amount,
            BigDecimal::from_str("10.5").unwrap()
        );
    }

    #[test]
    fn unbalanced_entries_are_refused_per_currency() {
        let (field, message) = refused(vec![
            line("USD", dec("10"), None),
            line("EUR", None, dec("10")),
        ]);
        assert_eq!(field, "input.lines");
        assert!(message.contains("EUR"), "{message}");
    }

    #[test]
    fn each_line_is_one_side_above_zero() {
        let (field, _) = refused(vec![
            line("USD", dec("10"), None),
            line("USD", dec("1"), dec("11")),
        ]);
        assert_eq!(field, "input.lines[1].credit");
        let (field, _) = refused(vec![line("USD", None, None), line("USD", None, dec("1"))]);
        assert_eq!(field, "input.lines[0].debit");
        let (field, _) = refused(vec![
            line("USD", dec("0"), None),
            line("USD", dec("0"), None),
        ]);
        assert_eq!(field, "input.lines[0].debit");
    }

    #[test]
    fn amounts_are_positive_and_in_minor_units() {
        let (field, _) = refused(vec![
            line("USD", dec("1"), None),
            line("USD", None, dec("1")),
            line("USD", dec("-1"), None),
        ]);
        assert_eq!(field, "input.lines[2].debit");
        let (field, message) = refused(vec![
            line("USD", dec("0.001"), None),
            line("USD", None, dec("0.001")),
        ]);
        assert_eq!(field, "input.lines[0].debit");
        assert!(message.contains("2 decimal places"), "{message}");
        let (field, _) = refused(vec![
            line("JPY", dec("1.5"), None),
            line("JPY", None, dec("1.5")),
        ]);
        assert_eq!(field, "input.lines[0].debit");
        assert!(validate_entry(
            &entry(vec![
                line("KWD", dec("1.234"), None),
                line("KWD", None, dec("1.234"))
            ]),
            "input"
        )
        .is_ok());
        let (field, _) = refused(vec![
            line("USX", dec("1"), None),
            line("USD", None, dec("1")),
        ]);
        assert_eq!(field, "input.lines[0].currency");
    }

    #[test]
    fn an_entry_needs_two_lines() {
        let (field, _) = refused(vec![line("USD", dec("1"), None)]);
        assert_eq!(field, "input.lines");
    }
}

//! A lead's lifecycle: which status moves are allowed from where, and what each stamps.

use chrono::{DateTime, Utc};

use super::{current_values, still_open, LeadStatus};
use crate::error::AppError;
use crate::leads::model::{Lead, LeadChanges};
use crate::validate::optional_text;

pub const REASON_MAX: usize = 1000;

/// A lifecycle move a caller asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// NEW or WORKING → QUALIFIED, stamping `qualified_at`.
    Qualify,
    /// Any open status → DISQUALIFIED, with a reason.
    Disqualify,
    /// DISQUALIFIED or QUALIFIED → WORKING, clearing that status's stamps.
    Reopen,
}

impl Transition {
    /// The write path's action name.
    pub fn action(self) -> &'static str {
        match self {
            Transition::Qualify => "lead.qualify",
            Transition::Disqualify => "lead.disqualify",
            Transition::Reopen => "lead.reopen",
        }
    }
}

/// The lead's values after `transition` at `now`, and the reason to record; or why the move
/// is not possible from where the lead stands (CONFLICT) or what the input lacks.
pub fn transitioned(
    lead: &Lead,
    transition: Transition,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(LeadChanges, Option<String>), AppError> {
    still_open(lead)?;
    let reason = optional_text("input.reason", reason, REASON_MAX)?;
    let from = lead.status();
    let mut values = current_values(lead);
    let refuse = |what: &str| {
        Err(AppError::conflict(
            Some("input.id"),
            format!("a {} lead cannot be {what}", from.as_str().to_uppercase()),
        ))
    };
    match transition {
        Transition::Qualify => {
            if !matches!(from, LeadStatus::New | LeadStatus::Working) {
                return refuse("qualified (reopen it first)");
            }
            values.status = LeadStatus::Qualified.as_str();
            values.qualified_at = Some(now);
        }
        Transition::Disqualify => {
            let Some(reason) = &reason else {
                return Err(AppError::bad_input(
                    "input.reason",
                    "is required: say why the lead is not a fit",
                ));
            };
            if from == LeadStatus::Disqualified {
                return refuse("disqualified again");
            }
            values.status = LeadStatus::Disqualified.as_str();
            values.disqualified_at = Some(now);
            values.disqualified_reason = Some(reason.clone());
        }
        Transition::Reopen => {
            if !matches!(from, LeadStatus::Disqualified | LeadStatus::Qualified) {
                return refuse("reopened (only QUALIFIED and DISQUALIFIED leads are)");
            }
            values.status = LeadStatus::Working.as_str();
            values.qualified_at = None;
            values.disqualified_at = None;
            values.disqualified_reason = None;
        }
    }
    Ok((values, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::rules::fixtures::{field_of, lead};

    #[test]
    fn the_lifecycle_moves_only_from_where_it_may() {
        use LeadStatus::*;
        use Transition::*;
        let now = Utc::now();
        for (from, transition, to) in [
            (New, Qualify, Some(Qualified)),
            (Working, Qualify, Some(Qualified)),
            (Qualified, Qualify, None),
            (Disqualified, Qualify, None),
            (New, Disqualify, Some(Disqualified)),
            (Qualified, Disqualify, Some(Disqualified)),
            (Disqualified, Disqualify, None),
            (Disqualified, Reopen, Some(Working)),
            (Qualified, Reopen, Some(Working)),
            (New, Reopen, None),
            (Converted, Qualify, None),
            (Converted, Reopen, None),
        ] {
            let result = transitioned(&lead(from), transition, Some("fit"), now);
            match to {
                Some(to) => assert_eq!(result.unwrap().0.status, to.as_str()),
                None => assert_eq!(result.unwrap_err().code().as_str(), "CONFLICT"),
            }
        }
        let (qualified, _) = transitioned(&lead(New), Qualify, None, now).unwrap();
        assert_eq!(qualified.qualified_at, Some(now));
        let (reopened, _) = transitioned(
            &Lead {
                disqualified_at: Some(now),
                disqualified_reason: Some("no budget".into()),
                ..lead(Disqualified)
            },
            Reopen,
            None,
            now,
        )
        .unwrap();
        assert_eq!(reopened.disqualified_at, None);
        assert_eq!(reopened.disqualified_reason, None);
        let no_reason = transitioned(&lead(New), Disqualify, Some("  "), now);
        assert_eq!(field_of(no_reason).as_deref(), Some("input.reason"));
    }
}

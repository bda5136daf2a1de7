//! Deal operations: the reads the API needs beyond its loaders, and every write, each through
//! the write path (create/edit/delete, moves, contact links, tags), plus pipeline reports.

pub mod analytics;
mod contact_links;
mod deal;
mod moves;
mod reads;
mod routing;
mod tags;

use uuid::Uuid;

pub use self::contact_links::{link_contact, unlink_contact};
pub use self::deal::{create_deal, insert_deal, stage_for, update_deal, InsertedDeal};
pub use self::moves::{move_deal, Moved, StageDeals, Target};
pub use self::reads::{count_deals, deal_page, deal_tags};
pub use self::tags::{create_tag, set_tagged};
use super::model::Deal;
pub use super::rules::{DealInput, DealPatch, StageTarget};
use crate::error::AppError;
use crate::events::{Event, NewEvent};

/// The outbox row of a deal event.
fn event<E: Event>(event: &E) -> Result<NewEvent, AppError> {
    Ok(NewEvent::of(event)?)
}

// Every write to a deal (an edit, a move, a contact role, a tag) locks the deal first.
crate::write::locked::lockable!(Deal, "deal");

/// A foreign-key violation on `company_id` means the company is not in this workspace.
fn company_not_found(err: diesel::result::Error, company_id: Option<Uuid>) -> AppError {
    match (&err, company_id) {
        (
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                _,
            ),
            Some(id),
        ) => AppError::not_found("company", id),
        _ => err.into(),
    }
}

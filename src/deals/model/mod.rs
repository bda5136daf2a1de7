//! Deal rows and their SQL: the deal, its stage history, its contact links and tags, the list
//! and board queries, and the analytics aggregates. The only place in the domain that talks to
//! the database.

pub mod analytics;
pub mod bulk;
pub mod contact_link;
pub mod deal;
pub mod list;
pub mod prepared;
pub mod stage_change;
pub mod tag;

pub use contact_link::DealContact;
pub use deal::{Deal, DealChanges, MoveChanges, NewDeal};
pub use list::{BoardDeal, DealFilter, DealOrder, DealSort, DealWindow};
pub use stage_change::StageChange;
pub use tag::{DealTag, DealTagging};

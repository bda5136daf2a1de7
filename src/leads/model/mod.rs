//! Lead rows and their SQL. The only place in the domain that talks to the database.

pub mod bulk;
pub mod conversion;
pub mod lead;
pub mod status_change;
pub mod status_count;

pub use conversion::{ConversionsOrder, ConversionsWindow, LeadConversion, LeadConversionFilter};
pub use lead::{Lead, LeadChanges, LeadFilter, NewLead, EMAIL_UNIQUE};
pub use status_change::LeadStatusChange;
pub use status_count::LeadStatusCounts;

//! Activity rows and their SQL. The only place in the domain that talks to the database.

pub mod activity;
pub mod linked;

pub use activity::{Activity, ActivityChanges, ActivityFilter, NewActivity};
pub use linked::LinkedRow;

//! Activity rows and their SQL. The only place in the domain that talks to the database.

pub mod activity;

pub use activity::{Activity, ActivityChanges, ActivityFilter, NewActivity};

//! Contact and company rows and their SQL. The only place in the domain that talks to the
//! database.

pub mod company;
pub mod contact;
pub mod scores;

pub use company::{Company, CompanyChanges, CompanyFilter, NewCompany};
pub use contact::{Contact, ContactChanges, ContactFilter, NewContact};

use diesel::sql_types::{Bool, Text};

use crate::db::page::Condition;

/// `text ILIKE pattern`, written so it matches the expression of a trigram index.
fn matches_search<QS>(search_text: &'static str, pattern: &str) -> Condition<QS> {
    Box::new(
        diesel::dsl::sql::<Bool>(&format!("{search_text} ILIKE "))
            .bind::<Text, _>(pattern.to_owned()),
    )
}

//! Contact and company rows and their SQL. The only place in the domain that talks to the
//! database.

pub mod company;
pub mod contact;

pub use company::{Company, CompanyChanges, CompanyFilter, NewCompany};
pub use contact::{Contact, ContactChanges, ContactFilter, NewContact};

use diesel::expression::BoxableExpression;
use diesel::pg::Pg;
use diesel::result::Error as DieselError;
use diesel::sql_types::{Bool, Text, Timestamptz, Uuid as SqlUuid};

use super::{ListOrder, ListWindow, SortKey};

/// A boxed SQL condition on table `QS`.
type Condition<QS> = Box<dyn BoxableExpression<QS, Pg, SqlType = Bool>>;

/// The keyset condition "comes after `window.after`" on `table`, as a row comparison so
/// PostgreSQL can seek in a `(sort key, id)` index instead of filtering.
fn after_position<QS>(
    table: &'static str,
    window: &ListWindow,
) -> Result<Option<Condition<QS>>, DieselError> {
    let Some(after) = &window.after else {
        return Ok(None);
    };
    let column = window.order.as_str();
    let condition: Condition<QS> = match (window.order, &after.key) {
        (ListOrder::UpdatedAt | ListOrder::CreatedAt, SortKey::Time(at)) => Box::new(
            diesel::dsl::sql::<Bool>(&format!("({table}.{column}, {table}.id) < ("))
                .bind::<Timestamptz, _>(*at)
                .sql(", ")
                .bind::<SqlUuid, _>(after.id)
                .sql(")"),
        ),
        (ListOrder::Name, SortKey::Text(name)) => Box::new(
            diesel::dsl::sql::<Bool>(&format!("({table}.{column}, {table}.id) > ("))
                .bind::<Text, _>(name.clone())
                .sql(", ")
                .bind::<SqlUuid, _>(after.id)
                .sql(")"),
        ),
        _ => {
            return Err(DieselError::QueryBuilderError(
                "a keyset position does not match the list's order".into(),
            ))
        }
    };
    Ok(Some(condition))
}

/// `text ILIKE pattern`, written so it matches the expression of a trigram index.
fn matches_search<QS>(search_text: &'static str, pattern: &str) -> Condition<QS> {
    Box::new(
        diesel::dsl::sql::<Bool>(&format!("{search_text} ILIKE "))
            .bind::<Text, _>(pattern.to_owned()),
    )
}

//! Loads the relations a page of contacts or companies selects, in one go per loader, before
//! the rows are resolved. The request's loaders cache, so each row's own relation resolver is
//! then answered from memory, and the statement count depends on the query's shape only.

use std::collections::HashSet;

use async_graphql::{Context, Value};
use uuid::Uuid;

use super::loaders::{loader, CompanyContactsKey, CompanyContactsLoader, CompanyLoader};
use super::CONTACTS_LIST;
use crate::contacts::model::{Company, Contact};
use crate::contacts::ContactsOrder;
use crate::error::AppError;
use crate::graphql::cursor_key::Cursors;
use crate::graphql::pagination::{Page, PageArgs};

/// The page and loader key of one company's `contacts(first, after)`.
pub(super) fn company_contacts_page(
    cursors: Cursors<'_>,
    company_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> Result<(Page<'_, ContactsOrder>, CompanyContactsKey), AppError> {
    let args = PageArgs::forward(first, after);
    let page = Page::with(cursors, CONTACTS_LIST, ContactsOrder::UpdatedAt, args)?;
    let after = page.window.after_time();
    let key = CompanyContactsKey {
        company_id,
        after,
        limit: page.window.fetch_limit(),
    };
    Ok((page, key))
}

/// `contacts(…)`: the companies of the page's contacts, when the query asks for them.
pub(super) async fn contacts(ctx: &Context<'_>, rows: &[Contact]) -> Result<(), AppError> {
    let look = ctx.look_ahead();
    let wants_company = [look.field("nodes"), look.field("edges").field("node")]
        .iter()
        .any(|node| node.field("company").exists());
    let company_ids: HashSet<Uuid> = rows.iter().filter_map(|row| row.company_id).collect();
    if wants_company && !company_ids.is_empty() {
        loader::<CompanyLoader>(ctx)?.load_many(company_ids).await?;
    }
    Ok(())
}

/// `companies(…)`: each page of contacts the query asks of the page's companies (one batch
/// per distinct `first`/`after`). Arguments that do not parse are left to the field itself
/// to report.
pub(super) async fn companies(ctx: &Context<'_>, rows: &[Company]) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let cursors = Cursors::of(ctx)?;
    let look = ctx.look_ahead();
    let mut keys = HashSet::new();
    for node in [look.field("nodes"), look.field("edges").field("node")] {
        for field in node.field("contacts").selection_fields() {
            let Some((first, after)) = field.arguments().ok().and_then(|args| page_args(&args))
            else {
                continue;
            };
            for row in rows {
                if let Ok((_, key)) = company_contacts_page(cursors, row.id, first, after.clone()) {
                    keys.insert(key);
                }
            }
        }
    }
    if !keys.is_empty() {
        loader::<CompanyContactsLoader>(ctx)?
            .load_many(keys)
            .await?;
    }
    Ok(())
}

/// `first` and `after` of a connection field, as its resolver will receive them.
fn page_args(args: &[(async_graphql::Name, Value)]) -> Option<(Option<i32>, Option<String>)> {
    let mut first = None;
    let mut after = None;
    for (name, value) in args {
        match (name.as_str(), value) {
            ("first", Value::Number(n)) => first = Some(i32::try_from(n.as_i64()?).ok()?),
            ("after", Value::String(cursor)) => after = Some(cursor.clone()),
            ("first" | "after", Value::Null) => {}
            _ => return None,
        }
    }
    Some((first, after))
}

//! Operations on contacts and companies, used by GraphQL (and later the CLI, webhooks and
//! agent tools): reads check the `crm:read` scope; writes are the write path's generic
//! record operations (`crate::write::record::{create, update, delete}`), which contacts and
//! companies join by implementing `Record` (in `contact.rs` and `company.rs`).

mod company;
mod contact;
mod scoring;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{Company, CompanyFilter, Contact, ContactFilter};
pub use super::rules::company::{CompanyInput, CompanyPatch};
pub use super::rules::contact::{ContactInput, ContactPatch};
use super::{rules, ContactsWindow, Listing};
use crate::auth::{Actor, Scope};
use crate::db::DbPool;
use crate::error::AppError;
use crate::validate;

/// `contact(id)`: the contact, or none when the workspace has no such contact.
pub async fn contact(pool: &DbPool, actor: &Actor, id: Uuid) -> Result<Option<Contact>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    Ok(Contact::find(&mut conn, actor.workspace_id, id).await?)
}

/// The contact holding `email` (in any case), or none: finding a person by address.
pub async fn contact_by_email(
    pool: &DbPool,
    actor: &Actor,
    email: &str,
) -> Result<Option<Contact>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    match Contact::id_by_email(&mut conn, actor.workspace_id, email.trim()).await? {
        Some(id) => Ok(Contact::find(&mut conn, actor.workspace_id, id).await?),
        None => Ok(None),
    }
}

/// `contacts(filter, …)`: one page and the total number of matches.
pub async fn contacts(
    pool: &DbPool,
    actor: &Actor,
    mut filter: ContactFilter,
    window: &ContactsWindow,
) -> Result<Listing<Contact>, AppError> {
    actor.require(Scope::CrmRead)?;
    filter.search = rules::search_term("filter.search", filter.search.as_deref())?;
    let mut conn = crate::db::conn(pool).await?;
    let rows = Contact::page(&mut conn, actor.workspace_id, &filter, window).await?;
    let total = Contact::count(&mut conn, actor.workspace_id, &filter).await?;
    Ok(Listing { rows, total })
}

/// The workspace's contacts among `ids` (for dataloaders); unknown ids are left out.
pub async fn contacts_by_ids(
    pool: &DbPool,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<Contact>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Contact::find_many(&mut conn, workspace_id, ids).await?)
}

/// The first page of each company's contacts, newest update first, with each company's
/// total: two statements for any number of companies.
pub async fn contacts_of_companies(
    pool: &DbPool,
    workspace_id: Uuid,
    company_ids: &[Uuid],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<HashMap<Uuid, Listing<Contact>>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    let rows =
        Contact::pages_by_company(&mut conn, workspace_id, company_ids, after, limit).await?;
    let totals = Contact::count_by_company(&mut conn, workspace_id, company_ids).await?;
    let mut pages: HashMap<Uuid, Listing<Contact>> = company_ids
        .iter()
        .map(|id| (*id, Listing::default()))
        .collect();
    for (company_id, total) in totals {
        if let Some(page) = company_id.and_then(|id| pages.get_mut(&id)) {
            page.total = total;
        }
    }
    for row in rows {
        if let Some(page) = row.company_id.and_then(|id| pages.get_mut(&id)) {
            page.rows.push(row);
        }
    }
    Ok(pages)
}

/// `company(id)`: the company, or none when the workspace has no such company.
pub async fn company(pool: &DbPool, actor: &Actor, id: Uuid) -> Result<Option<Company>, AppError> {
    actor.require(Scope::CrmRead)?;
    let mut conn = crate::db::conn(pool).await?;
    Ok(Company::find(&mut conn, actor.workspace_id, id).await?)
}

/// `companies(filter, …)`: one page and the total number of matches.
pub async fn companies(
    pool: &DbPool,
    actor: &Actor,
    mut filter: CompanyFilter,
    window: &ContactsWindow,
) -> Result<Listing<Company>, AppError> {
    actor.require(Scope::CrmRead)?;
    filter.search = rules::search_term("filter.search", filter.search.as_deref())?;
    filter.country = validate::country("filter.country", filter.country.as_deref())?;
    let mut conn = crate::db::conn(pool).await?;
    let rows = Company::page(&mut conn, actor.workspace_id, &filter, window).await?;
    let total = Company::count(&mut conn, actor.workspace_id, &filter).await?;
    Ok(Listing { rows, total })
}

/// The workspace's companies among `ids` (for dataloaders); unknown ids are left out.
pub async fn companies_by_ids(
    pool: &DbPool,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<Company>, AppError> {
    let mut conn = crate::db::conn(pool).await?;
    Ok(Company::find_many(&mut conn, workspace_id, ids).await?)
}

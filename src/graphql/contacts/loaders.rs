//! Per-request dataloaders for contacts and companies, scoped to the caller's workspace: one
//! statement per batch, however many rows a query returns.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::types::{CompanyGql, ContactGql};
use crate::contacts::model::Contact;
use crate::contacts::{ops, Listing};
use crate::db::DbPool;
use crate::error::AppError;
use crate::graphql::loaders::{new_loader, Loaders};

/// The request's loader of type `L` (the same lookup as every other domain's).
pub(crate) use crate::graphql::loaders::get as loader;

/// Companies by id (`Contact.company`, and `Deal.company`).
pub struct CompanyLoader {
    pub pool: DbPool,
    pub workspace_id: Uuid,
}

impl Loader<Uuid> for CompanyLoader {
    type Value = CompanyGql;
    type Error = AppError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, CompanyGql>, AppError> {
        let rows = ops::companies_by_ids(&self.pool, self.workspace_id, ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.id, CompanyGql::from_row(row)))
            .collect())
    }
}

/// Contacts by id (`Deal.contacts` and other relations to people).
pub struct ContactLoader {
    pub pool: DbPool,
    pub workspace_id: Uuid,
}

impl Loader<Uuid> for ContactLoader {
    type Value = ContactGql;
    type Error = AppError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, ContactGql>, AppError> {
        let rows = ops::contacts_by_ids(&self.pool, self.workspace_id, ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.id, ContactGql::from_row(row)))
            .collect())
    }
}

/// One page of one company's contacts (`Company.contacts`). Companies asking for the same
/// page (the usual case: the first page of a list of companies) share one statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompanyContactsKey {
    pub company_id: Uuid,
    /// The `(updated_at, id)` of the last contact already seen.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    /// Rows to fetch per company.
    pub limit: i64,
}

/// The page a key asks for, whichever company it is for.
type PageOf = (Option<(DateTime<Utc>, Uuid)>, i64);

pub struct CompanyContactsLoader {
    pub pool: DbPool,
    pub workspace_id: Uuid,
}

impl Loader<CompanyContactsKey> for CompanyContactsLoader {
    type Value = Listing<Contact>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CompanyContactsKey],
    ) -> Result<HashMap<CompanyContactsKey, Listing<Contact>>, AppError> {
        let mut same_page: HashMap<PageOf, Vec<Uuid>> = HashMap::new();
        for key in keys {
            same_page
                .entry((key.after, key.limit))
                .or_default()
                .push(key.company_id);
        }
        let mut pages = HashMap::with_capacity(keys.len());
        for ((after, limit), company_ids) in same_page {
            let listings = ops::contacts_of_companies(
                &self.pool,
                self.workspace_id,
                &company_ids,
                after,
                limit,
            )
            .await?;
            pages.extend(listings.into_iter().map(|(company_id, listing)| {
                let key = CompanyContactsKey {
                    company_id,
                    after,
                    limit,
                };
                (key, listing)
            }));
        }
        Ok(pages)
    }
}

/// Adds this domain's loaders to a set, for one workspace.
pub fn add(loaders: &mut Loaders, pool: &DbPool, workspace_id: Uuid, cached: bool) {
    loaders.add(new_loader(
        CompanyLoader {
            pool: pool.clone(),
            workspace_id,
        },
        cached,
    ));
    loaders.add(new_loader(
        ContactLoader {
            pool: pool.clone(),
            workspace_id,
        },
        cached,
    ));
    loaders.add(new_loader(
        CompanyContactsLoader {
            pool: pool.clone(),
            workspace_id,
        },
        cached,
    ));
}

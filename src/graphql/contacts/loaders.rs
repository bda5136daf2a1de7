//! Dataloaders for contacts and companies, scoped to the caller's workspace: one statement per
//! batch, however many rows a query returns. They cache rows; resolvers map them to types.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::contacts::model::{Company, Contact};
use crate::contacts::{ops, Listing};
use crate::error::AppError;
use crate::graphql::loaders::{find_by_id, ById, Loaders, Scope};

find_by_id!(Company, Contact);

/// The request's loader of type `L` (the same lookup as every other domain's).
pub(crate) use crate::graphql::loaders::get as loader;

/// Companies by id (`Contact.company`, and `Deal.company`).
pub type CompanyLoader = ById<Company>;

/// Contacts by id (`Deal.contacts` and other relations to people).
pub type ContactLoader = ById<Contact>;

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

pub struct CompanyContactsLoader(pub Scope);

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
                &self.0.pool,
                self.0.workspace_id,
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

/// Adds this domain's loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(CompanyLoader::new(scope.clone()));
    loaders.add(ContactLoader::new(scope.clone()));
    loaders.add(CompanyContactsLoader(scope));
}

//! How contact and company lists are filtered and ordered.

use async_graphql::{Enum, InputObject, ID};

use super::types::LifecycleStageGql;
use crate::contacts::model::{CompanyFilter, ContactFilter};
use crate::contacts::ContactsOrder;
use crate::error::AppError;
use crate::graphql::optional_id;

/// How contacts are ordered. Ties are broken by id, so paging is stable.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ContactOrderBy {
    /// Most recently updated first.
    #[default]
    UpdatedAt,
    /// Newest first.
    CreatedAt,
    /// A to Z.
    Name,
}

/// How companies are ordered. Ties are broken by id, so paging is stable.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum CompanyOrderBy {
    /// Most recently updated first.
    #[default]
    UpdatedAt,
    /// Newest first.
    CreatedAt,
    /// A to Z.
    Name,
}

impl From<ContactOrderBy> for ContactsOrder {
    fn from(order: ContactOrderBy) -> Self {
        match order {
            ContactOrderBy::UpdatedAt => ContactsOrder::UpdatedAt,
            ContactOrderBy::CreatedAt => ContactsOrder::CreatedAt,
            ContactOrderBy::Name => ContactsOrder::Name,
        }
    }
}

impl From<CompanyOrderBy> for ContactsOrder {
    fn from(order: CompanyOrderBy) -> Self {
        match order {
            CompanyOrderBy::UpdatedAt => ContactsOrder::UpdatedAt,
            CompanyOrderBy::CreatedAt => ContactsOrder::CreatedAt,
            CompanyOrderBy::Name => ContactsOrder::Name,
        }
    }
}

/// Which contacts to list; every field given narrows the list.
#[derive(InputObject, Default)]
#[graphql(name = "ContactFilter")]
pub struct ContactFilterInput {
    /// Part of the name or e-mail address, in any case.
    pub search: Option<String>,
    pub company_id: Option<ID>,
    pub lifecycle_stage: Option<LifecycleStageGql>,
    pub owner_id: Option<String>,
    /// Contacts carrying exactly this tag.
    pub tag: Option<String>,
}

impl ContactFilterInput {
    pub fn into_domain(self) -> Result<ContactFilter, AppError> {
        Ok(ContactFilter {
            search: self.search,
            company_id: optional_id(self.company_id, "filter.companyId")?,
            lifecycle_stage: self.lifecycle_stage.map(Into::into),
            owner_id: self.owner_id,
            tag: self.tag,
        })
    }
}

/// Which companies to list; every field given narrows the list.
#[derive(InputObject, Default)]
#[graphql(name = "CompanyFilter")]
pub struct CompanyFilterInput {
    /// Part of the name or domain, in any case.
    pub search: Option<String>,
    pub owner_id: Option<String>,
    /// Companies carrying exactly this tag.
    pub tag: Option<String>,
    pub is_target_account: Option<bool>,
    /// ISO 3166-1 alpha-2, e.g. "DE".
    pub country: Option<String>,
}

impl From<CompanyFilterInput> for CompanyFilter {
    fn from(filter: CompanyFilterInput) -> Self {
        CompanyFilter {
            search: filter.search,
            owner_id: filter.owner_id,
            tag: filter.tag,
            is_target_account: filter.is_target_account,
            country: filter.country,
        }
    }
}

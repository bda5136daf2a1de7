//! GraphQL for contacts and companies: `contact`, `contacts`, `company`, `companies`, their
//! create/update/delete mutations, and the loaders other domains resolve people and
//! organisations through.

mod filters;
mod inputs;
pub mod loaders;
mod prefetch;
pub mod types;

use async_graphql::{Context, Object, ID};
use uuid::Uuid;

pub use self::filters::{CompanyFilterInput, CompanyOrderBy, ContactFilterInput, ContactOrderBy};
pub use self::inputs::{
    CreateCompanyInput, CreateContactInput, DeleteCompanyInput, DeleteContactInput,
    UpdateCompanyInput, UpdateContactInput,
};
use self::loaders::loader;
pub use self::loaders::{
    register as register_loaders, CompanyContactsKey, CompanyContactsLoader, CompanyLoader,
    ContactLoader,
};
pub use self::types::{
    CompanyConnection, CompanyGql, ContactConnection, ContactGql, CreateCompanyPayload,
    CreateContactPayload, DeleteCompanyPayload, DeleteContactPayload, LifecycleStageGql,
    UpdateCompanyPayload, UpdateContactPayload,
};
use super::{actor, parse_id, pool};
use crate::contacts::model::{Company, Contact};
use crate::contacts::{ops, ContactsOrder};
use crate::error::AppError;
use crate::graphql::cursor_key::Cursors;
use crate::graphql::mutation::Delete;
use crate::graphql::pagination::{connection, window, PageArgs};
use crate::write::{record, WriteResult};

/// The names cursors carry for these lists (a company's contacts page like `contacts`).
const CONTACTS_LIST: &str = "contacts";
const COMPANIES_LIST: &str = "companies";

#[derive(Default)]
pub struct ContactsQuery;

#[Object]
impl ContactsQuery {
    /// A contact by id; null when this workspace has none with that id. Needs `crm:read`.
    async fn contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<ContactGql>> {
        let id = parse_id(&id, "id")?;
        let found = ops::contact(pool(ctx)?, actor(ctx)?, id).await?;
        Ok(found.map(ContactGql::from_row))
    }

    /// The workspace's contacts. Needs `crm:read`.
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        filter: Option<ContactFilterInput>,
        #[graphql(desc = "UPDATED_AT when absent.")] order_by: Option<ContactOrderBy>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ContactConnection> {
        let order = ContactsOrder::from(order_by.unwrap_or_default());
        let cursors = Cursors::of(ctx)?;
        let window = window(
            cursors,
            CONTACTS_LIST,
            order,
            PageArgs::forward(first, after),
        )?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let listing = ops::contacts(pool(ctx)?, actor(ctx)?, filter, &window).await?;
        prefetch::contacts(ctx, &listing.rows).await?;
        Ok(connection(
            cursors,
            CONTACTS_LIST,
            &window,
            listing,
            ContactGql::from_row,
        ))
    }

    /// A company by id; null when this workspace has none with that id. Needs `crm:read`.
    async fn company(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<CompanyGql>> {
        let id = parse_id(&id, "id")?;
        let found = ops::company(pool(ctx)?, actor(ctx)?, id).await?;
        Ok(found.map(CompanyGql::from_row))
    }

    /// The workspace's companies. Needs `crm:read`.
    async fn companies(
        &self,
        ctx: &Context<'_>,
        filter: Option<CompanyFilterInput>,
        #[graphql(desc = "UPDATED_AT when absent.")] order_by: Option<CompanyOrderBy>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<CompanyConnection> {
        let order = ContactsOrder::from(order_by.unwrap_or_default());
        let cursors = Cursors::of(ctx)?;
        let window = window(
            cursors,
            COMPANIES_LIST,
            order,
            PageArgs::forward(first, after),
        )?;
        let filter = filter.unwrap_or_default().into();
        let listing = ops::companies(pool(ctx)?, actor(ctx)?, filter, &window).await?;
        prefetch::companies(ctx, &listing.rows).await?;
        Ok(connection(
            cursors,
            COMPANIES_LIST,
            &window,
            listing,
            CompanyGql::from_row,
        ))
    }
}

#[derive(Default)]
pub struct ContactsMutation;

#[Object]
impl ContactsMutation {
    /// Creates a contact. Needs `crm:write`.
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> async_graphql::Result<CreateContactPayload> {
        let (input, options) = input.into_parts()?;
        let result = record::create::<Contact>(pool(ctx)?, actor(ctx)?, input, options).await?;
        Ok(kept(ctx, result, Wrote::Contact).await?.into())
    }

    /// Changes the given fields of a contact. Needs `crm:write`.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateContactInput,
    ) -> async_graphql::Result<UpdateContactPayload> {
        let update = input.into_parts()?;
        let result = update.apply::<Contact>(pool(ctx)?, actor(ctx)?).await?;
        Ok(kept(ctx, result, Wrote::Contact).await?.into())
    }

    /// Deletes a contact and its place on deals (the deals stay); activities it shares with
    /// other records stay with them. Refused (`CONFLICT`) while invoices or payments name it.
    /// Needs `crm:write`.
    async fn delete_contact(
        &self,
        ctx: &Context<'_>,
        input: DeleteContactInput,
    ) -> async_graphql::Result<DeleteContactPayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        let result = delete.apply::<Contact>(pool(ctx)?, actor(ctx)?).await?;
        Ok(kept(ctx, result, |_| Wrote::ContactDeleted).await?.into())
    }

    /// Creates a company. Needs `crm:write`.
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        input: CreateCompanyInput,
    ) -> async_graphql::Result<CreateCompanyPayload> {
        let (input, options) = input.into_parts();
        let result = record::create::<Company>(pool(ctx)?, actor(ctx)?, input, options).await?;
        Ok(kept(ctx, result, Wrote::Company).await?.into())
    }

    /// Changes the given fields of a company. Needs `crm:write`.
    async fn update_company(
        &self,
        ctx: &Context<'_>,
        input: UpdateCompanyInput,
    ) -> async_graphql::Result<UpdateCompanyPayload> {
        let update = input.into_parts()?;
        let result = update.apply::<Company>(pool(ctx)?, actor(ctx)?).await?;
        Ok(kept(ctx, result, Wrote::Company).await?.into())
    }

    /// Deletes a company; its contacts and deals stay, without a company, and so do activities
    /// it shares with other records. Refused (`CONFLICT`) while invoices or payments name it.
    /// Needs `crm:write`.
    async fn delete_company(
        &self,
        ctx: &Context<'_>,
        input: DeleteCompanyInput,
    ) -> async_graphql::Result<DeleteCompanyPayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        let result = delete.apply::<Company>(pool(ctx)?, actor(ctx)?).await?;
        Ok(kept(ctx, result, |_| Wrote::CompanyDeleted).await?.into())
    }
}

/// A committed write's result, after making the request's caches true to it.
async fn kept<R: Clone>(
    ctx: &Context<'_>,
    result: WriteResult<R>,
    wrote: fn(R) -> Wrote,
) -> Result<WriteResult<R>, AppError> {
    if result.committed() {
        refresh_caches(ctx, wrote(result.value.clone())).await?;
    }
    Ok(result)
}

/// What a write changed, for [`refresh_caches`].
enum Wrote {
    Contact(Contact),
    ContactDeleted,
    Company(Company),
    CompanyDeleted,
}

/// Keeps the request's loader caches true to a committed write, so the fields and mutations
/// that follow in the same request do not show the rows as they were before it.
async fn refresh_caches(ctx: &Context<'_>, wrote: Wrote) -> Result<(), AppError> {
    let contacts_of_companies = loader::<CompanyContactsLoader>(ctx)?;
    match wrote {
        Wrote::Contact(contact) => {
            loader::<ContactLoader>(ctx)?
                .feed_one(contact.id, contact)
                .await;
            contacts_of_companies.clear::<CompanyContactsKey>();
        }
        Wrote::ContactDeleted => {
            loader::<ContactLoader>(ctx)?.clear::<Uuid>();
            contacts_of_companies.clear::<CompanyContactsKey>();
        }
        Wrote::Company(company) => {
            loader::<CompanyLoader>(ctx)?
                .feed_one(company.id, company)
                .await;
        }
        // Its contacts lost their company.
        Wrote::CompanyDeleted => {
            loader::<CompanyLoader>(ctx)?.clear::<Uuid>();
            loader::<ContactLoader>(ctx)?.clear::<Uuid>();
            contacts_of_companies.clear::<CompanyContactsKey>();
        }
    }
    Ok(())
}

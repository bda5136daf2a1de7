//! GraphQL for contacts and companies: `contact`, `contacts`, `company`, `companies`, their
//! create/update/delete mutations, and the loaders other domains resolve people and
//! organisations through.

mod filters;
mod inputs;
pub mod loaders;
mod prefetch;
pub mod types;

use std::sync::Arc;

use async_graphql::{Context, Object, ID};
use async_trait::async_trait;
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
use crate::graphql::mutation::{mutate, Delete, Kept};
use crate::graphql::pagination::Page;
use crate::write::record;

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
        let page = Page::forward(ctx, CONTACTS_LIST, order, first, after)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let listing = ops::contacts(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        prefetch::contacts(ctx, &listing.rows).await?;
        Ok(page.connection(listing, ContactGql::from_row))
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
        let page = Page::forward(ctx, COMPANIES_LIST, order, first, after)?;
        let filter = filter.unwrap_or_default().into();
        let listing = ops::companies(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        prefetch::companies(ctx, &listing.rows).await?;
        Ok(page.connection(listing, CompanyGql::from_row))
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
        mutate(ctx, |pool, actor| {
            record::create::<Contact>(pool, actor, input, options)
        })
        .await
    }

    /// Changes the given fields of a contact. Needs `crm:write`.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateContactInput,
    ) -> async_graphql::Result<UpdateContactPayload> {
        let update = input.into_parts()?;
        mutate(ctx, update.through(record::update::<Contact>)).await
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
        mutate(ctx, delete.through(record::delete::<Contact>)).await
    }

    /// Creates a company. Needs `crm:write`.
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        input: CreateCompanyInput,
    ) -> async_graphql::Result<CreateCompanyPayload> {
        let (input, options) = input.into_parts();
        mutate(ctx, |pool, actor| {
            record::create::<Company>(pool, actor, input, options)
        })
        .await
    }

    /// Changes the given fields of a company. Needs `crm:write`.
    async fn update_company(
        &self,
        ctx: &Context<'_>,
        input: UpdateCompanyInput,
    ) -> async_graphql::Result<UpdateCompanyPayload> {
        let update = input.into_parts()?;
        mutate(ctx, update.through(record::update::<Company>)).await
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
        mutate(ctx, delete.through(record::delete::<Company>)).await
    }
}

/// A committed contact write keeps the request's caches true to it, so the fields and
/// mutations that follow in the same request do not show the rows as they were before it.
#[async_trait]
impl Kept for Contact {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        loader::<ContactLoader>(ctx)?
            .feed_one(self.id, Arc::new(self.clone()))
            .await;
        loader::<CompanyContactsLoader>(ctx)?.clear::<CompanyContactsKey>();
        Ok(())
    }

    async fn forget(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        loader::<ContactLoader>(ctx)?.clear::<Uuid>();
        loader::<CompanyContactsLoader>(ctx)?.clear::<CompanyContactsKey>();
        Ok(())
    }
}

#[async_trait]
impl Kept for Company {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        loader::<CompanyLoader>(ctx)?
            .feed_one(self.id, Arc::new(self.clone()))
            .await;
        Ok(())
    }

    /// Its contacts lost their company.
    async fn forget(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        loader::<CompanyLoader>(ctx)?.clear::<Uuid>();
        loader::<ContactLoader>(ctx)?.clear::<Uuid>();
        loader::<CompanyContactsLoader>(ctx)?.clear::<CompanyContactsKey>();
        Ok(())
    }
}

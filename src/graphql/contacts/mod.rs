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
use self::inputs::Update;
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
use crate::graphql::pagination::{connection, window, PageArgs};
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
        let window = window(CONTACTS_LIST, order, PageArgs::forward(first, after))?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let listing = ops::contacts(pool(ctx)?, actor(ctx)?, filter, &window).await?;
        prefetch::contacts(ctx, &listing.rows).await?;
        Ok(connection(
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
        let window = window(COMPANIES_LIST, order, PageArgs::forward(first, after))?;
        let filter = filter.unwrap_or_default().into();
        let listing = ops::companies(pool(ctx)?, actor(ctx)?, filter, &window).await?;
        prefetch::companies(ctx, &listing.rows).await?;
        Ok(connection(
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
        if result.committed() {
            refresh_caches(ctx, Wrote::Contact(&result.value)).await?;
        }
        let outcome = (&result).into();
        let contact = ContactGql::from_row(result.value);
        Ok(CreateContactPayload { contact, outcome })
    }

    /// Changes the given fields of a contact. Needs `crm:write`.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateContactInput,
    ) -> async_graphql::Result<UpdateContactPayload> {
        let Update {
            id,
            expected_version,
            patch,
            options,
        } = input.into_parts()?;
        let (pool, actor) = (pool(ctx)?, actor(ctx)?);
        let result =
            record::update::<Contact>(pool, actor, id, expected_version, patch, options).await?;
        if result.committed() {
            refresh_caches(ctx, Wrote::Contact(&result.value)).await?;
        }
        let outcome = (&result).into();
        let contact = ContactGql::from_row(result.value);
        Ok(UpdateContactPayload { contact, outcome })
    }

    /// Deletes a contact and its place on deals (the deals stay). Needs `crm:write`.
    async fn delete_contact(
        &self,
        ctx: &Context<'_>,
        input: DeleteContactInput,
    ) -> async_graphql::Result<DeleteContactPayload> {
        let id = parse_id(&input.id, "input.id")?;
        let (pool, actor) = (pool(ctx)?, actor(ctx)?);
        let result = record::delete::<Contact>(
            pool,
            actor,
            id,
            input.expected_version,
            input.options.into(),
        )
        .await?;
        if result.committed() {
            refresh_caches(ctx, Wrote::ContactDeleted).await?;
        }
        let outcome = (&result).into();
        Ok(DeleteContactPayload {
            contact: result.value.into(),
            outcome,
        })
    }

    /// Creates a company. Needs `crm:write`.
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        input: CreateCompanyInput,
    ) -> async_graphql::Result<CreateCompanyPayload> {
        let (input, options) = input.into_parts();
        let result = record::create::<Company>(pool(ctx)?, actor(ctx)?, input, options).await?;
        if result.committed() {
            refresh_caches(ctx, Wrote::Company(&result.value)).await?;
        }
        let outcome = (&result).into();
        let company = CompanyGql::from_row(result.value);
        Ok(CreateCompanyPayload { company, outcome })
    }

    /// Changes the given fields of a company. Needs `crm:write`.
    async fn update_company(
        &self,
        ctx: &Context<'_>,
        input: UpdateCompanyInput,
    ) -> async_graphql::Result<UpdateCompanyPayload> {
        let Update {
            id,
            expected_version,
            patch,
            options,
        } = input.into_parts()?;
        let (pool, actor) = (pool(ctx)?, actor(ctx)?);
        let result =
            record::update::<Company>(pool, actor, id, expected_version, patch, options).await?;
        if result.committed() {
            refresh_caches(ctx, Wrote::Company(&result.value)).await?;
        }
        let outcome = (&result).into();
        let company = CompanyGql::from_row(result.value);
        Ok(UpdateCompanyPayload { company, outcome })
    }

    /// Deletes a company; its contacts and deals stay, without a company. Needs `crm:write`.
    async fn delete_company(
        &self,
        ctx: &Context<'_>,
        input: DeleteCompanyInput,
    ) -> async_graphql::Result<DeleteCompanyPayload> {
        let id = parse_id(&input.id, "input.id")?;
        let (pool, actor) = (pool(ctx)?, actor(ctx)?);
        let result = record::delete::<Company>(
            pool,
            actor,
            id,
            input.expected_version,
            input.options.into(),
        )
        .await?;
        if result.committed() {
            refresh_caches(ctx, Wrote::CompanyDeleted).await?;
        }
        let outcome = (&result).into();
        Ok(DeleteCompanyPayload {
            company: result.value.into(),
            outcome,
        })
    }
}

/// What a write changed, for [`refresh_caches`].
enum Wrote<'a> {
    Contact(&'a Contact),
    ContactDeleted,
    Company(&'a Company),
    CompanyDeleted,
}

/// Keeps the request's loader caches true to a committed write, so the fields and mutations
/// that follow in the same request do not show the rows as they were before it.
async fn refresh_caches(ctx: &Context<'_>, wrote: Wrote<'_>) -> Result<(), AppError> {
    let contacts_of_companies = loader::<CompanyContactsLoader>(ctx)?;
    match wrote {
        Wrote::Contact(contact) => {
            loader::<ContactLoader>(ctx)?
                .feed_one(contact.id, contact.clone())
                .await;
            contacts_of_companies.clear::<CompanyContactsKey>();
        }
        Wrote::ContactDeleted => {
            loader::<ContactLoader>(ctx)?.clear::<Uuid>();
            contacts_of_companies.clear::<CompanyContactsKey>();
        }
        Wrote::Company(company) => {
            loader::<CompanyLoader>(ctx)?
                .feed_one(company.id, company.clone())
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

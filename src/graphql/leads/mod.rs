//! GraphQL for leads: `lead`, `leads`, `leadConversions`, their create/update/delete
//! mutations, the lifecycle mutations and `convertLead`.

pub mod conversion;
mod filters;
mod inputs;
pub mod loaders;
mod prefetch;
mod subscription;
pub mod types;

use std::sync::Arc;

use async_graphql::{Context, Object, ID};
use async_trait::async_trait;
use uuid::Uuid;

pub use self::conversion::{
    ConvertLeadInput, ConvertLeadPayload, LeadConversionConnection, LeadConversionFilterInput,
    LeadConversionGql,
};
pub use self::filters::{LeadFilterInput, LeadOrderBy};
use self::inputs::StatusRequest;
pub use self::inputs::{
    AssignLeadInput, CreateLeadInput, DeleteLeadInput, DisqualifyLeadInput, LeadStatusInput,
    UpdateLeadInput,
};
pub use self::loaders::{
    register as register_loaders, LeadConversionLoader, LeadConversionsOfLeadsLoader, LeadLoader,
    LeadStatusChangesLoader,
};
pub use self::subscription::LeadsSubscription;
pub use self::types::{
    AssignLeadPayload, CreateLeadPayload, DeleteLeadPayload, LeadConnection, LeadGql,
    LeadStatusPayload, UpdateLeadPayload,
};
use super::{actor, loaders as registry, parse_id, pool};
use crate::error::AppError;
use crate::graphql::contacts::ContactLoader;
use crate::graphql::mutation::{mutate, Delete, Kept, Target};
use crate::graphql::pagination::Page;
use crate::leads::model::{ConversionsOrder, Lead};
use crate::leads::ops::{Converted, StatusChanged, Transition};
use crate::leads::{ops, LeadsOrder};
use crate::write::record;

/// The name lead cursors carry.
const LEADS_LIST: &str = "leads";
/// The name conversion cursors carry.
const CONVERSIONS_LIST: &str = "lead_conversions";

#[derive(Default)]
pub struct LeadsQuery;

#[Object]
impl LeadsQuery {
    /// A lead by id; null when this workspace has none with that id. Needs `crm:read`.
    async fn lead(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<LeadGql>> {
        let id = parse_id(&id, "id")?;
        let found = ops::lead(pool(ctx)?, actor(ctx)?, id).await?;
        Ok(found.map(LeadGql::from))
    }

    /// The workspace's leads. Needs `crm:read`.
    async fn leads(
        &self,
        ctx: &Context<'_>,
        filter: Option<LeadFilterInput>,
        #[graphql(desc = "CREATED_AT when absent.")] order_by: Option<LeadOrderBy>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<LeadConnection> {
        let order = LeadsOrder::from(order_by.unwrap_or_default());
        let page = Page::forward(ctx, LEADS_LIST, order, first, after)?;
        let filter = filter.unwrap_or_default().into();
        let listing = ops::leads(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        prefetch::leads(ctx, &listing.rows).await?;
        Ok(page.connection(listing, LeadGql::from))
    }

    /// The workspace's lead conversions, newest first. Needs `crm:read`.
    async fn lead_conversions(
        &self,
        ctx: &Context<'_>,
        filter: Option<LeadConversionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<LeadConversionConnection> {
        let page = Page::forward(ctx, CONVERSIONS_LIST, ConversionsOrder, first, after)?;
        let filter = filter.unwrap_or_default().into();
        let listing = ops::conversions(pool(ctx)?, actor(ctx)?, filter, &page.window).await?;
        prefetch::conversions(ctx, &listing.rows).await?;
        Ok(page.connection(listing, LeadConversionGql::from_row))
    }
}

#[derive(Default)]
pub struct LeadsMutation;

#[Object]
impl LeadsMutation {
    /// Creates a lead, status NEW. Needs `crm:write`.
    async fn create_lead(
        &self,
        ctx: &Context<'_>,
        input: CreateLeadInput,
    ) -> async_graphql::Result<CreateLeadPayload> {
        let (input, options) = input.into_parts();
        mutate(ctx, |pool, actor| {
            record::create::<Lead>(pool, actor, input, options)
        })
        .await
    }

    /// Changes the given fields of a lead that is not converted. Needs `crm:write`.
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        input: UpdateLeadInput,
    ) -> async_graphql::Result<UpdateLeadPayload> {
        let update = input.into_parts()?;
        mutate(ctx, update.through(record::update::<Lead>)).await
    }

    /// Qualifies a NEW or WORKING lead (stamps `qualifiedAt`). Needs `crm:write`.
    async fn qualify_lead(
        &self,
        ctx: &Context<'_>,
        input: LeadStatusInput,
    ) -> async_graphql::Result<LeadStatusPayload> {
        Self::change_status(ctx, input.into(), Transition::Qualify).await
    }

    /// Disqualifies a lead that is not converted, with a reason. Its e-mail address is then
    /// free for a new lead. Needs `crm:write`.
    async fn disqualify_lead(
        &self,
        ctx: &Context<'_>,
        input: DisqualifyLeadInput,
    ) -> async_graphql::Result<LeadStatusPayload> {
        Self::change_status(ctx, input.into(), Transition::Disqualify).await
    }

    /// Puts a QUALIFIED or DISQUALIFIED lead back to WORKING, clearing that status's stamps.
    /// Needs `crm:write`.
    async fn reopen_lead(
        &self,
        ctx: &Context<'_>,
        input: LeadStatusInput,
    ) -> async_graphql::Result<LeadStatusPayload> {
        Self::change_status(ctx, input.into(), Transition::Reopen).await
    }

    /// Gives a lead that is not converted to an owner, or to nobody. Needs `crm:write`.
    async fn assign_lead(
        &self,
        ctx: &Context<'_>,
        input: AssignLeadInput,
    ) -> async_graphql::Result<AssignLeadPayload> {
        let target = Target::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, target.through_with(input.owner_id, ops::assign)).await
    }

    /// Converts a lead that is neither converted nor disqualified into a contact (new or
    /// existing), perhaps a company and perhaps a deal, in one transaction; see
    /// `ConvertLeadInput`. Publishes `lead.converted` and `lead.status_changed`, and the
    /// created records' own events (`contact.created`, `company.created`, `deal.created`,
    /// `deal.contact_linked`; `contact.updated` for a linked contact that changed). Needs
    /// `crm:write`.
    async fn convert_lead(
        &self,
        ctx: &Context<'_>,
        input: ConvertLeadInput,
    ) -> async_graphql::Result<ConvertLeadPayload> {
        let (input, options) = input.into_parts()?;
        mutate(ctx, |pool, actor| ops::convert(pool, actor, input, options)).await
    }

    /// Deletes a lead that is not converted (a converted lead is the record of its
    /// conversion). Needs `crm:write`.
    async fn delete_lead(
        &self,
        ctx: &Context<'_>,
        input: DeleteLeadInput,
    ) -> async_graphql::Result<DeleteLeadPayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        mutate(ctx, delete.through(record::delete::<Lead>)).await
    }
}

impl LeadsMutation {
    async fn change_status(
        ctx: &Context<'_>,
        input: StatusRequest,
        transition: Transition,
    ) -> async_graphql::Result<LeadStatusPayload> {
        let StatusRequest {
            id,
            expected_version,
            reason,
            options,
        } = input;
        let id = parse_id(&id, "input.id")?;
        mutate(ctx, |pool, actor| {
            ops::change_status(
                pool,
                actor,
                id,
                transition,
                reason,
                expected_version,
                options.into(),
            )
        })
        .await
    }
}

/// A committed lead write keeps the request's lead cache true to it.
#[async_trait]
impl Kept for Lead {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        registry::get::<LeadLoader>(ctx)?
            .feed_one(self.id, Arc::new(self.clone()))
            .await;
        Ok(())
    }

    async fn forget(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        registry::get::<LeadLoader>(ctx)?.clear::<Uuid>();
        Ok(())
    }
}

/// A lifecycle step keeps the lead and forgets its cached status history.
#[async_trait]
impl Kept for StatusChanged {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        self.lead.keep(ctx).await?;
        registry::get::<LeadStatusChangesLoader>(ctx)?.clear::<Uuid>();
        Ok(())
    }
}

/// A conversion keeps the lead and its contact, and forgets the lead's cached history.
#[async_trait]
impl Kept for Converted {
    async fn keep(&self, ctx: &Context<'_>) -> Result<(), AppError> {
        self.lead.keep(ctx).await?;
        registry::get::<LeadStatusChangesLoader>(ctx)?.clear::<Uuid>();
        registry::get::<LeadConversionsOfLeadsLoader>(ctx)?.clear::<Uuid>();
        registry::get::<ContactLoader>(ctx)?
            .feed_one(self.contact.id, Arc::new(self.contact.clone()))
            .await;
        Ok(())
    }
}

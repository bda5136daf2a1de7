//! GraphQL for leads: `lead`, `leads`, `leadConversions`, their create/update/delete
//! mutations, the lifecycle mutations and `convertLead`.

pub mod conversion;
mod filters;
mod inputs;
pub mod loaders;
mod prefetch;
mod subscription;
pub mod types;

use async_graphql::{Context, Object, ID};
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
use crate::graphql::cursor_key::Cursors;
use crate::graphql::mutation::Delete;
use crate::graphql::pagination::{connection, window, PageArgs};
use crate::leads::model::{ConversionsOrder, Lead};
use crate::leads::ops::Transition;
use crate::leads::{ops, LeadsOrder};
use crate::write::{record, WriteResult};

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
        let cursors = Cursors::of(ctx)?;
        let order = LeadsOrder::from(order_by.unwrap_or_default());
        let window = window(cursors, LEADS_LIST, order, PageArgs::forward(first, after))?;
        let filter = filter.unwrap_or_default().into();
        let listing = ops::leads(pool(ctx)?, actor(ctx)?, filter, &window).await?;
        prefetch::leads(ctx, &listing.rows).await?;
        Ok(connection(
            cursors,
            LEADS_LIST,
            &window,
            listing,
            LeadGql::from,
        ))
    }

    /// The workspace's lead conversions, newest first. Needs `crm:read`.
    async fn lead_conversions(
        &self,
        ctx: &Context<'_>,
        filter: Option<LeadConversionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<LeadConversionConnection> {
        let cursors = Cursors::of(ctx)?;
        let args = PageArgs::forward(first, after);
        let window = window(cursors, CONVERSIONS_LIST, ConversionsOrder, args)?;
        let filter = filter.unwrap_or_default().into();
        let listing = ops::conversions(pool(ctx)?, actor(ctx)?, filter, &window).await?;
        prefetch::conversions(ctx, &listing.rows).await?;
        Ok(connection(
            cursors,
            CONVERSIONS_LIST,
            &window,
            listing,
            LeadConversionGql::from_row,
        ))
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
        let result = record::create::<Lead>(pool(ctx)?, actor(ctx)?, input, options).await?;
        Ok(kept(ctx, result).await?.into())
    }

    /// Changes the given fields of a lead that is not converted. Needs `crm:write`.
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        input: UpdateLeadInput,
    ) -> async_graphql::Result<UpdateLeadPayload> {
        let update = input.into_parts()?;
        let result = update.apply::<Lead>(pool(ctx)?, actor(ctx)?).await?;
        Ok(kept(ctx, result).await?.into())
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
        let id = parse_id(&input.id, "input.id")?;
        let result = ops::assign(
            pool(ctx)?,
            actor(ctx)?,
            id,
            input.owner_id,
            input.expected_version,
            input.options.into(),
        )
        .await?;
        Ok(kept(ctx, result).await?.into())
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
        let result = ops::convert(pool(ctx)?, actor(ctx)?, input, options).await?;
        if result.committed() {
            let written = &result.value;
            registry::get::<LeadLoader>(ctx)?
                .feed_one(written.lead.id, written.lead.clone())
                .await;
            registry::get::<LeadStatusChangesLoader>(ctx)?.clear::<Uuid>();
            registry::get::<LeadConversionsOfLeadsLoader>(ctx)?.clear::<Uuid>();
            registry::get::<ContactLoader>(ctx)?
                .feed_one(written.contact.id, written.contact.clone())
                .await;
        }
        Ok(result.into())
    }

    /// Deletes a lead that is not converted (a converted lead is the record of its
    /// conversion). Needs `crm:write`.
    async fn delete_lead(
        &self,
        ctx: &Context<'_>,
        input: DeleteLeadInput,
    ) -> async_graphql::Result<DeleteLeadPayload> {
        let delete = Delete::of(&input.id, input.expected_version, input.options)?;
        let result = delete.apply::<Lead>(pool(ctx)?, actor(ctx)?).await?;
        if result.committed() {
            registry::get::<LeadLoader>(ctx)?.clear::<Uuid>();
        }
        Ok(result.into())
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
        let result = ops::change_status(
            pool(ctx)?,
            actor(ctx)?,
            id,
            transition,
            reason,
            expected_version,
            options.into(),
        )
        .await?;
        if result.committed() {
            let lead = &result.value.lead;
            registry::get::<LeadLoader>(ctx)?
                .feed_one(lead.id, lead.clone())
                .await;
            registry::get::<LeadStatusChangesLoader>(ctx)?.clear::<Uuid>();
        }
        Ok(result.into())
    }
}

/// A committed write's result, after making the request's lead cache true to it.
async fn kept(ctx: &Context<'_>, result: WriteResult<Lead>) -> Result<WriteResult<Lead>, AppError> {
    if result.committed() {
        registry::get::<LeadLoader>(ctx)?
            .feed_one(result.value.id, result.value.clone())
            .await;
    }
    Ok(result)
}

//! GraphQL for deals: `deal`, `deals` (filters, orders, keyset cursors), `dealTags`, the
//! deal mutations (create/edit/delete, moves, contact links, tags), the board's `Stage.deals`,
//! and the pipeline reports (`analytics`). Resolvers parse input, call `deals::ops`, map.

mod analytics;
mod connection;
mod cursor;
mod inputs;
mod loaders;
mod prefetch;
mod stage_change;
mod types;

use async_graphql::{Context, Object, ID};
use uuid::Uuid;

pub use self::analytics::AnalyticsQuery;
pub use self::connection::DealConnection;
use self::cursor::deal_window;
use self::inputs::{
    CreateDealInput, CreateDealTagInput, DealFilterInput, DeleteDealInput, LinkDealContactInput,
    LoseDealInput, MoveDealInput, TagDealInput, UnlinkDealContactInput, UpdateDealInput,
    WinDealInput,
};
pub use self::inputs::{CustomFieldFilter, DealOrderInput};
pub use self::loaders::register as register_loaders;
use self::loaders::{CompanyDealsKey, CompanyDealsLoader, ContactDealsLoader};
pub use self::loaders::{DealLoader, StageDealCountLoader};
pub(crate) use self::prefetch::{prime_board, stage_deals};
pub use self::types::{ContactDealGql, DealGql, DealStatusGql, StageChangeGql};
use self::types::{DealContactPayload, DealPayload, DealTagGql, DealTagPayload, MoveDealPayload};
use super::mutation::MutationOptions;
use super::pagination::page_size;
use super::{actor, loaders as registry, parse_id, pool};
use crate::auth::Scope;
use crate::deals::model::{Deal, DealOrder};
use crate::deals::ops::{self, Target};
use crate::error::AppError;
use crate::graphql::cursor_key::Cursors;
use crate::write::remove;

#[derive(Default)]
pub struct DealsQuery;

#[Object]
impl DealsQuery {
    /// A deal by id; null if there is none in this workspace.
    async fn deal(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<DealGql>> {
        actor(ctx)?.require(Scope::CrmRead)?;
        let id = parse_id(&id, "id")?;
        Ok(prefetch::one_deal(ctx, id).await?.map(DealGql::from))
    }

    /// Deals matching `filter`, in `orderBy` order (default: most recently updated first).
    #[allow(clippy::too_many_arguments)] // Relay's four paging arguments plus filter and order
    async fn deals(
        &self,
        ctx: &Context<'_>,
        filter: Option<DealFilterInput>,
        order_by: Option<DealOrderInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<DealConnection> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        let filter = filter.unwrap_or_default().parse()?;
        let order = DealOrder::from(order_by);
        let window = deal_window(Cursors::of(ctx)?, &order, first, after, last, before)?;
        // The page's read gives its connection back before the loaders below need theirs:
        // holding it while waiting on them deadlocks a busy pool.
        let rows = ops::deal_page(pool(ctx)?, actor.workspace_id, &filter, &window).await?;
        let connection = DealConnection::of_page(order, rows, &window, filter);
        prefetch::deal_page(ctx, &connection.rows).await?;
        Ok(connection)
    }

    /// The workspace's deal tags, by name.
    async fn deal_tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DealTagGql>> {
        let actor = actor(ctx)?;
        actor.require(Scope::CrmRead)?;
        Ok(ops::deal_tags(pool(ctx)?, actor.workspace_id)
            .await?
            .into_iter()
            .map(DealTagGql::from)
            .collect())
    }
}

#[derive(Default)]
pub struct DealsMutation;

#[Object]
impl DealsMutation {
    /// Creates a deal; without `stageId` it lands in the default pipeline's first stage.
    async fn create_deal(
        &self,
        ctx: &Context<'_>,
        input: CreateDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let actor = actor(ctx)?;
        let (new, options) = input.parse()?;
        let result = ops::create_deal(pool(ctx)?, actor, new, options.into()).await?;
        Ok(DealPayload::from(result))
    }

    /// Changes a deal; absent fields stay as they are, null clears.
    async fn update_deal(
        &self,
        ctx: &Context<'_>,
        input: UpdateDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let actor = actor(ctx)?;
        let (id, patch, options) = input.parse()?;
        let result = ops::update_deal(pool(ctx)?, actor, id, patch, options.into()).await?;
        Ok(DealPayload::from(result))
    }

    /// Deletes a deal with its stage history and contact roles; activities it shares with
    /// other records stay with them. Refused (`CONFLICT`) while an invoice names it.
    async fn delete_deal(
        &self,
        ctx: &Context<'_>,
        input: DeleteDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let actor = actor(ctx)?;
        let id = parse_id(&input.id, "input.id")?;
        let options = input.options.into();
        let result =
            remove::delete::<Deal>(pool(ctx)?, actor, id, input.expected_version, options).await?;
        Ok(DealPayload::from(result))
    }

    /// Moves a deal to a stage, recording the move in its history.
    async fn move_deal(
        &self,
        ctx: &Context<'_>,
        input: MoveDealInput,
    ) -> async_graphql::Result<MoveDealPayload> {
        let stage_id = parse_id(&input.stage_id, "input.stageId")?;
        let target = Target::Stage(stage_id);
        let version = input.expected_version;
        let moved = move_to(
            ctx,
            &input.deal_id,
            target,
            input.lost_reason,
            version,
            input.options,
        );
        Ok(moved.await?)
    }

    /// Moves a deal to its pipeline's WON stage.
    async fn win_deal(
        &self,
        ctx: &Context<'_>,
        input: WinDealInput,
    ) -> async_graphql::Result<MoveDealPayload> {
        let version = input.expected_version;
        Ok(move_to(
            ctx,
            &input.deal_id,
            Target::Won,
            None,
            version,
            input.options,
        )
        .await?)
    }

    /// Moves a deal to its pipeline's LOST stage, with a reason.
    async fn lose_deal(
        &self,
        ctx: &Context<'_>,
        input: LoseDealInput,
    ) -> async_graphql::Result<MoveDealPayload> {
        let version = input.expected_version;
        let reason = Some(input.reason);
        move_to(
            ctx,
            &input.deal_id,
            Target::Lost,
            reason,
            version,
            input.options,
        )
        .await
        // The domain names the reason `lostReason`; this input calls it `reason`.
        .map_err(|e| match e {
            AppError::BadInput { field, message } if field == "input.lostReason" => {
                AppError::BadInput {
                    field: "input.reason".into(),
                    message,
                }
            }
            other => other,
        })
        .map_err(Into::into)
    }

    /// Links a contact to a deal with a role (linking again changes the role).
    async fn link_deal_contact(
        &self,
        ctx: &Context<'_>,
        input: LinkDealContactInput,
    ) -> async_graphql::Result<DealContactPayload> {
        let actor = actor(ctx)?;
        let deal_id = parse_id(&input.deal_id, "input.dealId")?;
        let contact_id = parse_id(&input.contact_id, "input.contactId")?;
        let options = input.options.into();
        let result =
            ops::link_contact(pool(ctx)?, actor, deal_id, contact_id, input.role, options).await?;
        Ok(DealContactPayload::from(result))
    }

    async fn unlink_deal_contact(
        &self,
        ctx: &Context<'_>,
        input: UnlinkDealContactInput,
    ) -> async_graphql::Result<DealContactPayload> {
        let actor = actor(ctx)?;
        let deal_id = parse_id(&input.deal_id, "input.dealId")?;
        let contact_id = parse_id(&input.contact_id, "input.contactId")?;
        let options = input.options.into();
        let result = ops::unlink_contact(pool(ctx)?, actor, deal_id, contact_id, options).await?;
        Ok(DealContactPayload::from(result))
    }

    async fn create_deal_tag(
        &self,
        ctx: &Context<'_>,
        input: CreateDealTagInput,
    ) -> async_graphql::Result<DealTagPayload> {
        let actor = actor(ctx)?;
        let options = input.options.into();
        let result = ops::create_tag(pool(ctx)?, actor, input.name, input.color, options).await?;
        Ok(DealTagPayload::from(result))
    }

    async fn tag_deal(
        &self,
        ctx: &Context<'_>,
        input: TagDealInput,
    ) -> async_graphql::Result<DealPayload> {
        set_tagged(ctx, input, true).await
    }

    async fn untag_deal(
        &self,
        ctx: &Context<'_>,
        input: TagDealInput,
    ) -> async_graphql::Result<DealPayload> {
        set_tagged(ctx, input, false).await
    }
}

async fn set_tagged(
    ctx: &Context<'_>,
    input: TagDealInput,
    tagged: bool,
) -> async_graphql::Result<DealPayload> {
    let actor = actor(ctx)?;
    let deal_id = parse_id(&input.deal_id, "input.dealId")?;
    let tag_id = parse_id(&input.tag_id, "input.tagId")?;
    let options = input.options.into();
    let result = ops::set_tagged(pool(ctx)?, actor, deal_id, tag_id, tagged, options).await?;
    Ok(DealPayload::from(result))
}

/// `Contact.deals`: the contact's deal links, batched across contacts.
pub(crate) async fn contact_deals(
    ctx: &Context<'_>,
    contact_id: Uuid,
) -> async_graphql::Result<Vec<ContactDealGql>> {
    actor(ctx)?.require(Scope::CrmRead)?;
    let links = registry::get::<ContactDealsLoader>(ctx)?
        .load_one(contact_id)
        .await?
        .unwrap_or_default();
    Ok(links.into_iter().map(ContactDealGql).collect())
}

/// `Company.deals`: the company's newest deals, batched across companies.
pub(crate) async fn company_deals(
    ctx: &Context<'_>,
    company_id: Uuid,
    first: Option<i32>,
) -> async_graphql::Result<Vec<DealGql>> {
    actor(ctx)?.require(Scope::CrmRead)?;
    let limit = page_size(first)?;
    let key = CompanyDealsKey { company_id, limit };
    let deals = registry::get::<CompanyDealsLoader>(ctx)?
        .load_one(key)
        .await?
        .unwrap_or_default();
    Ok(deals.into_iter().map(DealGql::from).collect())
}

/// `moveDeal`, `winDeal` and `loseDeal`: one operation, three targets.
async fn move_to(
    ctx: &Context<'_>,
    deal_id: &ID,
    target: Target,
    lost_reason: Option<String>,
    expected_version: Option<i32>,
    options: MutationOptions,
) -> Result<MoveDealPayload, AppError> {
    let deal_id = parse_id(deal_id, "input.dealId")?;
    let (pool, actor) = (pool(ctx)?, actor(ctx)?);
    let options = options.into();
    let result = ops::move_deal(
        pool,
        actor,
        deal_id,
        target,
        lost_reason,
        expected_version,
        options,
    )
    .await?;
    Ok(result.into())
}

//! The API layer: the schema assembled from each domain's query, mutation and subscription
//! roots, plus the conventions they share (errors, pagination, limits).

pub mod activities;
pub mod admission;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod boundary;
pub mod contacts;
pub mod cursor_key;
pub mod deals;
pub mod direct;
pub mod documents;
pub mod enums;
pub mod errors;
pub mod event_cursor;
pub mod event_loaders;
pub mod events;
pub mod execution;
pub mod leads;
pub mod ledger;
pub mod limits;
pub mod linked;
pub mod loaders;
pub mod mutation;
pub mod node;
pub mod pagination;
pub mod pipelines;
pub mod routing;
pub mod scalars;
pub mod scopes;
pub mod scoring;
pub mod shape;
pub mod system;
pub mod tasks;
pub mod timeline;
pub mod webhooks;

use std::sync::Arc;

use async_graphql::{Context, MergedObject, MergedSubscription, Schema, SchemaBuilder, ID};
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::DbPool;
use crate::error::AppError;
use crate::write::WriteOptions;

#[derive(MergedObject, Default)]
pub struct Query(
    auth::AuthQuery,
    audit::AuditQuery,
    contacts::ContactsQuery,
    pipelines::PipelinesQuery,
    deals::DealsQuery,
    node::NodeQuery,
    deals::AnalyticsQuery,
    leads::LeadsQuery,
    routing::RoutingQuery,
    scoring::ScoringQuery,
    ledger::LedgerQuery,
    activities::ActivitiesQuery,
    tasks::TasksQuery,
    timeline::TimelineQuery,
    billing::BillingQuery,
    webhooks::WebhooksQuery,
    events::EventsQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    auth::AuthMutation,
    contacts::ContactsMutation,
    pipelines::PipelinesMutation,
    deals::DealsMutation,
    leads::LeadsMutation,
    routing::RoutingMutation,
    scoring::ScoringMutation,
    ledger::LedgerMutation,
    activities::ActivitiesMutation,
    tasks::TasksMutation,
    billing::BillingMutation,
    webhooks::WebhooksMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(
    system::SystemSubscription,
    events::EventsSubscription,
    leads::LeadsSubscription,
);

/// Every domain's dataloaders, each domain registering its own: one line per domain.
const LOADERS: &[loaders::Register] = &[
    pipelines::register_loaders,
    deals::register_loaders,
    contacts::register_loaders,
    leads::register_loaders,
    routing::register_loaders,
    scoring::register_loaders,
    ledger::register_loaders,
    activities::register_loaders,
    tasks::register_loaders,
    billing::register_loaders,
];

pub type DealgraphSchema = Schema<Query, Mutation, Subscription>;

/// How strict the schema is with clients.
#[derive(Debug, Clone, Copy)]
pub struct SchemaSettings {
    /// Production mode hides "did you mean …" suggestions, which would reveal the schema.
    pub production: bool,
}

/// The schema without any data attached: enough for SDL export.
pub fn schema_builder(settings: SchemaSettings) -> SchemaBuilder<Query, Mutation, Subscription> {
    // The only extension: each one costs a layer around every field's resolution. It also
    // holds the input boundary, the alias limit and a subscription event's shared loaders.
    plain_builder(settings).extension(execution::SpecExtension::default())
}

/// The schema's types and limits, with no extension ([`direct`]).
fn plain_builder(settings: SchemaSettings) -> SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(limits::MAX_DEPTH)
    .limit_complexity(limits::MAX_COMPLEXITY)
    .limit_recursive_depth(limits::MAX_RECURSIVE_DEPTH)
    .limit_directives(limits::MAX_DIRECTIVES);
    if settings.production {
        builder.disable_suggestions()
    } else {
        builder
    }
}

/// The schema without an event hub (event subscriptions fail) and with a key of its own for
/// cursors; for tools and tests.
pub fn build_schema(pool: DbPool, settings: SchemaSettings) -> DealgraphSchema {
    schema_builder(settings)
        .data(pool)
        .data(cursor_key::CursorKey::ephemeral())
        .finish()
}

/// The schema the server runs, twice ([`direct::Schemas`]): with the process's event hub for
/// subscriptions.
pub fn build_schema_with_events(
    pool: DbPool,
    hub: crate::events::hub::EventHub,
    (ws_keys, verified_keys): (
        crate::http::ws_keys::ConnectedKeys,
        crate::auth::cache::VerifiedKeys,
    ),
    cursor_key: cursor_key::CursorKey,
    settings: SchemaSettings,
    webhooks: crate::webhooks::WebhookSettings,
) -> direct::Schemas {
    let shared_loaders = Arc::new(event_loaders::EventLoaderCache::new(pool.clone()));
    let with_data = |builder: SchemaBuilder<Query, Mutation, Subscription>| {
        builder
            .data(pool.clone())
            .data(hub.clone())
            // `revokeApiKey` closes the key's WebSockets on this server before it returns.
            .data(ws_keys.clone())
            // …and forgets it from this server's verified keys.
            .data(verified_keys.clone())
            .data(cursor_key.clone())
            .data(shared_loaders.clone())
            .data(webhooks.clone())
            .finish()
    };
    let env = Arc::default();
    let ruled =
        plain_builder(settings).extension(execution::SpecExtension::keeping_env(Arc::clone(&env)));
    direct::Schemas::new(with_data(ruled), with_data(plain_builder(settings)), env)
}

/// The SDL clients see, as written to `schema.graphql`.
pub fn sdl() -> String {
    let schema = schema_builder(SchemaSettings { production: true }).finish();
    schema.sdl_with_options(
        async_graphql::SDLExportOptions::new()
            .sorted_fields()
            .sorted_enum_items(),
    )
}

/// The acting key of this request; every request has one (the HTTP layer refuses others).
pub(crate) fn actor<'a>(ctx: &'a Context<'_>) -> Result<&'a Actor, AppError> {
    ctx.data_opt::<Actor>().ok_or_else(|| {
        AppError::Unauthenticated("missing API key: send `Authorization: Bearer <key>`".into())
    })
}

pub(crate) fn pool<'a>(ctx: &'a Context<'_>) -> Result<&'a DbPool, AppError> {
    ctx.data_opt::<DbPool>()
        .ok_or_else(|| AppError::internal("no database pool in the schema"))
}

/// Parses an `ID` argument, naming the argument when it is not a valid id.
pub(crate) fn parse_id(id: &ID, field: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| AppError::bad_input(field, format!("{:?} is not a valid id", id.as_str())))
}

/// Everything a request carries into resolvers: the acting key and the per-request
/// dataloaders of every domain (scoped to the key's workspace).
pub fn with_request_data(
    request: async_graphql::Request,
    pool: &DbPool,
    actor: Actor,
    cached: bool,
) -> async_graphql::Request {
    with_reference_data(request, pool, actor, cached, None)
}

/// As [`with_request_data`]; a query reads pipelines and stages from `reference`, and a
/// pipeline or stage write forgets what it changed there.
pub fn with_reference_data(
    request: async_graphql::Request,
    pool: &DbPool,
    actor: Actor,
    cached: bool,
    reference: Option<&crate::pipelines::reference::ReferenceData>,
) -> async_graphql::Request {
    let caches = match reference {
        Some(reference) => loaders::SharedCaches::default().with(reference.clone()),
        None => loaders::SharedCaches::default(),
    };
    let loaders = loaders::Loaders::with_caches(pool, actor.workspace_id, cached, caches);
    let request = request.data(Arc::new(loaders)).data(actor);
    if cached {
        request
    } else {
        // A long-lived operation: its events bring their own (shared) loaders.
        request.data(event_loaders::CurrentEvent::default())
    }
}

/// `MaybeUndefined` as the domain's partial updates take it: absent leaves a field alone,
/// null clears it.
pub(crate) fn patch<T>(value: async_graphql::MaybeUndefined<T>) -> crate::write::Patch<T> {
    match value {
        async_graphql::MaybeUndefined::Undefined => crate::write::Patch::Unchanged,
        async_graphql::MaybeUndefined::Null => crate::write::Patch::Clear,
        async_graphql::MaybeUndefined::Value(v) => crate::write::Patch::Set(v),
    }
}

/// An optional `ID` argument, parsed; naming `field` when it is not a valid id.
pub(crate) fn optional_id(id: Option<ID>, field: &str) -> Result<Option<Uuid>, AppError> {
    id.map(|id| parse_id(&id, field)).transpose()
}

/// A partial update's `ID` field: absent leaves it, null clears it, a value must parse
/// (else BAD_USER_INPUT naming `field`).
pub(crate) fn patched_id(
    value: async_graphql::MaybeUndefined<ID>,
    field: &str,
) -> Result<crate::write::Patch<Uuid>, AppError> {
    Ok(match patch(value) {
        crate::write::Patch::Set(id) => crate::write::Patch::Set(parse_id(&id, field)?),
        crate::write::Patch::Clear => crate::write::Patch::Clear,
        crate::write::Patch::Unchanged => crate::write::Patch::Unchanged,
    })
}

pub(crate) fn write_options(idempotency_key: Option<String>, dry_run: bool) -> WriteOptions {
    WriteOptions {
        idempotency_key,
        dry_run,
    }
}

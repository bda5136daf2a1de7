//! Holds every execution to the GraphQL spec, over HTTP and the WebSocket alike: the
//! request-level checks of [`super::admission`] (variables around validation, scopes after
//! it; nothing runs when one fails), and after execution the response's shape
//! ([`super::shape`]): fields in the order requested, `null` where a field failed, non-null
//! errors nulling their nearest nullable parent. Also the alias limit ([`super::limits`]),
//! the input boundary ([`super::boundary`]) and a subscription event's shared loaders
//! ([`super::event_loaders`]).
//!
//! It is the schema's only extension, because async-graphql passes every field of every
//! response through each extension's `resolve` (the default one too): one extension, one
//! hook per field, and only to note the concrete types of abstract positions. Most HTTP
//! requests avoid even that one: [`super::direct`] checks them up front and runs them on a
//! copy of the schema without it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextResolve, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{
    Request, Response, SchemaEnv, ServerError, ServerResult, ValidationResult, Value, Variables,
};

use super::admission::{forbidden, RequestChecks};
use super::boundary::Refusals;
use super::event_loaders;
use super::shape::Shape;
use crate::auth::Actor;
use crate::db::DbPool;

/// The factory the schema holds; one [`SpecRules`] per request.
#[derive(Default)]
pub struct SpecExtension {
    /// The names of the schema's interfaces and unions, found once.
    abstract_types: Arc<OnceLock<Box<[String]>>>,
    /// Where the schema's registry is kept at the first request, for [`super::direct`].
    env: Arc<OnceLock<SchemaEnv>>,
}

impl SpecExtension {
    /// An extension that keeps its schema's registry in `env` at its first request.
    pub fn keeping_env(env: Arc<OnceLock<SchemaEnv>>) -> Self {
        SpecExtension {
            env,
            ..SpecExtension::default()
        }
    }
}

impl ExtensionFactory for SpecExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SpecRules {
            abstract_types: self.abstract_types.clone(),
            env: self.env.clone(),
            operation_name: Mutex::default(),
            parsed: Mutex::default(),
            refusals: Mutex::default(),
            runtime_types: Mutex::default(),
            under_abstract: AtomicUsize::new(0),
        })
    }
}

/// The document and variables as the client sent them, kept for the checks and the shape.
struct Parsed {
    document: ExecutableDocument,
    variables: Variables,
}

impl Parsed {
    fn operation(&self, name: Option<&str>) -> Option<&OperationDefinition> {
        super::documents::operation(&self.document, name)
    }

    fn checks<'a>(&'a self, ctx: &'a ExtensionContext<'_>) -> RequestChecks<'a> {
        RequestChecks {
            registry: &ctx.schema_env.registry,
            document: &self.document,
            variables: &self.variables,
        }
    }
}

struct SpecRules {
    abstract_types: Arc<OnceLock<Box<[String]>>>,
    env: Arc<OnceLock<SchemaEnv>>,
    operation_name: Mutex<Option<String>>,
    parsed: Mutex<Option<Arc<Parsed>>>,
    /// What the input boundary refused, reported at validation.
    refusals: Mutex<Option<Refusals>>,
    /// Concrete types of objects at abstract positions, by path (see [`Shape`]).
    runtime_types: Mutex<HashMap<String, String>>,
    /// How many fields of an abstract type are resolving; while any is, resolvers record
    /// the type of the object they belong to.
    under_abstract: AtomicUsize,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SpecRules {
    fn parsed(&self) -> Option<Arc<Parsed>> {
        lock(&self.parsed).clone()
    }

    fn is_abstract(&self, registry: &Registry, ty: &str) -> bool {
        let names = self.abstract_types.get_or_init(|| {
            registry
                .types
                .values()
                .filter(|t| t.is_abstract())
                .map(|t| t.name().to_owned())
                .collect()
        });
        // Checked for every field resolved. The schema has two abstract types: comparing with
        // each costs less than hashing the name.
        let ty = MetaTypeName::concrete_typename(ty);
        names.iter().any(|name| name == ty)
    }

    /// The variables, coerced to the operation's definitions. Checked before validation,
    /// whose argument rule would otherwise report a bad variable without naming it.
    fn check_variables(&self, ctx: &ExtensionContext<'_>) -> Result<(), Vec<ServerError>> {
        let Some(parsed) = self.parsed() else {
            return Ok(());
        };
        let name = lock(&self.operation_name).clone();
        let Some(operation) = parsed.operation(name.as_deref()) else {
            // An unknown or missing operation name is the engine's to report.
            return Ok(());
        };
        let errors = parsed.checks(ctx).before_validation(operation);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The key's scopes against the operation's root fields, once the document is valid.
    async fn check_scopes(&self, ctx: &ExtensionContext<'_>) -> Result<(), Vec<ServerError>> {
        let (Some(parsed), Some(actor)) = (self.parsed(), ctx.data_opt::<Actor>()) else {
            return Ok(());
        };
        let name = lock(&self.operation_name).clone();
        let Some(operation) = parsed.operation(name.as_deref()) else {
            return Ok(());
        };
        let refused = parsed.checks(ctx).after_validation(operation, actor);
        if refused.is_empty() {
            return Ok(());
        }
        let error = forbidden(&refused);
        // Refused writes are audited, as the write path audits its own refusals.
        if operation.ty == OperationType::Mutation {
            if let Some(pool) = ctx.data_opt::<DbPool>() {
                for (field, _) in &refused {
                    let refusal = crate::write::Refusal {
                        field,
                        arguments: None,
                        code: crate::error::ErrorCode::Forbidden,
                        message: &error.message,
                    };
                    crate::write::record_refusal(pool, actor, &refusal).await;
                }
            }
        }
        Err(vec![error])
    }

    fn shape(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        response: &mut Response,
    ) {
        let Some(parsed) = self.parsed() else {
            return;
        };
        let Some(operation) = parsed.operation(operation_name) else {
            return;
        };
        let runtime_types = lock(&self.runtime_types);
        let shape = Shape {
            registry: &ctx.schema_env.registry,
            document: &parsed.document,
            variables: &parsed.variables,
            runtime_types: &runtime_types,
        };
        shape.apply(operation, response);
    }
}

#[async_trait::async_trait]
impl Extension for SpecRules {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        *lock(&self.operation_name) = request.operation_name.clone();
        self.env.get_or_init(|| ctx.schema_env.clone());
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let checks = RequestChecks {
            registry: &ctx.schema_env.registry,
            document: &document,
            variables,
        };
        *lock(&self.refusals) = checks.after_parsing()?;
        *lock(&self.parsed) = Some(Arc::new(Parsed {
            document: document.clone(),
            variables: variables.clone(),
        }));
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        self.check_variables(ctx)?;
        let result = next.run(ctx).await?;
        self.check_scopes(ctx).await?;
        let refused = lock(&self.refusals).take();
        match refused {
            Some(refusals) => Err(refusals.report(ctx).await),
            None => Ok(result),
        }
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        // Outside the shape: a result shared between subscribers is shaped once.
        event_loaders::execute(ctx, |data| async move {
            let mut response = match data {
                Some(data) => next.run_with_data(ctx, operation_name, data).await,
                None => next.run(ctx, operation_name).await,
            };
            self.shape(ctx, operation_name, &mut response);
            response
        })
        .await
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // A field of an interface reports the interface as its parent; its object's own
        // fields report the object's type.
        let registry = &ctx.schema_env.registry;
        if self.under_abstract.load(Ordering::Relaxed) > 0
            && !self.is_abstract(registry, info.parent_type)
        {
            if let Some(parent) = info.path_node.parent {
                lock(&self.runtime_types).insert(parent.to_string(), info.parent_type.to_owned());
            }
        }
        if !self.is_abstract(registry, info.return_type) {
            return next.run(ctx, info).await;
        }
        let _resolving = Resolving::start(&self.under_abstract);
        next.run(ctx, info).await
    }
}

/// Counts a field of abstract type as resolving until it ends, however it ends.
struct Resolving<'a>(&'a AtomicUsize);

impl<'a> Resolving<'a> {
    fn start(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Resolving(count)
    }
}

impl Drop for Resolving<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, SimpleObject, ID};

    use std::sync::Arc;

    use async_graphql::extensions::{Extension, ExtensionFactory};

    use super::SpecExtension;

    /// An extension with every hook left as it is: the layer each extension adds.
    struct PassThrough;

    impl Extension for PassThrough {}

    impl ExtensionFactory for PassThrough {
        fn create(&self) -> Arc<dyn Extension> {
            Arc::new(PassThrough)
        }
    }

    #[derive(SimpleObject, Clone)]
    struct Card {
        id: ID,
        title: String,
        amount: String,
        currency: String,
        close_probability: String,
        is_rotting: bool,
        tags: Vec<Tag>,
        contacts: Vec<Link>,
    }

    #[derive(SimpleObject, Clone)]
    struct Tag {
        name: String,
    }

    #[derive(SimpleObject, Clone)]
    struct Link {
        role: String,
        contact_id: ID,
    }

    #[derive(SimpleObject)]
    struct Column {
        name: String,
        total_count: i32,
        nodes: Vec<Card>,
    }

    struct Board;

    #[Object]
    impl Board {
        async fn stages(&self) -> Vec<Column> {
            let card = |n: usize| Card {
                id: ID(format!("deal-{n}")),
                title: format!("Deal {n}"),
                amount: "1200.00".into(),
                currency: "EUR".into(),
                close_probability: "0.5".into(),
                is_rotting: n.is_multiple_of(3),
                tags: vec![Tag { name: "vip".into() }],
                contacts: vec![Link {
                    role: "CHAMPION".into(),
                    contact_id: ID(format!("contact-{n}")),
                }],
            };
            (0..7)
                .map(|s| Column {
                    name: format!("Stage {s}"),
                    total_count: 50,
                    nodes: (0..50).map(|d| card(s * 50 + d)).collect(),
                })
                .collect()
        }
    }

    /// What the rules cost on a board-sized response (7 stages × 50 deals, as in
    /// BENCHMARKS.md), without a database: the same schema without extensions, with the rules
    /// as the only one (now), and with them behind two more (before: the input boundary and
    /// the event loaders were extensions of their own).
    /// `cargo test --release --lib graphql::execution::tests -- --ignored --nocapture`
    #[tokio::test]
    #[ignore]
    async fn cost_on_a_board_sized_response() {
        let plain = Schema::build(Board, EmptyMutation, EmptySubscription).finish();
        let ruled = Schema::build(Board, EmptyMutation, EmptySubscription)
            .extension(SpecExtension::default())
            .finish();
        let layered = Schema::build(Board, EmptyMutation, EmptySubscription)
            .extension(PassThrough)
            .extension(PassThrough)
            .extension(SpecExtension::default())
            .finish();
        let query = "{ stages { name totalCount nodes { id title amount currency closeProbability isRotting tags { name } contacts { role contactId } } } }";
        let mut totals = [Duration::ZERO; 3];
        for round in 0..400 {
            for (i, schema) in [&plain, &ruled, &layered].into_iter().enumerate() {
                let started = Instant::now();
                let response = schema.execute(query).await;
                if round >= 50 {
                    totals[i] += started.elapsed();
                }
                assert!(response.errors.is_empty());
            }
        }
        // Per deal card: some 13 field resolutions (and two list items).
        let per = |d: Duration| d.as_nanos() / 350 / 350;
        println!(
            "board-sized execution, ns per deal card: {} without extensions, {} with the rules \
             alone, {} with the rules behind two more extensions",
            per(totals[0]),
            per(totals[1]),
            per(totals[2])
        );
    }
}

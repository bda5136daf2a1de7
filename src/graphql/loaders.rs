//! Dataloaders for pipelines, stages and deals. Each batch is one SQL statement, so a query's
//! statement count depends on its shape, never on how many rows it returns. Loaders are made
//! per request and scoped to the caller's workspace.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use uuid::Uuid;

use super::contacts::{CompanyGql, ContactGql};
use crate::db::DbPool;
use crate::deals::links::DealContact;

use crate::deals::model::{Deal, StageChange};
use crate::deals::tags::DealTag;
use crate::error::AppError;
use crate::pipelines::model::{Pipeline, Stage};

/// Every loader of a request, with a per-request cache. The cache lets a list resolver fetch
/// the relations of all its rows up front (`load_many`), so the per-row fields that follow are
/// answered from memory: the statement count then depends on the query's shape only, never on
/// how fast the rows' resolvers happen to run against the loaders' batching window.
pub type Cached<L> = DataLoader<L, HashMapCache>;

/// A loader for one request. Long-lived operations (subscriptions) must not cache, or later
/// events would show earlier states; their events resolve through per-event cached sets
/// instead (`event_loaders`).
pub fn new_loader<L: Loader<K>, K: Send + Sync + std::hash::Hash + Eq + Clone + 'static>(
    loader: L,
    cached: bool,
) -> Cached<L> {
    let loader = DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default());
    loader.enable_all_cache(cached);
    loader
}

/// What every loader needs: a pool and the workspace it may read.
#[derive(Clone)]
pub struct Scope {
    pool: DbPool,
    workspace_id: Uuid,
}

impl Scope {
    async fn conn(&self) -> Result<crate::db::DbConn, AppError> {
        crate::db::conn(&self.pool).await
    }
}

macro_rules! by_id_loader {
    ($name:ident, $value:ty, $fetch:expr, $key_of:expr) => {
        pub struct $name(pub Scope);

        impl Loader<Uuid> for $name {
            type Value = $value;
            type Error = AppError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
                let mut conn = self.0.conn().await?;
                let rows: Vec<$value> = $fetch(&mut conn, self.0.workspace_id, keys).await?;
                Ok(rows.into_iter().map(|row| ($key_of(&row), row)).collect())
            }
        }
    };
}

by_id_loader!(
    PipelineLoader,
    Pipeline,
    Pipeline::find_many,
    |p: &Pipeline| p.id
);
by_id_loader!(StageLoader, Stage, Stage::find_many, |s: &Stage| s.id);
by_id_loader!(DealLoader, Deal, Deal::find_many, |d: &Deal| d.id);

/// A pipeline's stages, in order.
pub struct PipelineStagesLoader(pub Scope);

impl Loader<Uuid> for PipelineStagesLoader {
    type Value = Vec<Stage>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<Stage>>, AppError> {
        let mut conn = self.0.conn().await?;
        let mut grouped: HashMap<Uuid, Vec<Stage>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for stage in Stage::of_pipelines(&mut conn, self.0.workspace_id, keys).await? {
            grouped.entry(stage.pipeline_id).or_default().push(stage);
        }
        Ok(grouped)
    }
}

/// Which relations of a board's deals the query selects; fetched with the deals, in the same
/// batch, so a board costs the same statements however many stages it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Relations {
    pub stages: bool,
    pub companies: bool,
    pub contact_links: bool,
    pub contacts: bool,
    pub contact_companies: bool,
    pub tags: bool,
}

/// The first deals of a stage, as the board shows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StageDealsKey {
    pub stage_id: Uuid,
    pub order: (u8, bool),
    pub limit: i64,
    /// The cursor, as its encoded string (keys must be hashable).
    pub after: Option<String>,
    pub relations: Relations,
}

/// Relations of a batch of deals, for priming the other loaders.
#[derive(Default)]
pub struct Related {
    pub stages: HashMap<Uuid, Stage>,
    pub companies: HashMap<Uuid, CompanyGql>,
    pub contact_links: HashMap<Uuid, Vec<DealContact>>,
    pub contacts: HashMap<Uuid, ContactGql>,
    pub tags: HashMap<Uuid, Vec<DealTag>>,
}

/// One stage's deals, and the relations of every deal of the batch.
#[derive(Clone)]
pub struct StageDealsPage {
    pub deals: Vec<Deal>,
    pub related: Arc<Related>,
}

pub struct StageDealsLoader(pub Scope);

impl StageDealsLoader {
    async fn related(&self, deals: &[Deal], wanted: Relations) -> Result<Related, AppError> {
        let unique = |mut ids: Vec<Uuid>| {
            ids.sort();
            ids.dedup();
            ids
        };
        let ws = self.0.workspace_id;
        let deal_ids: Vec<Uuid> = deals.iter().map(|d| d.id).collect();
        let mut related = Related::default();
        let mut conn = self.0.conn().await?;
        if wanted.stages {
            let ids = unique(deals.iter().map(|d| d.stage_id).collect());
            related.stages = Stage::find_many(&mut conn, ws, &ids)
                .await?
                .into_iter()
                .map(|s| (s.id, s))
                .collect();
        }
        if wanted.tags {
            related.tags = deal_ids.iter().map(|id| (*id, Vec::new())).collect();
            for (deal_id, tag) in DealTag::of_deals(&mut conn, ws, &deal_ids).await? {
                related.tags.entry(deal_id).or_default().push(tag);
            }
        }
        if wanted.contact_links {
            related.contact_links = deal_ids.iter().map(|id| (*id, Vec::new())).collect();
            for link in DealContact::of_deals(&mut conn, ws, &deal_ids).await? {
                related
                    .contact_links
                    .entry(link.deal_id)
                    .or_default()
                    .push(link);
            }
        }
        drop(conn);
        let mut company_ids: Vec<Uuid> = Vec::new();
        if wanted.companies {
            company_ids.extend(deals.iter().filter_map(|d| d.company_id));
        }
        if wanted.contacts {
            let ids = unique(
                related
                    .contact_links
                    .values()
                    .flatten()
                    .map(|l| l.contact_id)
                    .collect(),
            );
            for row in crate::contacts::ops::contacts_by_ids(&self.0.pool, ws, &ids).await? {
                if wanted.contact_companies {
                    company_ids.extend(row.company_id);
                }
                related.contacts.insert(row.id, ContactGql::from_row(row));
            }
        }
        if !company_ids.is_empty() {
            for row in
                crate::contacts::ops::companies_by_ids(&self.0.pool, ws, &unique(company_ids))
                    .await?
            {
                related.companies.insert(row.id, CompanyGql::from_row(row));
            }
        }
        Ok(related)
    }
}

impl Loader<StageDealsKey> for StageDealsLoader {
    type Value = StageDealsPage;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[StageDealsKey],
    ) -> Result<HashMap<StageDealsKey, StageDealsPage>, AppError> {
        // Keys asking for the same page shape share one statement.
        type Shape = ((u8, bool), i64, Option<String>, Relations);
        let mut groups: HashMap<Shape, Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.order, key.limit, key.after.clone(), key.relations))
                .or_default()
                .push(key.stage_id);
        }
        let mut out = HashMap::new();
        for ((order_key, limit, after, relations), stage_ids) in groups {
            let order = crate::graphql::deals::order_from_key(order_key);
            let cursor = after
                .as_deref()
                .map(|c| crate::graphql::deals::decode_deal_cursor(c, &order, "after"))
                .transpose()?;
            let rows = {
                let mut conn = self.0.conn().await?;
                Deal::first_of_stages(
                    &mut conn,
                    self.0.workspace_id,
                    &stage_ids,
                    &order,
                    cursor.as_ref(),
                    limit,
                )
                .await?
            };
            let related = Arc::new(self.related(&rows, relations).await?);
            let mut by_stage: HashMap<Uuid, Vec<Deal>> =
                stage_ids.iter().map(|id| (*id, Vec::new())).collect();
            for deal in rows {
                by_stage.entry(deal.stage_id).or_default().push(deal);
            }
            for (stage_id, deals) in by_stage {
                let key = StageDealsKey {
                    stage_id,
                    order: order_key,
                    limit,
                    after: after.clone(),
                    relations,
                };
                out.insert(
                    key,
                    StageDealsPage {
                        deals,
                        related: related.clone(),
                    },
                );
            }
        }
        Ok(out)
    }
}

/// The newest deals of a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CompanyDealsKey {
    pub company_id: Uuid,
    pub limit: i64,
}

pub struct CompanyDealsLoader(pub Scope);

impl Loader<CompanyDealsKey> for CompanyDealsLoader {
    type Value = Vec<Deal>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CompanyDealsKey],
    ) -> Result<HashMap<CompanyDealsKey, Vec<Deal>>, AppError> {
        let mut groups: HashMap<i64, Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups.entry(key.limit).or_default().push(key.company_id);
        }
        let mut conn = self.0.conn().await?;
        let mut out = HashMap::new();
        for (limit, company_ids) in groups {
            let mut by_company: HashMap<Uuid, Vec<Deal>> =
                company_ids.iter().map(|id| (*id, Vec::new())).collect();
            for deal in
                Deal::newest_of_companies(&mut conn, self.0.workspace_id, &company_ids, limit)
                    .await?
            {
                if let Some(company_id) = deal.company_id {
                    by_company.entry(company_id).or_default().push(deal);
                }
            }
            for (company_id, deals) in by_company {
                out.insert(CompanyDealsKey { company_id, limit }, deals);
            }
        }
        Ok(out)
    }
}

/// How many deals a stage holds.
pub struct StageDealCountLoader(pub Scope);

impl Loader<Uuid> for StageDealCountLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, i64>, AppError> {
        let mut conn = self.0.conn().await?;
        let mut counts: HashMap<Uuid, i64> = keys.iter().map(|k| (*k, 0)).collect();
        counts.extend(Deal::counts_by_stage(&mut conn, self.0.workspace_id, keys).await?);
        Ok(counts)
    }
}

/// A deal's contact links, with roles.
pub struct DealContactsLoader(pub Scope);

impl Loader<Uuid> for DealContactsLoader {
    type Value = Vec<DealContact>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<DealContact>>, AppError> {
        let mut conn = self.0.conn().await?;
        let mut grouped: HashMap<Uuid, Vec<DealContact>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for link in DealContact::of_deals(&mut conn, self.0.workspace_id, keys).await? {
            grouped.entry(link.deal_id).or_default().push(link);
        }
        Ok(grouped)
    }
}

/// The deal links of contacts (for `Contact.deals`).
pub struct ContactDealsLoader(pub Scope);

impl Loader<Uuid> for ContactDealsLoader {
    type Value = Vec<DealContact>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<DealContact>>, AppError> {
        let mut conn = self.0.conn().await?;
        let mut grouped: HashMap<Uuid, Vec<DealContact>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for link in DealContact::of_contacts(&mut conn, self.0.workspace_id, keys).await? {
            grouped.entry(link.contact_id).or_default().push(link);
        }
        Ok(grouped)
    }
}

/// A deal's tags.
pub struct DealTagsLoader(pub Scope);

impl Loader<Uuid> for DealTagsLoader {
    type Value = Vec<DealTag>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<DealTag>>, AppError> {
        let mut conn = self.0.conn().await?;
        let mut grouped: HashMap<Uuid, Vec<DealTag>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (deal_id, tag) in DealTag::of_deals(&mut conn, self.0.workspace_id, keys).await? {
            grouped.entry(deal_id).or_default().push(tag);
        }
        Ok(grouped)
    }
}

/// The newest stage changes of a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StageChangesKey {
    pub deal_id: Uuid,
    pub limit: i64,
    pub below: Option<i32>,
}

pub struct StageChangesLoader(pub Scope);

impl Loader<StageChangesKey> for StageChangesLoader {
    type Value = Vec<StageChange>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[StageChangesKey],
    ) -> Result<HashMap<StageChangesKey, Vec<StageChange>>, AppError> {
        let mut groups: HashMap<(i64, Option<i32>), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.limit, key.below))
                .or_default()
                .push(key.deal_id);
        }
        let mut conn = self.0.conn().await?;
        let mut out = HashMap::new();
        for ((limit, below), deal_ids) in groups {
            let rows = StageChange::newest_of_deals(
                &mut conn,
                self.0.workspace_id,
                &deal_ids,
                below,
                limit,
            )
            .await?;
            let mut by_deal: HashMap<Uuid, Vec<StageChange>> =
                deal_ids.iter().map(|id| (*id, Vec::new())).collect();
            for change in rows {
                by_deal.entry(change.deal_id).or_default().push(change);
            }
            for (deal_id, changes) in by_deal {
                out.insert(
                    StageChangesKey {
                        deal_id,
                        limit,
                        below,
                    },
                    changes,
                );
            }
        }
        Ok(out)
    }
}

/// How many stage changes a deal has.
pub struct StageChangeCountLoader(pub Scope);

impl Loader<Uuid> for StageChangeCountLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, i64>, AppError> {
        let mut conn = self.0.conn().await?;
        let mut counts: HashMap<Uuid, i64> = keys.iter().map(|k| (*k, 0)).collect();
        counts.extend(StageChange::count_of_deals(&mut conn, self.0.workspace_id, keys).await?);
        Ok(counts)
    }
}

/// Every dataloader one resolution may use, by type: the per-request set of queries and
/// mutations, or (for subscriptions) the set shared by every subscriber of one event.
#[derive(Default)]
pub struct Loaders(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl Loaders {
    /// All loaders of every domain, reading `workspace_id` only.
    pub fn for_workspace(pool: &DbPool, workspace_id: Uuid, cached: bool) -> Loaders {
        let scope = Scope {
            pool: pool.clone(),
            workspace_id,
        };
        let mut loaders = Loaders::default();
        loaders.add(new_loader(PipelineLoader(scope.clone()), cached));
        loaders.add(new_loader(StageLoader(scope.clone()), cached));
        loaders.add(new_loader(DealLoader(scope.clone()), cached));
        loaders.add(new_loader(PipelineStagesLoader(scope.clone()), cached));
        loaders.add(new_loader(StageDealsLoader(scope.clone()), cached));
        loaders.add(new_loader(StageDealCountLoader(scope.clone()), cached));
        loaders.add(new_loader(DealContactsLoader(scope.clone()), cached));
        loaders.add(new_loader(ContactDealsLoader(scope.clone()), cached));
        loaders.add(new_loader(DealTagsLoader(scope.clone()), cached));
        loaders.add(new_loader(StageChangesLoader(scope.clone()), cached));
        loaders.add(new_loader(CompanyDealsLoader(scope.clone()), cached));
        loaders.add(new_loader(StageChangeCountLoader(scope), cached));
        super::contacts::add_loaders(&mut loaders, pool, workspace_id, cached);
        loaders
    }

    pub fn add<L: Send + Sync + 'static>(&mut self, loader: Cached<L>) {
        self.0.insert(TypeId::of::<Cached<L>>(), Box::new(loader));
    }

    pub fn get<L: Send + Sync + 'static>(&self) -> Option<&Cached<L>> {
        self.0
            .get(&TypeId::of::<Cached<L>>())
            .and_then(|loader| loader.downcast_ref())
    }
}

/// A request's loader of type `L`.
pub fn get<'a, L: Send + Sync + 'static>(
    ctx: &'a async_graphql::Context<'_>,
) -> Result<&'a Cached<L>, AppError> {
    // An event's shared set (execution data) comes before the request's own.
    ctx.data_opt::<Arc<Loaders>>()
        .and_then(|loaders| loaders.get::<L>())
        .ok_or_else(|| {
            AppError::internal(format!("no {} in the request", std::any::type_name::<L>()))
        })
}

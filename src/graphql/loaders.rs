//! Dataloaders for pipelines, stages and deals. Each batch is one SQL statement, so a query's
//! statement count depends on its shape, never on how many rows it returns. Loaders are made
//! per request and scoped to the caller's workspace.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::DbPool;
use crate::deals::links::DealContact;

use crate::deals::model::{Deal, StageChange};
use crate::deals::tags::DealTag;
use crate::error::AppError;
use crate::pipelines::model::{Pipeline, Stage};

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

/// The first deals of a stage, as the board shows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StageDealsKey {
    pub stage_id: Uuid,
    pub order: (u8, bool),
    pub limit: i64,
    /// The cursor, as its encoded string (keys must be hashable).
    pub after: Option<String>,
}

pub struct StageDealsLoader(pub Scope);

impl Loader<StageDealsKey> for StageDealsLoader {
    type Value = Vec<Deal>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[StageDealsKey],
    ) -> Result<HashMap<StageDealsKey, Vec<Deal>>, AppError> {
        // Keys asking for the same page shape share one statement.
        let mut groups: HashMap<((u8, bool), i64, Option<String>), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.order, key.limit, key.after.clone()))
                .or_default()
                .push(key.stage_id);
        }
        let mut conn = self.0.conn().await?;
        let mut out = HashMap::new();
        for ((order_key, limit, after), stage_ids) in groups {
            let order = crate::graphql::deals::order_from_key(order_key);
            let cursor = after
                .as_deref()
                .map(|c| crate::graphql::deals::decode_deal_cursor(c, &order, "after"))
                .transpose()?;
            let rows = Deal::first_of_stages(
                &mut conn,
                self.0.workspace_id,
                &stage_ids,
                &order,
                cursor.as_ref(),
                limit,
            )
            .await?;
            let mut by_stage: HashMap<Uuid, Vec<Deal>> =
                stage_ids.iter().map(|id| (*id, Vec::new())).collect();
            for deal in rows {
                by_stage.entry(deal.stage_id).or_default().push(deal);
            }
            for (stage_id, deals) in by_stage {
                out.insert(
                    StageDealsKey {
                        stage_id,
                        order: order_key,
                        limit,
                        after: after.clone(),
                    },
                    deals,
                );
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

/// Registers every loader of this file on a request.
pub fn attach(
    request: async_graphql::Request,
    pool: &DbPool,
    actor: &Actor,
) -> async_graphql::Request {
    let scope = Scope {
        pool: pool.clone(),
        workspace_id: actor.workspace_id,
    };
    request
        .data(DataLoader::new(PipelineLoader(scope.clone()), tokio::spawn))
        .data(DataLoader::new(StageLoader(scope.clone()), tokio::spawn))
        .data(DataLoader::new(DealLoader(scope.clone()), tokio::spawn))
        .data(DataLoader::new(
            PipelineStagesLoader(scope.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            StageDealsLoader(scope.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            StageDealCountLoader(scope.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            DealContactsLoader(scope.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            ContactDealsLoader(scope.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(DealTagsLoader(scope.clone()), tokio::spawn))
        .data(DataLoader::new(
            StageChangesLoader(scope.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(StageChangeCountLoader(scope), tokio::spawn))
}

/// A request's loader of type `L`.
pub fn get<'a, L: Send + Sync + 'static>(
    ctx: &'a async_graphql::Context<'_>,
) -> Result<&'a DataLoader<L>, AppError> {
    ctx.data_opt::<DataLoader<L>>()
        .ok_or_else(|| AppError::internal("dataloader missing from the request"))
}

//! The deal list's and the stage history's connections: a page of rows, its cursors and its
//! total, counted only when asked for.

use std::sync::Arc;

use async_graphql::connection::PageInfo;
use async_graphql::{Context, Object, SimpleObject};
use uuid::Uuid;

use super::cursor::{encode_change_cursor, encode_deal_cursor};
use super::loaders::{StageChangeCountLoader, StageDealCountLoader};
use super::types::{DealGql, StageChangeGql};
use crate::deals::model::{Deal, DealFilter, DealOrder, DealWindow, StageChange};
use crate::deals::ops;
use crate::graphql::cursor_key::Cursors;
use crate::graphql::{actor, loaders, pool};

pub struct StageChangeConnection {
    pub(super) deal_id: Uuid,
    pub(super) rows: Vec<StageChange>,
    pub(super) has_next: bool,
    pub(super) has_previous: bool,
}

#[derive(SimpleObject)]
pub struct StageChangeEdge {
    pub cursor: String,
    pub node: StageChangeGql,
}

#[Object]
impl StageChangeConnection {
    async fn edges(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StageChangeEdge>> {
        let cursors = Cursors::of(ctx)?;
        Ok(self
            .rows
            .iter()
            .map(|c| StageChangeEdge {
                cursor: encode_change_cursor(cursors, c),
                node: c.clone().into(),
            })
            .collect())
    }
    async fn nodes(&self) -> Vec<StageChangeGql> {
        self.rows
            .iter()
            .cloned()
            .map(StageChangeGql::from)
            .collect()
    }
    async fn page_info(&self, ctx: &Context<'_>) -> async_graphql::Result<PageInfo> {
        let cursors = Cursors::of(ctx)?;
        let cursor = |c| encode_change_cursor(cursors, c);
        Ok(PageInfo {
            has_previous_page: self.has_previous,
            has_next_page: self.has_next,
            start_cursor: self.rows.first().map(cursor),
            end_cursor: self.rows.last().map(cursor),
        })
    }
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(loaders::get::<StageChangeCountLoader>(ctx)?
            .load_one(self.deal_id)
            .await?
            .unwrap_or(0))
    }
}

/// Where a deal list's `totalCount` comes from: counted only when asked for.
#[derive(Clone)]
pub(super) enum Total {
    Filter(Box<DealFilter>),
    Stage(Uuid),
}

pub struct DealConnection {
    pub(super) order: DealOrder,
    /// Shared with the loader cache that read them (a board's pages are not copied).
    pub(super) rows: Arc<[Arc<Deal>]>,
    pub(super) has_next: bool,
    pub(super) has_previous: bool,
    pub(super) total: Total,
}

impl DealConnection {
    /// A page of the deal list from the rows its read returned (one more than the window's
    /// limit when another page follows, in list order even when paging from the end).
    pub(super) fn of_page(
        order: DealOrder,
        mut rows: Vec<Deal>,
        window: &DealWindow,
        filter: DealFilter,
    ) -> DealConnection {
        let more = rows.len() as i64 > window.limit;
        rows.truncate(usize::try_from(window.limit).unwrap_or(0));
        if window.from_end {
            rows.reverse();
        }
        let (has_previous, has_next) = if window.from_end {
            (more, window.before.is_some())
        } else {
            (window.after.is_some(), more)
        };
        DealConnection {
            order,
            rows: rows.into_iter().map(Arc::new).collect(),
            has_next,
            has_previous,
            total: Total::Filter(Box::new(filter)),
        }
    }
}

#[derive(SimpleObject)]
pub struct DealEdge {
    pub cursor: String,
    pub node: DealGql,
}

#[Object]
impl DealConnection {
    async fn edges(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DealEdge>> {
        let cursors = Cursors::of(ctx)?;
        Ok(self
            .rows
            .iter()
            .map(|d| DealEdge {
                cursor: encode_deal_cursor(cursors, &self.order, d),
                node: DealGql(d.clone()),
            })
            .collect())
    }
    async fn nodes(&self) -> Vec<DealGql> {
        self.rows.iter().cloned().map(DealGql).collect()
    }
    async fn page_info(&self, ctx: &Context<'_>) -> async_graphql::Result<PageInfo> {
        let cursors = Cursors::of(ctx)?;
        let cursor = |d: &Arc<Deal>| encode_deal_cursor(cursors, &self.order, d);
        Ok(PageInfo {
            has_previous_page: self.has_previous,
            has_next_page: self.has_next,
            start_cursor: self.rows.first().map(cursor),
            end_cursor: self.rows.last().map(cursor),
        })
    }
    /// All matching deals, across pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        match &self.total {
            Total::Stage(id) => Ok(loaders::get::<StageDealCountLoader>(ctx)?
                .load_one(*id)
                .await?
                .unwrap_or(0)),
            Total::Filter(filter) => {
                Ok(ops::count_deals(pool(ctx)?, actor(ctx)?.workspace_id, filter).await?)
            }
        }
    }
}

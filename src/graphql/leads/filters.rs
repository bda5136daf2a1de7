//! How lead lists are filtered and ordered.

use async_graphql::{Enum, InputObject};

use super::types::{LeadSourceGql, LeadStatusGql};
use crate::graphql::deals::CustomFieldFilter;
use crate::leads::model::LeadFilter;
use crate::leads::LeadsOrder;

/// How leads are ordered. Ties are broken by id, so paging is stable.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum LeadOrderBy {
    /// Newest first.
    #[default]
    CreatedAt,
    /// Most recently updated first.
    UpdatedAt,
    /// Highest score first.
    Score,
    /// A to Z.
    Name,
}

impl From<LeadOrderBy> for LeadsOrder {
    fn from(order: LeadOrderBy) -> Self {
        match order {
            LeadOrderBy::CreatedAt => LeadsOrder::CreatedAt,
            LeadOrderBy::UpdatedAt => LeadsOrder::UpdatedAt,
            LeadOrderBy::Score => LeadsOrder::Score,
            LeadOrderBy::Name => LeadsOrder::Name,
        }
    }
}

/// Which leads to list; every field given narrows the list.
#[derive(InputObject, Default)]
#[graphql(name = "LeadFilter")]
pub struct LeadFilterInput {
    /// Part of the name, e-mail address or company name, in any case.
    pub search: Option<String>,
    pub status: Option<LeadStatusGql>,
    pub source: Option<LeadSourceGql>,
    pub owner_id: Option<String>,
    /// true: only leads nobody owns.
    pub unowned: Option<bool>,
    /// Leads carrying exactly this tag.
    pub tag: Option<String>,
    /// At least this score (0..100).
    pub score_min: Option<i32>,
    /// At most this score (0..100).
    pub score_max: Option<i32>,
    pub custom_field: Option<CustomFieldFilter>,
}

impl From<LeadFilterInput> for LeadFilter {
    fn from(filter: LeadFilterInput) -> Self {
        LeadFilter {
            search: filter.search,
            status: filter.status.map(Into::into),
            source: filter.source.map(Into::into),
            owner_id: filter.owner_id,
            unowned: filter.unowned.unwrap_or(false),
            tag: filter.tag,
            score_min: filter.score_min,
            score_max: filter.score_max,
            custom_field: filter.custom_field.map(|f| (f.key, f.value.0)),
        }
    }
}

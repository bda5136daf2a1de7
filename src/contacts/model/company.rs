//! The company row and its SQL.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::db::lazy_json::LazyJson;

use super::matches_search;
use crate::contacts::rules::like_pattern;
use crate::contacts::ContactsOrder;
use crate::db::page::{Listed, Position, SortKey};
use crate::db::schema::companies;

/// What company search looks in: exactly the expression of the `companies_search` trigram
/// index, so `ILIKE` on it can use the index.
pub const COMPANY_SEARCH_TEXT: &str = "(companies.name || ' ' || coalesce(companies.domain, ''))";

/// The unique index behind "one company per domain per workspace".
pub const DOMAIN_UNIQUE: &str = "companies_domain_unique";

/// A company row; also its audit before/after JSON and its stored idempotent response.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = companies, check_for_backend(diesel::pg::Pg))]
pub struct Company {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub icp_tier: Option<String>,
    pub is_target_account: bool,
    pub owner_id: Option<String>,
    pub tags: Vec<Option<String>>,
    pub custom_fields: LazyJson,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moved forward by every activity logged on the company (never by its own edits).
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// Everything a caller may set on a company: the insert and the full-row update.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = companies, treat_none_as_null = true)]
pub struct CompanyChanges {
    pub name: String,
    pub domain: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub icp_tier: Option<String>,
    pub is_target_account: bool,
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: Value,
}

/// Which companies to list; every part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    /// Found anywhere in the name or domain, case-insensitively (a trimmed term).
    pub search: Option<String>,
    pub owner_id: Option<String>,
    /// Companies carrying exactly this tag.
    pub tag: Option<String>,
    pub is_target_account: Option<bool>,
    /// An upper-case ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
}

crate::db::record_sql::tenant_row_sql!(Company, companies, NewCompany, CompanyChanges);
crate::db::record_sql::tenant_list_sql!(Company, companies, CompanyFilter, ContactsOrder);

impl Company {
    /// Whether the workspace has this company; the row is key-share locked until the
    /// caller's transaction ends, so it cannot be deleted while a contact is linked to it.
    pub async fn exists(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<bool> {
        companies::table
            .filter(companies::workspace_id.eq(workspace_id))
            .filter(companies::id.eq(id))
            .select(companies::id)
            .for_key_share()
            .first::<Uuid>(conn)
            .await
            .optional()
            .map(|found| found.is_some())
    }

    /// The company holding the (normalised) `domain`.
    pub async fn id_by_domain(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        domain: &str,
    ) -> QueryResult<Option<Uuid>> {
        companies::table
            .filter(companies::workspace_id.eq(workspace_id))
            .filter(companies::domain.eq(domain))
            .select(companies::id)
            .first(conn)
            .await
            .optional()
    }

    fn filtered(workspace_id: Uuid, filter: &CompanyFilter) -> companies::BoxedQuery<'static, Pg> {
        let mut query = companies::table
            .filter(companies::workspace_id.eq(workspace_id))
            .into_boxed();
        if let Some(term) = &filter.search {
            query = query.filter(matches_search(COMPANY_SEARCH_TEXT, &like_pattern(term)));
        }
        if let Some(owner_id) = &filter.owner_id {
            query = query.filter(companies::owner_id.eq(owner_id.clone()));
        }
        if let Some(tag) = &filter.tag {
            query = query.filter(companies::tags.contains(vec![tag.clone()]));
        }
        if let Some(is_target) = filter.is_target_account {
            query = query.filter(companies::is_target_account.eq(is_target));
        }
        if let Some(country) = &filter.country {
            query = query.filter(companies::country.eq(country.clone()));
        }
        query
    }
}

impl Listed<ContactsOrder> for Company {
    fn position(&self, order: ContactsOrder) -> Position {
        let key = match order {
            ContactsOrder::UpdatedAt => SortKey::Time(self.updated_at),
            ContactsOrder::CreatedAt => SortKey::Time(self.created_at),
            ContactsOrder::Name => SortKey::Text(self.name.clone()),
        };
        Position { key, id: self.id }
    }
}

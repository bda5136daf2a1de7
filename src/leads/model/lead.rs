//! The lead row and its SQL.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::db::lazy_json::LazyJson;

use crate::db::page::{Listed, Position, SortKey};
use crate::db::schema::leads;
use crate::leads::rules::{LeadSource, LeadStatus};
use crate::leads::LeadsOrder;

/// What lead search looks in: exactly the expression of the `leads_search` trigram index, so
/// `ILIKE` on it can use the index.
pub const LEAD_SEARCH_TEXT: &str =
    "(leads.name || ' ' || coalesce(leads.email, '') || ' ' || coalesce(leads.company_name, ''))";

/// The unique index behind "one open lead per e-mail address per workspace".
pub const EMAIL_UNIQUE: &str = "leads_email_unique";

/// A lead row; also its audit before/after JSON and its stored idempotent response.
#[derive(
    Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Serialize, Deserialize,
)]
#[diesel(table_name = leads, check_for_backend(diesel::pg::Pg))]
pub struct Lead {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company_name: Option<String>,
    pub website: Option<String>,
    pub source: String,
    pub status: String,
    pub score: i32,
    pub owner_id: Option<String>,
    pub tags: Vec<Option<String>>,
    pub custom_fields: LazyJson,
    pub qualified_at: Option<DateTime<Utc>>,
    pub disqualified_at: Option<DateTime<Utc>>,
    pub disqualified_reason: Option<String>,
    pub converted_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything a lead's writes set: the insert and the full-row update. The lifecycle fields
/// are here too: the lifecycle operations write them, `updateLead` carries them over.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = leads, treat_none_as_null = true)]
pub struct LeadChanges {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company_name: Option<String>,
    pub website: Option<String>,
    pub source: &'static str,
    pub status: &'static str,
    pub score: i32,
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: Value,
    pub qualified_at: Option<DateTime<Utc>>,
    pub disqualified_at: Option<DateTime<Utc>>,
    pub disqualified_reason: Option<String>,
    pub converted_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// Which leads to list; every part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// Found anywhere in the name, e-mail or company name, case-insensitively.
    pub search: Option<String>,
    pub status: Option<LeadStatus>,
    pub source: Option<LeadSource>,
    pub owner_id: Option<String>,
    /// Only leads nobody owns.
    pub unowned: bool,
    /// Leads carrying exactly this tag.
    pub tag: Option<String>,
    pub score_min: Option<i32>,
    pub score_max: Option<i32>,
    /// Leads whose custom field `key` holds exactly this JSON value.
    pub custom_field: Option<(String, Value)>,
}

crate::db::record_sql::tenant_row_sql!(Lead, leads, NewLead, LeadChanges);
crate::db::record_sql::tenant_list_sql!(Lead, leads, LeadFilter, LeadsOrder);

impl Lead {
    pub fn status(&self) -> LeadStatus {
        LeadStatus::parse(&self.status).unwrap_or(LeadStatus::New)
    }

    pub fn source(&self) -> LeadSource {
        LeadSource::parse(&self.source).unwrap_or(LeadSource::Other)
    }

    /// The open lead holding `email` (compared case-insensitively, like the unique index).
    pub async fn open_id_by_email(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        email: &str,
    ) -> QueryResult<Option<Uuid>> {
        leads::table
            .filter(leads::workspace_id.eq(workspace_id))
            .filter(leads::status.ne_all(["converted", "disqualified"]))
            .filter(
                diesel::dsl::sql::<Bool>("lower(leads.email) = lower(")
                    .bind::<Text, _>(email.to_owned())
                    .sql(")"),
            )
            .select(leads::id)
            .first(conn)
            .await
            .optional()
    }

    fn filtered(workspace_id: Uuid, filter: &LeadFilter) -> leads::BoxedQuery<'static, Pg> {
        let mut query = leads::table
            .filter(leads::workspace_id.eq(workspace_id))
            .into_boxed();
        if let Some(term) = &filter.search {
            let pattern = crate::contacts::rules::like_pattern(term);
            query = query.filter(
                diesel::dsl::sql::<Bool>(&format!("{LEAD_SEARCH_TEXT} ILIKE "))
                    .bind::<Text, _>(pattern),
            );
        }
        if let Some(status) = filter.status {
            query = query.filter(leads::status.eq(status.as_str()));
        }
        if let Some(source) = filter.source {
            query = query.filter(leads::source.eq(source.as_str()));
        }
        if let Some(owner_id) = &filter.owner_id {
            query = query.filter(leads::owner_id.eq(owner_id.clone()));
        }
        if filter.unowned {
            query = query.filter(leads::owner_id.is_null());
        }
        if let Some(tag) = &filter.tag {
            query = query.filter(leads::tags.contains(vec![tag.clone()]));
        }
        if let Some(min) = filter.score_min {
            query = query.filter(leads::score.ge(min));
        }
        if let Some(max) = filter.score_max {
            query = query.filter(leads::score.le(max));
        }
        if let Some((key, value)) = &filter.custom_field {
            let mut wanted = serde_json::Map::new();
            wanted.insert(key.clone(), value.clone());
            query = query.filter(leads::custom_fields.contains(Value::Object(wanted)));
        }
        query
    }
}

impl Listed<LeadsOrder> for Lead {
    fn position(&self, order: LeadsOrder) -> Position {
        let key = match order {
            LeadsOrder::CreatedAt => SortKey::Time(self.created_at),
            LeadsOrder::UpdatedAt => SortKey::Time(self.updated_at),
            LeadsOrder::Score => SortKey::Int(i64::from(self.score)),
            LeadsOrder::Name => SortKey::Text(self.name.clone()),
        };
        Position { key, id: self.id }
    }
}

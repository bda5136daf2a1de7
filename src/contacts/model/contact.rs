//! The contact row and its SQL.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::db::lazy_json::LazyJson;

use super::matches_search;
use crate::contacts::rules::{like_pattern, LifecycleStage};
use crate::contacts::ContactsOrder;
use crate::db::page::{Listed, Position, SortKey};
use crate::db::schema::contacts;

/// What contact search looks in: exactly the expression of the `contacts_search` trigram
/// index, so `ILIKE` on it can use the index.
pub const CONTACT_SEARCH_TEXT: &str = "(contacts.name || ' ' || coalesce(contacts.email, ''))";

/// The unique index behind "one contact per e-mail address per workspace".
pub const EMAIL_UNIQUE: &str = "contacts_email_unique";

/// A contact row; also its audit before/after JSON and its stored idempotent response.
#[derive(
    Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Serialize, Deserialize,
)]
#[diesel(table_name = contacts, check_for_backend(diesel::pg::Pg))]
pub struct Contact {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company_id: Option<Uuid>,
    pub lifecycle_stage: String,
    pub lead_score: Option<i32>,
    pub owner_id: Option<String>,
    pub tags: Vec<Option<String>>,
    pub custom_fields: LazyJson,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything a caller may set on a contact: the insert and the full-row update.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = contacts, treat_none_as_null = true)]
pub struct ContactChanges {
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company_id: Option<Uuid>,
    pub lifecycle_stage: &'static str,
    pub lead_score: Option<i32>,
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: Value,
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// Which contacts to list; every part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Found anywhere in the name or e-mail, case-insensitively (a trimmed term).
    pub search: Option<String>,
    pub company_id: Option<Uuid>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: Option<String>,
    /// Contacts carrying exactly this tag.
    pub tag: Option<String>,
}

crate::db::record_sql::tenant_row_sql!(Contact, contacts, NewContact, ContactChanges);
crate::db::record_sql::tenant_list_sql!(Contact, contacts, ContactFilter, ContactsOrder);

impl Contact {
    /// The stage; the column's CHECK allows only known stages.
    pub fn stage(&self) -> LifecycleStage {
        LifecycleStage::parse(&self.lifecycle_stage).unwrap_or(LifecycleStage::Other)
    }

    /// The contact holding `email` (compared case-insensitively, like the unique index).
    pub async fn id_by_email(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        email: &str,
    ) -> QueryResult<Option<Uuid>> {
        contacts::table
            .filter(contacts::workspace_id.eq(workspace_id))
            .filter(
                diesel::dsl::sql::<Bool>("lower(contacts.email) = lower(")
                    .bind::<Text, _>(email.to_owned())
                    .sql(")"),
            )
            .select(contacts::id)
            .first(conn)
            .await
            .optional()
    }

    fn filtered(workspace_id: Uuid, filter: &ContactFilter) -> contacts::BoxedQuery<'static, Pg> {
        let mut query = contacts::table
            .filter(contacts::workspace_id.eq(workspace_id))
            .into_boxed();
        if let Some(term) = &filter.search {
            query = query.filter(matches_search(CONTACT_SEARCH_TEXT, &like_pattern(term)));
        }
        if let Some(company_id) = filter.company_id {
            query = query.filter(contacts::company_id.eq(company_id));
        }
        if let Some(stage) = filter.lifecycle_stage {
            query = query.filter(contacts::lifecycle_stage.eq(stage.as_str()));
        }
        if let Some(owner_id) = &filter.owner_id {
            query = query.filter(contacts::owner_id.eq(owner_id.clone()));
        }
        if let Some(tag) = &filter.tag {
            query = query.filter(contacts::tags.contains(vec![tag.clone()]));
        }
        query
    }

    /// The first page of each company's contacts (newest update first), for a batch of
    /// companies in one statement.
    pub async fn pages_by_company(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        company_ids: &[Uuid],
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> QueryResult<Vec<Contact>> {
        let (after_at, after_id) = after.unzip();
        diesel::sql_query(
            "SELECT c.* FROM unnest($2) AS k(company_id)
             CROSS JOIN LATERAL (
                 SELECT * FROM contacts
                 WHERE contacts.workspace_id = $1 AND contacts.company_id = k.company_id
                   AND ($3::timestamptz IS NULL OR (contacts.updated_at, contacts.id) < ($3, $4))
                 ORDER BY contacts.updated_at DESC, contacts.id DESC
                 LIMIT $5
             ) AS c",
        )
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Array<SqlUuid>, _>(company_ids)
        .bind::<diesel::sql_types::Nullable<Timestamptz>, _>(after_at)
        .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(after_id)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await
    }

    /// How many contacts each of `company_ids` has; companies without any are left out.
    pub async fn count_by_company(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        company_ids: &[Uuid],
    ) -> QueryResult<Vec<(Option<Uuid>, i64)>> {
        contacts::table
            .filter(contacts::workspace_id.eq(workspace_id))
            .filter(contacts::company_id.eq_any(company_ids))
            .group_by(contacts::company_id)
            .select((contacts::company_id, diesel::dsl::count_star()))
            .load(conn)
            .await
    }
}

impl Listed<ContactsOrder> for Contact {
    fn position(&self, order: ContactsOrder) -> Position {
        let key = match order {
            ContactsOrder::UpdatedAt => SortKey::Time(self.updated_at),
            ContactsOrder::CreatedAt => SortKey::Time(self.created_at),
            ContactsOrder::Name => SortKey::Text(self.name.clone()),
        };
        Position { key, id: self.id }
    }
}

//! The activity row and its SQL: the standard row and list SQL, one record's page of
//! activities for many records at once, the reference check of its links and the
//! `last_activity_at` stamp it moves on what it links.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::activities::model::linked::linked_to;
use crate::activities::model::LinkedRow;
use crate::activities::rules::{ActivityType, LinkKind, Links};
use crate::activities::ActivitiesOrder;
use crate::db::page::{Listed, Position, SortKey};
use crate::db::per_parent::ChildList;
use crate::db::schema::activities;

/// An activity row; also its audit before/after JSON, its stored idempotent response and
/// (as `to_jsonb`) a timeline item.
#[derive(
    Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Serialize, Deserialize,
)]
#[diesel(table_name = activities, check_for_backend(diesel::pg::Pg))]
pub struct Activity {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub activity_type: String,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub metadata: Value,
    pub created_by: Uuid,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything an activity's writes set: the insert and the full-row update. `created_by` is
/// set once, by the log, and carried over by updates.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = activities, treat_none_as_null = true)]
pub struct ActivityChanges {
    pub activity_type: &'static str,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub metadata: Value,
    pub created_by: Uuid,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
}

/// Which activities to list; every part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub links: Links,
    pub activity_type: Option<ActivityType>,
    /// Happened at or after.
    pub occurred_from: Option<DateTime<Utc>>,
    /// Happened before.
    pub occurred_to: Option<DateTime<Utc>>,
}

crate::db::record_sql::tenant_row_sql!(Activity, activities, NewActivity, ActivityChanges);
crate::db::record_sql::tenant_list_sql!(Activity, activities, ActivityFilter, ActivitiesOrder);

/// Which of an activity's links point at nothing in the workspace.
#[derive(QueryableByName)]
struct LinksFound {
    #[diesel(sql_type = Bool)]
    contact: bool,
    #[diesel(sql_type = Bool)]
    company: bool,
    #[diesel(sql_type = Bool)]
    deal: bool,
    #[diesel(sql_type = Bool)]
    lead: bool,
}

impl LinkedRow for Activity {
    const LIST: ChildList = ChildList {
        table: "activities",
        sort: "occurred_at",
        newest_first: true,
    };

    fn links(&self) -> Links {
        crate::activities::rules::links_of!(self)
    }
}

impl Activity {
    /// The first of `links` that names no record of the workspace (another workspace's
    /// record is as unknown as a missing one), in one statement. Tasks check theirs here too.
    pub async fn missing_link(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        links: &Links,
    ) -> QueryResult<Option<LinkKind>> {
        if links.is_empty() {
            return Ok(None);
        }
        let found: LinksFound = diesel::sql_query(
            "SELECT
               ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM contacts WHERE workspace_id = $1 AND id = $2)) AS contact,
               ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM companies WHERE workspace_id = $1 AND id = $3)) AS company,
               ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM deals WHERE workspace_id = $1 AND id = $4)) AS deal,
               ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM leads WHERE workspace_id = $1 AND id = $5)) AS lead",
        )
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Nullable<SqlUuid>, _>(links.contact_id)
        .bind::<Nullable<SqlUuid>, _>(links.company_id)
        .bind::<Nullable<SqlUuid>, _>(links.deal_id)
        .bind::<Nullable<SqlUuid>, _>(links.lead_id)
        .get_result(conn)
        .await?;
        let present = [found.contact, found.company, found.deal, found.lead];
        Ok(LinkKind::ALL
            .into_iter()
            .zip(present)
            .find(|(_, present)| !present)
            .map(|(kind, _)| kind))
    }

    /// Moves `last_activity_at` of every record in `links` forward to `at`, in one statement.
    /// GREATEST (which skips NULL) never moves it back, so a back-dated activity leaves a
    /// newer stamp alone, and two concurrent logs end at the later one whatever their order.
    /// Neither the version nor `updated_at` changes: the stamp follows the record's history,
    /// it is not an edit of the record (an `expectedVersion` in flight stays valid).
    pub async fn touch_linked(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        links: &Links,
        at: DateTime<Utc>,
    ) -> QueryResult<()> {
        if links.is_empty() {
            return Ok(());
        }
        diesel::sql_query(
            "WITH contact AS (
               UPDATE contacts SET last_activity_at = GREATEST(last_activity_at, $2)
               WHERE workspace_id = $1 AND id = $3),
             company AS (
               UPDATE companies SET last_activity_at = GREATEST(last_activity_at, $2)
               WHERE workspace_id = $1 AND id = $4),
             deal AS (
               UPDATE deals SET last_activity_at = GREATEST(last_activity_at, $2)
               WHERE workspace_id = $1 AND id = $5),
             lead AS (
               UPDATE leads SET last_activity_at = GREATEST(last_activity_at, $2)
               WHERE workspace_id = $1 AND id = $6)
             SELECT 1",
        )
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<Timestamptz, _>(at)
        .bind::<Nullable<SqlUuid>, _>(links.contact_id)
        .bind::<Nullable<SqlUuid>, _>(links.company_id)
        .bind::<Nullable<SqlUuid>, _>(links.deal_id)
        .bind::<Nullable<SqlUuid>, _>(links.lead_id)
        .execute(conn)
        .await
        .map(drop)
    }

    fn filtered(
        workspace_id: Uuid,
        filter: &ActivityFilter,
    ) -> activities::BoxedQuery<'static, Pg> {
        let mut query = activities::table
            .filter(activities::workspace_id.eq(workspace_id))
            .into_boxed();
        linked_to!(query, activities, &filter.links);
        if let Some(activity_type) = filter.activity_type {
            query = query.filter(activities::activity_type.eq(activity_type.as_str()));
        }
        if let Some(from) = filter.occurred_from {
            query = query.filter(activities::occurred_at.ge(from));
        }
        if let Some(to) = filter.occurred_to {
            query = query.filter(activities::occurred_at.lt(to));
        }
        query
    }
}

impl Listed<ActivitiesOrder> for Activity {
    fn position(&self, _order: ActivitiesOrder) -> Position {
        Position {
            key: SortKey::Time(self.occurred_at),
            id: self.id,
        }
    }
}

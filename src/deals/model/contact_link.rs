//! Who is involved in a deal: a link to a contact with a role. Deals reference contacts and
//! never copy them, so a contact's change shows everywhere.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::schema::deal_contacts;

/// A link row; the row is its own insert (linking again only changes the role).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = deal_contacts, check_for_backend(diesel::pg::Pg))]
pub struct DealContact {
    pub workspace_id: Uuid,
    pub deal_id: Uuid,
    pub contact_id: Uuid,
    pub role: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl DealContact {
    /// Links of several deals, one query.
    pub async fn of_deals(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<DealContact>> {
        deal_contacts::table
            .filter(
                deal_contacts::workspace_id
                    .eq(workspace_id)
                    .and(deal_contacts::deal_id.eq_any(deal_ids)),
            )
            .order((
                deal_contacts::deal_id,
                deal_contacts::created_at,
                deal_contacts::contact_id,
            ))
            .select(DealContact::as_select())
            .load(conn)
            .await
    }

    /// Links of several contacts, one query.
    pub async fn of_contacts(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        contact_ids: &[Uuid],
    ) -> QueryResult<Vec<DealContact>> {
        deal_contacts::table
            .filter(
                deal_contacts::workspace_id
                    .eq(workspace_id)
                    .and(deal_contacts::contact_id.eq_any(contact_ids)),
            )
            .order((
                deal_contacts::contact_id,
                deal_contacts::created_at,
                deal_contacts::deal_id,
            ))
            .select(DealContact::as_select())
            .load(conn)
            .await
    }

    /// Inserts the link or changes its role.
    pub async fn upsert(
        conn: &mut AsyncPgConnection,
        link: &DealContact,
    ) -> QueryResult<DealContact> {
        diesel::insert_into(deal_contacts::table)
            .values(link)
            .on_conflict((deal_contacts::deal_id, deal_contacts::contact_id))
            .do_update()
            .set(deal_contacts::role.eq(&link.role))
            .returning(DealContact::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn find(
        conn: &mut AsyncPgConnection,
        deal_id: Uuid,
        contact_id: Uuid,
    ) -> QueryResult<Option<DealContact>> {
        deal_contacts::table
            .filter(
                deal_contacts::deal_id
                    .eq(deal_id)
                    .and(deal_contacts::contact_id.eq(contact_id)),
            )
            .select(DealContact::as_select())
            .first(conn)
            .await
            .optional()
    }

    pub async fn delete(
        conn: &mut AsyncPgConnection,
        deal_id: Uuid,
        contact_id: Uuid,
    ) -> QueryResult<usize> {
        diesel::delete(
            deal_contacts::table.filter(
                deal_contacts::deal_id
                    .eq(deal_id)
                    .and(deal_contacts::contact_id.eq(contact_id)),
            ),
        )
        .execute(conn)
        .await
    }
}

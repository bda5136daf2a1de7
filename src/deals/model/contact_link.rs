//! Who is involved in a deal: a link to a contact with a role. Deals reference contacts and
//! never copy them, so a contact's change shows everywhere.

use chrono::{DateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::deal::Deal;
use crate::contacts::model::{Company, Contact};
use crate::db::schema::{companies, contacts, deal_contacts, deals};

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

/// The links of `deal_ids` in the workspace.
fn of_deals(
    workspace_id: Uuid,
    deal_ids: &[Uuid],
) -> dsl::And<dsl::Eq<deal_contacts::workspace_id, Uuid>, dsl::EqAny<deal_contacts::deal_id, &[Uuid]>>
{
    deal_contacts::workspace_id
        .eq(workspace_id)
        .and(deal_contacts::deal_id.eq_any(deal_ids))
}

impl DealContact {
    /// Links of several deals, one query.
    pub async fn of_deals(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<DealContact>> {
        deal_contacts::table
            .filter(of_deals(workspace_id, deal_ids))
            .order((
                deal_contacts::deal_id,
                deal_contacts::created_at,
                deal_contacts::contact_id,
            ))
            .select(DealContact::as_select())
            .load(conn)
            .await
    }

    /// Links of several deals with their contacts and the contacts' companies, one query
    /// (a board's people in one statement rather than three).
    pub async fn with_people_of_deals(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<(DealContact, Contact, Option<Company>)>> {
        deal_contacts::table
            .inner_join(
                contacts::table.on(contacts::workspace_id
                    .eq(deal_contacts::workspace_id)
                    .and(contacts::id.eq(deal_contacts::contact_id))),
            )
            .left_join(
                companies::table.on(companies::workspace_id
                    .eq(contacts::workspace_id)
                    .and(contacts::company_id.eq(companies::id.nullable()))),
            )
            .filter(of_deals(workspace_id, deal_ids))
            .order((
                deal_contacts::deal_id,
                deal_contacts::created_at,
                deal_contacts::contact_id,
            ))
            .select((
                DealContact::as_select(),
                Contact::as_select(),
                Option::<Company>::as_select(),
            ))
            .load(conn)
            .await
    }

    /// Links of several deals with their contacts, one query (a board's people without
    /// their companies).
    pub async fn with_contacts_of_deals(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<(DealContact, Contact)>> {
        deal_contacts::table
            .inner_join(
                contacts::table.on(contacts::workspace_id
                    .eq(deal_contacts::workspace_id)
                    .and(contacts::id.eq(deal_contacts::contact_id))),
            )
            .filter(of_deals(workspace_id, deal_ids))
            .order((
                deal_contacts::deal_id,
                deal_contacts::created_at,
                deal_contacts::contact_id,
            ))
            .select((DealContact::as_select(), Contact::as_select()))
            .load(conn)
            .await
    }

    /// A deal with its links, one query (the deal page): one row per link, or one without a
    /// link; none when the workspace has no such deal.
    pub async fn deal_with_links(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_id: Uuid,
    ) -> QueryResult<Vec<(Deal, Option<DealContact>)>> {
        deals::table
            .left_join(
                deal_contacts::table.on(deal_contacts::workspace_id
                    .eq(deals::workspace_id)
                    .and(deal_contacts::deal_id.eq(deals::id))),
            )
            .filter(
                deals::workspace_id
                    .eq(workspace_id)
                    .and(deals::id.eq(deal_id)),
            )
            .order((deal_contacts::created_at, deal_contacts::contact_id))
            .select((Deal::as_select(), Option::<DealContact>::as_select()))
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

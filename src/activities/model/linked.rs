//! Rows hung off CRM records through the four link columns (`contact_id`, `company_id`,
//! `deal_id`, `lead_id`): activities, and tasks, which link the same way. A record's page of
//! them, for many records at once, is one piece of SQL for both.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::QueryableByName;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::activities::rules::{LinkKind, Links};
use crate::db::page::Listing;
use crate::db::per_parent::{self, ChildList};

/// A row linked to contacts, companies, deals and leads.
pub trait LinkedRow: QueryableByName<Pg> + Send + 'static {
    /// Where the rows live and how a record's page of them is ordered.
    const LIST: ChildList;

    fn links(&self) -> Links;
}

/// `linked_to!(query, table, links)` narrows a boxed `query` on `table` (activities or tasks)
/// to the rows linked to every record `links` names. A macro: each table's link columns are
/// types of their own.
macro_rules! linked_to {
    ($query:ident, $table:ident, $links:expr) => {{
        let links: &$crate::activities::rules::Links = $links;
        if let Some(id) = links.contact_id {
            $query = $query.filter($table::contact_id.eq(id));
        }
        if let Some(id) = links.company_id {
            $query = $query.filter($table::company_id.eq(id));
        }
        if let Some(id) = links.deal_id {
            $query = $query.filter($table::deal_id.eq(id));
        }
        if let Some(id) = links.lead_id {
            $query = $query.filter($table::lead_id.eq(id));
        }
    }};
}
pub(crate) use linked_to;

/// One page of the rows linked to each of `parent_ids` (records of one kind), after
/// `(sort, id)` when given, with each record's total: two statements for any number of
/// records.
pub async fn pages<T: LinkedRow>(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    kind: LinkKind,
    parent_ids: &[Uuid],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> diesel::QueryResult<HashMap<Uuid, Listing<T>>> {
    let parent_of = |row: &T| row.links().get(kind);
    per_parent::pages(
        conn,
        T::LIST,
        kind.column(),
        workspace_id,
        parent_ids,
        after,
        limit,
        parent_of,
    )
    .await
}

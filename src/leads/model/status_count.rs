//! `lead_status_counts`: how many leads each workspace has in each status, kept by the
//! database's triggers in the transaction that writes the leads (migration 000094), so that
//! the lead list's total does not count the leads.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::LeadFilter;
use crate::db::schema::lead_status_counts;
use crate::leads::rules::LeadStatus;

/// The kept counts of one workspace.
pub struct LeadStatusCounts;

impl LeadStatusCounts {
    /// The workspace's leads in `status`, or in every status.
    pub async fn total(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        status: Option<LeadStatus>,
    ) -> QueryResult<i64> {
        // PostgreSQL sums bigints as numeric; a workspace's total fits a bigint again.
        let summed = diesel::dsl::sql::<BigInt>("coalesce(sum(leads), 0)::bigint");
        let of_workspace = lead_status_counts::table
            .filter(lead_status_counts::workspace_id.eq(workspace_id))
            .select(summed);
        match status {
            Some(status) => {
                of_workspace
                    .filter(lead_status_counts::status.eq(status.as_str()))
                    .get_result(conn)
                    .await
            }
            None => of_workspace.get_result(conn).await,
        }
    }
}

impl LeadFilter {
    /// True when nothing but (at most) the status narrows the list: then the kept counts
    /// answer its total. Every field is named, so a new filter cannot be overlooked here.
    pub fn by_status_only(&self) -> bool {
        let LeadFilter {
            search,
            status: _,
            source,
            owner_id,
            unowned,
            tag,
            score_min,
            score_max,
            custom_field,
        } = self;
        search.is_none()
            && source.is_none()
            && owner_id.is_none()
            && !unowned
            && tag.is_none()
            && score_min.is_none()
            && score_max.is_none()
            && custom_field.is_none()
    }
}

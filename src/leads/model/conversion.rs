//! A lead's conversion: the row recording what the lead became, and its SQL.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::page::{KeyKind, ListOrder, Listed, Position, SortKey, Window};
use crate::db::schema::lead_conversions;

/// A conversion row, written once and never changed (only a deleted contact, company or deal
/// clears its reference), so it is its own insert; also the audit JSON and stored response.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = lead_conversions, check_for_backend(diesel::pg::Pg))]
pub struct LeadConversion {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub lead_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    /// Whether the conversion created the contact (or linked an existing one).
    pub contact_created: bool,
    pub company_created: bool,
    /// The lead's owner at conversion: whose conversion it counts as.
    pub owner_id: Option<String>,
    pub reason: Option<String>,
    pub actor_key_id: Uuid,
    pub converted_at: DateTime<Utc>,
}

/// How conversions are listed: newest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ConversionsOrder;

impl ListOrder for ConversionsOrder {
    fn name(self) -> &'static str {
        "converted_at"
    }

    fn key_kind(self) -> KeyKind {
        KeyKind::Time
    }

    fn descending(self) -> bool {
        true
    }
}

/// A page of conversions.
pub type ConversionsWindow = Window<ConversionsOrder>;

/// Which conversions to list; every part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct LeadConversionFilter {
    /// Converted at or after this time.
    pub converted_from: Option<DateTime<Utc>>,
    /// Converted before this time.
    pub converted_to: Option<DateTime<Utc>>,
    /// The lead's owner at conversion.
    pub owner_id: Option<String>,
}

crate::db::record_sql::tenant_find_sql!(LeadConversion, lead_conversions);
crate::db::record_sql::tenant_list_sql!(
    LeadConversion,
    lead_conversions,
    LeadConversionFilter,
    ConversionsOrder
);

impl LeadConversion {
    pub async fn insert(conn: &mut AsyncPgConnection, row: &LeadConversion) -> QueryResult<()> {
        diesel::insert_into(lead_conversions::table)
            .values(row)
            .execute(conn)
            .await
            .map(drop)
    }

    /// The conversions of `lead_ids` (at most one each), in one statement.
    pub async fn of_leads(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
    ) -> QueryResult<Vec<LeadConversion>> {
        lead_conversions::table
            .filter(lead_conversions::workspace_id.eq(workspace_id))
            .filter(lead_conversions::lead_id.eq_any(lead_ids))
            .select(LeadConversion::as_select())
            .load(conn)
            .await
    }

    fn filtered(
        workspace_id: Uuid,
        filter: &LeadConversionFilter,
    ) -> lead_conversions::BoxedQuery<'static, Pg> {
        let mut query = lead_conversions::table
            .filter(lead_conversions::workspace_id.eq(workspace_id))
            .into_boxed();
        if let Some(from) = filter.converted_from {
            query = query.filter(lead_conversions::converted_at.ge(from));
        }
        if let Some(to) = filter.converted_to {
            query = query.filter(lead_conversions::converted_at.lt(to));
        }
        if let Some(owner_id) = &filter.owner_id {
            query = query.filter(lead_conversions::owner_id.eq(owner_id.clone()));
        }
        query
    }
}

impl Listed<ConversionsOrder> for LeadConversion {
    fn position(&self, _order: ConversionsOrder) -> Position {
        Position {
            key: SortKey::Time(self.converted_at),
            id: self.id,
        }
    }
}

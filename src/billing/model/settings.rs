//! A workspace's billing settings: whether billing posts to the ledger, and to which
//! accounts (None: the default chart's account of that role). No row: the defaults.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::schema::billing_settings;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = billing_settings, check_for_backend(diesel::pg::Pg))]
pub struct BillingSettings {
    pub workspace_id: Uuid,
    pub auto_post: bool,
    pub receivable_account_id: Option<Uuid>,
    pub services_revenue_account_id: Option<Uuid>,
    pub product_revenue_account_id: Option<Uuid>,
    pub sales_tax_account_id: Option<Uuid>,
    pub customer_credit_account_id: Option<Uuid>,
    pub cash_account_id: Option<Uuid>,
    pub bank_account_id: Option<Uuid>,
    pub undeposited_account_id: Option<Uuid>,
    pub version: i32,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl BillingSettings {
    /// The workspace's settings; None when it never changed them.
    pub async fn find(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
    ) -> QueryResult<Option<BillingSettings>> {
        billing_settings::table
            .find(workspace_id)
            .select(BillingSettings::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// Turns automatic postings on or off.
    pub async fn set_auto_post(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        auto_post: bool,
    ) -> QueryResult<BillingSettings> {
        diesel::insert_into(billing_settings::table)
            .values((
                billing_settings::workspace_id.eq(workspace_id),
                billing_settings::auto_post.eq(auto_post),
            ))
            .on_conflict(billing_settings::workspace_id)
            .do_update()
            .set((
                billing_settings::auto_post.eq(auto_post),
                billing_settings::version.eq(billing_settings::version + 1),
                billing_settings::updated_at.eq(diesel::dsl::now),
            ))
            .returning(BillingSettings::as_returning())
            .get_result(conn)
            .await
    }
}

//! A workspace's billing settings: whether billing posts to the ledger, and to which
//! accounts (None: the default chart's account of that role). No row: the defaults.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::billing::rules::PostingPurpose;
use crate::db::schema::billing_settings;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = billing_settings, check_for_backend(diesel::pg::Pg))]
pub struct BillingSettings {
    pub workspace_id: Uuid,
    #[diesel(embed)]
    #[serde(flatten)]
    pub values: SettingsValues,
    /// 0 until the workspace first changes its settings.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// What a settings change stores (a cleared account is written as NULL); also what the row
/// holds besides its workspace and version.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Serialize,
    Deserialize,
)]
#[diesel(table_name = billing_settings, treat_none_as_null = true)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct SettingsValues {
    pub auto_post: bool,
    pub receivable_account_id: Option<Uuid>,
    pub services_revenue_account_id: Option<Uuid>,
    pub product_revenue_account_id: Option<Uuid>,
    pub sales_tax_account_id: Option<Uuid>,
    pub customer_credit_account_id: Option<Uuid>,
    pub cash_account_id: Option<Uuid>,
    pub bank_account_id: Option<Uuid>,
    pub undeposited_account_id: Option<Uuid>,
}

impl SettingsValues {
    /// The column holding `purpose`'s account.
    pub fn account_mut(&mut self, purpose: PostingPurpose) -> &mut Option<Uuid> {
        match purpose {
            PostingPurpose::Receivable => &mut self.receivable_account_id,
            PostingPurpose::ServicesRevenue => &mut self.services_revenue_account_id,
            PostingPurpose::ProductRevenue => &mut self.product_revenue_account_id,
            PostingPurpose::SalesTax => &mut self.sales_tax_account_id,
            PostingPurpose::CustomerCredit => &mut self.customer_credit_account_id,
            PostingPurpose::Cash => &mut self.cash_account_id,
            PostingPurpose::Bank => &mut self.bank_account_id,
            PostingPurpose::UndepositedFunds => &mut self.undeposited_account_id,
        }
    }
}

impl BillingSettings {
    /// A workspace's settings before it changed any: post automatically, to the default chart.
    pub fn defaults(workspace_id: Uuid) -> BillingSettings {
        BillingSettings {
            workspace_id,
            values: SettingsValues {
                auto_post: true,
                ..SettingsValues::default()
            },
            version: 0,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    /// The account chosen for `purpose`, if any.
    pub fn account(&self, purpose: PostingPurpose) -> Option<Uuid> {
        *self.values.clone().account_mut(purpose)
    }

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

    /// The workspace's settings locked for this transaction; None when it never changed them.
    pub async fn lock(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
    ) -> QueryResult<Option<BillingSettings>> {
        billing_settings::table
            .find(workspace_id)
            .select(BillingSettings::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    /// Stores `values` as the workspace's settings (the first change inserts its row).
    pub async fn save(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        values: &SettingsValues,
    ) -> QueryResult<BillingSettings> {
        diesel::insert_into(billing_settings::table)
            .values((billing_settings::workspace_id.eq(workspace_id), values))
            .on_conflict(billing_settings::workspace_id)
            .do_update()
            .set((
                values,
                billing_settings::version.eq(billing_settings::version + 1),
                billing_settings::updated_at.eq(diesel::dsl::now),
            ))
            .returning(BillingSettings::as_returning())
            .get_result(conn)
            .await
    }
}

//! The `webhook_endpoints` row and its SQL.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::record_sql::{newest_first_sql, tenant_find_sql};
use crate::db::schema::webhook_endpoints;

/// An endpoint. Its secrets are skipped when serialised (audit rows, idempotent responses).
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = webhook_endpoints, check_for_backend(diesel::pg::Pg))]
pub struct WebhookEndpoint {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<Option<String>>,
    pub pipeline_id: Option<Uuid>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    #[serde(skip)]
    pub secret: Vec<u8>,
    #[serde(skip)]
    pub previous_secret: Option<Vec<u8>>,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub from_position: i64,
    pub failing_since: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a caller may set on an endpoint.
#[derive(Debug, Clone, AsChangeset, Insertable, Serialize)]
#[diesel(table_name = webhook_endpoints, treat_none_as_null = true)]
pub struct WebhookEndpointChanges {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub pipeline_id: Option<Uuid>,
    pub enabled: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct NewWebhookEndpoint {
    pub workspace_id: Uuid,
    pub id: Uuid,
    #[diesel(embed)]
    pub changes: WebhookEndpointChanges,
    pub secret: Vec<u8>,
    pub from_position: i64,
}

tenant_find_sql!(WebhookEndpoint, webhook_endpoints);
newest_first_sql!(WebhookEndpoint, webhook_endpoints);

impl WebhookEndpoint {
    pub async fn insert(
        conn: &mut AsyncPgConnection,
        new: &NewWebhookEndpoint,
    ) -> QueryResult<WebhookEndpoint> {
        diesel::insert_into(webhook_endpoints::table)
            .values(new)
            .returning(WebhookEndpoint::as_returning())
            .get_result(conn)
            .await
    }

    /// Applies the caller's changes.
    pub async fn update(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
        changes: &WebhookEndpointChanges,
    ) -> QueryResult<WebhookEndpoint> {
        let target = webhook_endpoints::table
            .filter(webhook_endpoints::workspace_id.eq(workspace_id))
            .find(id);
        diesel::update(target)
            .set((
                changes,
                webhook_endpoints::version.eq(webhook_endpoints::version + 1),
                webhook_endpoints::updated_at.eq(diesel::dsl::now),
            ))
            .returning(WebhookEndpoint::as_returning())
            .get_result(conn)
            .await
    }

    /// Clears the disabled state of an enabled endpoint.
    pub async fn clear_disabled(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> QueryResult<WebhookEndpoint> {
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::disabled_reason.eq(None::<String>),
                webhook_endpoints::failing_since.eq(None::<DateTime<Utc>>),
            ))
            .returning(WebhookEndpoint::as_returning())
            .get_result(conn)
            .await
    }

    /// A new secret; the current one keeps signing until `previous_until`.
    pub async fn rotate_secret(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        sealed: Vec<u8>,
        previous: Vec<u8>,
        previous_until: DateTime<Utc>,
    ) -> QueryResult<WebhookEndpoint> {
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::secret.eq(sealed),
                webhook_endpoints::previous_secret.eq(Some(previous)),
                webhook_endpoints::previous_secret_expires_at.eq(Some(previous_until)),
                webhook_endpoints::version.eq(webhook_endpoints::version + 1),
                webhook_endpoints::updated_at.eq(diesel::dsl::now),
            ))
            .returning(WebhookEndpoint::as_returning())
            .get_result(conn)
            .await
    }

    /// Stops deliveries to the endpoint, saying why.
    pub async fn disable(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        reason: &str,
    ) -> QueryResult<WebhookEndpoint> {
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::enabled.eq(false),
                webhook_endpoints::disabled_reason.eq(Some(reason)),
                webhook_endpoints::version.eq(webhook_endpoints::version + 1),
                webhook_endpoints::updated_at.eq(diesel::dsl::now),
            ))
            .returning(WebhookEndpoint::as_returning())
            .get_result(conn)
            .await
    }

    /// After an attempt: a success ends a failing streak, a failure starts one (if none is
    /// running). Returns the streak's start.
    pub async fn note_outcome(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        succeeded: bool,
    ) -> QueryResult<Option<DateTime<Utc>>> {
        let target = webhook_endpoints::table.find(id);
        let query = if succeeded {
            diesel::update(target)
                .set(webhook_endpoints::failing_since.eq(None::<DateTime<Utc>>))
                .returning(webhook_endpoints::failing_since)
                .get_result(conn)
        } else {
            diesel::update(target)
                .set(webhook_endpoints::failing_since.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                >(
                    "coalesce(failing_since, now())"
                )))
                .returning(webhook_endpoints::failing_since)
                .get_result(conn)
        };
        query.await
    }

    /// The enabled endpoints of these workspaces: who wants the events being fanned out.
    pub async fn enabled_in(
        conn: &mut AsyncPgConnection,
        workspace_ids: &[Uuid],
    ) -> QueryResult<Vec<WebhookEndpoint>> {
        webhook_endpoints::table
            .filter(webhook_endpoints::workspace_id.eq_any(workspace_ids))
            .filter(webhook_endpoints::enabled)
            .order(webhook_endpoints::id)
            .select(WebhookEndpoint::as_select())
            .load(conn)
            .await
    }
}

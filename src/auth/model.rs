//! Workspace and API key rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::record_sql::{newest_first_sql, tenant_find_sql};
use crate::db::schema::{api_keys, workspaces};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = workspaces, check_for_backend(diesel::pg::Pg))]
pub struct Workspace {
    pub id: Uuid,
    pub name: String,
    pub default_currency: String,
    pub created_at: DateTime<Utc>,
}

impl Workspace {
    pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Workspace> {
        workspaces::table
            .find(id)
            .select(Workspace::as_select())
            .first(conn)
            .await
    }

    pub async fn count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
        workspaces::table.count().get_result(conn).await
    }

    /// Locks the workspace row: for the rare writes that must serialise per workspace.
    pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
        workspaces::table
            .find(id)
            .select(workspaces::id)
            .for_update()
            .first::<Uuid>(conn)
            .await
            .map(drop)
    }

    pub async fn insert(conn: &mut AsyncPgConnection, workspace: &Workspace) -> QueryResult<()> {
        diesel::insert_into(workspaces::table)
            .values(workspace)
            .execute(conn)
            .await
            .map(drop)
    }
}

/// An API key as the API shows it: never the secret or its hash.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKey {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Option<String>>,
    pub created_by_key_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

tenant_find_sql!(ApiKey, api_keys);
newest_first_sql!(ApiKey, api_keys);

impl ApiKey {
    pub fn scope_names(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().flatten().map(String::as_str)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a [u8],
    pub scopes: Vec<String>,
    pub created_by_key_id: Option<Uuid>,
}

/// What authentication needs from a key row.
#[derive(Debug, Queryable)]
pub struct KeyIdentity {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub scopes: Vec<Option<String>>,
}

impl ApiKey {
    pub async fn insert(conn: &mut AsyncPgConnection, key: &NewApiKey<'_>) -> QueryResult<ApiKey> {
        diesel::insert_into(api_keys::table)
            .values(key)
            .returning(ApiKey::as_returning())
            .get_result(conn)
            .await
    }

    /// Which of `ids` are still valid (not revoked, not deleted), marking them used at most
    /// once a minute as requests do: one statement for every key with open WebSockets.
    pub async fn live_among(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
        #[derive(diesel::QueryableByName)]
        struct LiveKey {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: Uuid,
        }
        let live: Vec<LiveKey> = diesel::sql_query(
            "WITH live AS (
                 SELECT id, last_used_at FROM api_keys
                 WHERE id = ANY($1) AND revoked_at IS NULL
             ), touched AS (
                 UPDATE api_keys SET last_used_at = now() FROM live
                 WHERE api_keys.id = live.id
                   AND (live.last_used_at IS NULL OR live.last_used_at < now() - interval '60 seconds')
             )
             SELECT id FROM live",
        )
        .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids)
        .load(conn)
        .await?;
        Ok(live.into_iter().map(|k| k.id).collect())
    }

    pub async fn revoke(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        id: Uuid,
    ) -> QueryResult<ApiKey> {
        diesel::update(api_keys::table)
            .filter(api_keys::workspace_id.eq(workspace_id))
            .filter(api_keys::id.eq(id))
            .set(api_keys::revoked_at.eq(diesel::dsl::now))
            .returning(ApiKey::as_returning())
            .get_result(conn)
            .await
    }

    /// Resolves a live key by the hash of its secret. A plain read written with the DSL, so
    /// each pooled connection prepares it once; `last_used_at` is kept by [`ApiKey::touch`]
    /// in batches (see `auth::cache`).
    pub async fn authenticate(
        conn: &mut AsyncPgConnection,
        secret_hash: &[u8],
    ) -> QueryResult<Option<KeyIdentity>> {
        api_keys::table
            .filter(api_keys::secret_hash.eq(secret_hash))
            .filter(api_keys::revoked_at.is_null())
            .select((api_keys::workspace_id, api_keys::id, api_keys::scopes))
            .first(conn)
            .await
            .optional()
    }

    /// Marks `ids` used now, unless they were marked since `unless_since`: one statement
    /// for every key a server saw in its last interval.
    pub async fn touch(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
        unless_since: DateTime<Utc>,
    ) -> QueryResult<usize> {
        diesel::update(api_keys::table)
            .filter(api_keys::id.eq_any(ids))
            .filter(
                api_keys::last_used_at
                    .is_null()
                    .or(api_keys::last_used_at.lt(unless_since)),
            )
            .set(api_keys::last_used_at.eq(diesel::dsl::now))
            .execute(conn)
            .await
    }
}

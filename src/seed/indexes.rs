//! Building the seeded tables' lookup indexes once, after the load, instead of row by row.
//!
//! A deal row updates eleven indexes, two of them GIN (trigram title, custom fields); kept
//! live through the load they cost more than the rows. `CREATE INDEX` sorts each index's
//! entries once and writes it packed. Only the indexes no rule depends on are deferred:
//! primary keys, unique indexes and constraint indexes stay, so uniqueness is still checked
//! row by row.
//!
//! `DROP INDEX` locks its table until the commit, so this is only done on a fresh database,
//! where none of the seeded tables has a row in any workspace (the benchmark's and a demo's
//! case). On a database already holding data, other workspaces' requests must not wait for
//! the seed: the indexes stay live and the load is slower.

use diesel::sql_types::{Array, Bool, Nullable, Text, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::SEEDED_TABLES;

/// The deferred indexes' definitions, to rebuild before the commit.
pub(super) struct Deferred {
    definitions: Vec<String>,
}

#[derive(diesel::QueryableByName)]
struct Fresh {
    #[diesel(sql_type = Bool)]
    fresh: bool,
}

#[derive(diesel::QueryableByName)]
struct Index {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

impl Deferred {
    /// Drops the seeded tables' plain indexes when the database holds none of their rows
    /// yet; `None` (nothing dropped) otherwise.
    pub(super) async fn drop_if_fresh(
        conn: &mut AsyncPgConnection,
    ) -> anyhow::Result<Option<Deferred>> {
        let fresh: Fresh = diesel::sql_query(format!(
            "SELECT {} = '' AS fresh",
            super::seeded_tables_holding_rows()
        ))
        .bind::<Nullable<Uuid>, _>(None::<uuid::Uuid>)
        .get_result(conn)
        .await?;
        if !fresh.fresh {
            return Ok(None);
        }
        let tables: Vec<String> = SEEDED_TABLES.iter().map(|t| (*t).to_owned()).collect();
        let indexes: Vec<Index> = diesel::sql_query(
            "SELECT i.indexrelid::regclass::text AS name,
                    pg_get_indexdef(i.indexrelid) AS definition
             FROM pg_index i
             WHERE i.indrelid = ANY ($1::text[]::regclass[])
               AND NOT i.indisunique AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
             ORDER BY i.indexrelid",
        )
        .bind::<Array<Text>, _>(tables)
        .load(conn)
        .await?;
        if indexes.is_empty() {
            return Ok(None);
        }
        let names: Vec<&str> = indexes.iter().map(|i| i.name.as_str()).collect();
        diesel::sql_query(format!("DROP INDEX {}", names.join(", ")))
            .execute(conn)
            .await?;
        Ok(Some(Deferred {
            definitions: indexes.into_iter().map(|i| i.definition).collect(),
        }))
    }

    /// Builds every dropped index again, from its own definition, in the seed's transaction.
    pub(super) async fn rebuild(self, conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
        for definition in &self.definitions {
            diesel::sql_query(definition.as_str())
                .execute(conn)
                .await
                .map_err(|e| anyhow::anyhow!("cannot rebuild index ({definition}): {e}"))?;
        }
        Ok(())
    }
}

//! Whether the seed goes through the database's row triggers or skips them and checks their
//! rules once ([`super::verify`]).

use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

/// How the seed's rows get past the rules the database keeps in triggers (foreign keys, the
/// ledger's and billing's guards, the stage counts). Per-row triggers cost more than the rows
/// themselves: the ledger's posting trigger alone took a quarter of a 100,000-deal seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// Through the triggers, row by row, as every other write (a role that is not a
    /// superuser cannot skip them).
    Triggers,
    /// Skipped for the seed's transaction (`session_replication_role = replica`, superuser
    /// only), with what they would have done done set-based by the seed and what they would
    /// have checked checked once by [`super::verify`] before the commit.
    Verified,
}

impl Checks {
    pub(super) async fn begin(conn: &mut AsyncPgConnection) -> anyhow::Result<Checks> {
        #[derive(diesel::QueryableByName)]
        struct Role {
            #[diesel(sql_type = Bool)]
            superuser: bool,
        }
        let role: Role =
            diesel::sql_query("SELECT current_setting('is_superuser') = 'on' AS superuser")
                .get_result(conn)
                .await?;
        if !role.superuser {
            return Ok(Checks::Triggers);
        }
        conn.batch_execute("SET LOCAL session_replication_role = replica")
            .await?;
        Ok(Checks::Verified)
    }
}

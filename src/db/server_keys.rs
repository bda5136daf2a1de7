//! Secrets the server makes for itself, kept in the database so that every instance on it
//! shares them without configuration (`server_keys`).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::server_keys;

/// The 32-byte secret called `name`, made (from the operating system's randomness) by the
/// first instance that asks. Concurrent first starts agree: the insert that loses the race
/// does nothing, and both read the winner's secret.
pub async fn get_or_create(conn: &mut AsyncPgConnection, name: &str) -> anyhow::Result<[u8; 32]> {
    let fresh: [u8; 32] = rand::random();
    diesel::insert_into(server_keys::table)
        .values((
            server_keys::name.eq(name),
            server_keys::secret.eq(&fresh[..]),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let secret: Vec<u8> = server_keys::table
        .find(name)
        .select(server_keys::secret)
        .first(conn)
        .await?;
    secret
        .try_into()
        .map_err(|_| anyhow::anyhow!("server key {name:?} is not 32 bytes"))
}

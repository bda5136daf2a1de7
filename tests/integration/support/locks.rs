//! A row held `FOR UPDATE` by a session of the test's own: a request that touches the row
//! blocks mid-transaction until the test lets go, which is how tests catch a server in the
//! middle of a request (busy slots, a kill -9 mid-write).

use diesel::sql_types::Integer;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

pub struct RowLock {
    conn: AsyncPgConnection,
    /// The holding session's backend pid.
    pub pid: i32,
}

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

impl RowLock {
    /// Locks the row `id` of `table` in a transaction left open.
    pub async fn hold(database_url: &str, table: &str, id: &str) -> RowLock {
        let mut conn = AsyncPgConnection::establish(database_url)
            .await
            .expect("the locking session");
        let Pid { pid } = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result(&mut conn)
            .await
            .expect("pid");
        diesel::sql_query("BEGIN")
            .execute(&mut conn)
            .await
            .expect("BEGIN");
        diesel::sql_query(format!(
            "SELECT id FROM {table} WHERE id = '{id}' FOR UPDATE"
        ))
        .execute(&mut conn)
        .await
        .expect("lock the row");
        RowLock { conn, pid }
    }

    /// A count of the sessions waiting for this lock, for `TestApp::wait_for_count`.
    pub fn waiters_sql(&self) -> String {
        format!(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE {} = ANY(pg_blocking_pids(pid))",
            self.pid
        )
    }

    /// Commits, letting the waiting sessions go on. (Dropping the lock ends the session,
    /// which releases the row too.)
    pub async fn release(mut self) {
        diesel::sql_query("COMMIT")
            .execute(&mut self.conn)
            .await
            .expect("COMMIT");
    }
}

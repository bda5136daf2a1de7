//! The managed PostgreSQL from any folder: run as root from a folder the `postgres` user
//! cannot enter (a project under /root, a private temporary folder), the cluster lives under
//! /var/lib/dealgraph instead, and the folder says where.

use std::os::unix::fs::PermissionsExt;

use dealgraph::db::managed::{ManagedCluster, RELOCATED_CLUSTERS};
use diesel::sql_types::Integer;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

#[derive(diesel::QueryableByName)]
struct One {
    #[diesel(sql_type = Integer)]
    one: i32,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_managed_cluster_starts_for_a_folder_the_postgres_user_cannot_enter() {
    if !nix::unistd::geteuid().is_root() {
        // Not root, PostgreSQL runs as the caller, who can enter their own folders.
        eprintln!("skipped: only run as root does PostgreSQL run as another user");
        return;
    }
    // Like `mktemp -d`: a folder only root may enter, with a project's data folder inside.
    let private = std::env::temp_dir().join(format!("dealgraph-private-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    let data_folder = private.join(".dealgraph");

    let mut cluster = ManagedCluster::new(&data_folder)
        .expect("a cluster for a private folder")
        .without_durability();
    let created = cluster.start().await.expect("the cluster starts");
    assert!(created);
    let mut conn = AsyncPgConnection::establish(&cluster.url("postgres"))
        .await
        .expect("the cluster accepts connections");
    let row: One = diesel::sql_query("SELECT 1 AS one")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(row.one, 1);
    drop(conn);

    assert!(cluster.root().starts_with(RELOCATED_CLUSTERS));
    let note = std::fs::read_to_string(data_folder.join("managed-cluster.txt")).unwrap();
    assert!(
        note.contains(&cluster.root().display().to_string()),
        "{note}"
    );

    // The same folder finds the same cluster again.
    let again = ManagedCluster::new(&data_folder).unwrap();
    assert_eq!(again.root(), cluster.root());

    cluster.stop().await.unwrap();
    ManagedCluster::remove_files(&data_folder).unwrap();
    assert!(!again.root().exists());
    std::fs::remove_dir_all(&private).unwrap();
}

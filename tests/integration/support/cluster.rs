//! The test run's PostgreSQL: the managed cluster (one per test run, for target/tmp; its files
//! live under /var/lib/dealgraph when run as root from a folder the postgres user cannot
//! enter), or the server named by TEST_DATABASE_URL / DATABASE_URL. A template database is migrated once per
//! run; each test clones it.

use std::sync::OnceLock;

use dealgraph::db::managed::ManagedCluster;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

pub const TEMPLATE: &str = "dealgraph_template";

pub struct TestCluster {
    /// URL of the `postgres` maintenance database, to create and drop test databases.
    admin_url: String,
    /// Builds the URL of a database on this server.
    url_for: Box<dyn Fn(&str) -> String + Send + Sync>,
}

impl TestCluster {
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    pub fn url(&self, database: &str) -> String {
        (self.url_for)(database)
    }
}

static CLUSTER: OnceLock<TestCluster> = OnceLock::new();

/// The run's cluster, started and templated on first use.
pub fn cluster() -> &'static TestCluster {
    CLUSTER.get_or_init(|| {
        // Own runtime on its own thread: tests' runtimes come and go, the cluster stays.
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let cluster = runtime.block_on(start());
            // Keep the runtime (and the postmaster child it owns) alive for the whole run.
            std::mem::forget(runtime);
            cluster
        })
        .join()
        .expect("test cluster start-up panicked")
    })
}

async fn start() -> TestCluster {
    let external = std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok();
    let cluster = match external {
        Some(url) => {
            let base = url.clone();
            TestCluster {
                admin_url: url,
                url_for: Box::new(move |db| replace_database(&base, db)),
            }
        }
        None => {
            let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("test-pg-{}", std::process::id()));
            remove_stale_clusters(&root);
            let mut managed = ManagedCluster::new(&root)
                .expect("managed cluster")
                .without_durability();
            managed
                .start()
                .await
                .expect("start the managed PostgreSQL for tests");
            let admin_url = managed.url("postgres");
            // The cluster lives as long as the test process; its watchdog stops it afterwards.
            let url_for = {
                let template = managed.url("DBNAME");
                move |db: &str| template.replace("/DBNAME?", &format!("/{db}?"))
            };
            std::mem::forget(managed);
            TestCluster {
                admin_url,
                url_for: Box::new(url_for),
            }
        }
    };
    let mut admin = AsyncPgConnection::establish(&cluster.admin_url)
        .await
        .expect("connect to test PostgreSQL");
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop template");
    diesel::sql_query(format!("CREATE DATABASE {TEMPLATE}"))
        .execute(&mut admin)
        .await
        .expect("create template");
    dealgraph::db::migrate(&cluster.url(TEMPLATE))
        .await
        .expect("migrate the template database");
    cluster
}

/// Test clusters of earlier runs whose process is gone (killed runs) are deleted.
fn remove_stale_clusters(current: &std::path::Path) {
    let Some(parent) = current.parent() else {
        return;
    };
    for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name
            .strip_prefix("test-pg-")
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
        if !alive {
            // Its files may live elsewhere (run as root from a folder the postgres user
            // cannot enter): removed there too.
            let _ = ManagedCluster::remove_files(&entry.path());
        }
    }
}

fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(slash) if slash > "postgres://".len() => &base[..slash],
        _ => base,
    };
    match query {
        Some(query) => format!("{prefix}/{database}?{query}"),
        None => format!("{prefix}/{database}"),
    }
}

/// A fresh database cloned from the template.
pub async fn create_test_database() -> (String, String) {
    let cluster = cluster();
    let name = format!("dgtest_{}", uuid::Uuid::now_v7().simple());
    let mut admin = AsyncPgConnection::establish(cluster.admin_url())
        .await
        .expect("connect admin");
    diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
        .execute(&mut admin)
        .await
        .expect("clone the template database");
    let url = cluster.url(&name);
    (name, url)
}

/// Drops a test database; called when a test's app is dropped.
pub fn drop_test_database(name: String) {
    let admin_url = cluster().admin_url().to_owned();
    let _ = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            if let Ok(mut admin) = AsyncPgConnection::establish(&admin_url).await {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            }
        });
    })
    .join();
}

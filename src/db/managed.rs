//! A PostgreSQL cluster that dealgraph runs itself, for laptops, demos and tests: made with the
//! machine's PostgreSQL installation, reachable only through a unix socket in its own folder.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

/// Superuser created by `initdb`; the socket folder's permissions are the access control.
const SUPERUSER: &str = "postgres";

/// Where a managed cluster lives: `<root>/pgdata` holds the data, `<root>` the socket.
pub struct ManagedCluster {
    root: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<SystemUser>,
    /// The postmaster we started, if we started it (another dealgraph may own it).
    postmaster: Option<Child>,
    /// Skip fsync: for throw-away test clusters only.
    no_durability: bool,
}

#[derive(Clone, Copy)]
struct SystemUser {
    uid: u32,
    gid: u32,
}

impl ManagedCluster {
    /// Finds PostgreSQL's binaries and prepares (but does not start) a cluster under `root`.
    pub fn new(root: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create the data folder {}", root.display()))?;
        let root = root
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", root.display()))?;
        let bin_dir = find_bin_dir()?;
        let run_as = if nix::unistd::geteuid().is_root() {
            let user = nix::unistd::User::from_name(SUPERUSER)
                .ok()
                .flatten()
                .context(
                    "running as root, PostgreSQL must run as the `postgres` system user, \
                     which does not exist: install the `postgresql` package",
                )?;
            Some(SystemUser {
                uid: user.uid.as_raw(),
                gid: user.gid.as_raw(),
            })
        } else {
            None
        };
        Ok(Self {
            root,
            bin_dir,
            run_as,
            postmaster: None,
            no_durability: false,
        })
    }

    /// Trades durability for speed (no fsync): for test clusters that are thrown away.
    pub fn without_durability(mut self) -> Self {
        self.no_durability = true;
        self
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.join("pgdata")
    }

    /// The libpq-style URL of `database` on this cluster's socket.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@/{database}?host={}",
            percent_encode_path(&self.root)
        )
    }

    /// Creates the cluster if needed and starts it unless it is already running. Returns true
    /// when the cluster was created by this call (a first start).
    pub async fn start(&mut self) -> anyhow::Result<bool> {
        let created = if self.data_dir().join("PG_VERSION").exists() {
            false
        } else {
            self.init().await?;
            true
        };
        if self.is_accepting().await {
            tracing::info!(root = %self.root.display(), "using the managed PostgreSQL already running");
            return Ok(created);
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.root.join("postgres.log"))
            .context("cannot open postgres.log")?;
        self.chown(&self.root.join("postgres.log"))?;
        let mut cmd = self.command("postgres");
        cmd.arg("-D")
            .arg(self.data_dir())
            .arg("-k")
            .arg(&self.root)
            .args(["-c", "listen_addresses=", "-c", "max_connections=300"])
            .args(if self.no_durability {
                &NO_DURABILITY[..]
            } else {
                &[]
            })
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let child = cmd.spawn().context("cannot start postgres")?;
        let pid = child.id().context("postgres exited at once")?;
        watch_for_orphaning(pid);
        self.postmaster = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.is_accepting().await {
            if let Some(child) = self.postmaster.as_mut() {
                if let Some(status) = child.try_wait()? {
                    bail!(
                        "PostgreSQL exited during start-up ({status}); see {}",
                        self.root.join("postgres.log").display()
                    );
                }
            }
            if Instant::now() > deadline {
                bail!("PostgreSQL did not accept connections within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        tracing::info!(root = %self.root.display(), "managed PostgreSQL started");
        Ok(created)
    }

    /// Fast shutdown of the postmaster we started: open sessions are ended, data is safe.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.postmaster.take() else {
            return Ok(());
        };
        if let Some(pid) = child.id() {
            let pid = nix::unistd::Pid::from_raw(pid as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
        }
        match tokio::time::timeout(Duration::from_secs(30), child.wait()).await {
            Ok(status) => {
                status?;
                tracing::info!("managed PostgreSQL stopped");
            }
            Err(_) => {
                child.kill().await?;
                tracing::warn!("managed PostgreSQL did not stop in 30 s and was killed");
            }
        }
        Ok(())
    }

    async fn init(&self) -> anyhow::Result<()> {
        self.chown(&self.root)?;
        tracing::info!(data = %self.data_dir().display(), "creating a managed PostgreSQL cluster");
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(self.data_dir())
            .args([
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ])
            .output()
            .await
            .context("cannot run initdb")?;
        if !output.status.success() {
            bail!(
                "initdb failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }

    /// Accepting means a real session can start: the socket accepts connections a little
    /// before PostgreSQL has finished starting up.
    async fn is_accepting(&self) -> bool {
        use diesel_async::AsyncConnection;
        if !self.root.join(".s.PGSQL.5432").exists() {
            return false;
        }
        diesel_async::AsyncPgConnection::establish(&self.url("postgres"))
            .await
            .is_ok()
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        cmd.current_dir(&self.root);
        if let Some(user) = self.run_as {
            cmd.uid(user.uid).gid(user.gid);
            cmd.env("HOME", &self.root);
        }
        cmd
    }

    /// The socket folder is the access control: only the cluster's owner may enter it.
    fn chown(&self, path: &Path) -> anyhow::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        if path.is_dir() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
        }
        if let Some(user) = self.run_as {
            std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
                .with_context(|| format!("cannot hand {} to the postgres user", path.display()))?;
        }
        Ok(())
    }
}

const NO_DURABILITY: [&str; 6] = [
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
];

/// If dealgraph dies without stopping PostgreSQL (a crash, a killed test run), a tiny shell
/// watchdog stops the postmaster once our process is gone, so no cluster is left behind.
fn watch_for_orphaning(postmaster_pid: u32) {
    let parent = std::process::id();
    let script = format!(
        "while kill -0 {parent} 2>/dev/null; do sleep 0.5; done; kill -INT {postmaster_pid} 2>/dev/null"
    );
    let _ = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

/// initdb and postgres from PATH, `pg_config --bindir`, or the newest /usr/lib/postgresql/*/bin.
fn find_bin_dir() -> anyhow::Result<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has_server(d)) {
            return Ok(dir);
        }
    }
    if let Ok(out) = std::process::Command::new("pg_config")
        .arg("--bindir")
        .output()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_server(&dir) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir).context(
        "PostgreSQL server binaries (initdb, postgres) were not found: install the Debian/Ubuntu \
         package `postgresql` (apt-get install postgresql), or set DATABASE_URL",
    )
}

fn percent_encode_path(path: &Path) -> String {
    let mut out = String::new();
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

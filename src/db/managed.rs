//! A PostgreSQL cluster that dealgraph runs itself, for laptops, demos and tests: made with the
//! machine's PostgreSQL installation, reachable only through a unix socket in its own folder.
//!
//! Run as root, PostgreSQL runs as the `postgres` system user, which must be able to enter
//! the cluster's folder. When it cannot (a project under /root, a private temporary folder),
//! the cluster lives under [`RELOCATED_CLUSTERS`] instead, in a folder named after the
//! requested one, and a note in the requested folder says where.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};
use tokio::process::{Child, Command};

/// Superuser created by `initdb`; the socket folder's permissions are the access control.
const SUPERUSER: &str = "postgres";

/// Where clusters live whose requested folder the `postgres` user cannot reach.
pub const RELOCATED_CLUSTERS: &str = "/var/lib/dealgraph";

/// The note left in a requested folder whose cluster lives elsewhere.
const RELOCATION_NOTE: &str = "managed-cluster.txt";

/// The longest unix socket path the kernel accepts (`sun_path`, less its terminating NUL).
const MAX_SOCKET_PATH: usize = 107;

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
    /// Finds PostgreSQL's binaries and prepares (but does not start) a cluster for the folder
    /// `root`: in it, or under [`RELOCATED_CLUSTERS`] when PostgreSQL could not reach it.
    pub fn new(root: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create the data folder {}", root.display()))?;
        let requested = root
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
        let root = match run_as {
            Some(user) => place_for_postgres(&requested, &bin_dir, user)?,
            None => requested,
        };
        let socket = root.join(".s.PGSQL.5432");
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            bail!(
                "the managed PostgreSQL's socket would be {}, longer than the {MAX_SOCKET_PATH} \
                 bytes a unix socket path may have: choose a shorter --data-dir, or set DATABASE_URL",
                socket.display()
            );
        }
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

    /// The folder holding the cluster's files and socket: the requested one, or its place
    /// under [`RELOCATED_CLUSTERS`].
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Deletes the files of the cluster for the folder `root` (which must exist), wherever
    /// they live: for throw-away clusters, once nothing runs on them.
    pub fn remove_files(root: &Path) -> std::io::Result<()> {
        let relocated = relocated_root(&root.canonicalize()?);
        if relocated.exists() {
            std::fs::remove_dir_all(relocated)?;
        }
        std::fs::remove_dir_all(root)
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
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start postgres in {}", self.root.display()))?;
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
            .with_context(|| format!("cannot run initdb in {}", self.root.display()))?;
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

/// The folder for a cluster requested at `requested` when PostgreSQL runs as `user`: that
/// folder itself when `user` can reach it (it is handed to `user` at creation), else one under
/// [`RELOCATED_CLUSTERS`] named after it, so each project keeps its own cluster across runs.
fn place_for_postgres(
    requested: &Path,
    bin_dir: &Path,
    user: SystemUser,
) -> anyhow::Result<PathBuf> {
    let Some(parent) = requested.parent() else {
        return Ok(requested.to_owned());
    };
    if can_enter(parent, bin_dir, user) {
        return Ok(requested.to_owned());
    }
    let relocated = relocated_root(requested);
    let fix = format!(
        "give the postgres user access to {} (chmod o+x on it and each folder above it), \
         choose a --data-dir it can reach, or set DATABASE_URL",
        parent.display()
    );
    std::fs::create_dir_all(&relocated).with_context(|| {
        format!(
            "PostgreSQL runs as the postgres user, which cannot enter {}, and {} cannot be \
             created for the cluster instead: {fix}",
            parent.display(),
            relocated.display()
        )
    })?;
    if !can_enter(&relocated, bin_dir, user) {
        bail!(
            "PostgreSQL runs as the postgres user, which can enter neither {} nor {}: {fix}",
            parent.display(),
            relocated.display()
        );
    }
    let note = format!(
        "The managed PostgreSQL cluster of this folder lives in {}:\n\
         the postgres user, which runs it, cannot enter {}.\n",
        relocated.display(),
        parent.display()
    );
    // Only a courtesy to whoever looks here: the cluster works without it.
    let _ = std::fs::write(requested.join(RELOCATION_NOTE), note);
    tracing::info!(
        requested = %requested.display(),
        cluster = %relocated.display(),
        "the postgres user cannot enter the data folder: the managed PostgreSQL cluster lives elsewhere"
    );
    Ok(relocated)
}

/// `<RELOCATED_CLUSTERS>/<hash of the requested folder's path>`.
fn relocated_root(requested: &Path) -> PathBuf {
    let digest = Sha256::digest(requested.as_os_str().as_encoded_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Path::new(RELOCATED_CLUSTERS).join(name)
}

/// Whether `user` can enter `dir`: asked of the system itself, by starting `postgres
/// --version` there as that user, exactly as initdb and postgres will be started.
fn can_enter(dir: &Path, bin_dir: &Path, user: SystemUser) -> bool {
    use std::os::unix::process::CommandExt;
    std::process::Command::new(bin_dir.join("postgres"))
        .arg("--version")
        .current_dir(dir)
        .uid(user.uid)
        .gid(user.gid)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
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

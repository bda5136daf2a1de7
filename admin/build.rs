//! The board's part of the build script (included by the repository's build.rs).
//!
//! Like GraphiQL's assets: the npm packages are pinned by admin/package-lock.json and
//! installed with `npm ci` when node_modules does not hold the locked versions (once
//! per lock file); then `node admin/build.mjs` bundles admin/src with esbuild into
//! `$OUT_DIR/admin/` (content-hashed names, gzip and brotli copies, and the table
//! `assets.rs` that src/http/admin/mod.rs includes). When that fails (no node, no
//! network) the build still succeeds with a placeholder page and a warning.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

const PACKAGES: &[&str] = &["esbuild", "graphql-ws", "preact", "uplot"];
const HELP: &str = "the /admin board could not be built: run `npm ci --prefix admin`";

pub fn build(manifest_dir: &Path, out_root: &Path) {
    let dir = manifest_dir.join("admin");
    let out = out_root.join("admin");
    for watched in [
        "src",
        "index.html",
        "build.mjs",
        "package.json",
        "package-lock.json",
    ] {
        println!("cargo:rerun-if-changed=admin/{watched}");
    }
    let mut ready = installed(&dir);
    let failed_marker = out_root.join("admin-npm-ci-failed");
    let lock = fs::read(dir.join("package-lock.json")).unwrap_or_default();
    let mut hash = super::Fnv64::new();
    hash.update(&lock);
    let lock_tag = format!("{:016x}", hash.finish());
    if let Err(problem) = &ready {
        if fs::read_to_string(&failed_marker).is_ok_and(|tag| tag == lock_tag) {
            println!("cargo:warning={problem}; not retrying `npm ci` in admin/ (it failed before)");
        } else if npm_ci(&dir) {
            ready = installed(&dir);
            if ready.is_err() {
                let _ = fs::write(&failed_marker, &lock_tag);
            }
        }
    }
    let bundled = match ready {
        Ok(()) => bundle(&dir, &out),
        Err(problem) => Err(problem),
    };
    if let Err(problem) = bundled {
        println!("cargo:warning={problem}");
        println!("cargo:warning={HELP}; embedding a placeholder page at /admin");
        println!("cargo:rerun-if-changed=admin");
        placeholder(&out);
    }
}

/// `Ok` when every package is installed at the version package-lock.json pins.
fn installed(dir: &Path) -> Result<(), String> {
    let lock = fs::read_to_string(dir.join("package-lock.json"))
        .map_err(|e| format!("admin/package-lock.json: {e}"))?;
    for package in PACKAGES {
        let locked = lock
            .find(&format!("\"node_modules/{package}\": {{"))
            .and_then(|at| super::json_string_after(&lock[at..], "\"version\""));
        let manifest =
            fs::read_to_string(dir.join("node_modules").join(package).join("package.json"))
                .unwrap_or_default();
        let found = super::json_string_after(&manifest, "\"version\"");
        if locked.is_none() || locked != found {
            return Err(format!(
                "admin/node_modules/{package} is {} but package-lock.json pins {}",
                found.unwrap_or("missing"),
                locked.unwrap_or("nothing"),
            ));
        }
    }
    Ok(())
}

fn npm_ci(dir: &Path) -> bool {
    if std::env::var_os(super::NO_NPM_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
        return false;
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    match Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .env("NODE_ENV", "development")
        .stdin(Stdio::null())
        .output()
    {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let first = err
                .lines()
                .find(|l| !l.starts_with("npm warn"))
                .unwrap_or("");
            println!(
                "cargo:warning=`npm ci` in admin/ failed ({}): {first}",
                o.status
            );
        }
        Err(e) => println!("cargo:warning=cannot run `npm ci` in admin/: {e}"),
    }
    true
}

fn bundle(dir: &Path, out: &Path) -> Result<(), String> {
    let output = Command::new("node")
        .arg(dir.join("build.mjs"))
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run node admin/build.mjs: {e}"))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(8)
            .collect();
        return Err(format!("admin/build.mjs failed: {}", lines.join(" | ")));
    }
    Ok(())
}

fn placeholder(out: &Path) {
    let _ = fs::remove_dir_all(out);
    if let Err(e) = fs::create_dir_all(out) {
        super::fatal(&format!("cannot create {}: {e}", out.display()));
    }
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Board unavailable - dealgraph</title></head>\n<body>\
<h1>The board is not available</h1>\n<p id=\"admin-missing\">{HELP}, then rebuild the server.</p>\n\
<p>The GraphQL API works: POST to <code>/graphql</code>.</p></body></html>\n"
    );
    let _ = fs::write(out.join("index.html"), page);
    let _ = fs::write(out.join("assets.rs"), "&[]\n");
}

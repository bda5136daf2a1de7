//! Build script: embeds the GraphiQL browser assets.
//!
//! The third-party bundles (GraphiQL, React, ReactDOM, graphql-ws) come from
//! the npm registry, pinned by `graphiql/package.json` +
//! `graphiql/package-lock.json`, and live in `graphiql/node_modules` (never
//! committed). This script:
//!
//! 1. runs `npm ci` in `graphiql/` when one of the needed files is missing or
//!    node_modules does not hold the locked versions (tried once per
//!    package-lock.json; set `DEALGRAPH_GRAPHIQL_NO_NPM=1` to skip it);
//! 2. copies the files into `$OUT_DIR/graphiql/` under fixed names, together
//!    with the page `index.html` (from `src/http/graphiql/`, its `{{version}}`
//!    tokens replaced), so that `src/http/graphiql/mod.rs` can `include_bytes!`
//!    them;
//! 3. exports `DEALGRAPH_GRAPHIQL_VERSION`, a hash of everything embedded,
//!    used as the `?v=` cache-busting parameter of the asset URLs.
//!
//! When the assets cannot be obtained (no npm, no network, ...) the build does
//! NOT fail: it prints a `cargo:warning` and embeds a placeholder page that
//! explains how to fix it, plus empty stand-ins for the bundles.
//!
//! Only `std` is used on purpose (no build-dependencies).

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "admin/build.rs"]
mod admin;

/// `(name in $OUT_DIR/graphiql, path below graphiql/node_modules)`.
/// Keep the names in sync with `ASSETS` in `src/http/graphiql/mod.rs`.
const VENDOR_ASSETS: &[(&str, &str)] = &[
    (
        "react.production.min.js",
        "react/umd/react.production.min.js",
    ),
    (
        "react-dom.production.min.js",
        "react-dom/umd/react-dom.production.min.js",
    ),
    ("graphiql.min.js", "graphiql/graphiql.min.js"),
    ("graphiql.min.css", "graphiql/graphiql.min.css"),
    ("graphql-ws.min.js", "graphql-ws/umd/graphql-ws.min.js"),
];

/// Replaced in `src/http/graphiql/index.html` by the assets' version hash.
const VERSION_TOKEN: &str = "{{version}}";
const NO_NPM_ENV: &str = "DEALGRAPH_GRAPHIQL_NO_NPM";
const MISSING_HELP: &str = "GraphiQL assets are missing: run `npm ci --prefix graphiql`";

fn main() {
    let manifest_dir = match env::var_os("CARGO_MANIFEST_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => fatal("CARGO_MANIFEST_DIR is not set"),
    };
    let out_dir = match env::var_os("OUT_DIR") {
        Some(dir) => PathBuf::from(dir).join("graphiql"),
        None => fatal("OUT_DIR is not set"),
    };
    if let Err(err) = fs::create_dir_all(&out_dir) {
        fatal(&format!("cannot create {}: {err}", out_dir.display()));
    }

    let npm_dir = manifest_dir.join("graphiql");
    let modules = npm_dir.join("node_modules");
    let page_dir = manifest_dir.join("src").join("http").join("graphiql");

    println!("cargo:rerun-if-changed=graphiql/package.json");
    println!("cargo:rerun-if-changed=graphiql/package-lock.json");
    println!("cargo:rerun-if-changed=src/http/graphiql");
    println!("cargo:rerun-if-env-changed={NO_NPM_ENV}");

    // Nothing inside node_modules is watched: once copied to OUT_DIR the
    // files are only needed again when package-lock.json changes, and then
    // `installed_state` notices a stale node_modules.
    let mut state = installed_state(&npm_dir);
    // `npm ci` is tried once per package-lock.json: a failed attempt (e.g.
    // offline, which can take a minute of npm retries) is remembered here so
    // that later builds neither repeat it nor re-run this script.
    let failed_marker = out_dir.join("npm-ci-failed");
    let lock_tag = match fs::read(npm_dir.join("package-lock.json")) {
        Ok(lock) => {
            let mut h = Fnv64::new();
            h.update(&lock);
            format!("{:016x}", h.finish())
        }
        Err(_) => String::from("no-lock"),
    };
    if state.is_err() {
        if fs::read_to_string(&failed_marker).is_ok_and(|tag| tag == lock_tag) {
            println!("cargo:warning=not retrying `npm ci` in graphiql/: it failed before for this package-lock.json");
        } else if install(&npm_dir) {
            state = installed_state(&npm_dir);
            if state.is_err() {
                write_if_changed(&failed_marker, lock_tag.as_bytes());
            }
        }
    }
    if let Err(problem) = &state {
        println!("cargo:warning={problem}");
    } else if failed_marker.exists() {
        let _ = fs::remove_file(&failed_marker);
    }
    let have_assets = state.is_ok();

    if !have_assets {
        // Watch the whole (small, as node_modules is absent or incomplete)
        // graphiql/ folder: it changes once someone runs `npm ci` there.
        // (A failed `npm ci` above changes it too: the next build re-runs this
        // script once, and the marker stops it from trying again.)
        println!("cargo:rerun-if-changed=graphiql");
        println!("cargo:warning={MISSING_HELP}; embedding a placeholder page at /graphiql");
    }

    let mut hasher = Fnv64::new();
    hasher.update(if have_assets {
        b"assets"
    } else {
        b"placeholder"
    });

    for (name, rel) in VENDOR_ASSETS {
        let bytes = if have_assets {
            match fs::read(modules.join(rel)) {
                Ok(bytes) => bytes,
                Err(err) => fatal(&format!("cannot read graphiql/node_modules/{rel}: {err}")),
            }
        } else {
            placeholder_asset(name).into_bytes()
        };
        hasher.update(name.as_bytes());
        hasher.update(&bytes);
        write_if_changed(&out_dir.join(name), &bytes);
    }

    let page = if have_assets {
        match fs::read_to_string(page_dir.join("index.html")) {
            Ok(text) => text,
            Err(err) => fatal(&format!("cannot read src/http/graphiql/index.html: {err}")),
        }
    } else {
        placeholder_page()
    };
    hasher.update(page.as_bytes());
    // init.js is embedded by mod.rs straight from src/; it still belongs in the
    // version so that browsers fetch the new one after an upgrade.
    match fs::read(page_dir.join("init.js")) {
        Ok(bytes) => hasher.update(&bytes),
        Err(err) => fatal(&format!("cannot read src/http/graphiql/init.js: {err}")),
    }
    let version = format!("{:016x}", hasher.finish());
    // The page links every asset as `/graphiql/assets/NAME?v={{version}}`.
    let page = page.replace(VERSION_TOKEN, &version);
    write_if_changed(&out_dir.join("index.html"), page.as_bytes());

    println!("cargo:rustc-env=DEALGRAPH_GRAPHIQL_VERSION={version}");

    admin::build(&manifest_dir, out_dir.parent().unwrap_or(&out_dir));
}

/// `Ok` when every asset file is installed, from the package versions that
/// package-lock.json pins (node_modules may be left over from an older lock).
/// A rough text search is enough for npm's own, well-formed JSON.
fn installed_state(npm_dir: &Path) -> Result<(), String> {
    let modules = npm_dir.join("node_modules");
    for (_, rel) in VENDOR_ASSETS {
        if !modules.join(rel).is_file() {
            return Err(format!("graphiql/node_modules/{rel} is missing"));
        }
    }
    let Ok(lock) = fs::read_to_string(npm_dir.join("package-lock.json")) else {
        // No lock to compare with: take node_modules as it is.
        return Ok(());
    };
    for (_, rel) in VENDOR_ASSETS {
        let package = rel.split('/').next().unwrap_or(rel);
        let locked = lock
            .find(&format!("\"node_modules/{package}\": {{"))
            .and_then(|at| json_string_after(&lock[at..], "\"version\""));
        let manifest =
            fs::read_to_string(modules.join(package).join("package.json")).unwrap_or_default();
        let installed = json_string_after(&manifest, "\"version\"");
        if locked.is_none() || locked != installed {
            return Err(format!(
                "graphiql/node_modules/{package} is version {} but package-lock.json pins {}",
                installed.unwrap_or("?"),
                locked.unwrap_or("?"),
            ));
        }
    }
    Ok(())
}

/// The string value of the first `key` (written with its quotes) in `json`.
fn json_string_after<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let rest = &json[json.find(key)? + key.len()..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    rest.split('"').next()
}

/// Runs `npm ci` in `graphiql/`; returns whether it was attempted. Never
/// fails the build: problems become `cargo:warning`s (the caller then embeds
/// the placeholder page).
fn install(npm_dir: &Path) -> bool {
    if env::var_os(NO_NPM_ENV).is_some_and(|v| !v.is_empty() && v != OsStr::new("0")) {
        println!("cargo:warning={NO_NPM_ENV} is set: not running `npm ci` in graphiql/");
        return false;
    }
    if !npm_dir.join("package-lock.json").is_file() {
        println!("cargo:warning=graphiql/package-lock.json is missing: cannot run `npm ci`");
        return false;
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    // Output is captured: a build script's stdout is parsed by cargo.
    let result = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(npm_dir)
        .env("NODE_ENV", "development")
        .stdin(Stdio::null())
        .output();
    match result {
        Ok(output) if output.status.success() => {}
        Ok(output) => {
            println!(
                "cargo:warning=`npm ci` in graphiql/ failed ({})",
                output.status
            );
            // npm puts the error code and message first.
            let stderr = String::from_utf8_lossy(&output.stderr);
            let lines = stderr
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with("npm warn"));
            for line in lines.take(6) {
                println!("cargo:warning=  npm: {line}");
            }
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            println!("cargo:warning=`npm` was not found on PATH: cannot fetch the GraphiQL assets");
        }
        Err(err) => {
            println!("cargo:warning=cannot run `npm ci` in graphiql/: {err}");
        }
    }
    true
}

/// Avoids touching the output (and so its mtime) when nothing changed.
fn write_if_changed(path: &Path, bytes: &[u8]) {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return;
    }
    if let Err(err) = fs::write(path, bytes) {
        fatal(&format!("cannot write {}: {err}", path.display()));
    }
}

fn placeholder_asset(name: &str) -> String {
    let text = format!("{MISSING_HELP} (placeholder for {name})");
    if name.ends_with(".css") {
        format!("/* {text} */\n")
    } else {
        format!("/* {text} */\nconsole.error({text:?});\n")
    }
}

fn placeholder_page() -> String {
    format!(
        "<!doctype html>\n\
<html lang=\"en\">\n\
<head>\n\
<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<link rel=\"icon\" href=\"data:,\">\n\
<title>GraphiQL unavailable - dealgraph</title>\n\
</head>\n\
<body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5\">\n\
<h1>GraphiQL is not available</h1>\n\
<p id=\"graphiql-missing\">{MISSING_HELP}, then rebuild the server (<code>cargo build</code>).</p>\n\
<p>The server was built without the GraphiQL browser bundles, which are fetched from the npm registry \
(versions pinned in <code>graphiql/package-lock.json</code>). The GraphQL API itself works: \
POST queries to <code>/graphql</code>, subscriptions use <code>/graphql/ws</code>.</p>\n\
</body>\n\
</html>\n"
    )
}

fn fatal(msg: &str) -> ! {
    // Only for broken build environments (no OUT_DIR, unwritable disk, ...).
    eprintln!("build.rs: {msg}");
    std::process::exit(1)
}

/// FNV-1a, 64 bit: a cache-busting tag, not a security measure.
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

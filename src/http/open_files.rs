//! The process's open-files limit, raised to what the HTTP connection cap needs.

/// File descriptors beyond the connections: the database pool, the event listener, logs and
/// the managed cluster's pipes.
const OTHER_FILES: u64 = 1024;

/// Raises the soft limit of open files towards what `max_connections` needs (as far as the
/// hard limit allows): the usual soft limit of 1,024 would otherwise make `accept` fail long
/// before the cap. Returns the soft limit now in force.
pub fn raise_limit(max_connections: usize) -> u64 {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return 0;
    };
    let wanted = (max_connections as u64).saturating_add(OTHER_FILES);
    let target = wanted.min(hard).max(soft);
    if target > soft && setrlimit(Resource::RLIMIT_NOFILE, target, hard).is_err() {
        return soft;
    }
    if target < wanted {
        tracing::warn!(
            open_files = target,
            max_connections,
            "the open-files limit is below what --max-connections needs; raise the hard limit \
             (ulimit -Hn) or lower --max-connections"
        );
    }
    target
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_open_files_limit_is_raised_towards_the_connection_cap() {
        use nix::sys::resource::{getrlimit, setrlimit, Resource};
        let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        // Start from the usual default, as a fresh login shell would.
        setrlimit(Resource::RLIMIT_NOFILE, 1024.min(hard), hard).unwrap();
        let now = super::raise_limit(10_000);
        assert!(now >= 11_024.min(hard), "{now} of {hard}");
        assert_eq!(getrlimit(Resource::RLIMIT_NOFILE).unwrap().0, now);
    }
}

# Shared by the bench/*.sh scripts (sourced): logging, required tools, the release binary,
# waiting for a server, and reading a process's CPU and memory from /proc.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN="$TARGET_DIR/release/dealgraph"
OUT="$TARGET_DIR/bench"
HOST=127.0.0.1 # loopback only, never anything else
CLK_TCK=$(getconf CLK_TCK)
CORES=$(nproc)

log() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() { # tool [Debian package]: installed with apt-get when missing and running as root
    local tool=$1 package=${2:-$1}
    command -v "$tool" >/dev/null && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing $package"
        apt-get install -y -qq "$package" >/dev/null || die "cannot install $package"
    else
        die "$tool is missing: apt-get install $package"
    fi
}

build_release() { # cargo build --release unless BENCH_SKIP_BUILD=1
    if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
        log "cargo build --release"
        (cd "$ROOT" && cargo build --release --quiet)
    fi
    [ -x "$BIN" ] || die "no binary at $BIN"
}

wait_ready() { # url pid: until /healthz answers, or the server exits, or 120 s
    local url=$1 pid=$2
    for _ in $(seq 1 600); do
        curl -fsS "$url/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || die "the server exited; see $OUT/*server.log"
        sleep 0.2
    done
    die "the server did not become ready in 120 s"
}

stop_process() { # pid: TERM, then wait up to 10 s
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

ticks() { # CPU clock ticks (utime + stime) of a process
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

cluster_ticks() { # managed-cluster root → CPU ticks of its postmaster, live backends, and
    # exited ones (cutime)
    local postmaster total pid
    postmaster=$(head -1 "$1/pgdata/postmaster.pid" 2>/dev/null) || { echo 0; return; }
    total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster/stat")
    for pid in $(pgrep -P "$postmaster"); do
        total=$((total + $(ticks "$pid")))
    done
    echo "$total"
}

rss_sampler() { # peak VmRSS (kB) of pid while it runs, written to $2
    local pid=$1 out=$2 peak=0 rss
    while kill -0 "$pid" 2>/dev/null; do
        rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" >"$out"
        sleep 0.2
    done
}

peak_rss_mb() { # VmHWM of pid, in MB
    awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

start_server() { # port data-dir log [serve options…]: a release server on its own managed
    # PostgreSQL in data-dir (made afresh) → SERVER_PID, once it answers
    local port=$1 data=$2 logfile=$3
    shift 3
    rm -rf "$data"
    mkdir -p "$data"
    log "starting dealgraph serve${*:+ $*} on $HOST:$port"
    RUST_LOG=${RUST_LOG:-warn} "$BIN" serve --listen "$HOST:$port" --data-dir "$data" "$@" \
        >"$logfile" 2>&1 &
    SERVER_PID=$!
    wait_ready "http://$HOST:$port" "$SERVER_PID"
}

own_server() { # work-dir data-dir: an empty work dir, the release binary, and on exit the
    # server (started by start_server) stopped and its data dir removed
    WORK=$1 SERVER_DATA=$2 SERVER_PID=
    mkdir -p "$WORK"
    rm -f "$WORK"/*
    build_release
    trap stop_own_server EXIT
}
stop_own_server() {
    [ -z "$SERVER_PID" ] || stop_process "$SERVER_PID"
    rm -rf "$SERVER_DATA"
}

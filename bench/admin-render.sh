#!/usr/bin/env bash
# The /admin board's render time on the 100,000-deal seed with a release server (issue 14,
# item 10; target < 1 s).
#
#   bash bench/admin-render.sh
#
# Builds the release binary (with the bundled /admin), starts `dealgraph serve` on 127.0.0.1
# with its own throw-away managed PostgreSQL (target/bench-admin-pg), seeds the deals
# (`dealgraph seed --deals 100000 --seed 1`), and runs bench/admin-render.mjs: the board opened
# in fresh headless-Chromium contexts, the render time of each. Stops the server.
#
# Knobs (environment): BENCH_DEALS (100000), BENCH_RUNS (5), BENCH_PORT (18280), CHROMIUM
# (/usr/bin/chromium), BENCH_SKIP_BUILD=1.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
DEALS=${BENCH_DEALS:-100000}
RUNS=${BENCH_RUNS:-5}
PORT=${BENCH_PORT:-18280}
PGROOT="$TARGET_DIR/bench-admin-pg"

need curl
need node nodejs
own_server "$OUT/admin" "$PGROOT"
start_server "$PORT" "$PGROOT" "$WORK/server.log"

log "seeding $DEALS deals"
RUST_LOG=warn "$BIN" seed --deals "$DEALS" --seed 1 --data-dir "$PGROOT" >"$WORK/seed.txt"
API_KEY=$(sed -n 's/^api_key=//p' "$WORK/seed.txt")
[ -n "$API_KEY" ] || die "the seed printed no api_key"

log "opening the board $RUNS times"
node "$ROOT/bench/admin-render.mjs" --base "http://$HOST:$PORT" --key "$API_KEY" --runs "$RUNS" |
    tee "$WORK/result.txt"
echo "Load average $(cut -d' ' -f1-3 /proc/loadavg); server peak RSS $(peak_rss_mb "$SERVER_PID") MB." |
    tee -a "$WORK/result.txt"

#!/usr/bin/env bash
# Webhook delivery benchmark (issue 13, item 7).
#
#   bash bench/webhooks.sh
#
# Builds the release binary, starts `dealgraph serve --webhooks-allow-private` on 127.0.0.1
# with its own throw-away managed PostgreSQL (target/bench-webhooks-pg), creates a workspace,
# and runs bench/webhooks.py: a local receiver behind 10 endpoints subscribed to
# `contact.created`, events committed through GraphQL at 50/s (event-commit → received latency
# p50/p99), then a burst as fast as 4 clients can commit (deliveries per second). Checks that
# every endpoint got every event exactly once. Prints a Markdown table and stops the server.
#
# Knobs (environment): BENCH_DURATION (20s per phase), BENCH_ENDPOINTS (10), BENCH_RATE (50
# events/s), BENCH_PORT (18180; the receiver listens on the next port), BENCH_SKIP_BUILD=1.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
DURATION=${BENCH_DURATION:-20}
DURATION=${DURATION%s}
ENDPOINTS=${BENCH_ENDPOINTS:-10}
RATE=${BENCH_RATE:-50}
PORT=${BENCH_PORT:-18180}
URL="http://$HOST:$PORT"
PGROOT="$TARGET_DIR/bench-webhooks-pg"

need curl
need python3
own_server "$OUT/webhooks" "$PGROOT"
start_server "$PORT" "$PGROOT" "$WORK/server.log" --webhooks-allow-private
API_KEY=$(RUST_LOG=warn "$BIN" workspace create "Webhook bench" --data-dir "$PGROOT" | sed -n 's/^api_key=//p')
[ -n "$API_KEY" ] || die "no API key from 'dealgraph workspace create'"

log "$ENDPOINTS endpoints, ${RATE} events/s for ${DURATION}s, then a burst for ${DURATION}s"
server_before=$(ticks "$SERVER_PID")
started=$(date +%s.%N)
python3 "$ROOT/bench/webhooks.py" --url "$URL" --key "$API_KEY" --port "$((PORT + 1))" \
    --endpoints "$ENDPOINTS" --rate "$RATE" --seconds "$DURATION" >"$WORK/result.txt"
cpu=$(awk -v t="$(( $(ticks "$SERVER_PID") - server_before ))" -v tck="$CLK_TCK" \
    -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f%%", 100 * t / tck / (b - a) }')

{
    echo "| phase | endpoints | events | events/s | delivered | lost | duplicated | deliveries/s | p50 commit→received (ms) | p99 (ms) | max (ms) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    grep '^|' "$WORK/result.txt"
    echo
    echo "Server peak RSS (VmHWM) $(peak_rss_mb "$SERVER_PID") MB; dealgraph CPU over both phases $cpu of one core ($CORES cores); load average $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$WORK/results.md"

#!/usr/bin/env bash
# Load benchmark of the GraphQL API on a seeded 100,000-deal workspace.
#
#   bash bench/run.sh
#
# Builds the release binary, starts `dealgraph serve` on 127.0.0.1 (managed PostgreSQL in a
# throw-away cluster under target/bench-pg, or $DATABASE_URL if set), seeds the deals, and
# drives GraphQL operations with wrk (the board, a deal page, a deal list, a lead list). Records req/s,
# p50/p99 latency, the server's peak RSS and the CPU split between dealgraph and PostgreSQL,
# captures the executed SQL with its plans (auto_explain, managed cluster only), prints a
# Markdown table and stops the server. Every load goes to loopback only and is time-bounded.
#
# Knobs (environment): BENCH_DEALS (100000), BENCH_DURATION (20s), BENCH_WARMUP (3s),
# BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_PORT (18080), BENCH_SKIP_BUILD=1,
# BENCH_KEEP_DATA=1 (keep target/bench-pg for EXPLAIN afterwards).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DEALS=${BENCH_DEALS:-100000}
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-3s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_PORT:-18080}
HOST=127.0.0.1 # loopback only, never anything else
URL="http://$HOST:$PORT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN="$TARGET_DIR/release/dealgraph"
OUT="$TARGET_DIR/bench"
PGROOT="$TARGET_DIR/bench-pg"
CLK_TCK=$(getconf CLK_TCK)
CORES=$(nproc)

log() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() {
    local tool=$1 package=${2:-$1}
    command -v "$tool" >/dev/null && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing $package"
        apt-get install -y -qq "$package" >/dev/null || die "cannot install $package"
    else
        die "$tool is missing: apt-get install $package"
    fi
}
need wrk
need curl
need jq
need psql postgresql-client

mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.json "$OUT"/*.log "$OUT"/results.md

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "cargo build --release"
    cargo build --release --quiet
fi
[ -x "$BIN" ] || die "no binary at $BIN"

# ---------------------------------------------------------------- database and server

MANAGED=1
DB_ARGS=()
if [ -n "${DATABASE_URL:-}" ]; then
    MANAGED=0
    PSQL_CONN=$DATABASE_URL
    log "using DATABASE_URL"
else
    rm -rf "$PGROOT"
    mkdir -p "$PGROOT"
    DB_ARGS=(--data-dir "$PGROOT")
    PSQL_CONN="host=$PGROOT user=postgres dbname=dealgraph"
fi
psql_q() { psql "$PSQL_CONN" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

SERVER_PID=
CAPTURE_PID=
cleanup() {
    for pid in $CAPTURE_PID $SERVER_PID; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
    done
    if [ "$MANAGED" = 1 ] && [ "${BENCH_KEEP_DATA:-0}" != 1 ]; then rm -rf "$PGROOT"; fi
}
trap cleanup EXIT

wait_ready() {
    local url=$1 pid=$2
    for _ in $(seq 1 600); do
        curl -fsS "$url/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || die "the server exited; see $OUT/server.log"
        sleep 0.2
    done
    die "the server did not become ready in 120 s"
}

log "starting dealgraph serve on $HOST:$PORT"
RUST_LOG=${RUST_LOG:-warn} "$BIN" serve --listen "$HOST:$PORT" "${DB_ARGS[@]}" \
    >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
wait_ready "$URL" "$SERVER_PID"

# ---------------------------------------------------------------- seed

log "seeding $DEALS deals"
seed_started=$(date +%s.%N)
RUST_LOG=warn "$BIN" seed --deals "$DEALS" --seed 1 "${DB_ARGS[@]}" >"$OUT/seed.txt"
seed_wall=$(awk -v a="$seed_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
cat "$OUT/seed.txt" | grep -v '^api_key=' >&2
API_KEY=$(sed -n 's/^api_key=//p' "$OUT/seed.txt")
WORKSPACE_ID=$(sed -n 's/^workspace_id=//p' "$OUT/seed.txt")
SEED_SECONDS=$(sed -n 's/^seed_seconds=//p' "$OUT/seed.txt")
[ -n "$API_KEY" ] || die "the seed printed no api_key"
export API_KEY

gql() { # query [variables] → response JSON
    local vars=${2:-'{}'}
    jq -n --arg q "$1" --argjson v "$vars" '{query: $q, variables: $v}' |
        curl -fsS "$URL/graphql" -H 'content-type: application/json' \
            -H "authorization: Bearer $API_KEY" --data-binary @-
}

PIPELINE_ID=$(gql '{ pipelines { id isDefault } }' | jq -r '.data.pipelines[] | select(.isDefault) | .id')
# A deal of the default pipeline with a long history: the heaviest kind of deal page.
DEAL_ID=$(psql_q -c "SELECT d.id FROM deals d
    WHERE d.workspace_id = '$WORKSPACE_ID' AND d.pipeline_id = '$PIPELINE_ID'
      AND (SELECT count(*) FROM stage_changes c WHERE c.deal_id = d.id) >= 5
    ORDER BY d.id LIMIT 1")
[ -n "$PIPELINE_ID" ] && [ -n "$DEAL_ID" ] || die "cannot find the default pipeline or a deal"
log "workspace $WORKSPACE_ID, pipeline $PIPELINE_ID, deal $DEAL_ID"

# ---------------------------------------------------------------- operations

# Light to heavy: glibc keeps freed memory, so each peak RSS includes the operations before.
OPS=(deal list leads board)
declare -A QUERY VARS
QUERY[board]='query Board($id: ID!) { pipeline(id: $id) { stages { name deals(first: 50) { totalCount nodes { id title amount currency closeProbability isRotting tags { name } contacts { role contactId } } } } } }'
VARS[board]=$(jq -n --arg id "$PIPELINE_ID" '{id: $id}')
QUERY[deal]='query DealPage($id: ID!) { deal(id: $id) { title amount stage { name } pipeline { name } contacts { role contactId } stageChanges(first: 20) { nodes { sequence fromStageName toStageName changedAt } } } }'
VARS[deal]=$(jq -n --arg id "$DEAL_ID" '{id: $id}')
QUERY[list]='query List { deals(first: 100, orderBy: {field: UPDATED_AT}) { nodes { id title amount stage { name } } } }'
VARS[list]='{}'
# The lead list a salesperson opens: the 50 most recently updated leads, with the total.
QUERY[leads]='query Leads { leads(first: 50, orderBy: UPDATED_AT) { totalCount nodes { id name email companyName status source score ownerId tags createdAt lastActivityAt } } }'
VARS[leads]='{}'
QUERY[summary]='query Summary($id: ID!) { pipelineSummary(pipelineId: $id) { dealCount } }'
VARS[summary]=$(jq -n --arg id "$PIPELINE_ID" '{id: $id}')

for op in "${OPS[@]}" summary; do
    jq -n --arg q "${QUERY[$op]}" --argjson v "${VARS[$op]}" '{query: $q, variables: $v}' \
        >"$OUT/$op.json"
done
for op in "${OPS[@]}"; do
    response=$(curl -fsS "$URL/graphql" -H 'content-type: application/json' \
        -H "authorization: Bearer $API_KEY" --data-binary @"$OUT/$op.json")
    if echo "$response" | jq -e '.errors' >/dev/null; then
        die "$op fails: $(echo "$response" | head -c 500)"
    fi
    printf '%s' "$response" >"$OUT/$op-response.json"
done
BOARD_DEALS=$(jq '[.data.pipeline.stages[].deals.nodes | length] | add' "$OUT/board-response.json")
log "board: $BOARD_DEALS deals, $(wc -c <"$OUT/board-response.json") bytes; deal page: $(wc -c <"$OUT/deal-response.json") bytes; list: $(jq '.data.deals.nodes | length' "$OUT/list-response.json") deals, $(wc -c <"$OUT/list-response.json") bytes; leads: $(jq '.data.leads.nodes | length' "$OUT/leads-response.json") of $(jq '.data.leads.totalCount' "$OUT/leads-response.json")"

# ---------------------------------------------------------------- measuring

ticks() { # CPU clock ticks (utime + stime) of a process
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
postgres_ticks() { # the whole cluster: postmaster, live backends, and exited ones (cutime)
    [ "$MANAGED" = 1 ] || { echo 0; return; }
    local postmaster total pid
    postmaster=$(head -1 "$PGROOT/pgdata/postmaster.pid" 2>/dev/null) || { echo 0; return; }
    total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster/stat")
    for pid in $(pgrep -P "$postmaster"); do
        total=$((total + $(ticks "$pid")))
    done
    echo "$total"
}
machine_busy() { # busy and total jiffies of the whole machine
    awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat
}
statements() {
    curl -fsS "$URL/metrics" | awk '/^dealgraph_db_statements_total/ { s += $NF } END { printf "%d", s }'
}
rss_sampler() { # peak VmRSS (kB) of pid while it runs, written to $2
    local pid=$1 out=$2 peak=0 rss
    while kill -0 "$pid" 2>/dev/null; do
        rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" >"$out"
        sleep 0.2
    done
}

run_wrk() { # op duration → wrk output
    BODY_FILE="$OUT/$1.json" timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" --timeout 10s --latency \
        -s "$ROOT/bench/graphql.lua" "$URL/graphql"
}

printf 'op\treq_s\tp50_ms\tp99_ms\tfailed\trss_mb\tserver_cpu\tpg_cpu\tserver_ms\tpg_ms\tmachine_cpu\tstmts_per_req\tload_avg\n' \
    >"$OUT/results.tsv"
for op in "${OPS[@]}"; do
    log "$op: warm-up $WARMUP"
    run_wrk "$op" "$WARMUP" >/dev/null
    log "$op: ${DURATION} at $CONNECTIONS connections"
    rm -f "$OUT/rss-$op"
    server_before=$(ticks "$SERVER_PID")
    pg_before=$(postgres_ticks)
    read -r busy_before total_before < <(machine_busy)
    stmts_before=$(statements)
    started=$(date +%s.%N)
    ( rss_sampler "$SERVER_PID" "$OUT/rss-$op" ) &
    sampler=$!
    run_wrk "$op" "$DURATION" >"$OUT/wrk-$op.txt"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    server_after=$(ticks "$SERVER_PID")
    pg_after=$(postgres_ticks)
    read -r busy_after total_after < <(machine_busy)
    stmts_after=$(statements)
    load=$(cut -d' ' -f1 /proc/loadavg)
    result=$(grep '^BENCH_RESULT' "$OUT/wrk-$op.txt") || die "wrk printed no result for $op"
    field() { echo "$result" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    requests=$(field requests)
    awk -v op="$op" -v n="$requests" -v us="$(field duration_us)" -v p50="$(field p50_us)" \
        -v p99="$(field p99_us)" -v failed="$(( $(field failed) + $(field socket_errors) ))" \
        -v rss="$(cat "$OUT/rss-$op" 2>/dev/null || echo 0)" -v tck="$CLK_TCK" -v secs="$elapsed" \
        -v srv="$((server_after - server_before))" -v pg="$((pg_after - pg_before))" \
        -v busy="$((busy_after - busy_before))" -v total="$((total_after - total_before))" \
        -v stmts="$((stmts_after - stmts_before))" -v pgknown="$MANAGED" -v cores="$CORES" -v load="$load" \
        'BEGIN {
            ok = n > 0 ? n : 1
            printf "%s\t%.0f\t%.2f\t%.2f\t%d\t%.1f\t%.0f%%\t%s\t%.2f\t%s\t%.0f%%\t%.1f\t%s\n",
                op, n / (us / 1e6), p50 / 1000, p99 / 1000, failed, rss / 1024,
                100 * srv / tck / secs, pgknown ? sprintf("%.0f%%", 100 * pg / tck / secs) : "n/a",
                1000 * srv / tck / ok, pgknown ? sprintf("%.2f", 1000 * pg / tck / ok) : "n/a",
                100 * busy / total * cores, stmts / ok, load
        }' >>"$OUT/results.tsv"
done
PEAK_RSS=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")

# ---------------------------------------------------------------- SQL and plans

capture_plans() {
    log "capturing SQL and plans (auto_explain)"
    psql_q -c "LOAD 'auto_explain'" \
        -c "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'" \
        -c "ALTER SYSTEM SET auto_explain.log_min_duration = 0" \
        -c "ALTER SYSTEM SET auto_explain.log_analyze = on" \
        -c "ALTER SYSTEM SET auto_explain.log_buffers = on" \
        -c "ALTER SYSTEM SET auto_explain.log_timing = on" \
        -c "SELECT pg_reload_conf()" >/dev/null || return 1
    local port=$((PORT + 1)) op
    RUST_LOG=warn "$BIN" serve --listen "$HOST:$port" --pool-size 4 "${DB_ARGS[@]}" \
        >"$OUT/capture-server.log" 2>&1 &
    CAPTURE_PID=$!
    wait_ready "http://$HOST:$port" "$CAPTURE_PID"
    for op in "${OPS[@]}" summary; do
        # Six runs first: prepared statements may switch to generic plans after five.
        for _ in 1 2 3 4 5 6; do
            curl -sS -o /dev/null "http://$HOST:$port/graphql" -H 'content-type: application/json' \
                -H "authorization: Bearer $API_KEY" --data-binary @"$OUT/$op.json"
        done
        sleep 0.3
        local from
        from=$(wc -c <"$PGROOT/postgres.log")
        curl -sS -o "$OUT/capture-$op.json" "http://$HOST:$port/graphql" \
            -H 'content-type: application/json' -H "authorization: Bearer $API_KEY" \
            --data-binary @"$OUT/$op.json"
        sleep 0.5
        tail -c +"$((from + 1))" "$PGROOT/postgres.log" >"$OUT/plans-$op.txt"
    done
    kill -TERM "$CAPTURE_PID" 2>/dev/null || true
    wait "$CAPTURE_PID" 2>/dev/null || true
    CAPTURE_PID=
}

# A second server on fresh connections with auto_explain loaded logs every statement the
# operations (and pipelineSummary) run, with its plan, timings and buffers. The load server's
# connections never load it, so the numbers above are unaffected. Best effort: a failure here
# leaves the results intact.
if [ "$MANAGED" = 1 ]; then
    capture_plans || log "capturing plans failed; see $OUT/capture-server.log"
    psql_q -c "LOAD 'auto_explain'" -c "ALTER SYSTEM RESET ALL" -c "SELECT pg_reload_conf()" \
        >/dev/null || true
    psql_q -v ws="$WORKSPACE_ID" -v pipeline="$PIPELINE_ID" -v deal="$DEAL_ID" \
        -f "$ROOT/bench/explain.sql" >"$OUT/explain.txt" 2>&1 ||
        log "explain.sql failed: see $OUT/explain.txt"
fi

# ---------------------------------------------------------------- report

{
    echo "Seeded $DEALS deals in ${SEED_SECONDS}s (seed's own timer; ${seed_wall}s wall clock for the command)."
    echo
    echo "| Operation | req/s | p50 (ms) | p99 (ms) | failed | server RSS peak (MB) | CPU dealgraph | CPU postgres | dealgraph CPU ms/req | postgres CPU ms/req | CPU machine | SQL/request | load avg |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    tail -n +2 "$OUT/results.tsv" |
        while IFS=$'\t' read -r op rps p50 p99 failed rss srv pg srv_ms pg_ms machine stmts load; do
            echo "| $op | $rps | $p50 | $p99 | $failed | $rss | $srv | $pg | $srv_ms | $pg_ms | $machine | $stmts | $load |"
        done
    echo
    echo "Server peak RSS over the whole run (VmHWM): ${PEAK_RSS} MB. wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per operation after a $WARMUP warm-up, against $URL."
    echo "CPU is percent of one core ($((CORES * 100))% = all $CORES cores); 'machine' includes wrk and anything else running."
} | tee "$OUT/results.md"
log "details in $OUT (wrk output, plans-*.txt, explain.txt)"

#!/usr/bin/env bash
# Profiles one screen of bench/run.sh: a release server on its own managed PostgreSQL with a
# small seed, the screen's query driven by wrk, and `perf record` on the server meanwhile.
#
#   bash bench/probe.sh [screen] [seconds]        # screen: board (default), deal, list
#
# Prints the server's CPU ms per request, statements per request and the top symbols of
# `perf report --no-children`; with pg_stat_statements available, PostgreSQL's time per
# statement too. Knobs: PROBE_DEALS (20000), PROBE_CONNECTIONS (32), PROBE_PORT (18090),
# PROBE_BIN (the release binary), PROBE_KEEP=1 (leave the server and cluster running).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
SCREEN=${1:-board}
SECONDS_=${2:-15}
DEALS=${PROBE_DEALS:-20000}
CONNECTIONS=${PROBE_CONNECTIONS:-32}
PORT=${PROBE_PORT:-18090}
BIN=${PROBE_BIN:-$BIN}
URL="http://$HOST:$PORT"
WORK="$OUT/probe"
DATA="$TARGET_DIR/probe-pg"
need wrk
need jq
need perf linux-perf

mkdir -p "$WORK"
if [ -s "$WORK/server.pid" ] && kill -0 "$(cat "$WORK/server.pid")" 2>/dev/null; then
    SERVER_PID=$(cat "$WORK/server.pid") # reuse a kept server and its seed
else
    start_server "$PORT" "$DATA" "$WORK/server.log"
    "$BIN" seed --deals "$DEALS" --seed 1 --data-dir "$DATA" >"$WORK/seed.txt"
    # Per-statement times (pg_stat_statements): the cluster restarts with the module, under
    # a server started again on the same data.
    psql "host=$DATA user=postgres dbname=dealgraph" -X -q -c \
        "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null
    stop_process "$SERVER_PID"
    for _ in $(seq 1 100); do [ -e "$DATA/pgdata/postmaster.pid" ] || break; sleep 0.1; done
    RUST_LOG=warn "$BIN" serve --listen "$HOST:$PORT" --data-dir "$DATA" >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    wait_ready "$URL" "$SERVER_PID"
    echo "$SERVER_PID" >"$WORK/server.pid"
    psql "host=$DATA user=postgres dbname=dealgraph" -X -q -c \
        "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
        -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" -c "SELECT pg_reload_conf()" >/dev/null
fi
[ "${PROBE_KEEP:-0}" = 1 ] || trap 'stop_process "$SERVER_PID"; rm -rf "$DATA" "$WORK/server.pid"' EXIT
API_KEY=$(sed -n 's/^api_key=//p' "$WORK/seed.txt")
export API_KEY
PSQL="host=$DATA user=postgres dbname=dealgraph"
gql() {
    jq -n --arg q "$1" --argjson v "${2:-{\}}" '{query: $q, variables: $v}' |
        curl -fsS "$URL/graphql" -H 'content-type: application/json' \
            -H "authorization: Bearer $API_KEY" --data-binary @-
}
PIPELINE_ID=$(gql '{ pipelines { id isDefault } }' | jq -r '.data.pipelines[] | select(.isDefault) | .id')
DEAL_ID=$(psql "$PSQL" -XAt -c "SELECT d.id FROM deals d WHERE d.pipeline_id = '$PIPELINE_ID'
    AND (SELECT count(*) FROM stage_changes c WHERE c.deal_id = d.id) >= 5 ORDER BY d.id LIMIT 1")
case $SCREEN in
board)
    Q='query Board($id: ID!) { pipeline(id: $id) { stages { name deals(first: 50) { totalCount nodes { id title amount currency closeProbability isRotting company { name } tags { name } contacts { role contact { name email } } } } } } }'
    V=$(jq -n --arg id "$PIPELINE_ID" '{id: $id}') ;;
deal)
    Q='query DealPage($id: ID!) { deal(id: $id) { title amount stage { name } pipeline { name } contacts { role contactId } stageChanges(first: 20) { nodes { sequence fromStageName toStageName changedAt } } } }'
    V=$(jq -n --arg id "$DEAL_ID" '{id: $id}') ;;
list)
    Q='query List { deals(first: 100, orderBy: {field: UPDATED_AT}) { nodes { id title amount stage { name } } } }'
    V='{}' ;;
*) die "unknown screen $SCREEN" ;;
esac
jq -n --arg q "$Q" --argjson v "$V" '{query: $q, variables: $v}' >"$WORK/$SCREEN.json"
curl -fsS "$URL/graphql" -H 'content-type: application/json' -H "authorization: Bearer $API_KEY" \
    --data-binary @"$WORK/$SCREEN.json" >"$WORK/$SCREEN-response.json"
jq -e '.errors' "$WORK/$SCREEN-response.json" >/dev/null && die "$SCREEN fails: $(head -c 300 "$WORK/$SCREEN-response.json")"

statements() {
    curl -fsS "$URL/metrics" | awk '/^dealgraph_db_statements_total/ { s += $NF } END { printf "%d", s }'
}
wrk_run() {
    BODY_FILE="$WORK/$SCREEN.json" wrk -t2 -c"$CONNECTIONS" -d"$1" --timeout 10s \
        -s "$ROOT/bench/graphql.lua" "$URL/graphql"
}
wrk_run 3s >/dev/null
psql "$PSQL" -XAtq -c "SELECT pg_stat_statements_reset()" >/dev/null 2>&1 || true
before=$(ticks "$SERVER_PID")
pg_before=$(cluster_ticks "$DATA")
stmts=$(statements)
perf record -F 499 -g -p "$SERVER_PID" -o "$WORK/perf.data" -- sleep "$SECONDS_" 2>"$WORK/perf.log" &
perf_pid=$!
wrk_run "${SECONDS_}s" >"$WORK/wrk.txt"
wait "$perf_pid" || true
after=$(ticks "$SERVER_PID")
pg=$(($(cluster_ticks "$DATA") - pg_before))
n=$(sed -n 's/^BENCH_RESULT requests=\([0-9]*\).*/\1/p' "$WORK/wrk.txt")
awk -v n="$n" -v t="$((after - before))" -v tck="$CLK_TCK" -v s="$(($(statements) - stmts))" \
    -v secs="$SECONDS_" -v pg="$pg" -v load="$(cut -d' ' -f1 /proc/loadavg)" -v rss="$(peak_rss_mb "$SERVER_PID")" \
    'BEGIN { printf "requests %d (%.0f/s), server CPU %.2f ms/req, PostgreSQL %.2f ms/req, %.2f statements/req, peak RSS %s MB, load %s\n",
        n, n / secs, 1000 * t / tck / n, 1000 * pg / tck / n, s / n, rss, load }'
perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
    grep -E '^ +[0-9]' | head -40
psql "$PSQL" -XAt -F ' | ' -c "SELECT calls, round((total_plan_time / calls)::numeric, 3) AS plan_ms,
    round((total_exec_time / calls)::numeric, 3) AS exec_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
    FROM pg_stat_statements WHERE calls > 50 ORDER BY total_exec_time + total_plan_time DESC LIMIT 8" 2>/dev/null || true

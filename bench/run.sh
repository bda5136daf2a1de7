#!/usr/bin/env bash
# Load benchmark of the GraphQL API on a seeded 100,000-deal workspace, each screen next to
# the limit: the same rows read by hand-written SQL.
#
#   bash bench/run.sh
#
# Builds the release binary, starts `dealgraph serve` on 127.0.0.1 (managed PostgreSQL in a
# throw-away cluster under target/bench-pg, or $DATABASE_URL if set), seeds the deals, and
# drives each screen (deal page, deal list, lead list, invoice page, contact page with its
# timeline, board) with wrk as GraphQL, then right after with `pgbench -M prepared` as the
# hand-written SQL of bench/sql/<screen>.sql, same connections, same duration, same data.
# Records req/s, p50/p99 latency, the server's peak RSS, the CPU of dealgraph and of
# PostgreSQL per request and the SQL statements per request; checks once that GraphQL and SQL
# return the same number of rows; captures the executed SQL with its plans (auto_explain,
# managed cluster only), prints a Markdown table and stops the server. Every load goes to
# loopback (or the Unix socket) only and is time-bounded.
#
# Knobs (environment): BENCH_DEALS (100000), BENCH_DURATION (20s), BENCH_WARMUP (3s),
# BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_PORT (18080), BENCH_SKIP_BUILD=1,
# BENCH_KEEP_DATA=1 (keep target/bench-pg for EXPLAIN afterwards), BENCH_REUSE_DATA=1 (measure
# again on the data and seed a BENCH_KEEP_DATA=1 run left, without seeding; for big seeds).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
DEALS=${BENCH_DEALS:-100000}
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-3s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_PORT:-18080}
URL="http://$HOST:$PORT"
PGROOT="$TARGET_DIR/bench-pg"

need wrk
need curl
need jq
need psql postgresql-client
PGBENCH="$(pg_config --bindir 2>/dev/null)/pgbench" # the server's major version (15)
[ -x "$PGBENCH" ] || PGBENCH=pgbench
need "$PGBENCH" postgresql-client

mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.json "$OUT"/*.log "$OUT"/*.tsv "$OUT"/results.md "$OUT"/pgbench-*

build_release

# ---------------------------------------------------------------- database and server

MANAGED=1
DB_ARGS=()
if [ -n "${DATABASE_URL:-}" ]; then
    MANAGED=0
    PSQL_CONN=$DATABASE_URL
    log "using DATABASE_URL"
else
    if [ "${BENCH_REUSE_DATA:-0}" = 1 ] && [ -s "$PGROOT/seed.txt" ]; then
        REUSED=1
        log "reusing the $PGROOT data and its seed (BENCH_REUSE_DATA=1)"
    else
        rm -rf "$PGROOT"
        mkdir -p "$PGROOT"
    fi
    DB_ARGS=(--data-dir "$PGROOT")
    PSQL_CONN="host=$PGROOT user=postgres dbname=dealgraph"
fi
psql_q() { psql "$PSQL_CONN" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

SERVER_PID=
CAPTURE_PID=
cleanup() {
    for pid in $CAPTURE_PID $SERVER_PID; do stop_process "$pid"; done
    if [ "$MANAGED" = 1 ] && [ "${BENCH_KEEP_DATA:-0}" != 1 ]; then rm -rf "$PGROOT"; fi
}
trap cleanup EXIT

log "starting dealgraph serve on $HOST:$PORT"
RUST_LOG=${RUST_LOG:-warn} "$BIN" serve --listen "$HOST:$PORT" "${DB_ARGS[@]}" \
    >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
wait_ready "$URL" "$SERVER_PID"

# ---------------------------------------------------------------- seed

if [ "${REUSED:-0}" = 1 ]; then
    cp "$PGROOT/seed.txt" "$OUT/seed.txt"
    cp "$PGROOT/seed-time.txt" "$OUT/seed-time.txt" 2>/dev/null || true
    seed_wall=$(cat "$PGROOT/seed-wall.txt" 2>/dev/null || echo "?")
else
    log "seeding $DEALS deals"
    seed_started=$(date +%s.%N)
    # GNU time adds the seed's peak RSS and CPU (issue 10: under 60 s for 100,000 deals).
    TIME=()
    [ -x /usr/bin/time ] && TIME=(/usr/bin/time -v -o "$OUT/seed-time.txt")
    RUST_LOG=warn "${TIME[@]}" "$BIN" seed --deals "$DEALS" --seed 1 "${DB_ARGS[@]}" >"$OUT/seed.txt"
    seed_wall=$(awk -v a="$seed_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    if [ "$MANAGED" = 1 ]; then # for a later BENCH_REUSE_DATA=1 run (the key stays under target/)
        cp "$OUT/seed.txt" "$PGROOT/seed.txt"
        cp "$OUT/seed-time.txt" "$PGROOT/seed-time.txt" 2>/dev/null || true
        echo "$seed_wall" >"$PGROOT/seed-wall.txt"
    fi
fi
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

# The records the pages show, picked from the seeded data once: the heaviest of each kind.
# (Counted per invoice by one aggregate each: a correlated count per invoice is quadratic
# and never ends on the 1,000,000-deal seed.)
INVOICE_ID=$(psql_q -c "SELECT i.id FROM invoices i
    LEFT JOIN (SELECT invoice_id, count(*) AS n FROM invoice_lines
               WHERE workspace_id = '$WORKSPACE_ID' GROUP BY invoice_id) l ON l.invoice_id = i.id
    LEFT JOIN (SELECT invoice_id, count(*) AS n FROM payments
               WHERE workspace_id = '$WORKSPACE_ID' GROUP BY invoice_id) p ON p.invoice_id = i.id
    WHERE i.workspace_id = '$WORKSPACE_ID' AND i.kind = 'invoice'
    ORDER BY coalesce(l.n, 0) + coalesce(p.n, 0) DESC, i.id
    LIMIT 1")
# The contact with the longest timeline. The seed links activities to deals and leads only, so
# a contact's timeline holds the lead conversion that made it (and any activities logged since).
CONTACT_ID=$(psql_q -c "SELECT t.contact_id FROM (
        SELECT a.contact_id FROM activities a WHERE a.workspace_id = '$WORKSPACE_ID'
        UNION ALL
        SELECT v.contact_id FROM lead_conversions v WHERE v.workspace_id = '$WORKSPACE_ID') t
    WHERE t.contact_id IS NOT NULL
    GROUP BY t.contact_id ORDER BY count(*) DESC, t.contact_id LIMIT 1")
[ -n "$INVOICE_ID" ] && [ -n "$CONTACT_ID" ] || die "cannot find an invoice or a contact with a timeline"
log "invoice $INVOICE_ID, contact $CONTACT_ID"

# Light to heavy: memory freed is kept by the allocator, so each peak RSS includes the operations before.
OPS=(deal list leads invoice contact board)
declare -A QUERY VARS ROWS
# The realistic board: 7 stages × 50 deals, each with its company's name, contacts and tags.
QUERY[board]='query Board($id: ID!) { pipeline(id: $id) { stages { name deals(first: 50) { totalCount nodes { id title amount currency closeProbability isRotting company { name } tags { name } contacts { role contact { name email } } } } } } }'
VARS[board]=$(jq -n --arg id "$PIPELINE_ID" '{id: $id}')
ROWS[board]='[.data.pipeline.stages[].deals.nodes | length] | add'
QUERY[deal]='query DealPage($id: ID!) { deal(id: $id) { title amount stage { name } pipeline { name } contacts { role contactId } stageChanges(first: 20) { nodes { sequence fromStageName toStageName changedAt } } } }'
VARS[deal]=$(jq -n --arg id "$DEAL_ID" '{id: $id}')
ROWS[deal]='.data.deal | 1 + (.contacts | length) + (.stageChanges.nodes | length)'
QUERY[list]='query List { deals(first: 100, orderBy: {field: UPDATED_AT}) { nodes { id title amount stage { name } } } }'
VARS[list]='{}'
ROWS[list]='.data.deals.nodes | length'
# The lead list a salesperson opens: the 50 most recently updated leads, with the total.
QUERY[leads]='query Leads { leads(first: 50, orderBy: UPDATED_AT) { totalCount nodes { id name email companyName status source score ownerId tags createdAt lastActivityAt } } }'
VARS[leads]='{}'
ROWS[leads]='.data.leads | (.nodes | length) + 1'
QUERY[invoice]='query InvoicePage($id: ID!) { invoice(id: $id) { number status currency issueDate dueDate subtotal tax total amountPaid amountDue company { name domain } contact { name email } lines { lineNo name quantity unitAmount discount taxRate total } payments { kind amount paidAt method } } }'
VARS[invoice]=$(jq -n --arg id "$INVOICE_ID" '{id: $id}')
ROWS[invoice]='.data.invoice | 1 + (.lines | length) + (.payments | length)'
QUERY[contact]='query ContactPage($id: ID!) { contact(id: $id) { name email phone title lifecycleStage company { name domain } timeline(first: 20) { totalCount nodes { __typename ... on Activity { id type subject occurredAt } ... on LeadConversion { id convertedAt reason } } } } }'
VARS[contact]=$(jq -n --arg id "$CONTACT_ID" '{id: $id}')
ROWS[contact]='.data.contact | 1 + (.timeline.nodes | length) + 1'
QUERY[summary]='query Summary($id: ID!) { pipelineSummary(pipelineId: $id) { dealCount } }'
VARS[summary]=$(jq -n --arg id "$PIPELINE_ID" '{id: $id}')

# The variables of bench/sql/*.sql, for pgbench (-D) and psql (-v).
SQL_VARS=(ws="$WORKSPACE_ID" pipeline="$PIPELINE_ID" deal="$DEAL_ID" invoice="$INVOICE_ID" contact="$CONTACT_ID")

sql_rows() { # screen → rows its bench/sql script returns, run once through psql
    local args=() var
    for var in "${SQL_VARS[@]}"; do args+=(-v "$var"); done
    # psql 15 has no pipelines; its variables are quoted as :'name' where pgbench binds :name.
    sed -e '/^\\\(start\|end\)pipeline/d' -e '/^--/d' -e "s/\([^:]\):\([a-z]\+\)\b/\1:'\2'/g" \
        "$ROOT/bench/sql/$1.sql" | psql_q "${args[@]}" | wc -l
}
sql_statements() { # statements per transaction of a bench/sql script
    grep -v '^--' "$ROOT/bench/sql/$1.sql" | grep -c ';[[:space:]]*$'
}

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
    # The same rows from both sides, checked once before any load.
    graphql_rows=$(jq "${ROWS[$op]}" "$OUT/$op-response.json")
    raw_rows=$(sql_rows "$op")
    [ "$graphql_rows" = "$raw_rows" ] ||
        die "$op: GraphQL returns $graphql_rows rows, bench/sql/$op.sql $raw_rows"
    log "$op: $graphql_rows rows from GraphQL and from SQL, $(wc -c <"$OUT/$op-response.json") bytes of JSON"
done

# ---------------------------------------------------------------- measuring

postgres_ticks() { # the whole cluster's CPU ticks (managed cluster only)
    if [ "$MANAGED" = 1 ]; then cluster_ticks "$PGROOT"; else echo 0; fi
}
machine_busy() { # busy and total jiffies of the whole machine
    awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat
}
statements() {
    curl -fsS "$URL/metrics" | awk '/^dealgraph_db_statements_total/ { s += $NF } END { printf "%d", s }'
}
seconds() { # a wrk-style duration (20s, 1m, 20) → seconds
    awk -v d="$1" 'BEGIN { n = d + 0; u = substr(d, length(n "") + 1);
        print (u == "m" ? n * 60 : u == "h" ? n * 3600 : n) }'
}

run_wrk() { # op duration → wrk output
    BODY_FILE="$OUT/$1.json" timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" --timeout 10s --latency \
        -s "$ROOT/bench/graphql.lua" "$URL/graphql"
}
run_pgbench() { # op duration [log prefix] → pgbench output
    local args=() var
    for var in "${SQL_VARS[@]}"; do args+=(-D "$var"); done
    # -n: no vacuum of pgbench's own tables (there are none); a 10 % sample of the
    # transactions is logged for the latency percentiles.
    [ -n "${3:-}" ] && args+=(-l --sampling-rate=0.1 --log-prefix="$3")
    timeout 120 "$PGBENCH" -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$(seconds "$2")" \
        "${args[@]}" -f "$ROOT/bench/sql/$1.sql" "$PSQL_CONN"
}

measure_start() {
    pg_before=$(postgres_ticks)
    read -r busy_before total_before < <(machine_busy)
    started=$(date +%s.%N)
}
measure_end() { # → pg ticks, busy and total machine jiffies, elapsed seconds
    local pg_after busy_after total_after
    pg_after=$(postgres_ticks)
    read -r busy_after total_after < <(machine_busy)
    echo "$((pg_after - pg_before)) $((busy_after - busy_before)) $((total_after - total_before))" \
        "$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
}

printf 'op\treq_s\tp50_ms\tp99_ms\tfailed\trss_mb\tserver_cpu\tpg_cpu\tserver_ms\tpg_ms\tmachine_cpu\tstmts_per_req\tload_avg\tsql_req_s\tsql_p50_ms\tsql_p99_ms\tsql_failed\tsql_pg_ms\tsql_client_ms\tsql_stmts\tsql_machine_cpu\n' \
    >"$OUT/results.tsv"
for op in "${OPS[@]}"; do
    # GraphQL through dealgraph.
    log "$op: warm-up $WARMUP"
    run_wrk "$op" "$WARMUP" >/dev/null
    log "$op: GraphQL, ${DURATION} at $CONNECTIONS connections"
    rm -f "$OUT/rss-$op"
    server_before=$(ticks "$SERVER_PID")
    stmts_before=$(statements)
    ( rss_sampler "$SERVER_PID" "$OUT/rss-$op" ) &
    sampler=$!
    measure_start
    run_wrk "$op" "$DURATION" >"$OUT/wrk-$op.txt"
    read -r pg busy total elapsed < <(measure_end)
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    server_after=$(ticks "$SERVER_PID")
    stmts_after=$(statements)
    load=$(cut -d' ' -f1 /proc/loadavg)
    result=$(grep '^BENCH_RESULT' "$OUT/wrk-$op.txt") || die "wrk printed no result for $op"
    field() { echo "$result" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    graphql=$(awk -v op="$op" -v n="$(field requests)" -v us="$(field duration_us)" -v p50="$(field p50_us)" \
        -v p99="$(field p99_us)" -v failed="$(( $(field failed) + $(field socket_errors) ))" \
        -v rss="$(cat "$OUT/rss-$op" 2>/dev/null || echo 0)" -v tck="$CLK_TCK" -v secs="$elapsed" \
        -v srv="$((server_after - server_before))" -v pg="$pg" -v busy="$busy" -v total="$total" \
        -v stmts="$((stmts_after - stmts_before))" -v pgknown="$MANAGED" -v cores="$CORES" -v load="$load" \
        'BEGIN {
            ok = n > 0 ? n : 1
            printf "%s\t%.0f\t%.2f\t%.2f\t%d\t%.1f\t%.0f%%\t%s\t%.2f\t%s\t%.0f%%\t%.1f\t%s",
                op, n / (us / 1e6), p50 / 1000, p99 / 1000, failed, rss / 1024,
                100 * srv / tck / secs, pgknown ? sprintf("%.0f%%", 100 * pg / tck / secs) : "n/a",
                1000 * srv / tck / ok, pgknown ? sprintf("%.2f", 1000 * pg / tck / ok) : "n/a",
                100 * busy / total * cores, stmts / ok, load
        }')

    # The same rows as hand-written SQL, straight to PostgreSQL, right after.
    log "$op: raw SQL (pgbench -M prepared), warm-up $WARMUP"
    run_pgbench "$op" "$WARMUP" >/dev/null 2>&1 || die "pgbench fails on bench/sql/$op.sql"
    log "$op: raw SQL, ${DURATION} at $CONNECTIONS connections"
    rm -f "$OUT/pgbench-log-$op".*
    measure_start
    # pgbench's own CPU (the client's share) from /usr/bin/time-like accounting of the child.
    client_before=$(awk '{ print $16 + $17 }' /proc/$$/stat)
    run_pgbench "$op" "$DURATION" "$OUT/pgbench-log-$op" >"$OUT/pgbench-$op.txt" 2>&1 ||
        die "pgbench fails on bench/sql/$op.sql: see $OUT/pgbench-$op.txt"
    client_after=$(awk '{ print $16 + $17 }' /proc/$$/stat)
    read -r pg busy total elapsed < <(measure_end)
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$OUT/pgbench-$op.txt" | tail -1)
    transactions=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$OUT/pgbench-$op.txt")
    sql_failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$OUT/pgbench-$op.txt")
    # Transaction latencies (µs, third field) of the logged sample.
    read -r sql_p50 sql_p99 < <(cat "$OUT/pgbench-log-$op".* 2>/dev/null | awk '{ print $3 }' | sort -n |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print 0, 0; exit }
            i50 = int(NR * 0.50); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
            printf "%.2f %.2f\n", v[i50] / 1000, v[i99] / 1000 }')
    sql=$(awk -v n="${transactions:-0}" -v tps="${tps:-0}" -v p50="$sql_p50" -v p99="$sql_p99" \
        -v failed="${sql_failed:-0}" -v pg="$pg" -v client="$((client_after - client_before))" \
        -v tck="$CLK_TCK" -v busy="$busy" -v total="$total" -v cores="$CORES" -v pgknown="$MANAGED" \
        -v stmts="$(sql_statements "$op")" \
        'BEGIN {
            ok = n > 0 ? n : 1
            printf "%.0f\t%.2f\t%.2f\t%d\t%s\t%.3f\t%d\t%.0f%%", tps, p50, p99, failed,
                pgknown ? sprintf("%.3f", 1000 * pg / tck / ok) : "n/a", 1000 * client / tck / ok,
                stmts, 100 * busy / total * cores
        }')
    printf '%s\t%s\n' "$graphql" "$sql" >>"$OUT/results.tsv"
    rm -f "$OUT/pgbench-log-$op".*
done
PEAK_RSS=$(peak_rss_mb "$SERVER_PID")

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
    echo "Seeded $DEALS deals in ${SEED_SECONDS}s (seed's own timer; ${seed_wall}s wall clock for the command$(
        [ -s "$OUT/seed-time.txt" ] && awk -F': ' '/Maximum resident/ { rss = $2 } /User time/ { u = $2 }
            /System time/ { s = $2 } END { printf "; seed process: %.1f s CPU, %.0f MB peak RSS", u + s, rss / 1024 }' "$OUT/seed-time.txt"))."
    echo
    echo "| screen | dealgraph req/s | raw SQL req/s | dealgraph / raw SQL | dealgraph p50 / p99 (ms) | raw SQL p50 / p99 (ms) | dealgraph CPU ms/req | PostgreSQL CPU ms/req (dealgraph) | PostgreSQL CPU ms/req (raw SQL) | pgbench CPU ms/req | SQL/request (dealgraph) | SQL/request (raw SQL) | server RSS peak (MB) | failed | load avg |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    tail -n +2 "$OUT/results.tsv" |
        while IFS=$'\t' read -r op rps p50 p99 failed rss _srv _pg srv_ms pg_ms _machine stmts load \
            sql_rps sql_p50 sql_p99 sql_failed sql_pg_ms sql_client_ms sql_stmts _sql_machine; do
            ratio=$(awk -v a="$rps" -v b="$sql_rps" 'BEGIN { printf (b > 0 ? "%.3f" : "n/a"), a / b }')
            echo "| $op | $rps | $sql_rps | **$ratio** | $p50 / $p99 | $sql_p50 / $sql_p99 | $srv_ms | $pg_ms | $sql_pg_ms | $sql_client_ms | $stmts | $sql_stmts | $rss | $failed + $sql_failed | $load |"
        done
    echo
    echo "Server peak RSS over the whole run (VmHWM): ${PEAK_RSS} MB. Each screen: wrk ($THREADS threads) on $URL/graphql, then \`pgbench -M prepared -c $CONNECTIONS -j $THREADS\` on bench/sql/<screen>.sql, $CONNECTIONS connections and $DURATION each after a $WARMUP warm-up."
    echo "Raw SQL p50/p99 come from a 10 % sample of pgbench's transactions. 'failed' is GraphQL + raw SQL. The full per-run figures (CPU shares of dealgraph, PostgreSQL and the machine) are in $OUT/results.tsv."
} | tee "$OUT/results.md"
log "details in $OUT (wrk and pgbench output, plans-*.txt, explain.txt)"
